"""The generic training loop: the Trainer, its callbacks, checkpoints, metrics and torchrun.

It trains any ``torch.nn.Module`` that follows the task-model contract and knows no task model
itself: the recipes that build classifiers and taggers from files live above it, in
:mod:`vectab.train`, and :mod:`vectab.models` builds on it. ``vectab.train`` re-exports
``Trainer`` and the metrics, so ``from vectab.train import Trainer`` keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.engine.callbacks import Callback as Callback
    from vectab.engine.callbacks import CSVLogger as CSVLogger
    from vectab.engine.callbacks import EarlyStopping as EarlyStopping
    from vectab.engine.callbacks import History as History
    from vectab.engine.callbacks import ModelCheckpoint as ModelCheckpoint
    from vectab.engine.callbacks import ReduceLROnPlateau as ReduceLROnPlateau
    from vectab.engine.data import TensorDictDataset as TensorDictDataset
    from vectab.engine.metrics import accuracy as accuracy
    from vectab.engine.metrics import entity_f1 as entity_f1
    from vectab.engine.metrics import get_entities as get_entities
    from vectab.engine.metrics import macro_f1 as macro_f1
    from vectab.engine.trainer import Trainer as Trainer

_EXPORTS: dict[str, str] = {
    "Trainer": "vectab.engine.trainer",
    "Callback": "vectab.engine.callbacks",
    "History": "vectab.engine.callbacks",
    "EarlyStopping": "vectab.engine.callbacks",
    "ModelCheckpoint": "vectab.engine.callbacks",
    "ReduceLROnPlateau": "vectab.engine.callbacks",
    "CSVLogger": "vectab.engine.callbacks",
    "TensorDictDataset": "vectab.engine.data",
    "accuracy": "vectab.engine.metrics",
    "macro_f1": "vectab.engine.metrics",
    "entity_f1": "vectab.engine.metrics",
    "get_entities": "vectab.engine.metrics",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
