"""Models built on the Embedding layer: classifier, BiLSTM-CRF tagger, tabular embeddings, word2vec."""

from __future__ import annotations

from vectab._lazy import attach

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

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
