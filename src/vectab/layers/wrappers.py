"""TimeDistributed, the merge layers (Concatenate, ``concatenate``, Add) and vectab's CRF as a
layer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from vectab._checks import check_bool, check_int
from vectab.layers._base import Layer, deserialize
from vectab.nn import crf as _crf

__all__ = ["CRF", "Add", "Concatenate", "TimeDistributed", "concatenate"]


class TimeDistributed(Layer):
    """Apply ``layer`` to every step of ``(batch, steps, ...)`` (Keras' ``TimeDistributed``): one
    call on ``(batch * steps, ...)``. The mask passes through; ``get_weights`` is the layer's.

    Example:
        >>> import torch
        >>> from vectab.layers import Dense
        >>> TimeDistributed(Dense(3))(torch.randn(2, 5, 4)).shape
        torch.Size([2, 5, 3])
    """

    supports_masking = True

    def __init__(self, layer: Any, *, input_shape: Any = None, name: str | None = None) -> None:
        if isinstance(layer, dict):
            layer = deserialize(layer)
        if not isinstance(layer, Layer):
            raise TypeError(f"`layer` must be a vectab.layers layer; got {type(layer).__name__}.")
        super().__init__(name=name, input_shape=input_shape)
        self.layer = layer
        self.built = layer.built
        self._build_now()

    def build(self, input_shape: Any) -> None:  # noqa: D102
        if not self.layer.built:
            self.layer.build((None, *input_shape[2:]))
            self.layer.built = True

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        batch, steps = x.shape[:2]
        out = self.layer(x.reshape(batch * steps, *x.shape[2:]))
        return out.reshape(batch, steps, *out.shape[1:])

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def _get_weights(self) -> list[torch.Tensor]:
        return self.layer._get_weights()

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        self.layer._set_weights(weights)


def _merged_mask(masks: Any, reduce: str) -> torch.Tensor | None:
    if masks is None or all(m is None for m in masks):
        return None
    if reduce == "or" and any(m is None for m in masks):
        return None
    present = [m for m in masks if m is not None]
    out = present[0]
    for m in present[1:]:
        out = (out | m) if reduce == "or" else (out & m)
    return out


class Concatenate(Layer):
    """Concatenate a list of tensors along ``axis`` (Keras' ``Concatenate``). Output mask along
    the feature axis: a step is real when it is real in every masked input (Keras)."""

    supports_masking = True

    def __init__(self, axis: int = -1, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.axis = int(axis)

    def forward(self, x: Sequence[torch.Tensor], mask: Any = None) -> torch.Tensor:  # noqa: D102
        return torch.cat(list(x), dim=self.axis)

    def compute_mask(self, x: Any, mask: Any = None) -> Any:  # noqa: D102
        return _merged_mask(mask, "and")

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        out = list(input_shape[0])
        sizes = [s[self.axis] for s in input_shape]
        out[self.axis] = None if None in sizes else sum(sizes)
        return tuple(out)


def concatenate(inputs: Sequence[Any], axis: int = -1) -> Any:
    """Keras' functional ``concatenate``: ``Concatenate(axis)(inputs)`` (tensors or nodes).

    Example:
        >>> import torch
        >>> concatenate([torch.ones(2, 3), torch.zeros(2, 1)]).shape
        torch.Size([2, 4])
    """
    return Concatenate(axis=axis)(list(inputs))


class Add(Layer):
    """Sum a list of same-shape tensors (Keras' ``Add``; output mask: the OR of the masks, None
    when one is missing, as Keras)."""

    supports_masking = True

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)

    def forward(self, x: Sequence[torch.Tensor], mask: Any = None) -> torch.Tensor:  # noqa: D102
        out = x[0]
        for t in x[1:]:
            out = out + t
        return out

    def compute_mask(self, x: Any, mask: Any = None) -> Any:  # noqa: D102
        return _merged_mask(mask, "or")

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        return tuple(input_shape[0])


class CRF(Layer):
    """keras-contrib's ``CRF`` layer (Keras 3 has none) on vectab's linear-chain CRF
    (:class:`vectab.nn.CRF`).

    Called on features ``(batch, steps, d)`` with the incoming mask, it projects them to
    ``units`` tag scores (the emissions; ``use_kernel=False``: the input already is them) and
    returns the Viterbi path one-hot as float ``(batch, steps, units)``, all zeros at masked
    steps (``test_mode="marginal"``: the tag marginals instead); the mask passes on. It is
    trained as in keras-contrib: ``model.compile(loss=crf.loss_function,
    metrics=[crf.accuracy])``.

    keras-contrib reads the emissions and mask of the loss from the layer's inbound node; here
    the layer keeps those of its last call (``forward``), which the loss and the metric use. In
    ``fit``/``evaluate`` the loss is computed right after the forward pass of the same batch,
    so this is the batch's; called by hand, call the model first.

    Args:
        units: number of tags.
        learn_mode: ``"join"`` (the CRF's negative log-likelihood; keras-contrib's
            ``"marginal"`` mode is not implemented).
        test_mode: ``"viterbi"`` (default) or ``"marginal"``: what the layer outputs.
        sparse_target: keras-contrib's flag for ``(batch, steps[, 1])`` tag-id targets; both
            id and one-hot ``(batch, steps, units)`` targets are read by their shape.
        use_boundary: learn start and end scores (False: they stay 0).
        use_bias, use_kernel: the projection's bias and kernel (keras-contrib's defaults).
        constraints, tags: BIO/BIOES transition constraints (see :class:`vectab.nn.CRF`).

    ``get_weights()`` is keras-contrib's order: ``[kernel (d, units), chain_kernel (units,
    units) (from, to), bias (units,), left_boundary (units,), right_boundary (units,)]`` less
    those switched off. :meth:`nll` is the loss on given emissions.

    Example:
        >>> import torch
        >>> layer = CRF(3, use_kernel=False)
        >>> mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]]).bool()
        >>> out = layer(torch.randn(2, 4, 3), mask=mask)
        >>> out.shape, out[0].sum(-1).tolist()
        (torch.Size([2, 4, 3]), [1.0, 1.0, 1.0, 0.0])
        >>> y = torch.tensor([[0, 1, 2, 0], [2, 2, 1, 0]])
        >>> layer.loss_function(out, y).shape  # per sequence; fit averages it
        torch.Size([2])
    """

    supports_masking = True
    output_dtype = "float32"

    def __init__(self, units: int, learn_mode: str = "join", test_mode: str | None = None,
                 sparse_target: bool = False, use_boundary: bool = True, use_bias: bool = True,
                 use_kernel: bool = True, constraints: str | None = None,
                 tags: Sequence[str] | None = None, *, input_shape: Any = None,
                 name: str | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_int(units, "units")
        if learn_mode == "marginal":
            raise NotImplementedError(
                "`learn_mode='marginal'` is not implemented: use learn_mode='join' (the "
                "default; the CRF's negative log-likelihood).")
        if learn_mode != "join":
            raise ValueError(f"`learn_mode` must be 'join'; got {learn_mode!r}.")
        test_mode = "viterbi" if test_mode is None else test_mode
        if test_mode not in ("viterbi", "marginal"):
            raise ValueError(f"`test_mode` must be 'viterbi' or 'marginal'; got {test_mode!r}.")
        for flag, arg in ((sparse_target, "sparse_target"), (use_boundary, "use_boundary"),
                          (use_bias, "use_bias"), (use_kernel, "use_kernel")):
            check_bool(flag, arg)
        self.units, self.learn_mode, self.test_mode = int(units), learn_mode, test_mode
        self.sparse_target, self.use_boundary = sparse_target, use_boundary
        self.use_bias, self.use_kernel = use_bias, use_kernel
        self.crf = _crf.CRF(units, constraints=constraints, tags=tags)
        if not use_boundary:
            with torch.no_grad():
                self.crf.start_transitions.zero_()
                self.crf.end_transitions.zero_()
            self.crf.start_transitions.requires_grad_(False)
            self.crf.end_transitions.requires_grad_(False)
        self.bias = nn.Parameter(torch.zeros(units)) if use_bias else None
        self.kernel: nn.Parameter | None = None
        self.__dict__["_last_call"] = None  # (emissions, mask, output) of the last forward
        if not use_kernel:
            self.built = True
        self._build_now()

    def build(self, input_shape: Any) -> None:  # noqa: D102
        if self.use_kernel:
            fan_in = int(input_shape[-1])
            bound = math.sqrt(6.0 / (fan_in + self.units))  # glorot_uniform, as keras-contrib
            self.kernel = nn.Parameter(torch.empty(fan_in, self.units).uniform_(-bound, bound))

    def emissions(self, x: torch.Tensor) -> torch.Tensor:
        """The tag scores ``(batch, steps, units)`` of features ``x`` (kernel and bias)."""
        if self.kernel is not None:
            x = x @ self.kernel
        return x + self.bias if self.bias is not None else x

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        emissions = self.emissions(x)
        if mask is not None:
            mask = torch.as_tensor(mask, device=emissions.device).bool()
        real = (mask if mask is not None else torch.ones(
            emissions.shape[:2], dtype=torch.bool, device=emissions.device))
        dtype = emissions.dtype if emissions.is_floating_point() else torch.float32
        if self.test_mode == "marginal" and not self.training:
            out = self.crf.marginals(emissions, mask).to(dtype)
        else:
            paths = self.crf.decode(emissions.detach(), mask)
            out = torch.nn.functional.one_hot(paths.clamp(min=0), self.units).to(dtype)
            out = out * real.unsqueeze(-1).to(dtype)
        self.__dict__["_last_call"] = (emissions, mask, out)
        return out

    def _last(self, what: str) -> tuple[torch.Tensor, Any, torch.Tensor]:
        last = self.__dict__.get("_last_call")
        if last is None:
            raise RuntimeError(f"`{what}` reads the emissions of the layer's last call: call the "
                               "model (or the layer) on the batch first.")
        return last

    def _target(self, a: Any, b: Any, output: torch.Tensor) -> Any:
        """The target among the two arguments: vectab's order is (y_pred, y_true), Keras'
        (y_true, y_pred); the one that is the layer's last output is y_pred."""
        def is_output(t: Any) -> bool:
            return t is output or (torch.is_tensor(t) and t.shape == output.shape
                                   and t.data_ptr() == output.data_ptr())
        return a if is_output(b) and not is_output(a) else b

    def _tag_ids(self, y: Any, shape: torch.Size, device: torch.device) -> torch.Tensor:
        y = torch.as_tensor(np.asarray(y) if not torch.is_tensor(y) else y, device=device)
        if y.ndim == 3 and y.shape[-1] == 1:
            y = y[..., 0]
        elif y.ndim == 3 and y.shape[-1] == self.units:
            y = y.argmax(-1)
        if tuple(y.shape) != tuple(shape):
            raise ValueError(
                f"the CRF target must be tag ids (batch, steps[, 1]) or one-hot (batch, steps, "
                f"units={self.units}) for a batch of shape {tuple(shape)}; got "
                f"{tuple(y.shape)}.")
        return y.long()

    def crf_loss(self, y_pred: Any, y_true: Any) -> torch.Tensor:
        """keras-contrib's ``crf.loss_function``: the negative log-likelihood (B,) of the
        target, per sequence, from the emissions and mask of the last call (``fit`` averages
        it). Either argument order works (Keras' ``(y_true, y_pred)`` is recognised)."""
        emissions, mask, output = self._last("loss_function")
        target = self._target(y_pred, y_true, output)
        tags = self._tag_ids(target, emissions.shape[:2], emissions.device)
        return self.crf.nll(emissions, tags, mask, reduction="none")

    @property
    def loss_function(self) -> Any:
        """keras-contrib's ``loss_function`` (:meth:`crf_loss`)."""
        return self.crf_loss

    loss = loss_function

    def crf_viterbi_accuracy(self, y_pred: Any, y_true: Any) -> torch.Tensor:
        """keras-contrib's ``crf.accuracy``: the share of real (unmasked) steps whose predicted
        tag (argmax of the output) is the target's. A step is masked where the prediction
        (or a one-hot target) is all zeros; either argument order works."""
        a, b = (torch.as_tensor(np.asarray(t) if not torch.is_tensor(t) else t)
                for t in (y_pred, y_true))
        b = b.to(a.device)
        if a.ndim != 3 and b.ndim == 3:
            a, b = b, a
        real = a.ne(0).any(-1)
        if b.ndim == 3 and b.shape[-1] == self.units:
            real = real & b.ne(0).any(-1)
        target = self._tag_ids(b, a.shape[:2], a.device)
        hits = (a.argmax(-1) == target) & real
        return hits.sum().float() / real.sum().clamp(min=1).float()

    @property
    def accuracy(self) -> Any:
        """keras-contrib's ``accuracy`` (:meth:`crf_viterbi_accuracy`)."""
        return self.crf_viterbi_accuracy

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: Any = None,
            *, reduction: str = "mean") -> torch.Tensor:
        """The negative log-likelihood of ``tags`` given emissions (:meth:`vectab.nn.CRF.nll`)."""
        return self.crf.nll(emissions, tags, mask, reduction=reduction)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        return (*input_shape[:2], self.units)

    def _get_weights(self) -> list[torch.Tensor]:
        c = self.crf
        weights = [self.kernel] if self.kernel is not None else []
        weights.append(c.transitions)
        if self.bias is not None:
            weights.append(self.bias)
        if self.use_boundary:
            weights += [c.start_transitions, c.end_transitions]
        return weights

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        for old, new in zip(self._get_weights(), weights, strict=True):
            old.copy_(new)



