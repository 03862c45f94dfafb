"""FastText (word2vec with character n-gram vectors), with gensim's parameters and meanings.

``vectab.models.FastText`` is a drop-in for ``gensim.models.FastText`` (``hs=0``). Modules:

- ``_numba``: the CPU kernel (gensim's ``fasttext_inner`` skip-gram / CBOW with negative
  sampling over word and n-gram rows) and the composition of the words' vectors;
- ``io``: vectab's model file (safetensors + JSON header) and fastText's ``.bin`` writer;
- ``model``: the :class:`FastText` class (a :class:`~vectab.models.word2vec.model.Word2Vec`
  with subword tables, as in gensim).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.models.fasttext.model import FastText as FastText

_EXPORTS: dict[str, str] = {
    "FastText": "vectab.models.fasttext.model",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
