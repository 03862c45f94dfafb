"""Keras' 1-D convolution and pooling layers on torch: Conv1D, MaxPooling1D,
GlobalMaxPooling1D, GlobalAveragePooling1D (inputs ``(batch, steps, channels)``)."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from vectab._checks import check_int
from vectab.layers._base import Layer, activation
from vectab.layers.core import keras_init

__all__ = ["Conv1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "MaxPooling1D"]


def _padding(padding: str, allowed: tuple[str, ...]) -> str:
    if padding not in allowed:
        raise ValueError(f"`padding` must be one of {allowed}; got {padding!r}.")
    return padding


def _same_pads(steps: int, window: int, stride: int) -> tuple[int, int]:
    """Keras/TensorFlow 'same' padding: left = total // 2, the extra on the right."""
    out = math.ceil(steps / stride)
    total = max((out - 1) * stride + window - steps, 0)
    return total // 2, total - total // 2


def _out_len(steps: int | None, window: int, stride: int, padding: str) -> int | None:
    if steps is None:
        return None
    if padding in ("same",):
        return math.ceil(steps / stride)
    if padding == "causal":
        return (steps - 1) // stride + 1
    return (steps - window) // stride + 1


class Conv1D(Layer):
    """1-D convolution over steps (Keras' ``Conv1D``; ``channels_last``), on ``F.conv1d``.

    ``get_weights()`` is Keras' ``[kernel (kernel_size, in, filters), bias (filters,)]``; the
    parameter ``weight`` has torch's layout ``(filters, in, kernel_size)``. Drops the mask.

    Example:
        >>> import torch
        >>> layer = Conv1D(4, 3, padding="same")
        >>> layer(torch.randn(2, 7, 5)).shape, layer.count_params()
        (torch.Size([2, 7, 4]), 64)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        padding: str = "valid",
        dilation_rate: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        *,
        input_shape: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, input_shape=input_shape)
        for value, arg in ((filters, "filters"), (strides, "strides"),
                           (dilation_rate, "dilation_rate")):
            check_int(value, arg)
        kernel_size = kernel_size[0] if isinstance(kernel_size, (tuple, list)) else kernel_size
        check_int(kernel_size, "kernel_size")
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.strides, self.dilation_rate = int(strides), int(dilation_rate)
        self.padding = _padding(padding, ("valid", "same", "causal"))
        self.activation = activation_of(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self._build_now()

    def build(self, input_shape: Any) -> None:  # noqa: D102
        channels = int(input_shape[-1])
        kernel = keras_init(self.kernel_initializer, (self.kernel_size, channels, self.filters),
                            "kernel_initializer")
        self.weight = nn.Parameter(kernel.permute(2, 1, 0).contiguous())
        self.bias = nn.Parameter(
            keras_init(self.bias_initializer, (self.filters,), "bias_initializer")
        ) if self.use_bias else None

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        x = x.transpose(1, 2)
        span = (self.kernel_size - 1) * self.dilation_rate + 1
        if self.padding == "same":
            x = F.pad(x, _same_pads(x.shape[-1], span, self.strides))
        elif self.padding == "causal":
            x = F.pad(x, (span - 1, 0))
        out = F.conv1d(x, self.weight, self.bias, self.strides, 0, self.dilation_rate)
        return self.activation(out.transpose(1, 2))

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        span = (self.kernel_size - 1) * self.dilation_rate + 1
        steps = _out_len(input_shape[1], span, self.strides, self.padding)
        return (input_shape[0], steps, self.filters)

    def _get_weights(self) -> list[torch.Tensor]:
        return [self.weight.permute(2, 1, 0)] + ([self.bias] if self.bias is not None else [])

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        self.weight.copy_(weights[0].permute(2, 1, 0))
        if self.bias is not None:
            self.bias.copy_(weights[1])


def activation_of(identifier: Any) -> Any:
    return activation(identifier)


class MaxPooling1D(Layer):
    """Max over windows of steps (Keras' ``MaxPooling1D``; ``strides`` default = pool_size)."""

    def __init__(self, pool_size: int = 2, strides: int | None = None, padding: str = "valid",
                 *, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_int(pool_size, "pool_size")
        check_int(strides, "strides", allow_none=True)
        self.pool_size = int(pool_size)
        self.strides = self.pool_size if strides is None else int(strides)
        self.padding = _padding(padding, ("valid", "same"))
        self._build_now()

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        x = x.transpose(1, 2)
        if self.padding == "same":
            x = F.pad(x, _same_pads(x.shape[-1], self.pool_size, self.strides),
                      value=-math.inf)
        return F.max_pool1d(x, self.pool_size, self.strides).transpose(1, 2)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        steps = _out_len(input_shape[1], self.pool_size, self.strides, self.padding)
        return (input_shape[0], steps, input_shape[2])


class GlobalMaxPooling1D(Layer):
    """Max over all steps (Keras' ``GlobalMaxPooling1D``: like Keras 3 it ignores the mask)."""

    def __init__(self, keepdims: bool = False, *, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.keepdims = bool(keepdims)
        self._build_now()

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        return x.amax(dim=1, keepdim=self.keepdims)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        if self.keepdims:
            return (input_shape[0], 1, input_shape[2])
        return (input_shape[0], input_shape[2])


class GlobalAveragePooling1D(GlobalMaxPooling1D):
    """Mean over steps (Keras' ``GlobalAveragePooling1D``); with a mask, the mean of the real
    steps. The output has no mask."""

    supports_masking = True

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        if mask is None:
            return x.mean(dim=1, keepdim=self.keepdims)
        weights = mask.unsqueeze(-1).to(x.dtype)
        total = (x * weights).sum(dim=1, keepdim=self.keepdims)
        return total / weights.sum(dim=1, keepdim=self.keepdims)

    def compute_mask(self, x: Any, mask: Any = None) -> None:  # noqa: D102
        return None
