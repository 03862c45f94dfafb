"""Callbacks, the History a fit returns, and a progress bar for when one is asked for.

A callback is any object with some of these methods (missing ones are skipped), the same hooks
as ``keras.callbacks.Callback``:

- ``on_train_begin(trainer)``
- ``on_epoch_begin(trainer, epoch)``
- ``on_batch_end(trainer, step, logs)``  (``logs["loss"]``: the batch loss)
- ``on_epoch_end(trainer, logs)``        (``logs``: epoch, loss, val_* metrics)
- ``on_train_end(trainer, history)``

Setting ``trainer.stop_training = True`` in a hook ends the fit after the current epoch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

__all__ = ["Callback", "History", "RichProgress", "make_progress"]


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


class RichProgress:
    """Render the Trainer's progress events as a rich progress bar on stderr.

    Used by the ``vectab`` command and by ``Trainer(progress=True)``; pass your own callable
    instead to route progress anywhere else (it receives the same event dicts).
    """

    def __init__(self, console: Any = None) -> None:
        self._console = console
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, event: dict[str, Any]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        kind = event["event"]
        if kind == "epoch_begin":
            self._close()
            self._bar = Progress(
                TextColumn("[bold]epoch {task.fields[epoch]}/{task.fields[epochs]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[info]}"),
                console=self._console or Console(stderr=True),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                "train", total=event["steps"], epoch=event["epoch"] + 1,
                epochs=event["epochs"], info="",
            )
        elif kind == "batch" and self._bar is not None:
            self._bar.update(self._task, completed=event["step"],
                             info=f"loss {event['loss']:.4f}")
        elif kind == "epoch_end" and self._bar is not None:
            logs = event["logs"]
            info = "  ".join(f"{k} {v:.4f}" for k, v in logs.items()
                             if k != "epoch" and isinstance(v, float))
            self._bar.update(self._task, info=info)
            self._close()
        elif kind == "train_end":
            self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def make_progress(progress: bool | Callable[[dict[str, Any]], None] | None) -> Callable | None:
    """Turn the Trainer's ``progress`` argument into a callable (or None)."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return RichProgress()
    if callable(progress):
        return progress
    raise TypeError(
        f"`progress` must be True, False, None or a callable taking an event dict, got {progress!r}"
    )
