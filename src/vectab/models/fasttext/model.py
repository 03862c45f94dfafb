"""The FastText model: word2vec with character n-gram (subword) vectors, gensim's parameters.

``vectab.models.FastText`` is a drop-in for ``gensim.models.FastText`` (``hs=0``,
``word_ngrams=1``): the same argument names, defaults and meanings, the same vocabulary rules
(it is a :class:`~vectab.models.word2vec.model.Word2Vec`, as gensim's is), the same
initialisation and learning-rate schedule, and the same composition of a word's vector from
its word row and its n-gram rows, so ``model.wv`` gives a vector for any word, as a fastText
``.bin`` read by :func:`vectab.vectors.load_vectors` does. :meth:`FastText.save_facebook_model`
writes that ``.bin`` (gensim's ``load_facebook_model`` reads it); ``model.wv.save(path)``
writes the ``.vec`` (word2vec text) file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from vectab._checks import check_int
from vectab._progress import ProgressArg
from vectab.models.fasttext import _numba
from vectab.models.word2vec._numba import AVAILABLE as NUMBA_AVAILABLE
from vectab.models.word2vec.corpus import check_corpus
from vectab.models.word2vec.model import Word2Vec
from vectab.models.word2vec.state import TrainState
from vectab.models.word2vec.train import JobFn
from vectab.vectors.formats.fasttext import FastTextSubwords, ngram_buckets
from vectab.vectors.store import Vectors

__all__ = ["FastText"]

def _uniform_rows(shape: tuple[int, int], seed: int, prior: np.ndarray | None) -> np.ndarray:
    """gensim's ``prep_vectors``: uniform in [-1/dim, 1/dim) from ``default_rng(seed)``, the
    first rows copied from ``prior``."""
    rows = np.random.default_rng(seed=seed).random(shape, dtype=np.float32)
    rows *= 2.0
    rows -= 1.0
    rows /= shape[1]
    if prior is not None and len(prior):
        rows[: len(prior)] = prior
    return rows

class FastText(Word2Vec):
    """Learn word and character n-gram vectors (``gensim.models.FastText``, Bojanowski et al.).

    A word's input vector is the mean of its own row and the rows of its character n-grams
    (``<word>`` cut into ``min_n``..``max_n`` characters, hashed with fastText's FNV-1a into
    ``bucket`` rows); skip-gram or CBOW with negative sampling trains all of them. Passing
    ``sentences`` or ``corpus_file`` builds the vocabulary and trains right away, as in gensim.

    Args:
        sentences: re-iterable of token lists (a list, or :class:`LineSentences` over files).
        corpus_file: a text file (one sentence per line) or a folder of them, streamed.
        sg: 1 for skip-gram, 0 for CBOW.
        hs: must be 0 (hierarchical softmax is not implemented; negative sampling is).
        vector_size: dimension of the vectors.
        alpha: initial learning rate; decays linearly to ``min_alpha`` over all epochs.
        window: maximum distance between the current and a context word.
        min_count: ignore words seen fewer times.
        max_vocab_size: prune rare words while counting when the table grows past this.
        word_ngrams: must be 1 (as in gensim: word n-grams are a supervised fastText feature).
        sample: downsampling threshold for frequent words (0 disables).
        seed: seed of the initial vectors (word rows: ``seed``, n-gram rows: ``seed + 1``, as
            gensim) and of the sampling.
        workers: CPU threads (default: all cores); reproducible with ``workers=1``.
        min_alpha: final learning rate.
        negative: noise words drawn per positive example (> 0).
        ns_exponent: exponent of the noise distribution.
        cbow_mean: 1 averages the context rows in CBOW, 0 sums them.
        epochs: passes over the corpus.
        min_n: shortest character n-gram.
        max_n: longest character n-gram; ``max_n < min_n`` (e.g. 0) disables n-grams.
        sorted_vocab: 1 sorts the vocabulary by descending count.
        bucket: rows of the n-gram table (0 disables n-grams).
        batch_words: raw words per job handed to a worker.
        callbacks: objects with ``on_epoch_begin`` / ``on_epoch_end`` / ``on_train_begin`` /
            ``on_train_end`` taking the model (gensim's ``CallbackAny2Vec`` works).
        max_final_vocab: keep at most this many words (raises ``min_count`` as needed).
        shrink_windows: draw each word's effective window uniformly in ``1..window``.
        progress: as :class:`Word2Vec`'s (events have ``task="word2vec"``).
        trim_rule: ``trim_rule(word, count, min_count)`` keeps or drops words while the
            vocabulary is built, as in gensim (see :class:`Word2Vec`).

    Attributes:
        wv: a :class:`vectab.vectors.store.Vectors` of the composed word vectors whose
            ``subwords`` (a :class:`FastTextSubwords` sharing ``vectors_ngrams``) builds a vector
            for any other word; None subwords when the model has no n-grams.
        vectors_vocab: the words' own rows, ``(vocab, dim)`` (gensim's ``wv.vectors_vocab``).
        vectors_ngrams: the n-gram rows, ``(bucket, dim)`` (gensim's ``wv.vectors_ngrams``).
        syn1neg: the output table, ``(vocab, dim)``.

    Example:
        >>> sentences = [["cat", "say", "meow"], ["dog", "say", "woof"]] * 20
        >>> model = FastText(sentences, vector_size=8, min_count=1, bucket=1000, workers=1)
        >>> model.wv["say"].shape, model.wv["cats"].shape  # "cats" is built from its n-grams
        ((8,), (8,))
    """

    progress_task = "fasttext"

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: str | os.PathLike[str] | None = None,
        sg: int = 0,
        hs: int = 0,
        vector_size: int = 100,
        alpha: float = 0.025,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        word_ngrams: int = 1,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int | None = None,
        min_alpha: float = 0.0001,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        epochs: int = 5,
        min_n: int = 3,
        max_n: int = 6,
        sorted_vocab: int = 1,
        bucket: int = 2_000_000,
        batch_words: int = 10_000,
        callbacks: Sequence[Any] = (),
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        progress: ProgressArg = None,
        trim_rule: Any = None,
    ) -> None:
        check_int(hs, "hs", minimum=0, maximum=0, fix=(
            " hs=1 (hierarchical softmax) is not implemented for FastText: use negative "
            "sampling (hs=0, negative=5)."
        ))
        check_int(word_ngrams, "word_ngrams", minimum=1, maximum=1, fix=(
            " Word n-grams are a supervised fastText feature; gensim's FastText supports only 1."
        ))
        check_int(negative, "negative", minimum=1, fix=(
            " Negative sampling is FastText's training objective here (e.g. negative=5)."
        ))
        check_int(min_n, "min_n", minimum=1)
        check_int(max_n, "max_n", minimum=0, fix=" Use max_n=0 to train without n-grams.")
        check_int(bucket, "bucket", minimum=0, fix=" Use bucket=0 to train without n-grams.")
        if bucket > np.iinfo(np.int32).max:
            raise ValueError(f"`bucket` must be < 2**31 (fastText's int32 field), got {bucket}")
        self.word_ngrams, self.min_n, self.max_n = 1, int(min_n), int(max_n)
        self.bucket = 0 if max_n < min_n else int(bucket)  # gensim: no n-gram lengths, no rows
        super().__init__(
            vector_size=vector_size, alpha=alpha, window=window, min_count=min_count,
            max_vocab_size=max_vocab_size, sample=sample, seed=seed, workers=workers,
            min_alpha=min_alpha, sg=sg, negative=negative, ns_exponent=ns_exponent,
            cbow_mean=cbow_mean, epochs=epochs, sorted_vocab=sorted_vocab,
            batch_words=batch_words, max_final_vocab=max_final_vocab,
            shrink_windows=shrink_windows, progress=progress, trim_rule=trim_rule,
        )
        # after Word2Vec's checks (vector_size among them)
        self.vectors_vocab = np.zeros((0, self.vector_size), dtype=np.float32)
        self.vectors_ngrams = np.zeros((0, self.vector_size), dtype=np.float32)
        self._ptr = np.zeros(1, dtype=np.int64)
        self._idx = np.zeros(0, dtype=np.int32)
        self._gain = np.zeros(0, dtype=np.float32)
        if sentences is not None or corpus_file is not None:
            corpus = check_corpus(sentences, corpus_file, passes=self.epochs + 1)
            self.build_vocab(corpus, trim_rule=trim_rule)
            self.train(corpus, total_examples=self.corpus_count,
                       total_words=self.corpus_total_words, epochs=self.epochs,
                       callbacks=callbacks, progress=progress)

    # ----------------------------------------------------------------- tables
    def _set_tables(
        self, words: list[str], prior_in: np.ndarray | None, prior_out: np.ndarray | None
    ) -> None:
        """Allocate the tables as gensim does (called by ``build_vocab``, also with update=True).

        New word rows are uniform from ``default_rng(seed)``, the n-gram table from
        ``default_rng(seed + 1)`` (once: its size never changes), output rows zeros; the rows of
        words already known keep their values.
        """
        dim = self.vector_size
        known = self.vectors_vocab if prior_in is not None else None
        self.vectors_vocab = _uniform_rows((len(words), dim), self.seed, known)
        if self.vectors_ngrams.shape != (self.bucket, dim):
            self.vectors_ngrams = _uniform_rows((self.bucket, dim), self.seed + 1, None)
        self.syn1neg = np.zeros((len(words), dim), dtype=np.float32)
        self.syn1 = np.zeros((0, dim), dtype=np.float32)  # no hierarchical softmax
        if prior_out is not None:
            self.syn1neg[: len(prior_out)] = prior_out
        self._ptr, self._idx = ngram_buckets(words, self.min_n, self.max_n, self.bucket)
        self._gain = _gains(self._ptr, self._idx)
        subwords = None
        if self.bucket:
            subwords = FastTextSubwords(self.vectors_ngrams, min_n=self.min_n, max_n=self.max_n)
        self.wv = Vectors(words, self._composed(), subwords=subwords)
        self._device_tables = None

    def _composed(self) -> np.ndarray:
        if not self.bucket:
            return self.vectors_vocab.copy()
        return _numba.compose(self.vectors_vocab, self.vectors_ngrams, self._ptr, self._idx)

    def _sync_tables(self) -> None:
        """Recompute ``wv.vectors`` from the trained rows (gensim's ``adjust_vectors``)."""
        self.wv.vectors = self._composed()

    # ----------------------------------------------------------------- training
    def _make_job(self, state: TrainState, device: torch.device) -> tuple[JobFn, int]:
        """FastText's kernel for :meth:`Word2Vec.train` (CPU, numba; no torch kernel)."""
        if not NUMBA_AVAILABLE:
            raise ImportError("FastText trains with numba: pip install 'vectab[fast]'")
        if device.type != "cpu":
            raise ValueError(f"FastText trains on the CPU only, got device={self.device!r}")
        job = _numba.make_job(
            self.vectors_vocab, self.vectors_ngrams, self.syn1neg, self._ptr, self._idx,
            self._gain, self.sample_int, self.cum_table, sg=bool(self.sg),
            cbow_mean=bool(self.cbow_mean), window=self.window,
            shrink_windows=self.shrink_windows, negative=self.negative,
        )
        if state.compute_loss:
            return job, self.workers

        def no_loss(*args: Any) -> tuple[int, float, int]:  # train(compute_loss=False)
            effective, _, examples = job(*args)
            return effective, 0.0, examples

        return no_loss, self.workers

    def _train_state(self) -> TrainState:
        return TrainState(
            syn0=self.vectors_vocab, syn1neg=self.syn1neg, sample_int=self.sample_int,
            cum_table=self.cum_table, index_to_key=self.wv.index_to_key, sg=bool(self.sg),
            cbow_mean=bool(self.cbow_mean), window=self.window,
            shrink_windows=self.shrink_windows, negative=self.negative,
            batch_words=self.batch_words, seed=self.seed, train_count=self.train_count,
            compute_loss=self.compute_loss,
        )

    # ----------------------------------------------------------------- files
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the whole model (all tables, vocabulary, counts, settings) to one safetensors
        file, JSON settings in its header, no pickle; :meth:`FastText.load` continues training.
        """
        from vectab.models.fasttext.io import save_model

        save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FastText:
        """Load a model written by :meth:`save`, ready to continue training."""
        from vectab.models.fasttext.io import load_model

        return load_model(cls, path)

    def save_facebook_model(self, path: str | os.PathLike[str], *, encoding: str = "utf-8") -> None:
        """Write a fastText ``.bin`` (format version 12, as gensim's ``save_facebook_model``).

        Both ``gensim.models.fasttext.load_facebook_model`` and
        :func:`vectab.vectors.load_vectors` read it, with this model's vectors for every word.
        """
        from vectab.models.fasttext.io import write_facebook_bin

        write_facebook_bin(self, path, encoding=encoding)

    def __repr__(self) -> str:
        kind = "skip-gram" if self.sg else "CBOW"
        return (f"FastText<{kind}, vocab={len(self.wv)}, vector_size={self.vector_size}, "
                f"min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket}, "
                f"window={self.window}, negative={self.negative}>")

def _gains(ptr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per word, how much its composed vector moves per unit update of all its rows.

    Adding ``u`` to the word row and to each listed n-gram row (a row listed ``k`` times gets
    ``k * u``) moves the mean of the ``n + 1`` listed rows by ``(1 + sum k**2) / (n + 1) * u``.
    """
    gains = np.ones(len(ptr) - 1, dtype=np.float32)
    for w in np.flatnonzero(np.diff(ptr)):
        _, k = np.unique(idx[ptr[w] : ptr[w + 1]], return_counts=True)
        gains[w] = (1 + float((k * k).sum())) / (1 + float(k.sum()))
    return gains
