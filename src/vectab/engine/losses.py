"""Keras' losses and metrics by name, as torch functions of ``(y_pred, y_true)``.

The :class:`~vectab.engine.trainer.Trainer` takes ``loss="mse"`` (or a callable) for a plain
``nn.Module``; ``vectab.models.Sequential.compile`` resolves its ``loss=`` and ``metrics=`` here.
Every loss returns one value per sample (Keras reduces over the last axis first: ``mse`` is the
mean over the features), which the Trainer averages over the batch after sample weights, as
Keras' ``sum_over_batch_size`` does. Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` before
a log, as in Keras 3 (``from_logits=False``).

Example:
    >>> import torch
    >>> get_loss("mse")(torch.tensor([[1.0], [3.0]]), torch.tensor([1.0, 1.0]))
    tensor([0., 4.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

__all__ = ["LOSSES", "METRICS", "get_loss", "get_metric", "loss_name"]

EPSILON = 1e-7  # keras.config.epsilon()


def _align(y_pred: torch.Tensor, y_true: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Keras' squeeze_or_expand_to_same_rank, then y_true cast to y_pred's float dtype."""
    y_true = torch.as_tensor(y_true, device=y_pred.device)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_pred, y_true.to(y_pred.dtype)


def mean_squared_error(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    return (y_pred - y_true).square().mean(-1)


def mean_absolute_error(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    return (y_pred - y_true).abs().mean(-1)


def binary_crossentropy(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
    return -(y_true * p.log() + (1 - y_true) * (1 - p).log()).mean(-1)


def categorical_crossentropy(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_true = torch.as_tensor(y_true, device=y_pred.device).to(y_pred.dtype)
    p = (y_pred / y_pred.sum(-1, keepdim=True)).clamp(EPSILON, 1.0 - EPSILON)
    return -(y_true * p.log()).sum(-1)


def sparse_categorical_crossentropy(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    target = torch.as_tensor(y_true, device=y_pred.device).long()
    if target.ndim == y_pred.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    p = (y_pred / y_pred.sum(-1, keepdim=True)).clamp(EPSILON, 1.0 - EPSILON)
    return -p.log().gather(-1, target.unsqueeze(-1)).squeeze(-1)


def hinge(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    if bool(((y_true == 0) | (y_true == 1)).all()):  # Keras: 0/1 labels become -1/1
        y_true = 2 * y_true - 1
    return torch.relu(1 - y_true * y_pred).mean(-1)


def huber(y_pred: torch.Tensor, y_true: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    err = (y_pred - y_true).abs()
    return torch.where(err <= delta, 0.5 * err.square(), delta * err - 0.5 * delta**2).mean(-1)


def kl_divergence(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    t, p = y_true.clamp(EPSILON, 1.0), y_pred.clamp(EPSILON, 1.0)
    return (t * (t / p).log()).sum(-1)


LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge,
    "huber": huber,
    "kld": kl_divergence,
    "kl_divergence": kl_divergence,
}


def get_loss(loss: Any) -> Callable[..., torch.Tensor]:
    """A Keras loss name (``"mse"``, ``"binary_crossentropy"``, ...) or a callable."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"`loss` must be one of {sorted(LOSSES)} or a callable; got {loss!r}.")
        return LOSSES[loss]
    if callable(loss):
        return loss
    raise TypeError(
        f"`loss` must be a Keras loss name or a callable (y_pred, y_true) -> tensor; "
        f"got {type(loss).__name__}: {loss!r}."
    )


def loss_name(loss: Any) -> str | None:
    """The canonical function name of a loss (None for a user callable)."""
    fn = LOSSES.get(loss) if isinstance(loss, str) else loss
    return getattr(fn, "__name__", None) if fn in LOSSES.values() else None


# ----------------------------------------------------------------- metrics (per sample)
def binary_accuracy(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_pred, y_true = _align(y_pred, y_true)
    return ((y_pred > 0.5).to(y_true.dtype) == y_true).to(y_pred.dtype).mean(-1)


def categorical_accuracy(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    y_true = torch.as_tensor(y_true, device=y_pred.device)
    return (y_pred.argmax(-1) == y_true.argmax(-1)).to(y_pred.dtype)


def sparse_categorical_accuracy(y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
    target = torch.as_tensor(y_true, device=y_pred.device)
    if target.ndim == y_pred.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    return (y_pred.argmax(-1) == target.long()).to(y_pred.dtype)


METRICS: dict[str, Callable[..., torch.Tensor]] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mse": mean_squared_error,
    "mae": mean_absolute_error,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}


def get_metric(
    metric: Any, *, loss: Any = None, output_shape: tuple | None = None
) -> tuple[str, Callable[..., torch.Tensor]]:
    """``(name, fn)`` for a Keras metric name or a callable.

    ``"accuracy"``/``"acc"`` resolve as Keras 3 does: binary accuracy for a one-unit output or
    binary cross-entropy, sparse categorical accuracy for sparse categorical cross-entropy,
    categorical accuracy otherwise; the logged name stays ``"accuracy"``.
    """
    if isinstance(metric, str):
        if metric in ("accuracy", "acc"):
            name = loss_name(loss)
            if name == "binary_crossentropy" or (output_shape and output_shape[-1] == 1):
                return metric, binary_accuracy
            if name == "sparse_categorical_crossentropy":
                return metric, sparse_categorical_accuracy
            return metric, categorical_accuracy
        if metric not in METRICS:
            raise ValueError(
                f"`metrics` entries must be 'accuracy', one of {sorted(METRICS)} or callables; "
                f"got {metric!r}."
            )
        return metric, METRICS[metric]
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), metric
    raise TypeError(
        f"`metrics` entries must be metric names or callables; "
        f"got {type(metric).__name__}: {metric!r}."
    )
