"""Layers: the Embedding lookup table, its initializers, regularizers and constraints, encoders and
a CRF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.nn import constraints as constraints
    from vectab.nn import initializers as initializers
    from vectab.nn import regularizers as regularizers
    from vectab.nn.chars import CasingEmbedding as CasingEmbedding
    from vectab.nn.chars import CharEncoder as CharEncoder
    from vectab.nn.chars import WordFeatures as WordFeatures
    from vectab.nn.constraints import apply_constraints as apply_constraints
    from vectab.nn.crf import CRF as CRF
    from vectab.nn.embedding import Embedding as Embedding
    from vectab.nn.encoders import SequenceEncoder as SequenceEncoder
    from vectab.nn.regularizers import regularization_loss as regularization_loss

_EXPORTS: dict[str, str] = {
    "Embedding": "vectab.nn.embedding",
    "regularization_loss": "vectab.nn.regularizers",
    "apply_constraints": "vectab.nn.constraints",
    "initializers": "vectab.nn.initializers",
    "regularizers": "vectab.nn.regularizers",
    "constraints": "vectab.nn.constraints",
    "CRF": "vectab.nn.crf",
    "SequenceEncoder": "vectab.nn.encoders",
    "CharEncoder": "vectab.nn.chars",
    "CasingEmbedding": "vectab.nn.chars",
    "WordFeatures": "vectab.nn.chars",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
