"""The Trainer: fit / evaluate / predict for vectab's task models (Keras' ``model.fit`` for torch).

It trains any ``nn.Module`` in one of two ways: with ``loss=`` (a Keras loss name or a
callable ``(y_pred, y_true)``) on ordinary data (``(x, y)`` arrays, a ``TensorDataset``, a
DataLoader of tuples or dicts) - the path ``vectab.models.Sequential.fit`` takes - or, without
it, following the task-model contract (``loss(batch)``, ``decode(batch)``,
``predict_proba(batch)``, ``task``; see :mod:`vectab.models`) on datasets that yield the batch
dicts of that contract (:mod:`vectab.train.data` has the task datasets, :mod:`vectab.engine.data`
a generic one).

Defaults worth knowing:

- **Optimizers**: AdamW for dense weights; embedding tables with sparse gradients are updated
  by SparseAdam in the same step. ``sparse=None`` (auto) turns a table sparse when it has at
  least 100,000 rows (:data:`vectab.engine.optim.SPARSE_AUTO_ROWS`) or was built with
  ``sparse=True``: at 1,000,000 x 300 a dense AdamW step costs seconds, SparseAdam ~50 ms.
- **Repeatable**: epoch ``e`` reseeds torch with ``(seed, e)`` before shuffling and dropout, so
  the same seed gives the same run, and ``fit(..., resume_from=checkpoint)`` continues
  bit-identically to an uninterrupted run.
- **Device**: CUDA when available, else CPU; mixed precision (bf16, or fp16 with loss scaling)
  on CUDA only.
- Under ``torchrun`` the model is wrapped in DistributedDataParallel (see
  :mod:`vectab.engine.distributed`); only rank 0 writes checkpoints and reports progress.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, RandomSampler, SequentialSampler

from vectab._checks import check_bool, check_float, check_int, check_seed, shown
from vectab._fileio import committed_dir
from vectab._progress import ProgressArg, ProgressEvent, emitter
from vectab.engine import distributed as dist_utils
from vectab.engine import losses as _losses
from vectab.engine.arrays import ArrayDataset, num_rows, split_batch
from vectab.engine.callbacks import History
from vectab.engine.checkpoint import load_checkpoint, load_weights, save_checkpoint, state_tensors
from vectab.engine.ema import PREFIX as EMA_PREFIX
from vectab.engine.ema import WeightAverage, check_decay
from vectab.engine.evaluation import Collector, default_monitor
from vectab.engine.optim import (
    build_optimizers,
    clip_grad_norm,
    load_optimizer_state,
    optimizer_state_tensors,
    use_sparse_tables,
)

__all__ = ["Trainer"]


def _regularization(model: nn.Module) -> Any:
    try:
        from vectab.nn import regularization_loss
    except (ImportError, AttributeError):  # pragma: no cover - nn without regularizers
        return 0.0
    return regularization_loss(model)


def _constrain(model: nn.Module) -> None:
    try:
        from vectab.nn import apply_constraints
    except (ImportError, AttributeError):  # pragma: no cover
        return
    apply_constraints(model)


class _LossModule(nn.Module):
    """``forward(batch)`` = task loss + regularization losses, so DDP sees one forward."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model.loss(batch) + _regularization(self.model)


class _OutputLoss(nn.Module):
    """``forward(x, y, sample_weight)`` = ``(loss(model(x), y) + regularization, model(x))``.

    A loss returning one value per sample is averaged over the batch after the sample weights
    (Keras' ``sum_over_batch_size``); a scalar loss is used as it is. An output carrying a
    Keras mask (``y_pred._keras_mask``, bool, True = real step, as ``vectab.models`` sets it)
    averages over the real steps only, as Keras does.
    """

    def __init__(self, model: nn.Module, loss: Any) -> None:
        super().__init__()
        self.model = model
        self.loss = loss

    def forward(self, x: Any, y: Any, sample_weight: Any = None) -> tuple[torch.Tensor, Any]:
        y_pred = _call_model(self.model, x)
        loss = _reduce(self.loss(y_pred, y), sample_weight, _output_mask(y_pred))
        return loss + _regularization(self.model), y_pred


def _call_model(model: nn.Module, x: Any) -> Any:
    return model(**x) if isinstance(x, dict) else model(x)


def _output_mask(y_pred: Any) -> torch.Tensor | None:
    return getattr(y_pred, "_keras_mask", None) if torch.is_tensor(y_pred) else None


def _reduce(values: torch.Tensor, sample_weight: Any, mask: Any = None) -> torch.Tensor:
    if values.ndim == 0:
        return values
    if sample_weight is not None:
        weight = sample_weight.to(values.dtype)
        values = values * weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim))
    if mask is not None and tuple(mask.shape) == tuple(values.shape):
        mask = mask.to(values.dtype)  # Keras' apply_mask: mean over the real steps
        return (values * mask).sum() / (mask.sum() + 1e-7)
    return values.sum() / values.numel()


def _epoch_seed(seed: int, epoch: int) -> int:
    return (seed * 1_000_003 + epoch * 7_919 + 17) % (2**63 - 1)


class Trainer:
    """Fit, evaluate and predict with a vectab task model.

    Args:
        model: a task model (``TextClassifier``, ``SequenceTagger``, ``TabularEmbeddings`` or
            any module with ``loss``/``decode``/``predict_proba`` and ``task``).
        optimizer: ``"adamw"`` (default), ``"adam"`` or ``"sgd"`` for the dense weights.
        lr: learning rate of the dense optimizer.
        weight_decay: decoupled weight decay for dense weight matrices (not tables or biases).
        sparse_lr: SparseAdam's learning rate for sparse tables (default: ``lr``).
        sparse: ``None`` = auto (tables >= 100,000 rows or built sparse), ``True``/``False``.
        batch_size: examples per step (per process under torchrun).
        epochs: maximum number of epochs.
        clip_grad_norm: clip the global gradient norm to this (``None`` = no clipping).
        ema: keep an exponential moving average of the weights with this decay (e.g. 0.999;
            Keras' ``use_ema=True, ema_momentum=``; the warm-up is described in
            :mod:`vectab.engine.ema`). Validation,
            the best checkpoint and the model after ``fit`` use the average; training goes on
            from the trained weights. Sparse tables are not averaged. ``None``: off.
        early_stopping_patience: stop after this many epochs without improvement of
            ``monitor`` (``None`` = never stop early).
        monitor: metric watched for early stopping and the best checkpoint (default
            ``val_macro_f1`` for classification, ``val_entity_f1`` for tagging, ``val_loss``
            for regression; ``loss`` without validation data). Names with ``loss``,
            ``mse`` or ``mae`` are minimised, others maximised.
        restore_best: at the end of ``fit``, load the weights of the best epoch.
        checkpoint_dir: write ``last/`` (resumable) and ``best/`` checkpoints here each epoch.
        seed: seeds shuffling and dropout; the same seed repeats a run exactly.
        device: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
        mixed_precision: ``"auto"`` (on for CUDA), ``True``, ``False``, ``"bf16"``, ``"fp16"``;
            CUDA only.
        callbacks: objects with Keras-style hooks (see :mod:`vectab.engine.callbacks`).
        loss: for a plain ``nn.Module`` (no task contract): a Keras loss name (``"mse"``,
            ``"binary_crossentropy"``, ... see :mod:`vectab.engine.losses`) or a callable
            ``(y_pred, y_true) -> tensor`` (per-sample values are averaged after sample
            weights). The data are then ``(x, y[, sample_weight])`` arrays/lists/tensors, a
            Dataset or DataLoader of such tuples, or of dicts (targets under ``y``/``labels``).
            ``optimizer`` may also be a ready ``torch.optim.Optimizer``.
        metrics: Keras metric names or callables logged beside the loss (with ``loss=``).
        shuffle: reshuffle the training data each epoch (False: the same batches in order).
        progress: ``True`` for the one renderer (a bar on a terminal, a line per epoch with
            every metric elsewhere), or a callable receiving :class:`vectab._progress.ProgressEvent`
            values (task ``"train"``: ``start`` per epoch with ``total`` batches, ``update`` per
            batch with the running ``loss``, ``epoch_end`` with every train and validation
            metric, ``end``, ``aborted=True`` on an error or Ctrl-C).

    Example:
        >>> import torch
        >>> from vectab.engine.data import TensorDictDataset
        >>> class Regressor(torch.nn.Module):
        ...     task = "regression"
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.linear = torch.nn.Linear(2, 1)
        ...     def decode(self, batch):
        ...         return self.linear(batch["numeric"]).squeeze(-1)
        ...     def loss(self, batch):
        ...         return torch.nn.functional.mse_loss(self.decode(batch), batch["labels"])
        >>> x = torch.randn(64, 2)
        >>> data = TensorDictDataset({"numeric": x, "labels": x @ torch.tensor([2.0, -1.0])})
        >>> trainer = Trainer(Regressor(), lr=0.05, epochs=30, batch_size=16, device="cpu")
        >>> history = trainer.fit(data)
        >>> trainer.evaluate(data)["mse"] < 0.01
        True
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        optimizer: str | torch.optim.Optimizer = "adamw",
        lr: float = 1e-3,
        weight_decay: float = 0.01,
        sparse_lr: float | None = None,
        sparse: bool | None = None,
        batch_size: int = 32,
        epochs: int = 10,
        clip_grad_norm: float | None = 1.0,
        ema: float | None = None,
        early_stopping_patience: int | None = None,
        monitor: str | None = None,
        restore_best: bool = True,
        checkpoint_dir: str | Path | None = None,
        seed: int = 0,
        device: str | torch.device = "auto",
        mixed_precision: bool | str = "auto",
        callbacks: Sequence[Any] = (),
        progress: ProgressArg = None,
        loss: Any = None,
        metrics: Sequence[Any] = (),
        shuffle: bool = True,
    ) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(
                f"`model` must be a torch nn.Module; got {type(model).__name__}: {shown(model)}"
            )
        if loss is None and not callable(getattr(model, "loss", None)):
            raise TypeError(
                f"`loss` is needed for a {type(model).__name__}: pass loss='mse' (a Keras loss "
                f"name) or a callable (y_pred, y_true) -> tensor, or give the model the task "
                f"contract loss(batch)/decode(batch)"
            )
        check_bool(shuffle, "shuffle")
        self.generic = loss is not None
        self.loss_fn = _losses.get_loss(loss) if self.generic else None
        self.metric_fns = [_losses.get_metric(m, loss=loss) for m in metrics]
        self.shuffle = shuffle
        check_int(batch_size, "batch_size")
        check_int(epochs, "epochs")
        check_int(early_stopping_patience, "early_stopping_patience", minimum=0, allow_none=True)
        check_float(sparse_lr, "sparse_lr", minimum=0, min_open=True, allow_none=True)
        check_float(clip_grad_norm, "clip_grad_norm", minimum=0, min_open=True, allow_none=True)
        check_bool(sparse, "sparse", allow_none=True)
        check_bool(restore_best, "restore_best")
        check_seed(seed)
        ema = check_decay(ema)
        self.model = model
        self.task = "generic" if self.generic else getattr(model, "task", "classification")
        self.optimizer_name, self.lr, self.weight_decay = optimizer, lr, weight_decay
        self.sparse_lr, self.sparse = sparse_lr, sparse
        self.batch_size, self.epochs, self.clip = batch_size, epochs, clip_grad_norm
        self.patience, self.monitor, self.restore_best = (
            early_stopping_patience,
            monitor,
            restore_best,
        )
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        self.seed = int(seed)
        self.callbacks = list(callbacks)
        self.stop_training = False
        self.dist = dist_utils.context()
        self.device = dist_utils.resolve_device(device, self.dist)
        self.amp_dtype = _amp_dtype(mixed_precision, self.device)
        emit = emitter(progress)  # checked on every rank: a bad value fails everywhere
        self._progress = emit if self.dist.is_main else None
        self._where: tuple[int, int, int] = (0, 0, 0)  # (epoch, step, steps) for the end event
        self.model.to(self.device)
        # NCCL has no sparse all-reduce: under torchrun on GPUs, "auto" keeps tables dense.
        auto_off = sparse is None and self.dist.backend == "nccl"
        if isinstance(optimizer, torch.optim.Optimizer):  # a ready optimizer: used as it is
            self.sparse_tables = []
            self.optimizers = {"dense": optimizer}
        else:
            self.sparse_tables = use_sparse_tables(self.model, False if auto_off else sparse)
            self.optimizers = build_optimizers(
                self.model, self.sparse_tables, optimizer=optimizer, lr=lr,
                weight_decay=weight_decay, sparse_lr=sparse_lr,
            )
        use_scaler = self.amp_dtype == torch.float16
        self.scaler = torch.amp.GradScaler("cuda") if use_scaler else None
        inner = _OutputLoss(self.model, self.loss_fn) if self.generic else _LossModule(self.model)
        self._loss_module: nn.Module = dist_utils.wrap(inner, self.dist, self.device)
        # after wrapping: DistributedDataParallel has broadcast rank 0's weights by now
        skip = [p for table in self.sparse_tables for p in table.parameters()]
        self.ema = WeightAverage(self.model, ema, skip=skip) if ema is not None else None
        self.history = History()

    # ----------------------------------------------------------------- configuration
    def config(self) -> dict[str, Any]:
        """The Trainer's options as a JSON-ready dict (saved beside trained models)."""
        return {
            "optimizer": self.optimizer_name if isinstance(self.optimizer_name, str)
            else type(self.optimizer_name).__name__,
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            "sparse_lr": self.sparse_lr,
            "sparse": self.sparse,
            "sparse_tables": len(self.sparse_tables),
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "clip_grad_norm": self.clip,
            "ema": self.ema.decay if self.ema is not None else None,
            "early_stopping_patience": self.patience,
            "monitor": self.monitor,
            "seed": self.seed,
            "device": str(self.device),
            "mixed_precision": str(self.amp_dtype).replace("torch.", "")
            if self.amp_dtype
            else None,
            "world_size": self.dist.world_size,
        }

    # ----------------------------------------------------------------- data
    def _loader(self, data: Any, *, train: bool, epoch: int = 0) -> DataLoader:
        if isinstance(data, DataLoader):
            return data
        if self.generic and isinstance(data, (tuple, list)) and not isinstance(data, Dataset):
            data = ArrayDataset(*data)  # (x, y[, sample_weight]) arrays
        if not isinstance(data, Dataset) and not hasattr(data, "__getitem__"):
            raise TypeError(
                f"data must be a torch Dataset (e.g. vectab.train.data.ClassificationDataset) or a "
                f"DataLoader, got {type(data).__name__}"
            )
        if train and self.dist.world_size > 1:
            sampler: Any = dist_utils.sampler(data, self.dist, seed=self.seed, epoch=epoch)
        elif train and self.shuffle:
            gen = torch.Generator().manual_seed(_epoch_seed(self.seed, epoch))
            sampler = RandomSampler(data, generator=gen)
        else:
            sampler = SequentialSampler(data)
        return DataLoader(data, batch_size=self.batch_size, sampler=sampler,
                          collate_fn=getattr(data, "collate", None))

    def _to_device(self, batch: Any) -> Any:
        if isinstance(batch, dict):
            return {k: self._to_device(v) for k, v in batch.items()}
        if isinstance(batch, (list, tuple)):
            return type(batch)(self._to_device(v) for v in batch)
        if torch.is_tensor(batch):
            return batch.to(self.device, non_blocking=self.device.type == "cuda")
        return batch

    def _autocast(self) -> Any:
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    # ----------------------------------------------------------------- training
    def _step(self, batch: Any, sums: dict[str, float] | None = None) -> float:
        with self._autocast():
            if self.generic:
                x, y, w = split_batch(batch)
                loss, y_pred = self._loss_module(x, y, w)
                if sums is not None:
                    self._add_metrics(sums, y_pred, y)
            else:
                loss = self._loss_module(batch)
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"training loss became {float(loss)}; lower `lr` or keep `clip_grad_norm` set"
            )
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            for opt in self.optimizers.values():
                self.scaler.unscale_(opt)
        else:
            loss.backward()
        if self.clip is not None:
            clip_grad_norm(self.model.parameters(), self.clip)
        for opt in self.optimizers.values():
            if self.scaler is not None:
                self.scaler.step(opt)
            else:
                opt.step()
        if self.scaler is not None:
            self.scaler.update()
        _constrain(self.model)  # before zero_grad: sparse tables project only the rows just updated
        for opt in self.optimizers.values():
            opt.zero_grad(set_to_none=True)
        if self.ema is not None:
            self.ema.update()
        return float(loss.detach())

    def _averaged_weights(self) -> contextlib.AbstractContextManager[None]:
        """The weight average in the model for a ``with`` block (nothing to do without ``ema``)."""
        return self.ema.averaged() if self.ema is not None else contextlib.nullcontext()

    def _emit(
        self, kind: str, metrics: dict[str, Any] | None = None, aborted: bool = False
    ) -> None:
        if self._progress is not None:
            epoch, step, steps = self._where
            self._progress(ProgressEvent(
                "train", kind, done=step, total=steps, unit="batches", epoch=epoch + 1,
                epochs=self.epochs, metrics=metrics or {}, aborted=aborted,
            ))

    def _call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(self, *args)

    def fit(
        self,
        train_data: Any,
        valid_data: Any = None,
        *,
        resume_from: str | Path | None = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for up to ``epochs`` epochs; return the :class:`History`.

        Args:
            train_data: a Dataset yielding the model's batch items (with a ``collate`` method)
                or a DataLoader.
            valid_data: evaluated after each epoch; drives early stopping and the best weights.
            resume_from: a checkpoint directory (``checkpoint_dir/last``) to continue from.
                The run then ends exactly as an uninterrupted one would.
            initial_epoch: the epoch to start at (Keras' ``fit(initial_epoch=)``): epochs
                ``initial_epoch .. epochs - 1`` run.
        """
        check_int(initial_epoch, "initial_epoch", minimum=0)
        monitor = self.monitor or default_monitor(self.task, valid_data is not None)
        if monitor.startswith("val_") and valid_data is None:
            raise ValueError(
                f"`monitor`={monitor!r} needs valid_data; pass valid_data or monitor='loss'"
            )
        minimize = any(s in monitor for s in ("loss", "mse", "mae"))
        start, bad_epochs, best_state = initial_epoch, 0, None
        self.history, self.stop_training = History(), False
        if self.ema is not None:  # a fit stopped while putting the trained weights back
            self.ema.swap_out()
        if resume_from is not None:
            start, bad_epochs, best_state = self._resume(resume_from)
        self._where = (start, 0, 0)
        self._call("on_train_begin")
        try:
            return self._fit_epochs(
                train_data, valid_data, start, bad_epochs, best_state, monitor, minimize
            )
        except BaseException:
            # an error or Ctrl-C mid-epoch: stop the progress bar so the terminal is left clean
            self._emit("end", aborted=True)
            raise

    def _fit_epochs(
        self, train_data, valid_data, start, bad_epochs, best_state, monitor, minimize
    ) -> History:
        for epoch in range(start, self.epochs):
            self._call("on_epoch_begin", epoch)
            logs = self._train_epoch(train_data, epoch)
            with self._averaged_weights():  # validate, and keep as best, the averaged weights
                if valid_data is not None:
                    logs.update({f"val_{k}": v for k, v in self.evaluate(valid_data).items()})
                if monitor not in logs:
                    raise ValueError(
                        f"`monitor`={monitor!r} is not among the logged metrics {sorted(logs)}"
                    )
                value = logs[monitor]
                best = self.history.best_value
                improved = best is None or (value < best if minimize else value > best)
                if improved:
                    self.history.best_epoch, self.history.best_value, bad_epochs = epoch, value, 0
                    best_state = self._save_best()
                else:
                    bad_epochs += 1
                self.history.append(logs)
                self._call("on_epoch_end", logs)
                self._emit("epoch_end", {k: v for k, v in logs.items() if k != "epoch"})
            if self.patience is not None and bad_epochs > 0 and bad_epochs >= self.patience:
                self.history.stopped_early = self.stop_training = True
            self._save_last(epoch, bad_epochs)  # the trained weights: a resume goes on from them
            if self.stop_training:
                break
        if self.ema is not None:  # like Keras, the model ends with the averaged weights
            self.ema.finalize()
        if self.restore_best and self.history.best_epoch is not None:
            self._restore_best(best_state)
        self.model.eval()
        self._call("on_train_end", self.history)
        self._emit("end")
        return self.history

    def _train_epoch(self, data: Any, epoch: int) -> dict[str, float]:
        torch.manual_seed(_epoch_seed(self.seed, epoch) + 1)
        loader = self._loader(data, train=True, epoch=epoch)
        steps = len(loader)
        self._where = (epoch, 0, steps)
        self._emit("start")
        self.model.train()
        total, count = 0.0, 0
        sums: dict[str, float] = {}
        for step, batch in enumerate(loader, start=1):
            batch = self._to_device(batch)
            loss = self._step(batch, sums)
            # a plain model's epoch loss is the mean over examples, as Keras reports it
            n = num_rows(split_batch(batch)[0]) if self.generic else 1
            total, count = total + loss * n, count + n
            self._call("on_batch_end", step, {"loss": loss})
            self._where = (epoch, step, steps)
            self._emit("update", {"loss": total / count})
        return {"epoch": epoch, "loss": total / max(count, 1), **_means(sums)}

    def _add_metrics(self, sums: dict[str, float], y_pred: Any, y: Any) -> None:
        with torch.no_grad():
            mask = _output_mask(y_pred)
            for name, fn in self.metric_fns:
                values = fn(y_pred.detach().float(), y)
                if mask is not None and tuple(mask.shape) == tuple(values.shape):
                    weight = mask.to(values.dtype)  # Keras: the mask is the sample weight
                    total, n = float((values * weight).sum()), float(weight.sum())
                else:
                    total, n = float(values.sum()), values.numel()
                sums[name] = sums.get(name, 0.0) + total
                sums[f"{name}/n"] = sums.get(f"{name}/n", 0.0) + n

    # ----------------------------------------------------------------- checkpoints
    def _save_best(self) -> dict[str, torch.Tensor] | None:
        if self.checkpoint_dir is not None:
            if self.dist.is_main:
                save_checkpoint(
                    self.checkpoint_dir / "best",
                    self.model,
                    {"epoch": self.history.best_epoch, "value": self.history.best_value},
                )
            return None
        if not self.restore_best:
            return None
        return {k: v.clone() for k, v in state_tensors(self.model).items()}

    def _restore_best(self, best_state: dict[str, torch.Tensor] | None) -> None:
        if best_state is not None:
            self.model.load_state_dict(best_state)
        elif self.checkpoint_dir is not None:
            dist_utils.barrier(self.dist)
            load_weights(
                self.model, committed_dir(self.checkpoint_dir / "best") / "model.safetensors"
            )

    def _save_last(self, epoch: int, bad_epochs: int) -> None:
        if self.checkpoint_dir is None or not self.dist.is_main:
            return
        tensors, opt_meta = optimizer_state_tensors(self.optimizers)
        if self.ema is not None:
            tensors.update(self.ema.state_tensors())
        state = {
            "epochs_done": epoch + 1, "bad_epochs": bad_epochs, "history": self.history.to_dict(),
            "optimizers": opt_meta, "trainer": self.config(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "best_dir": str((self.checkpoint_dir / "best").resolve()),
            "ema_updates": self.ema.updates if self.ema is not None else None,
        }
        save_checkpoint(self.checkpoint_dir / "last", self.model, state, optimizer_tensors=tensors)

    def _resume(self, directory: str | Path) -> tuple[int, int, dict | None]:
        state, opt_tensors, directory = load_checkpoint(directory)
        load_weights(self.model, directory / "model.safetensors")
        ema_tensors = {k: v for k, v in opt_tensors.items() if k.startswith(EMA_PREFIX)}
        opt_tensors = {k: v for k, v in opt_tensors.items() if not k.startswith(EMA_PREFIX)}
        load_optimizer_state(self.optimizers, opt_tensors, state["optimizers"])
        if self.ema is not None:
            self.ema.load_state(ema_tensors, state.get("ema_updates") or 0,
                                source=str(directory / "optimizer.safetensors"))
        if self.scaler is not None and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.history = History.from_dict(state["history"])
        # committed_dir: a save of best/ killed between its two renames left the previous copy
        best_dir = committed_dir(state.get("best_dir", "")) if state.get("best_dir") else Path("")
        best_state = None
        if best_dir.is_dir() and (best_dir / "model.safetensors").is_file():
            best_model = copy.deepcopy(self.model)
            load_weights(best_model, best_dir / "model.safetensors")
            if self.checkpoint_dir is None:  # keep the best weights in memory, as fit would
                best_state = state_tensors(best_model) if self.restore_best else None
            elif (
                self.dist.is_main and (self.checkpoint_dir / "best").resolve() != best_dir.resolve()
            ):
                save_checkpoint(
                    self.checkpoint_dir / "best",
                    best_model,
                    {"epoch": self.history.best_epoch, "value": self.history.best_value},
                )
        return int(state["epochs_done"]), int(state["bad_epochs"]), best_state

    # ----------------------------------------------------------------- inference
    @torch.no_grad()
    def _evaluate_outputs(self, data: Any) -> dict[str, float]:
        was_training = self.model.training
        self.model.eval()
        total, count, sums = 0.0, 0, {}
        try:
            for batch in self._loader(data, train=False):
                x, y, w = split_batch(self._to_device(batch))
                with self._autocast():
                    loss, y_pred = self._loss_module(x, y, w)
                n = num_rows(x)
                total, count = total + float(loss) * n, count + n
                self._add_metrics(sums, y_pred, y)
        finally:
            self.model.train(was_training)
        return {"loss": total / max(count, 1), **_means(sums)}

    @torch.no_grad()
    def _predict_outputs(self, data: Any) -> np.ndarray | list[np.ndarray]:
        was_training = self.model.training
        self.model.eval()
        outs: list[Any] = []
        try:
            for batch in self._loader(data, train=False):
                x = split_batch(self._to_device(batch))[0]
                with self._autocast():
                    outs.append(_call_model(self.model, x))
        finally:
            self.model.train(was_training)
        if outs and isinstance(outs[0], (list, tuple)):
            return [torch.cat([o[i] for o in outs]).float().cpu().numpy()
                    for i in range(len(outs[0]))]
        return torch.cat(outs).float().cpu().numpy() if outs else np.zeros((0,), np.float32)

    @torch.no_grad()
    def _collect(self, data: Any, *, with_loss: bool) -> Collector:
        tags = list(getattr(getattr(self.model, "config", None), "tags", []) or []) or None
        collector = Collector(self.task, tags)
        was_training = self.model.training
        self.model.eval()
        try:
            for batch in self._loader(data, train=False):
                batch = self._to_device(batch)
                with self._autocast():
                    has_target = "labels" in batch or "tags" in batch
                    loss = float(self.model.loss(batch)) if with_loss and has_target else None
                    pred = self.model.decode(batch)
                collector.add(batch, pred, loss)
        finally:
            self.model.train(was_training)
        return collector

    def evaluate(self, data: Any) -> dict[str, float]:
        """Return the mean loss and the task's metrics on ``data`` (see :mod:`.evaluation`); a
        plain model with ``loss=``: the mean loss and each of ``metrics``."""
        if self.generic:
            return self._evaluate_outputs(data)
        return self._collect(data, with_loss=True).metrics()

    def predict(self, data: Any) -> np.ndarray | list[list[int]]:
        """Predicted class ids ``(N,)`` (multi-label ``(N, C)`` bool), tag-id lists, or values;
        a plain model with ``loss=``: its outputs as numpy (a list for several outputs)."""
        if self.generic:
            return self._predict_outputs(data)
        return self._collect(data, with_loss=False).predictions()

    @torch.no_grad()
    def predict_proba(self, data: Any) -> np.ndarray:
        """Class probabilities ``(N, C)`` of a classifier."""
        self.model.eval()
        out = []
        for batch in self._loader(data, train=False):
            with self._autocast():
                out.append(self.model.predict_proba(self._to_device(batch)).float().cpu())
        return torch.cat(out).numpy() if out else np.zeros((0, 0), dtype=np.float32)


def _means(sums: dict[str, float]) -> dict[str, float]:
    return {k: v / max(sums[f"{k}/n"], 1) for k, v in sums.items() if not k.endswith("/n")}


def _amp_dtype(mixed_precision: bool | str, device: torch.device) -> torch.dtype | None:
    allowed = ("auto", True, False, "bf16", "fp16")
    if not isinstance(mixed_precision, (bool, np.bool_, str)):  # 0 == False: not a flag
        raise TypeError(
            f"`mixed_precision` must be one of {allowed}, got {type(mixed_precision).__name__}: "
            f"{shown(mixed_precision)}."
        )
    if mixed_precision not in allowed:
        raise ValueError(f"`mixed_precision` must be one of {allowed}, got {mixed_precision!r}")
    if mixed_precision is False or (mixed_precision == "auto" and device.type != "cuda"):
        return None
    if device.type != "cuda":
        raise ValueError(
            f"`mixed_precision`={mixed_precision!r} needs a CUDA device, but training runs on "
            f"{device}; use mixed_precision='auto' or False"
        )
    if mixed_precision == "fp16":
        return torch.float16
    if mixed_precision == "bf16" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16

