"""What the word2vec kernels and the epoch loop are given: one frozen :class:`TrainState`.

:class:`~vectab.models.word2vec.model.Word2Vec` builds it at the start of every ``train()``
call; the helper modules (``train``, ``_numba``, ``_torch``) read only these documented values
and never the model itself, so the model can change its private state freely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
        hs: 1 trains hierarchical softmax (over the Huffman tree below) as well as the
            ``negative`` noise words (0 turns negative sampling off), as gensim's ``hs``.
        syn1: the hierarchical-softmax output vectors, one row per inner node of the tree,
            ``(vocab, dim)`` float32 (empty with ``hs=0``).
        codes: every word's Huffman code, back to back (uint8, 0/1): word ``i``'s bits are
            ``codes[code_offsets[i]:code_offsets[i + 1]]``, root first.
        points: the inner node (row of ``syn1``) each code bit is decided at, int32, aligned
            with ``codes``.
        code_offsets: ``(vocab + 1,)`` int64 offsets into ``codes`` / ``points``.
        compute_loss: the kernels add up the loss (False skips that work; the loss reads 0).
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
    hs: int = 0
    syn1: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    points: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    code_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    compute_loss: bool = True
