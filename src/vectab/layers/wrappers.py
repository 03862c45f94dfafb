"""TimeDistributed, the merge layers (Concatenate, ``concatenate``, Add) and vectab's CRF as a
layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

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
    """vectab's linear-chain CRF (:class:`vectab.nn.CRF`) as a layer (Keras 3 has none).

    Called on emissions ``(batch, steps, tags)`` with the incoming mask, it returns the Viterbi
    tag ids ``(batch, steps)`` (-100 at masked steps); :meth:`nll` is the training loss.
    ``get_weights()`` is ``[transitions (K, K), start (K,), end (K,)]``.

    Example:
        >>> import torch
        >>> layer = CRF(3)
        >>> mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]]).bool()
        >>> layer(torch.randn(2, 4, 3), mask=mask)[0, 3]
        tensor(-100)
    """

    supports_masking = True

    def __init__(self, units: int, constraints: str | None = None,
                 tags: Sequence[str] | None = None, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.crf = _crf.CRF(units, constraints=constraints, tags=tags)
        self.built = True

    def forward(self, x: torch.Tensor, mask: Any = None) -> torch.Tensor:  # noqa: D102
        return self.crf.decode(x, mask)

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: Any = None,
            *, reduction: str = "mean") -> torch.Tensor:
        """The negative log-likelihood of ``tags`` (see :meth:`vectab.nn.CRF.nll`)."""
        return self.crf.nll(emissions, tags, mask, reduction=reduction)

    def compute_output_shape(self, input_shape: Any) -> tuple[int | None, ...]:  # noqa: D102
        return tuple(input_shape[:2])

    output_dtype = "int64"

    def _get_weights(self) -> list[torch.Tensor]:
        c = self.crf
        return [c.transitions, c.start_transitions, c.end_transitions]

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        c = self.crf
        c.transitions.copy_(weights[0])
        c.start_transitions.copy_(weights[1])
        c.end_transitions.copy_(weights[2])


