"""Layers: the Embedding lookup table, its initializers, regularizers and constraints, encoders and a CRF."""

from __future__ import annotations

from vectab._lazy import attach

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

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
