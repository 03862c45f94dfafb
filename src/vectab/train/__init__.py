"""Training recipes: classifiers and taggers from files, saved model directories, data readers.

The generic loop they run lives in :mod:`vectab.engine`; ``Trainer`` and the metrics are
re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.engine.metrics import accuracy as accuracy
    from vectab.engine.metrics import entity_f1 as entity_f1
    from vectab.engine.metrics import macro_f1 as macro_f1
    from vectab.engine.trainer import Trainer as Trainer
    from vectab.train.saving import load_model as load_model
    from vectab.train.saving import save_model as save_model

_EXPORTS: dict[str, str] = {
    "Trainer": "vectab.engine.trainer",
    "load_model": "vectab.train.saving",
    "save_model": "vectab.train.saving",
    "accuracy": "vectab.engine.metrics",
    "macro_f1": "vectab.engine.metrics",
    "entity_f1": "vectab.engine.metrics",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
