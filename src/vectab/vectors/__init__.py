"""Pretrained word vectors: read and write every common format, cache, align, search, evaluate."""

from __future__ import annotations

from vectab._lazy import attach

_EXPORTS: dict[str, str] = {
    "Vectors": "vectab.vectors.store",
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
