"""Callbacks and the History a fit returns.

A callback is any object with some of these methods (missing ones are skipped), the same hooks
as ``keras.callbacks.Callback``:

- ``on_train_begin(trainer)``
- ``on_epoch_begin(trainer, epoch)``
- ``on_batch_end(trainer, step, logs)``  (``logs["loss"]``: the batch loss)
- ``on_epoch_end(trainer, logs)``        (``logs``: epoch, loss, val_* metrics)
- ``on_train_end(trainer, history)``

Setting ``trainer.stop_training = True`` in a hook ends the fit after the current epoch.

Keras' own callbacks, with Keras' names, arguments and rules: :class:`EarlyStopping`,
:class:`ModelCheckpoint`, :class:`ReduceLROnPlateau`, :class:`CSVLogger` (``mode="auto"``
maximises a monitor whose name has ``acc``/``f1``/``auc``, minimises the others).
Progress is not a callback: ``Trainer(progress=...)`` emits :class:`vectab._progress.ProgressEvent`
values, drawn by :class:`vectab._render.Renderer` when ``progress=True``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from pathlib import Path
from typing import Any

from vectab._checks import check_bool, check_float, check_int

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "History", "ModelCheckpoint",
           "ReduceLROnPlateau"]


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

    @property
    def epoch(self) -> list[int]:
        """The 0-based epoch numbers run (Keras' ``History.epoch``)."""
        return [int(e.get("epoch", i)) for i, e in enumerate(self.epochs)]

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


# ----------------------------------------------------------------- Keras' callbacks
def _minimize(monitor: str, mode: str) -> bool:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"`mode` must be 'auto', 'min' or 'max'; got {mode!r}.")
    if mode != "auto":
        return mode == "min"
    return not any(s in monitor for s in ("acc", "f1", "auc", "precision", "recall"))


def _monitored(logs: dict[str, float], monitor: str, who: str) -> float | None:
    value = logs.get(monitor)
    if value is None:
        import warnings

        warnings.warn(f"{who}: `monitor`={monitor!r} is not among the logged metrics "
                      f"{sorted(k for k in logs if k != 'epoch')}; skipping.", stacklevel=3)
    return value


def _state(model: Any) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs
    (Keras' ``EarlyStopping``); ``restore_best_weights`` puts the best epoch's weights back at
    the end. The fit runs at least ``start_from_epoch + 1`` epochs.

    Example:
        >>> EarlyStopping(monitor="val_loss", patience=2).patience
        2
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        check_float(min_delta, "min_delta")
        check_float(baseline, "baseline", allow_none=True)
        check_int(verbose, "verbose", minimum=0)
        check_int(patience, "patience", minimum=0)
        check_int(start_from_epoch, "start_from_epoch", minimum=0)
        check_bool(restore_best_weights, "restore_best_weights")
        self.monitor, self.patience, self.baseline = monitor, patience, baseline
        self.min_delta = abs(float(min_delta))
        self.minimize = _minimize(monitor, mode)
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.verbose = verbose

    def _better(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.minimize:
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_train_begin(self, trainer: Any) -> None:  # noqa: D102
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best: float | None = None
        self.best_weights: dict[str, Any] | None = None

    def on_epoch_end(self, trainer: Any, logs: dict[str, float]) -> None:  # noqa: D102
        epoch = int(logs.get("epoch", 0))
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = _state(trainer.model), epoch
        self.wait += 1
        if self._better(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = _state(trainer.model)
            if self.baseline is None or self._better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            trainer.stop_training = True

    def on_train_end(self, trainer: Any, history: History) -> None:  # noqa: D102
        if self.restore_best_weights and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model after each epoch (Keras' ``ModelCheckpoint``).

    ``filepath`` may hold ``{epoch}`` (1-based, as Keras) and log names (``{val_loss:.2f}``).
    ``save_weights_only``: a safetensors file of the state dict; else ``model.save(filepath)``
    (a directory) when the model has ``save`` (``Sequential``/``Model``), the state dict
    otherwise. ``save_best_only``: only when ``monitor`` improved. Every write is atomic.
    """

    def __init__(self, filepath: str | os.PathLike[str], monitor: str = "val_loss",
                 verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto") -> None:
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"`filepath` must be a path; got {type(filepath).__name__}: "
                            f"{filepath!r}.")
        check_bool(save_best_only, "save_best_only")
        check_bool(save_weights_only, "save_weights_only")
        check_int(verbose, "verbose", minimum=0)
        self.filepath, self.monitor = os.fspath(filepath), monitor
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.minimize = _minimize(monitor, mode)
        self.best: float | None = None

    def on_epoch_end(self, trainer: Any, logs: dict[str, float]) -> None:  # noqa: D102
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if value is None:
                return
            if self.best is not None and not (
                value < self.best if self.minimize else value > self.best
            ):
                return
            self.best = value
        epoch = int(logs.get("epoch", 0)) + 1
        path = self.filepath.format(**{**logs, "epoch": epoch})
        model = getattr(trainer.model, "_orig_mod", trainer.model)  # torch.compile's wrapper
        if self.save_weights_only or not hasattr(model, "save"):
            from vectab.engine.checkpoint import save_weights

            Path(path).parent.mkdir(parents=True, exist_ok=True)
            save_weights(model, path)
        else:
            model.save(path)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved by
    ``min_delta`` for ``patience`` epochs, then wait ``cooldown`` epochs; never below
    ``min_lr`` (Keras' ``ReduceLROnPlateau``). Logs ``learning_rate`` each epoch."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0) -> None:
        check_float(factor, "factor", minimum=0, maximum=1, min_open=True, max_open=True,
                    fix=" It multiplies the learning rate.")
        check_float(min_delta, "min_delta")
        check_int(verbose, "verbose", minimum=0)
        check_int(patience, "patience", minimum=0)
        check_int(cooldown, "cooldown", minimum=0)
        check_float(min_lr, "min_lr", minimum=0)
        self.monitor, self.factor, self.patience = monitor, float(factor), patience
        self.min_delta, self.cooldown, self.min_lr = abs(float(min_delta)), cooldown, min_lr
        self.minimize = _minimize(monitor, mode)

    def on_train_begin(self, trainer: Any) -> None:  # noqa: D102
        self.wait, self.cooldown_counter = 0, 0
        self.best: float | None = None

    def on_epoch_end(self, trainer: Any, logs: dict[str, float]) -> None:  # noqa: D102
        groups = [g for opt in trainer.optimizers.values() for g in opt.param_groups]
        if groups:
            logs["learning_rate"] = float(groups[0]["lr"])
        value = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        if value is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        better = self.best is None or (value < self.best - self.min_delta if self.minimize
                                       else value > self.best + self.min_delta)
        if better:
            self.best, self.wait = value, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                for g in groups:
                    if g["lr"] > self.min_lr:
                        g["lr"] = max(g["lr"] * self.factor, self.min_lr)
                self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Write one CSV row per epoch (``epoch`` then the logs, sorted) to ``filename`` (Keras'
    ``CSVLogger``). The file is rewritten whole and atomically after each epoch, so a reader
    never sees half a row; ``append=True`` keeps the rows already there."""

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",",
                 append: bool = False) -> None:
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"`filename` must be a path; got {type(filename).__name__}: "
                            f"{filename!r}.")
        check_bool(append, "append")
        self.filename, self.separator, self.append = Path(filename), separator, append

    def on_train_begin(self, trainer: Any) -> None:  # noqa: D102
        self.text = ""
        if self.append and self.filename.is_file():
            self.text = self.filename.read_text(encoding="utf-8")
        self.keys: list[str] | None = None

    def on_epoch_end(self, trainer: Any, logs: dict[str, float]) -> None:  # noqa: D102
        from vectab._fileio import atomic_write

        row = {k: v for k, v in logs.items() if k != "epoch"}
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.separator, lineterminator="\n")
        if self.keys is None:
            self.keys = sorted(row)
            if not self.text:
                writer.writerow(["epoch", *self.keys])
        writer.writerow([int(logs.get("epoch", 0)), *(row.get(k, "NA") for k in self.keys)])
        self.text += buf.getvalue()
        with atomic_write(self.filename) as f:
            f.write(self.text)



