"""Keras' core layers on torch: Embedding, Dense, Flatten, Reshape, Activation, Dropout,
SpatialDropout1D. Each follows the protocol of :mod:`vectab.layers._base`."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from vectab._checks import check_int, check_rate
from vectab.layers._base import Layer, activation
from vectab.nn import constraints as _constraints
from vectab.nn import embedding as _embedding
from vectab.nn import initializers as _initializers
from vectab.nn import regularizers as _regularizers

__all__ = ["Activation", "Dense", "Dropout", "Embedding", "Flatten", "Reshape", "SpatialDropout1D"]


def keras_init(identifier: Any, shape: tuple[int, ...], arg: str) -> torch.Tensor:
    """A new tensor of Keras ``shape`` drawn by the Keras initializer ``identifier``."""
    return _initializers.initialize(
        _initializers.get(identifier, arg=arg), shape, dtype=torch.get_default_dtype(), arg=arg
    )


class Embedding(_embedding.Embedding, Layer):
    """:class:`vectab.nn.Embedding` following the layer protocol (Keras' ``Embedding``).

    The same module (``isinstance(layer, vectab.nn.Embedding)``, same state_dict) plus
    ``forward(ids, mask=None)``, ``compute_mask(ids, mask)``, ``get_weights``/``set_weights``
    (``[table]``), ``get_config`` and symbolic calls. Built at construction.

    Example:
        >>> layer = Embedding(5, 2, input_length=5)
        >>> layer.count_params(), layer.built, layer.compute_output_shape((None, 5))
        (10, True, (None, 5, 2))
    """

    _not_config = ("weights", "device")

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        activity_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        input_length: int | None = None,
        weights: Any = None,
        trainable: Any = True,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        dtype: torch.dtype | str | None = None,
        device: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
            activity_regularizer, embeddings_constraint, mask_zero, input_length, weights,
            trainable, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, dtype=dtype, device=device,
            name=name,
        )
        self.name = self._config["name"]  # vectab.nn.Embedding stored name=None
        self.built = True
        self.input_shape_hint = None

    output_dtype = "float32"

    def forward(self, ids: Any, mask: Any = None) -> torch.Tensor:  # noqa: D102
        return super().forward(ids)

    def compute_mask(self, ids: Any, mask: Any = None) -> torch.Tensor | None:
        """``ids != 0`` when ``mask_zero`` (True = real token), else None; the incoming mask is
        ignored, as in Keras."""
        return super().compute_mask(ids)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:
        """``(*input_shape, output_dim)``."""
        return (*input_shape, self.embedding_dim)

    def _get_weights(self) -> list[torch.Tensor]:
        return [self.weight]

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        self.weight.data.copy_(weights[0])

    def get_config(self) -> dict[str, Any]:  # noqa: D102
        config = Layer.get_config(self)
        for key in ("embeddings_initializer", "embeddings_regularizer", "activity_regularizer",
                    "embeddings_constraint"):
            if not isinstance(config[key], (str, type(None))):
                raise TypeError(f"`{key}` must be given by name to save the layer's config.")
        return config

    def extra_repr(self) -> str:
        return _embedding.Embedding.extra_repr(self)


class Dense(Layer):
    """A fully connected layer: ``activation(x @ kernel + bias)`` on the last axis (Keras'
    ``Dense``; PyTorch's ``Linear``: parameters ``weight (units, in)`` and ``bias``).

    ``get_weights()`` is Keras' ``[kernel (in, units), bias (units,)]``. The mask passes through
    (Keras 3). ``input_dim`` / ``input_shape`` build the layer at construction.

    Example:
        >>> import torch
        >>> layer = Dense(3, activation="relu")
        >>> layer(torch.ones(2, 5)).shape, layer.count_params()
        (torch.Size([2, 3]), 18)
    """

    supports_masking = True

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        *,
        input_dim: int | None = None,
        input_shape: Any = None,
        name: str | None = None,
    ) -> None:
        if input_dim is not None and input_shape is None:
            check_int(input_dim, "input_dim")
            input_shape = (input_dim,)
        super().__init__(name=name, input_shape=input_shape)
        check_int(units, "units")
        self.units = int(units)
        self.activation = _activation_fn(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, arg="kernel_regularizer")
        self.bias_regularizer = _regularizers.get(bias_regularizer, arg="bias_regularizer")
        self.activity_regularizer = _regularizers.get(
            activity_regularizer, arg="activity_regularizer"
        )
        self.kernel_constraint = _constraints.get(kernel_constraint, arg="kernel_constraint")
        self.bias_constraint = _constraints.get(bias_constraint, arg="bias_constraint")
        self._activity_loss: torch.Tensor | None = None
        self._build_now()

    def build(self, input_shape: Any) -> None:  # noqa: D102
        fan_in = int(input_shape[-1])
        kernel = keras_init(self.kernel_initializer, (fan_in, self.units), "kernel_initializer")
        self.weight = nn.Parameter(kernel.T.contiguous())
        self.bias = (
            nn.Parameter(keras_init(self.bias_initializer, (self.units,), "bias_initializer"))
            if self.use_bias else None
        )

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        out = self.activation(F.linear(x, self.weight, self.bias))
        if self.activity_regularizer is not None:
            self._activity_loss = self.activity_regularizer(out) / out.shape[0]
        return out

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        return (*input_shape[:-1], self.units)

    def _get_weights(self) -> list[torch.Tensor]:
        return [self.weight.T] + ([self.bias] if self.bias is not None else [])

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        self.weight.copy_(weights[0].T)
        if self.bias is not None:
            self.bias.copy_(weights[1])

    def regularization_losses(self) -> list[torch.Tensor]:
        """Kernel, bias and the last activity regularization losses (Keras' ``layer.losses``)."""
        losses = []
        if self.built and self.kernel_regularizer is not None:
            losses.append(self.kernel_regularizer(self.weight))
        if self.built and self.bias is not None and self.bias_regularizer is not None:
            losses.append(self.bias_regularizer(self.bias))
        if self._activity_loss is not None:
            losses.append(self._activity_loss)
        return losses

    @torch.no_grad()
    def apply_constraints(self) -> None:
        """Project the kernel (per output unit, Keras' axis 0) and the bias in place."""
        if self.built and self.kernel_constraint is not None:
            self.weight.copy_(self.kernel_constraint(self.weight))
        if self.built and self.bias is not None and self.bias_constraint is not None:
            self.bias.copy_(self.bias_constraint(self.bias))

    def extra_repr(self) -> str:
        return f"{self.units}, name={self.name!r}"


def _activation_fn(identifier: Any) -> Any:
    return activation(identifier)


class Flatten(Layer):
    """Flatten all but the batch axis (Keras' ``Flatten``; drops the mask, as Keras does)."""

    def __init__(self, *, input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self._build_now()

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        return x.reshape(x.shape[0], -1)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))


class Reshape(Layer):
    """Reshape to ``target_shape`` (without the batch axis; one entry may be -1)."""

    def __init__(self, target_shape: Any, *, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.target_shape = tuple(int(s) for s in target_shape)
        self._build_now()

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        return x.reshape(x.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        target = list(self.target_shape)
        if -1 in target:
            known = math.prod(s for s in target if s != -1)
            rest = input_shape[1:]
            target[target.index(-1)] = None if None in rest else math.prod(rest) // known
        return (input_shape[0], *target)


class Activation(Layer):
    """Apply an activation by name (Keras' ``Activation``; the mask passes through)."""

    supports_masking = True

    def __init__(self, activation: Any, *, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.activation = _activation_fn(activation)
        self._build_now()

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        return self.activation(x)


class Dropout(Layer):
    """Zero a ``rate`` fraction of the inputs while training, scaling the rest by
    ``1 / (1 - rate)`` (Keras' ``Dropout``; identity in eval mode; the mask passes through).
    ``noise_shape`` (with None for the input's size) shares the dropout mask along axes of size 1.
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, *,
                 input_shape: Any = None, name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_rate(rate, "rate")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._build_now()

    def _noise_shape(self, x: torch.Tensor) -> tuple[int, ...]:
        if self.noise_shape is None:
            return tuple(x.shape)
        return tuple(x.shape[i] if s is None else s for i, s in enumerate(self.noise_shape))

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        if not self.training or self.rate == 0.0:
            return x
        if self.rate >= 1.0:
            return torch.zeros_like(x)
        keep = torch.empty(self._noise_shape(x), device=x.device, dtype=x.dtype)
        keep.bernoulli_(1.0 - self.rate)
        return x * keep / (1.0 - self.rate)


class SpatialDropout1D(Dropout):
    """Drop whole feature channels of ``(batch, steps, channels)`` (Keras' ``SpatialDropout1D``)."""

    def __init__(self, rate: float, seed: int | None = None, *, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(rate, None, seed, input_shape=input_shape, name=name)

    def _noise_shape(self, x: torch.Tensor) -> tuple[int, ...]:
        return (x.shape[0], 1, x.shape[2])
