"""Training: the Trainer, data readers, metrics, saved model directories and torchrun."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.train.metrics import accuracy as accuracy
    from vectab.train.metrics import entity_f1 as entity_f1
    from vectab.train.metrics import macro_f1 as macro_f1
    from vectab.train.saving import load_model as load_model
    from vectab.train.saving import save_model as save_model
    from vectab.train.trainer import Trainer as Trainer

_EXPORTS: dict[str, str] = {
    "Trainer": "vectab.train.trainer",
    "load_model": "vectab.train.saving",
    "save_model": "vectab.train.saving",
    "accuracy": "vectab.train.metrics",
    "macro_f1": "vectab.train.metrics",
    "entity_f1": "vectab.train.metrics",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
