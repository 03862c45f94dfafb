"""Turn a task model's outputs over a dataset into metrics, per task.

classification: ``accuracy`` and ``macro_f1`` (multi-label: exact-match accuracy and macro-F1
over the label columns); tagging: entity-level ``entity_precision``, ``entity_recall``,
``entity_f1`` (CoNLL/seqeval rules, from :mod:`vectab.engine.metrics`); regression: ``mse``,
``mae``. Every task also reports the mean ``loss``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["TASKS", "default_monitor", "Collector"]

TASKS = ("classification", "tagging", "regression")


def default_monitor(task: str, has_validation: bool) -> str:
    """The metric early stopping and best-checkpoint selection watch by default."""
    if not has_validation:
        return "loss"
    return {
        "classification": "val_macro_f1",
        "tagging": "val_entity_f1",
        "regression": "val_loss",
    }.get(task, "val_loss")


def _multilabel_macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    tp = (y_true & y_pred).sum(0).astype(float)
    fp = (~y_true & y_pred).sum(0).astype(float)
    fn = (y_true & ~y_pred).sum(0).astype(float)
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1.mean()) if f1.size else 0.0


class Collector:
    """Accumulate batches of (targets, predictions, loss) and compute the task's metrics."""

    def __init__(self, task: str, tags: list[str] | None = None) -> None:
        if task not in TASKS:
            raise ValueError(f"model.task must be one of {TASKS}, got {task!r}")
        self.task = task
        self.tags = tags
        self.loss_sum = 0.0
        self.count = 0
        self.true: list[Any] = []
        self.pred: list[Any] = []

    def add(self, batch: dict[str, torch.Tensor], pred: torch.Tensor, loss: float | None) -> None:
        """Add one batch: its targets (if any), the model's decoded predictions and loss."""
        n = int(pred.shape[0])
        if loss is not None:
            self.loss_sum += loss * n
            self.count += n
        pred = pred.detach().cpu()
        if self.task == "tagging":
            mask = batch["mask"].detach().cpu()
            self.pred.extend(row[m].tolist() for row, m in zip(pred, mask))
            if "tags" in batch:
                tags = batch["tags"].detach().cpu()
                self.true.extend(row[m].tolist() for row, m in zip(tags, mask))
        else:
            self.pred.append(pred.numpy())
            if "labels" in batch:
                self.true.append(batch["labels"].detach().cpu().numpy())

    def predictions(self) -> Any:
        """All predictions: an array (classification/regression) or lists of tag ids."""
        if self.task == "tagging":
            return self.pred
        return np.concatenate(self.pred) if self.pred else np.zeros((0,), dtype=np.int64)

    def metrics(self) -> dict[str, float]:
        """The task's metrics over everything added (needs targets)."""
        from vectab.engine import metrics as m

        out: dict[str, float] = {"loss": self.loss_sum / max(self.count, 1)}
        if not self.true:
            return out
        if self.task == "classification":
            y_true, y_pred = np.concatenate(self.true), self.predictions()
            if y_true.ndim == 2:  # multi-label
                t, p = y_true > 0.5, y_pred.astype(bool)
                out["accuracy"] = float((t == p).all(1).mean())
                out["macro_f1"] = _multilabel_macro_f1(t, p)
            else:
                out["accuracy"] = float(m.accuracy(y_true, y_pred))
                out["macro_f1"] = float(m.macro_f1(y_true, y_pred))
        elif self.task == "tagging":
            names = self.tags
            true = [[names[i] for i in row] for row in self.true]
            pred = [[names[i] for i in row] for row in self.pred]
            scores = m.entity_f1(true, pred)
            out.update({f"entity_{k}": float(v) for k, v in scores.items()
                        if k in ("precision", "recall", "f1")})
        else:
            y_true = np.concatenate(self.true).astype(np.float64)
            y_pred = self.predictions().astype(np.float64).reshape(y_true.shape)
            out["mse"] = float(np.mean((y_true - y_pred) ** 2))
            out["mae"] = float(np.mean(np.abs(y_true - y_pred)))
        return out
