"""Models built on the Embedding layer: classifier, BiLSTM-CRF tagger, tabular embeddings,
word2vec, and Keras' ``Sequential``/``Model``/``load_model``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.models.classifier import ClassifierConfig as ClassifierConfig
    from vectab.models.classifier import TextClassifier as TextClassifier
    from vectab.models.fasttext.model import FastText as FastText
    from vectab.models.registry import MODEL_TYPES as MODEL_TYPES
    from vectab.models.sequential import Model as Model
    from vectab.models.sequential import Sequential as Sequential
    from vectab.models.sequential import load_model as load_model
    from vectab.models.tabular import TabularConfig as TabularConfig
    from vectab.models.tabular import TabularEmbeddings as TabularEmbeddings
    from vectab.models.tagger import SequenceTagger as SequenceTagger
    from vectab.models.tagger import TaggerConfig as TaggerConfig
    from vectab.models.word2vec.corpus import LineSentences as LineSentences
    from vectab.models.word2vec.model import Word2Vec as Word2Vec

_EXPORTS: dict[str, str] = {
    "TextClassifier": "vectab.models.classifier",
    "ClassifierConfig": "vectab.models.classifier",
    "SequenceTagger": "vectab.models.tagger",
    "TaggerConfig": "vectab.models.tagger",
    "TabularEmbeddings": "vectab.models.tabular",
    "TabularConfig": "vectab.models.tabular",
    "Word2Vec": "vectab.models.word2vec.model",
    "FastText": "vectab.models.fasttext.model",
    "LineSentences": "vectab.models.word2vec.corpus",
    "MODEL_TYPES": "vectab.models.registry",
    "Sequential": "vectab.models.sequential",
    "Model": "vectab.models.sequential",
    "load_model": "vectab.models.sequential",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
