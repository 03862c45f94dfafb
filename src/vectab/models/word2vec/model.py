"""The Word2Vec model: skip-gram and CBOW with negative sampling and/or hierarchical softmax.

``vectab.models.Word2Vec`` is a drop-in for ``gensim.models.Word2Vec``: the same argument
names, vocabulary rules (``min_count``, ``trim_rule``, ``max_vocab_size``, ``max_final_vocab``,
``sample``, frequency sort, the Huffman tree of ``hs=1``), learning-rate schedule, window
shrinking and initialisation, so gensim code ports by changing the import. The learned
vectors are a :class:`Vectors` (``model.wv``), ready to search, evaluate and save in every
format.

On CPU a numba kernel runs word2vec.c's per-pair SGD in ``workers`` threads (Hogwild); on CUDA
(or without numba) a torch kernel trains small minibatches with matrix products, no autograd.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from vectab._checks import check_bool, check_float, check_int, check_seed
from vectab._progress import ProgressArg, emitter
from vectab.models.word2vec import _numba, vocab
from vectab.models.word2vec.corpus import check_corpus
from vectab.models.word2vec.io import load_model, save_model
from vectab.models.word2vec.state import TrainState
from vectab.models.word2vec.train import JobFn, run_epochs
from vectab.vectors.store import Vectors

__all__ = ["Word2Vec"]


class Word2Vec:
    """Learn word vectors with skip-gram or CBOW (``gensim.models.Word2Vec``).

    Passing ``sentences`` or ``corpus_file`` builds the vocabulary and trains right away, as in
    gensim; otherwise call :meth:`build_vocab` and :meth:`train`.

    Args:
        sentences: re-iterable of token lists (a list, or :class:`LineSentences` over files).
        corpus_file: a text file (one sentence per line, whitespace tokens, ``.gz``/``.bz2``
            allowed) or a folder of them, streamed from disk every epoch.
        vector_size: dimension of the vectors.
        alpha: initial learning rate; decays linearly to ``min_alpha`` over all epochs.
        window: maximum distance between the current and a context word.
        min_count: ignore words seen fewer times (0 and 1 keep every word, as in gensim).
        max_vocab_size: prune rare words while counting when the table grows past this.
        sample: downsampling threshold for frequent words (0 disables).
        seed: seed of the initial vectors and of the sampling.
        workers: CPU threads (default: all cores); results are reproducible with ``workers=1``.
        min_alpha: final learning rate.
        sg: 1 for skip-gram, 0 for CBOW.
        hs: 1 trains hierarchical softmax over a Huffman tree of the vocabulary (word2vec.c's
            and gensim's ``hs``; the output table is :attr:`syn1`), 0 does not.
        negative: noise words drawn per positive example; 0 turns negative sampling off
            (then ``hs=1`` is required: with ``hs=0, negative=0`` nothing would be trained).
            ``hs=1`` with ``negative > 0`` trains both objectives, as gensim does.
        ns_exponent: exponent of the unigram distribution the noise words are drawn from.
        cbow_mean: 1 averages the context vectors in CBOW, 0 sums them.
        epochs: passes over the corpus.
        sorted_vocab: 1 sorts the vocabulary by descending count.
        batch_words: raw words per job handed to a worker.
        compute_loss: add up the training loss (:meth:`get_latest_training_loss`, the
            ``loss`` progress metric, :attr:`epoch_losses`). On by default, unlike gensim
            (the progress bar shows it; it costs one table lookup per pair); False skips it
            and the loss reads 0.
        callbacks: objects with ``on_epoch_begin(model)`` / ``on_epoch_end(model)`` /
            ``on_train_begin`` / ``on_train_end`` (gensim's ``CallbackAny2Vec`` works).
        max_final_vocab: keep at most this many words (raises ``min_count`` as needed).
        trim_rule: ``trim_rule(word, count, min_count)`` returning :data:`RULE_KEEP`,
            :data:`RULE_DISCARD` or :data:`RULE_DEFAULT` (apply ``min_count``), the values of
            gensim's ``utils.RULE_*`` (gensim's rules work as they are). Used by the
            vocabulary scan of this constructor only, not stored (as in gensim).
        shrink_windows: draw each word's effective window uniformly in ``1..window``.
        device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (CUDA when available, CPU with ``hs=1``:
            hierarchical softmax trains with the numba CPU kernel only).
        progress: ``None``/``False`` (no reports), ``True`` (the ``vectab`` command's bar) or a
            callable receiving :class:`vectab._progress.ProgressEvent` values
            (``task="word2vec"``, ``unit="words"``): ``"start"`` per epoch, ``"update"``
            several times per epoch, ``"epoch_end"``, ``"end"``; ``metrics`` holds ``loss``,
            ``alpha``, ``words_per_sec`` and ``effective_words``.

    Attributes:
        wv: the input vectors, a :class:`vectab.vectors.store.Vectors` (rows = vocabulary).
        syn1neg: the negative-sampling output table, ``(vocab, dim)`` float32 (no rows with
            ``negative=0``).
        syn1: the hierarchical-softmax output table, one row per inner node of the Huffman
            tree, ``(vocab, dim)`` float32 (the last row unused, as gensim's; no rows with
            ``hs=0``).
        counts: corpus count of each vocabulary word, aligned with ``wv.index_to_key`` (also
            ``wv.expandos["count"]``, so ``wv.get_vecattr(word, "count")`` works as in gensim).
        epoch_losses: mean loss per training example of every epoch trained so far.
        codes, points, code_offsets: with ``hs=1``, the Huffman tree (see
            :func:`vectab.models.word2vec.vocab.huffman_codes`): word ``i``'s code is
            ``codes[code_offsets[i]:code_offsets[i + 1]]``, gensim's
            ``wv.expandos["code"][i]``; empty with ``hs=0``.

    Example:
        >>> sentences = [["cat", "say", "meow"], ["dog", "say", "woof"]] * 50
        >>> model = Word2Vec(sentences, vector_size=8, min_count=1, epochs=2, workers=1, sg=1)
        >>> model.wv.index_to_key[0], model.wv.vectors.shape
        ('say', (5, 8))
    """

    progress_task = "word2vec"  # the `task` of this model's progress events

    def __init__(
        self,
        sentences: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: str | os.PathLike[str] | None = None,
        vector_size: int = 100,
        alpha: float = 0.025,
        window: int = 5,
        min_count: int = 5,
        max_vocab_size: int | None = None,
        sample: float = 1e-3,
        seed: int = 1,
        workers: int | None = None,
        min_alpha: float = 0.0001,
        sg: int = 0,
        hs: int = 0,
        negative: int = 5,
        ns_exponent: float = 0.75,
        cbow_mean: int = 1,
        epochs: int = 5,
        sorted_vocab: int = 1,
        batch_words: int = 10_000,
        compute_loss: bool = True,
        callbacks: Sequence[Any] = (),
        max_final_vocab: int | None = None,
        shrink_windows: bool = True,
        device: str = "cpu",
        progress: ProgressArg = None,
        trim_rule: vocab.TrimRule | None = None,
    ) -> None:
        for name, value in (("vector_size", vector_size), ("window", window),
                            ("epochs", epochs), ("batch_words", batch_words)):
            check_int(value, name)
        check_int(min_count, "min_count", minimum=0, fix=" Use min_count=1 to keep every word.")
        check_int(max_vocab_size, "max_vocab_size", allow_none=True)
        check_int(max_final_vocab, "max_final_vocab", allow_none=True)
        check_float(sample, "sample", minimum=0, fix=" 0 disables downsampling.")
        check_float(alpha, "alpha", minimum=0, min_open=True)
        check_float(min_alpha, "min_alpha", minimum=0, maximum=alpha)
        check_float(ns_exponent, "ns_exponent", finite=True)
        check_seed(seed)
        check_int(workers, "workers", allow_none=True)
        check_int(negative, "negative", minimum=0, fix=" 0 turns negative sampling off (hs=1).")
        for name, value in (("sg", sg), ("cbow_mean", cbow_mean), ("sorted_vocab", sorted_vocab),
                            ("hs", hs)):
            check_int(value, name, minimum=0, maximum=1)
        if not hs and not negative:
            raise ValueError(
                "`hs` and `negative` are both 0, so nothing would be trained; use negative "
                "sampling (negative=5) or hierarchical softmax (hs=1, negative=0)"
            )
        _check_trim_rule(trim_rule)
        check_bool(compute_loss, "compute_loss")
        check_bool(shrink_windows, "shrink_windows")
        self.vector_size, self.window = int(vector_size), int(window)
        self.min_count = int(min_count)
        self.max_vocab_size, self.max_final_vocab = max_vocab_size, max_final_vocab
        self.sample, self.alpha, self.min_alpha = float(sample), float(alpha), float(min_alpha)
        self.ns_exponent, self.seed = float(ns_exponent), int(seed)
        self.workers = (os.cpu_count() or 1) if workers is None else int(workers)
        self.negative, self.epochs, self.batch_words = int(negative), int(epochs), int(batch_words)
        self.hs = int(hs)
        self.sg, self.cbow_mean, self.sorted_vocab = int(sg), int(cbow_mean), int(sorted_vocab)
        self.compute_loss, self.shrink_windows = bool(compute_loss), bool(shrink_windows)
        if device not in ("cpu", "cuda", "auto") and not str(device).startswith("cuda:"):
            raise ValueError(f"`device` must be 'cpu', 'cuda' or 'auto', got {device!r}")
        self.device = device
        self._check_kernel(device)
        emitter(progress)  # a wrong type fails here, not after the vocabulary scan
        self.progress = progress
        self.wv = Vectors([], np.zeros((0, self.vector_size), dtype=np.float32))
        self.syn1neg = np.zeros((0, self.vector_size), dtype=np.float32)
        self.syn1 = np.zeros((0, self.vector_size), dtype=np.float32)
        self.codes, self.points, self.code_offsets = vocab.huffman_codes(np.zeros(0, np.int64))
        self.counts = np.zeros(0, dtype=np.int64)
        self.sample_int = np.zeros(0, dtype=np.uint32)
        self.cum_table = np.zeros(0, dtype=np.uint32)
        self.raw_vocab: dict[str, int] = {}
        self.corpus_count = self.corpus_total_words = self.train_count = 0
        self.effective_min_count = self.min_count
        self.running_training_loss = 0.0
        self.min_alpha_yet_reached = self.alpha
        self.epoch_losses: list[float] = []
        self._device_tables: tuple[torch.Tensor, torch.Tensor] | None = None
        if sentences is not None or corpus_file is not None:
            corpus = check_corpus(sentences, corpus_file, passes=self.epochs + 1)
            self.build_vocab(corpus, trim_rule=trim_rule)
            self.train(
                corpus,
                total_examples=self.corpus_count,
                total_words=self.corpus_total_words,
                epochs=self.epochs,
                callbacks=callbacks,
                progress=progress,
            )

    # ----------------------------------------------------------------- vocabulary
    def build_vocab(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: str | os.PathLike[str] | None = None,
        update: bool = False,
        keep_raw_vocab: bool = False,
        trim_rule: vocab.TrimRule | None = None,
    ) -> None:
        """Count the corpus and set up the vocabulary and the tables (gensim's ``build_vocab``).

        With ``update=True`` new words are appended (existing words keep their ids and vectors)
        and counts are added, ready to continue training on the new corpus. ``trim_rule`` as
        in the constructor, for this call only.
        """
        check_bool(update, "update")
        check_bool(keep_raw_vocab, "keep_raw_vocab")
        _check_trim_rule(trim_rule)
        corpus = check_corpus(corpus_iterable, corpus_file, passes=1)
        if update and not len(self.wv):
            raise ValueError(
                "build_vocab(update=True) needs an existing vocabulary; call "
                "build_vocab(corpus) first"
            )
        raw, total_words, n_sentences = vocab.scan_corpus(
            corpus, max_vocab_size=self.max_vocab_size, trim_rule=trim_rule
        )
        self.corpus_count, self.corpus_total_words = n_sentences, total_words
        self._prepare_vocab(raw, update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule)

    def build_vocab_from_freq(
        self,
        word_freq: dict[str, int],
        *,
        keep_raw_vocab: bool = False,
        corpus_count: int | None = None,
        trim_rule: vocab.TrimRule | None = None,
        update: bool = False,
    ) -> None:
        """Build the vocabulary from ``{word: count}`` instead of a corpus (gensim's method).

        ``corpus_count`` (sentences) is stored for a later ``train(total_examples=...)``;
        ``corpus_total_words`` becomes the sum of the counts.
        """
        check_bool(update, "update")
        check_bool(keep_raw_vocab, "keep_raw_vocab")
        check_int(corpus_count, "corpus_count", minimum=0, allow_none=True)
        _check_trim_rule(trim_rule)
        if not isinstance(word_freq, dict):
            raise TypeError(f"`word_freq` must be a dict {{word: count}}, got "
                            f"{type(word_freq).__name__}: {word_freq!r:.60}")
        for word, count in word_freq.items():
            if not isinstance(word, str):
                raise TypeError(f"`word_freq` keys must be words (str), got "
                                f"{type(word).__name__}: {word!r}")
            check_int(count, f"word_freq[{word!r}]", minimum=0)
        if update and not len(self.wv):
            raise ValueError(
                "build_vocab_from_freq(update=True) needs an existing vocabulary; call "
                "build_vocab_from_freq(word_freq) first"
            )
        self.corpus_count = int(corpus_count or 0)
        self.corpus_total_words = int(sum(word_freq.values()))
        raw = {w: int(c) for w, c in word_freq.items()}
        self._prepare_vocab(raw, update=update, keep_raw_vocab=keep_raw_vocab, trim_rule=trim_rule)

    def _prepare_vocab(
        self, raw: dict[str, int], *, update: bool, keep_raw_vocab: bool,
        trim_rule: vocab.TrimRule | None,
    ) -> None:
        """gensim's ``prepare_vocab`` + ``prepare_weights``: keep, sort, thresholds, tables."""
        self.raw_vocab = raw
        min_count = vocab.effective_min_count(raw, self.min_count, self.max_final_vocab)
        self.effective_min_count = min_count
        if not update:
            words, counts = vocab.select_words(
                raw, min_count, sort=bool(self.sorted_vocab), trim_rule=trim_rule
            )
            if not words:
                raise ValueError(
                    f"the vocabulary is empty: the corpus has {self.corpus_total_words} words and "
                    f"none occurs min_count={min_count} times or more (or trim_rule dropped them); "
                    "lower min_count or pass a larger corpus"
                )
            self.counts = counts
            self.sample_int = vocab.sample_ints(counts, int(counts.sum()), self.sample)
            self._set_tables(words, None, None)
        else:
            self._update_vocab(raw, min_count, trim_rule)
        self.cum_table = vocab.cum_table(self.counts, self.ns_exponent)
        empty = np.zeros(0, dtype=np.int64)
        self.codes, self.points, self.code_offsets = vocab.huffman_codes(
            self.counts if self.hs else empty
        )
        self.wv.expandos["count"] = self.counts  # gensim's wv.get_vecattr(word, "count")
        self.wv.expandos["sample_int"] = self.sample_int
        if not keep_raw_vocab:
            self.raw_vocab = {}

    def _update_vocab(
        self, raw: dict[str, int], min_count: int, trim_rule: vocab.TrimRule | None
    ) -> None:
        old = self.wv.key_to_index
        kept = [w for w, c in raw.items() if vocab.keep_word(w, c, min_count, trim_rule)]
        new_words = [w for w in kept if w not in old]
        retain = new_words + [w for w in kept if w in old]
        words = self.wv.index_to_key + new_words
        counts = np.concatenate([self.counts, np.zeros(len(new_words), dtype=np.int64)])
        counts += np.fromiter((raw.get(w, 0) for w in words), dtype=np.int64, count=len(words))
        sample_int = np.concatenate([self.sample_int, np.zeros(len(new_words), dtype=np.uint32)])
        if retain:
            new_counts = np.fromiter((raw[w] for w in retain), dtype=np.int64, count=len(retain))
            thresholds = vocab.sample_ints(new_counts, int(new_counts.sum()), self.sample)
            row_of = {w: len(old) + i for i, w in enumerate(new_words)} | old
            rows = np.fromiter((row_of[w] for w in retain), dtype=np.int64, count=len(retain))
            sample_int[rows] = thresholds
        self.counts, self.sample_int = counts, sample_int
        self._set_tables(words, self.wv.vectors, self.syn1neg)

    def _set_tables(
        self, words: list[str], prior_in: np.ndarray | None, prior_out: np.ndarray | None
    ) -> None:
        """Allocate the tables as gensim does: new input rows uniform in [-1/dim, 1/dim), output
        rows zeros (``syn1neg`` only with ``negative > 0``, ``syn1`` only with ``hs=1``).

        With ``prior_in`` / ``prior_out`` (the old ``wv.vectors`` / ``syn1neg``: a vocabulary
        update) the known words' rows, and the old ``syn1`` rows, keep their values.
        """
        shape = (len(words), self.vector_size)
        vectors = np.random.default_rng(seed=self.seed).random(shape, dtype=np.float32)
        vectors *= 2.0
        vectors -= 1.0
        vectors /= self.vector_size
        syn1neg = np.zeros((len(words) if self.negative else 0, self.vector_size), np.float32)
        syn1 = np.zeros((len(words) if self.hs else 0, self.vector_size), np.float32)
        if prior_in is not None and prior_out is not None:
            vectors[: len(prior_in)] = prior_in
            syn1neg[: len(prior_out)] = prior_out
            syn1[: len(self.syn1)] = self.syn1
        self.wv = Vectors(words, vectors)
        self.syn1neg, self.syn1 = syn1neg, syn1
        self._device_tables = None

    # ----------------------------------------------------------------- training
    def train(
        self,
        corpus_iterable: Iterable[Sequence[str]] | None = None,
        *,
        corpus_file: str | os.PathLike[str] | None = None,
        total_examples: int | None = None,
        total_words: int | None = None,
        epochs: int | None = None,
        start_alpha: float | None = None,
        end_alpha: float | None = None,
        compute_loss: bool | None = None,
        callbacks: Sequence[Any] = (),
        progress: ProgressArg = None,
    ) -> tuple[int, int]:
        """Train on a corpus (gensim's ``train``); return ``(effective_words, raw_words)``.

        As in gensim, ``epochs`` and one of ``total_examples`` (sentences) or ``total_words``
        (raw words) are required: they drive the learning-rate decay. After ``build_vocab`` on
        the same corpus, pass ``total_examples=model.corpus_count, epochs=model.epochs``.
        ``progress`` (as in the constructor; None uses the constructor's) reports this call;
        the events' ``total`` is ``total_words`` (None when only ``total_examples`` is given).
        """
        if not len(self.wv):
            raise ValueError("the vocabulary is empty: call build_vocab(corpus) before train()")
        if epochs is None:
            raise ValueError("`epochs` is required, as in gensim: pass epochs=model.epochs")
        check_int(epochs, "epochs", fix=" E.g. epochs=model.epochs.")
        check_bool(compute_loss, "compute_loss", allow_none=True)
        epochs = int(epochs)
        if total_examples is None and total_words is None:
            raise ValueError(
                "pass total_examples (sentences) or total_words (raw words) for the learning-rate "
                "decay; after build_vocab on the same corpus use total_examples=model.corpus_count"
            )
        for name, value in (("total_examples", total_examples), ("total_words", total_words)):
            check_int(value, name, minimum=0, allow_none=True,
                      fix=" Pass the corpus size, e.g. model.corpus_count.")
        corpus = check_corpus(corpus_iterable, corpus_file, passes=epochs)
        check_float(start_alpha, "start_alpha", minimum=0, min_open=True, allow_none=True)
        check_float(end_alpha, "end_alpha", minimum=0, allow_none=True)
        if start_alpha is not None:
            self.alpha = float(start_alpha)
        if end_alpha is not None:
            self.min_alpha = float(end_alpha)
        if compute_loss is not None:
            self.compute_loss = bool(compute_loss)
        self.epochs = epochs
        self.running_training_loss = 0.0
        emit = emitter(self.progress if progress is None else progress)
        device = self._resolve_device()
        self._check_kernel(device)
        state = self._train_state()
        job, threads = self._make_job(state, device)

        def on_epoch_end(loss: float, examples: int) -> None:
            self.running_training_loss += loss
            self.epoch_losses.append(loss / max(examples, 1))
            self._sync_tables()
            for cb in callbacks:
                getattr(cb, "on_epoch_end", lambda m: None)(self)

        def on_epoch_begin() -> None:
            for cb in callbacks:
                getattr(cb, "on_epoch_begin", lambda m: None)(self)

        for cb in callbacks:
            getattr(cb, "on_train_begin", lambda m: None)(self)
        # the torch kernel's ops are small: one CPU thread avoids OpenMP oversubscription
        torch_threads = torch.get_num_threads()
        if device.type == "cpu" and threads == 1:
            torch.set_num_threads(1)
        try:
            result = run_epochs(
                state, corpus, epochs=epochs, start_alpha=self.alpha, end_alpha=self.min_alpha,
                total_words=total_words, total_examples=total_examples, train_job=job,
                threads=threads, emit=emit, on_epoch_begin=on_epoch_begin,
                on_epoch_end=on_epoch_end, task=self.progress_task,
            )
        finally:
            torch.set_num_threads(torch_threads)
        self.train_count += 1
        self.min_alpha_yet_reached = self.min_alpha
        for cb in callbacks:
            getattr(cb, "on_train_end", lambda m: None)(self)
        return result

    def _train_state(self) -> TrainState:
        """The tables and settings the kernels and the epoch loop receive (no copies)."""
        return TrainState(
            syn0=self.wv.vectors, syn1neg=self.syn1neg, sample_int=self.sample_int,
            cum_table=self.cum_table, index_to_key=self.wv.index_to_key, sg=bool(self.sg),
            cbow_mean=bool(self.cbow_mean), window=self.window,
            shrink_windows=self.shrink_windows, negative=self.negative,
            batch_words=self.batch_words, seed=self.seed, train_count=self.train_count,
            hs=self.hs, syn1=self.syn1, codes=self.codes, points=self.points,
            code_offsets=self.code_offsets, compute_loss=self.compute_loss,
        )

    def _make_job(self, state: TrainState, device: torch.device) -> tuple[JobFn, int]:
        """The kernel :meth:`train` runs, bound to ``state``, and its number of threads.

        The one hook a subclass with its own kernel overrides (FastText's subword kernel);
        everything else :meth:`train` does (argument checks, learning-rate schedule,
        callbacks, progress) is shared.
        """
        if device.type == "cpu" and _numba.AVAILABLE:
            return _numba.numba_job(state), self.workers
        from vectab.models.word2vec._torch import torch_job

        job, self._device_tables = torch_job(state, device)
        return job, 1

    def _check_kernel(self, device: str | torch.device) -> None:
        """Refuse ``hs=1`` where only the torch kernel would train (it has no hierarchical
        softmax): on CUDA, or on CPU without numba."""
        kind = "cpu" if device == "auto" and self.hs else torch.device(
            "cuda" if device == "auto" and torch.cuda.is_available() else
            "cpu" if device == "auto" else device).type
        if self.hs and (kind != "cpu" or not _numba.AVAILABLE) and not _TORCH_HS:
            where = f"device={str(device)!r}" if kind != "cpu" else "a CPU without numba"
            raise ValueError(
                f"`hs=1` (hierarchical softmax) trains with the numba CPU kernel only, and this "
                f"model would train on {where} with the torch kernel; use device='cpu' (with "
                "numba installed: pip install 'vectab[fast]'), or negative sampling there "
                "(hs=0, negative=5)"
            )

    def _resolve_device(self) -> torch.device:
        if self.device == "auto":  # hs=1 trains with the CPU kernel only
            cuda = torch.cuda.is_available() and not self.hs
            return torch.device("cuda" if cuda else "cpu")
        device = torch.device(self.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} but CUDA is not available here; use device='cpu' or 'auto'"
            )
        return device

    def _sync_tables(self) -> None:
        """Copy device tables back into ``wv.vectors`` / ``syn1neg``; drop ``wv``'s stale caches."""
        if self._device_tables is not None:
            syn0, syn1 = self._device_tables
            if syn0.device.type != "cpu":
                self.wv.vectors[...] = syn0.cpu().numpy()
                self.syn1neg[...] = syn1.cpu().numpy()
        self.wv.vectors = self.wv.vectors  # the setter forgets cached norms / unit rows

    def get_latest_training_loss(self) -> float:
        """The loss summed over every epoch of the latest ``train()`` call (gensim's method).

        As in gensim, it is the sum, over the training examples (a (context, word) pair in
        skip-gram, a window in CBOW), of each example's negative log-likelihood: ``-log
        sigmoid`` of the word's and the noise words' scores, and with ``hs=1`` of the code
        bits' scores (each from the 1000-entry table over ``[-6, 6]``; scores outside are not
        counted). It restarts at 0 with every ``train()`` call and reads 0 when the call ran
        with ``compute_loss=False``. :attr:`epoch_losses` holds the per-example mean by epoch.
        """
        return float(self.running_training_loss)

    # ----------------------------------------------------------------- tables as layers
    @property
    def embedding_in(self) -> torch.nn.Module:
        """The input table as a ``vectab.nn.Embedding`` (sparse gradients), sharing
        ``wv.vectors``."""
        return self._as_embedding(self.wv.vectors)

    @property
    def embedding_out(self) -> torch.nn.Module:
        """The output (context) table ``syn1neg`` as a ``vectab.nn.Embedding``."""
        if not self.negative:
            raise ValueError(
                "this model has no negative-sampling output table (negative=0): the word "
                "rows of syn1neg do not exist; its hierarchical-softmax table is model.syn1"
            )
        return self._as_embedding(self.syn1neg)

    @staticmethod
    def _as_embedding(matrix: np.ndarray) -> torch.nn.Module:
        from vectab.nn import Embedding

        return Embedding.from_pretrained(torch.from_numpy(matrix), freeze=False, sparse=True)

    # ----------------------------------------------------------------- files
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the whole model (tables, vocabulary, counts, settings) to one safetensors file.

        The settings and vocabulary are JSON in the file's header; no pickle. Load it with
        :meth:`Word2Vec.load` to continue training; to share only the vectors use
        ``model.wv.save(path, format=...)``.
        """
        self._sync_tables()
        save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Word2Vec:
        """Load a model written by :meth:`save`, ready to continue training."""
        return load_model(cls, path)

    def __repr__(self) -> str:
        kind = "skip-gram" if self.sg else "CBOW"
        hs = ", hs=1" if self.hs else ""
        return (f"Word2Vec<{kind}, vocab={len(self.wv)}, vector_size={self.vector_size}, "
                f"window={self.window}, negative={self.negative}{hs}, alpha={self.alpha}>")


_TORCH_HS = False  # whether the torch kernel (CUDA, CPU without numba) trains hs=1


def _check_trim_rule(trim_rule: Any) -> None:
    if trim_rule is not None and not callable(trim_rule):
        raise TypeError(
            "`trim_rule` must be None or a function (word, count, min_count) -> RULE_KEEP / "
            f"RULE_DISCARD / RULE_DEFAULT, got {type(trim_rule).__name__}: {trim_rule!r}"
        )
