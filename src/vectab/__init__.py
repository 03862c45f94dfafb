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

from vectab._lazy import attach

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
