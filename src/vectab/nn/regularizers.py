"""Weight and activity regularizers (Keras' ``l1``, ``l2``, ``l1_l2``) and their collection.

A regularizer is a callable ``reg(x) -> scalar tensor``. Layers that hold regularized weights
expose ``regularization_losses() -> list[Tensor]``; :func:`regularization_loss` walks a model
and adds them up, so a plain PyTorch loop does ``loss = task_loss + regularization_loss(model)``
(Keras adds ``model.losses`` for you).

Example:
    >>> import torch
    >>> from vectab.nn import regularizers
    >>> regularizers.get("l2")
    L2(l2=0.01)
    >>> float(regularizers.L1L2(l1=0.5, l2=0.25)(torch.tensor([1.0, -2.0])))
    2.75
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from vectab._checks import check_float
from vectab.nn._names import from_name

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "regularization_loss"]


class Regularizer:
    """Base class: ``reg(x)`` returns a scalar penalty tensor."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, float]:
        """Return the constructor arguments (Keras' ``get_config``)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``; Keras' ``L1L2`` (``"l1_l2"``: 0.01 each)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        for name, value in (("l1", l1), ("l2", l2)):
            check_float(value, name, minimum=0, fix=f" Use e.g. {name}=0.01.")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * x.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * x.square().sum()
        return penalty

    def get_config(self) -> dict[str, float]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|x|)``; Keras' ``L1`` (default 0.01)."""

    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, float]:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x**2)``; Keras' ``L2`` (default 0.01)."""

    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, float]:
        return {"l2": self.l2}


_BY_NAME = {
    "l1": L1,
    "l2": L2,
    "l1_l2": lambda: L1L2(l1=0.01, l2=0.01),
    "L1": L1,
    "L2": L2,
    "L1L2": lambda: L1L2(l1=0.01, l2=0.01),
}


def get(identifier: Any, *, arg: str = "embeddings_regularizer") -> Any:
    """Resolve ``None``, a name (``"l1"``, ``"l2"``, ``"l1_l2"``) or a callable into a regularizer.

    Raises:
        ValueError: unknown name.
        TypeError: neither a name nor a callable.
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        return from_name(_BY_NAME, identifier, arg=arg,
                         expected="'l1', 'l2', 'l1_l2', a regularizer or a callable")
    if callable(identifier):
        return identifier
    raise TypeError(
        f"`{arg}` must be None, 'l1', 'l2', 'l1_l2', a regularizer object or a callable "
        f"x -> scalar; got {type(identifier).__name__} {identifier!r}."
    )


def regularization_loss(model: nn.Module) -> torch.Tensor:
    """Sum every regularization loss of ``model`` and its submodules.

    Each module that defines ``regularization_losses()`` contributes: for
    :class:`vectab.nn.Embedding`, the ``embeddings_regularizer`` on the current table and the
    ``activity_regularizer`` on the output of its last forward call. Keras equivalent:
    ``sum(model.losses)``.

    Returns:
        A scalar tensor (0 when nothing is regularized), differentiable w.r.t. the weights.

    Example:
        >>> import torch
        >>> from vectab.nn import Embedding, regularization_loss
        >>> layer = Embedding(3, 2, embeddings_initializer="ones", embeddings_regularizer="l2")
        >>> loss = regularization_loss(torch.nn.Sequential(layer))  # 0.01 * (3 * 2 ones)
        >>> round(loss.item(), 6), loss.requires_grad
        (0.06, True)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module; got {type(model).__name__}.")
    total: torch.Tensor | None = None
    for module in model.modules():
        losses = getattr(type(module), "regularization_losses", None)
        if losses is None:
            continue
        for loss in module.regularization_losses():
            total = loss if total is None else total + loss
    if total is None:
        param = next(model.parameters(), None)
        return torch.zeros((), device=None if param is None else param.device)
    return total
