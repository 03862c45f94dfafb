"""vectab: the embedding layer and everything around it, for PyTorch.

Text becomes integer ids (:mod:`vectab.text`), ids become vectors through a trainable lookup
table (:mod:`vectab.nn`), the table is filled from pretrained word vectors
(:mod:`vectab.vectors`) or learned on its own (:class:`vectab.models.Word2Vec`), models built on
it are trained (:mod:`vectab.train`) and the vectors are searched, evaluated and drawn
(:mod:`vectab.viz`).

Public names are imported lazily, so ``import vectab`` stays fast and never imports torch
before it is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.errors import ModelFormatError as ModelFormatError
    from vectab.errors import OutOfVocabularyError as OutOfVocabularyError
    from vectab.errors import VectabError as VectabError
    from vectab.errors import VectorFormatError as VectorFormatError
    from vectab.models import SequenceTagger as SequenceTagger
    from vectab.models import TabularEmbeddings as TabularEmbeddings
    from vectab.models import TextClassifier as TextClassifier
    from vectab.models import Word2Vec as Word2Vec
    from vectab.nn import Embedding as Embedding
    from vectab.text import Tokenizer as Tokenizer
    from vectab.text import collate as collate
    from vectab.text import lengths_to_mask as lengths_to_mask
    from vectab.text import pad_sequences as pad_sequences
    from vectab.text import sequences_to_mask as sequences_to_mask
    from vectab.text import tokenizer_from_json as tokenizer_from_json
    from vectab.train import Trainer as Trainer
    from vectab.train import load_model as load_model
    from vectab.vectors import CoverageReport as CoverageReport
    from vectab.vectors import Vectors as Vectors
    from vectab.vectors import build_embedding_matrix as build_embedding_matrix
    from vectab.vectors import evaluate_word_analogies as evaluate_word_analogies
    from vectab.vectors import evaluate_word_pairs as evaluate_word_pairs
    from vectab.vectors import load_vectors as load_vectors

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "VectabError": "vectab.errors",
    "VectorFormatError": "vectab.errors",
    "ModelFormatError": "vectab.errors",
    "OutOfVocabularyError": "vectab.errors",
    # text
    "Tokenizer": "vectab.text",
    "tokenizer_from_json": "vectab.text",
    "pad_sequences": "vectab.text",
    "sequences_to_mask": "vectab.text",
    "lengths_to_mask": "vectab.text",
    "collate": "vectab.text",
    # nn
    "Embedding": "vectab.nn",
    # vectors
    "Vectors": "vectab.vectors",
    "load_vectors": "vectab.vectors",
    "build_embedding_matrix": "vectab.vectors",
    "CoverageReport": "vectab.vectors",
    "evaluate_word_pairs": "vectab.vectors",
    "evaluate_word_analogies": "vectab.vectors",
    # models and training
    "TextClassifier": "vectab.models",
    "SequenceTagger": "vectab.models",
    "TabularEmbeddings": "vectab.models",
    "Word2Vec": "vectab.models",
    "Trainer": "vectab.train",
    "load_model": "vectab.train",
}

__getattr__, __dir__, _names = attach(__name__, _EXPORTS)
__all__ = [*_names, "__version__"]
