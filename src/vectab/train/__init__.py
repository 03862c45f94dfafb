"""Training: the Trainer, data readers, metrics, saved model directories and torchrun."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Trainer": "vectab.train.trainer",
    "load_model": "vectab.train.saving",
    "save_model": "vectab.train.saving",
    "accuracy": "vectab.train.metrics",
    "macro_f1": "vectab.train.metrics",
    "entity_f1": "vectab.train.metrics",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
