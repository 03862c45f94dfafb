"""Models built on the Embedding layer: classifier, BiLSTM-CRF tagger, tabular embeddings, word2vec."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "TextClassifier": "vectab.models.classifier",
    "ClassifierConfig": "vectab.models.classifier",
    "SequenceTagger": "vectab.models.tagger",
    "TaggerConfig": "vectab.models.tagger",
    "TabularEmbeddings": "vectab.models.tabular",
    "TabularConfig": "vectab.models.tabular",
    "Word2Vec": "vectab.models.word2vec",
    "LineSentences": "vectab.models.word2vec",
    "MODEL_TYPES": "vectab.models.registry",
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
