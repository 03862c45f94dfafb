"""What the word2vec kernels and the epoch loop are given: one frozen :class:`TrainState`.

:class:`~vectab.models.word2vec.model.Word2Vec` builds it at the start of every ``train()``
call; the helper modules (``train``, ``_numba``, ``_torch``) read only these documented values
and never the model itself, so the model can change its private state freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["TrainState"]


@dataclass(frozen=True)
class TrainState:
    """The tables and settings one ``train()`` call runs on.

    The arrays are the model's own (not copies): the CPU kernels update ``syn0`` and
    ``syn1neg`` in place, from several threads at once (Hogwild).

    Attributes:
        syn0: the input vectors (``model.wv.vectors``), ``(vocab, dim)`` float32.
        syn1neg: the output (context) vectors, ``(vocab, dim)`` float32.
        sample_int: per word, the downsampling threshold: an occurrence is kept when
            ``sample_int[w] >= rand_uint32`` (``(vocab,)`` uint32).
        cum_table: cumulative noise distribution (``(vocab,)`` uint32): a noise word is
            ``searchsorted(cum_table, r)`` for ``r`` uniform in ``[0, cum_table[-1])``.
        index_to_key: the words, in row order.
        sg: skip-gram (True) or CBOW (False).
        cbow_mean: CBOW averages the context vectors (True) or sums them (False).
        window: maximum distance between the current and a context word.
        shrink_windows: draw each word's effective window uniformly in ``1..window``.
        negative: noise words drawn per positive example.
        batch_words: raw words per job handed to a worker.
        seed: the model's seed; every job's random stream derives from it.
        train_count: ``train()`` calls completed before this one (a new stream per call).
    """

    syn0: np.ndarray
    syn1neg: np.ndarray
    sample_int: np.ndarray
    cum_table: np.ndarray
    index_to_key: Sequence[str]
    sg: bool
    cbow_mean: bool
    window: int
    shrink_windows: bool
    negative: int
    batch_words: int
    seed: int
    train_count: int
