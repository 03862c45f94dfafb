"""Training: the Trainer, data readers, metrics, saved model directories and torchrun."""

from __future__ import annotations

from vectab._lazy import attach

_EXPORTS: dict[str, str] = {
    "Trainer": "vectab.train.trainer",
    "load_model": "vectab.train.saving",
    "save_model": "vectab.train.saving",
    "accuracy": "vectab.train.metrics",
    "macro_f1": "vectab.train.metrics",
    "entity_f1": "vectab.train.metrics",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
