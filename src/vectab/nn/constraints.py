"""Weight constraints applied after each optimizer step (Keras' ``max_norm``, ``unit_norm``, ...).

A constraint is a callable ``c(w) -> w'`` (the projected table). Keras' formulas are kept, but
the norms are taken **per word vector** (``axis=-1``, one norm per row of the ``(vocab, dim)``
table): Keras' own default ``axis=0`` normalizes each *column* of an embedding matrix, which is
almost never what anyone wants. Layers holding constrained weights expose
``apply_constraints()``; :func:`apply_constraints` walks a model and calls them (Keras does
this inside ``fit``; in a plain PyTorch loop call it right after ``optimizer.step()``).

Example:
    >>> import torch
    >>> from vectab.nn import constraints
    >>> w = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    >>> constraints.get("max_norm")(w)  # rows of norm > 2 are scaled down to norm 2
    tensor([[1.2000, 1.6000],
            [0.3000, 0.4000]])
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from vectab._checks import check_float, check_int
from vectab.nn._names import from_name

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "apply_constraints",
    "get",
]

EPSILON = 1e-7  # Keras' backend.epsilon()


class Constraint:
    """Base class: ``c(w)`` returns the projected weights (a new tensor)."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras' ``get_config``)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norms(w: torch.Tensor, axis: int) -> torch.Tensor:
    return w.square().sum(dim=axis, keepdim=True).sqrt()


class MaxNorm(Constraint):
    """Scale each row whose L2 norm exceeds ``max_value`` down to it; Keras' ``MaxNorm``."""

    def __init__(self, max_value: float = 2.0, axis: int = -1):
        check_float(max_value, "max_value", minimum=0)
        check_int(axis, "axis", minimum=None)
        self.max_value, self.axis = float(max_value), int(axis)

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        return w * (norms.clamp(0.0, self.max_value) / (EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Divide each row by its L2 norm; Keras' ``UnitNorm``."""

    def __init__(self, axis: int = -1):
        check_int(axis, "axis", minimum=None)
        self.axis = int(axis)

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class NonNeg(Constraint):
    """Set negative entries to zero; Keras' ``NonNeg``."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w * (w >= 0).to(w.dtype)


class MinMaxNorm(Constraint):
    """Move each row's norm towards ``[min_value, max_value]`` at ``rate``; Keras'
    ``MinMaxNorm``."""

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: int = -1
    ):
        check_float(min_value, "min_value", minimum=0)
        check_float(max_value, "max_value", minimum=0)
        check_float(rate, "rate", minimum=0, maximum=1)
        check_int(axis, "axis", minimum=None)
        if min_value > max_value:
            raise ValueError(
                f"`min_value` must be <= `max_value`, got min_value={min_value}, "
                f"max_value={max_value}."
            )
        self.min_value, self.max_value = float(min_value), float(max_value)
        self.rate, self.axis = float(rate), int(axis)

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * norms.clamp(self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


_BY_NAME = {
    "max_norm": MaxNorm,
    "unit_norm": UnitNorm,
    "non_neg": NonNeg,
    "min_max_norm": MinMaxNorm,
    "MaxNorm": MaxNorm,
    "UnitNorm": UnitNorm,
    "NonNeg": NonNeg,
    "MinMaxNorm": MinMaxNorm,
}


def get(identifier: Any, *, arg: str = "embeddings_constraint") -> Any:
    """Resolve ``None``, a name (``"max_norm"``, ``"unit_norm"``, ``"non_neg"``,
    ``"min_max_norm"``) or a callable ``w -> w'`` into a constraint.

    Raises:
        ValueError: unknown name.
        TypeError: neither a name nor a callable.
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return from_name(_BY_NAME, identifier, arg=arg, expected=(
            "'max_norm', 'unit_norm', 'non_neg', 'min_max_norm', a constraint or a callable"))
    if callable(identifier):
        return identifier
    raise TypeError(
        f"`{arg}` must be None, a constraint name such as 'max_norm', a constraint object or a "
        f"callable w -> w; got {type(identifier).__name__} {identifier!r}."
    )


def apply_constraints(model: nn.Module) -> None:
    """Apply every module's weight constraints in place (call after ``optimizer.step()``).

    Each module that defines ``apply_constraints()`` is visited; :class:`vectab.nn.Embedding`
    projects its trainable rows with ``embeddings_constraint`` under ``torch.no_grad()`` and
    leaves frozen rows untouched. Keras runs this inside ``fit`` after every update.

    Example:
        >>> import torch
        >>> from vectab.nn import Embedding, apply_constraints
        >>> layer = Embedding(
        ...     2, 2, embeddings_initializer="ones", embeddings_constraint="unit_norm"
        ... )
        >>> apply_constraints(torch.nn.Sequential(layer))
        >>> layer.weight.norm(dim=1)
        tensor([1.0000, 1.0000], grad_fn=<LinalgVectorNormBackward0>)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module; got {type(model).__name__}.")
    for module in model.modules():
        if getattr(type(module), "apply_constraints", None) is not None:
            module.apply_constraints()
