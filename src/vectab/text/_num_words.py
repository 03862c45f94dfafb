"""Keras' ``num_words`` / OOV rule, written once for every path that turns words into ids.

A looked-up id is kept when the word is known and ``num_words`` is unset or the id is below
it; otherwise it becomes the OOV id, or is dropped when there is none. ``texts_to_sequences``
(batch and generator), ``sequences_to_texts`` and ``vectab.train.saving.token_ids`` all call
:func:`limit_ids`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MISSING", "limit_ids"]

#: The id of a word that is not in ``word_index``, and of a dropped id in the result.
MISSING = int(np.iinfo(np.int64).min)


def limit_ids(ids: np.ndarray, *, num_words: int | None, oov_index: int | None) -> np.ndarray:
    """Apply Keras' ``num_words`` / OOV rule to looked-up ids.

    Args:
        ids: int64 ids, :data:`MISSING` for a word not in ``word_index``.
        num_words: ids at or above it are replaced (falsy: no limit), as in Keras.
        oov_index: the replacement id; ``None`` drops instead.

    Returns:
        A new int64 array: the id kept, ``oov_index``, or :data:`MISSING` (dropped).

    Example:
        >>> limit_ids(np.array([1, 4, MISSING]), num_words=3, oov_index=None).tolist() == [
        ...     1, MISSING, MISSING]
        True
        >>> limit_ids(np.array([1, 4, MISSING]), num_words=3, oov_index=2).tolist()
        [1, 2, 2]
    """
    ids = np.array(ids, dtype=np.int64)
    replace = ids == MISSING
    if num_words:
        replace |= ids >= num_words
    ids[replace] = MISSING if oov_index is None else oov_index
    return ids
