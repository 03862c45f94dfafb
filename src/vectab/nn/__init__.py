"""Layers: the Embedding lookup table, its initializers, regularizers and constraints, encoders and a CRF."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Embedding": "vectab.nn.embedding",
    "regularization_loss": "vectab.nn.regularizers",
    "apply_constraints": "vectab.nn.constraints",
    "initializers": "vectab.nn.initializers",
    "regularizers": "vectab.nn.regularizers",
    "constraints": "vectab.nn.constraints",
    "CRF": "vectab.nn.crf",
    "SequenceEncoder": "vectab.nn.encoders",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
