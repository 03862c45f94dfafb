"""`Vectors`: words and their vectors, with search and evaluation on top.

(Minimal core written first so the format readers can return it; search, evaluation and
device handling are added on top of this constructor contract.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vectab.errors import OutOfVocabularyError

__all__ = ["Vectors"]


class Vectors:
    """A vocabulary and one vector per word, as a float matrix (gensim's ``KeyedVectors``).

    Args:
        index_to_key: the words, in row order.
        vectors: ``(vocab, dim)`` matrix; kept as given (a memory map stays a memory map).
        subwords: optional object with ``word_vector(word) -> np.ndarray`` that builds vectors
            for out-of-vocabulary words (fastText character n-grams).
    """

    def __init__(
        self,
        index_to_key: Sequence[str],
        vectors: np.ndarray,
        *,
        subwords: Any | None = None,
    ) -> None:
        vectors = np.asarray(vectors)
        if vectors.ndim != 2:
            raise ValueError(f"`vectors` must be a 2-D (vocab, dim) matrix, got shape {vectors.shape}")
        if len(index_to_key) != vectors.shape[0]:
            raise ValueError(
                f"`index_to_key` has {len(index_to_key)} words but `vectors` has "
                f"{vectors.shape[0]} rows; they must match"
            )
        self.index_to_key: list[str] = list(index_to_key)
        self.key_to_index: dict[str, int] = {w: i for i, w in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("`index_to_key` contains duplicate words; each word must appear once")
        self.vectors = vectors
        self.subwords = subwords

    def __len__(self) -> int:
        return len(self.index_to_key)

    @property
    def vector_size(self) -> int:
        return int(self.vectors.shape[1])

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __getitem__(self, word: str) -> np.ndarray:
        i = self.key_to_index.get(word)
        if i is not None:
            return self.vectors[i]
        if self.subwords is not None:
            return self.subwords.word_vector(word)
        raise OutOfVocabularyError(word)

    def __repr__(self) -> str:
        return f"Vectors({len(self)} words x {self.vector_size} dims, dtype={self.vectors.dtype})"
