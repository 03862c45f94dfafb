"""Bag-of-words matrices from id sequences (Keras' ``sequences_to_matrix``, vectorized)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from vectab.text._checks import flatten_ids


def bag_of_words(
    sequences: Iterable[Iterable[int]],
    num_words: int,
    mode: str,
    *,
    document_count: int,
    index_docs: Mapping[int, int],
) -> np.ndarray:
    """Matrix ``(len(sequences), num_words)`` of binary / count / tfidf / freq weights.

    Ids ``>= num_words`` are ignored (but still count in the length used by ``freq``).
    ``tfidf`` uses Keras' weighting: ``(1 + log(count)) * log(1 + N / (1 + docs(id)))``.
    """
    ids, lengths = flatten_ids(sequences, "sequences")
    x = np.zeros((len(lengths), num_words))
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    inside = ids < num_words
    cells = rows[inside] * np.int64(num_words) + ids[inside]
    cells.sort()
    if not len(cells):
        return x
    starts = np.flatnonzero(np.concatenate([[True], cells[1:] != cells[:-1]]))
    counts = np.diff(np.concatenate([starts, [len(cells)]]))
    cells = cells[starts]
    row, col = np.divmod(cells, np.int64(num_words))
    if mode == "count":
        values = counts.astype(np.float64)
    elif mode == "freq":
        values = counts / lengths[row]
    elif mode == "binary":
        values = np.ones(len(cells))
    else:  # tfidf
        docs = np.array([index_docs.get(j, 0) for j in col.tolist()], dtype=np.int64)
        values = (1 + np.log(counts)) * np.log(1 + document_count / (1 + docs))
    x.ravel()[cells] = values
    return x
