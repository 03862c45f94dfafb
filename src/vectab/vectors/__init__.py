"""Pretrained word vectors: read and write every common format, cache, align, search, evaluate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.vectors.align import CoverageReport as CoverageReport
    from vectab.vectors.align import build_embedding_matrix as build_embedding_matrix
    from vectab.vectors.cache import clear_cache as clear_cache
    from vectab.vectors.evaluate import evaluate_word_analogies as evaluate_word_analogies
    from vectab.vectors.evaluate import evaluate_word_pairs as evaluate_word_pairs
    from vectab.vectors.formats import LoadReport as LoadReport
    from vectab.vectors.formats import detect_format as detect_format
    from vectab.vectors.io import load_vectors as load_vectors
    from vectab.vectors.io import save_vectors as save_vectors
    from vectab.vectors.similarity import topk_cosine as topk_cosine
    from vectab.vectors.store import KeyedVectors as KeyedVectors
    from vectab.vectors.store import Vectors as Vectors

_EXPORTS: dict[str, str] = {
    "Vectors": "vectab.vectors.store",
    "KeyedVectors": "vectab.vectors.store",
    "load_vectors": "vectab.vectors.io",
    "save_vectors": "vectab.vectors.io",
    "clear_cache": "vectab.vectors.cache",
    "LoadReport": "vectab.vectors.formats",
    "detect_format": "vectab.vectors.formats",
    "build_embedding_matrix": "vectab.vectors.align",
    "CoverageReport": "vectab.vectors.align",
    "topk_cosine": "vectab.vectors.similarity",
    "evaluate_word_pairs": "vectab.vectors.evaluate",
    "evaluate_word_analogies": "vectab.vectors.evaluate",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
