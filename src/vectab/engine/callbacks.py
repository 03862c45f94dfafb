"""Callbacks and the History a fit returns.

A callback is any object with some of these methods (missing ones are skipped), the same hooks
as ``keras.callbacks.Callback``:

- ``on_train_begin(trainer)``
- ``on_epoch_begin(trainer, epoch)``
- ``on_batch_end(trainer, step, logs)``  (``logs["loss"]``: the batch loss)
- ``on_epoch_end(trainer, logs)``        (``logs``: epoch, loss, val_* metrics)
- ``on_train_end(trainer, history)``

Setting ``trainer.stop_training = True`` in a hook ends the fit after the current epoch.
Progress is not a callback: ``Trainer(progress=...)`` emits :class:`vectab._progress.ProgressEvent`
values, drawn by :class:`vectab._render.Renderer` when ``progress=True``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["Callback", "History"]


class Callback:
    """Base class with no-op hooks; subclass and override the ones you need.

    Example:
        >>> class Stop(Callback):
        ...     def on_epoch_end(self, trainer, logs):
        ...         trainer.stop_training = logs["epoch"] >= 1
    """

    def on_train_begin(self, trainer: Any) -> None:
        """Called once before the first epoch."""

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        """Called before each epoch (0-based)."""

    def on_batch_end(self, trainer: Any, step: int, logs: dict[str, float]) -> None:
        """Called after each optimizer step."""

    def on_epoch_end(self, trainer: Any, logs: dict[str, float]) -> None:
        """Called after each epoch with the training loss and validation metrics."""

    def on_train_end(self, trainer: Any, history: History) -> None:
        """Called once after the last epoch."""


@dataclasses.dataclass
class History:
    """What ``Trainer.fit`` returns; ``history`` is Keras' ``History.history`` (name -> per epoch).

    Attributes:
        history: metric name -> one value per epoch (``loss``, ``val_loss``, ``val_accuracy``...).
        epochs: the per-epoch log dicts, in order.
        best_epoch: 0-based epoch with the best monitored value (None without validation data).
        best_value: that value.
        stopped_early: True when early stopping ended the fit.
    """

    history: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    epochs: list[dict[str, float]] = dataclasses.field(default_factory=list)
    best_epoch: int | None = None
    best_value: float | None = None
    stopped_early: bool = False

    def append(self, logs: dict[str, float]) -> None:
        """Record one epoch's logs."""
        self.epochs.append(dict(logs))
        for key, value in logs.items():
            if key != "epoch":
                self.history.setdefault(key, []).append(value)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**data)
