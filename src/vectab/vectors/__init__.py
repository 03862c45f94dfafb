"""Pretrained word vectors: read and write every common format, cache, align, search, evaluate."""

from __future__ import annotations

import importlib
from typing import Any

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

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vectab.vectors' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
