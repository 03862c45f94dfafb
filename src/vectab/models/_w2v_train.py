"""word2vec epoch loop: jobs, learning-rate schedule, worker threads, progress and callbacks.

The corpus is read once per epoch and cut into jobs of ``batch_words`` raw words. Each job gets
the learning rate of its place in the run (linear decay from ``alpha`` to ``min_alpha`` over all
epochs' words, as gensim) and is trained by the numba kernel in a pool of threads that release
the GIL (Hogwild), or by the torch kernel (CUDA, or CPU without numba).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from vectab.models import _w2v_numba
from vectab.models._w2v_corpus import id_table, iter_jobs

__all__ = ["Word2VecProgress", "run_epochs"]


@dataclass(frozen=True)
class Word2VecProgress:
    """What a ``progress`` callback receives while word2vec trains.

    Attributes:
        epoch: current epoch, 0-based.
        epochs: epochs in this ``train()`` call.
        words_done: raw corpus words processed so far in this epoch.
        total_words: raw words per epoch (from ``build_vocab``), or 0 when unknown.
        effective_words: words trained on so far in this epoch (after unknown words and
            downsampling are removed; gensim logs this count).
        words_per_sec: effective words per second in this epoch.
        alpha: current learning rate.
        loss: mean loss per training example so far in this epoch.
        epoch_done: True on the last report of an epoch.
    """

    epoch: int
    epochs: int
    words_done: int
    total_words: int
    effective_words: int
    words_per_sec: float
    alpha: float
    loss: float
    epoch_done: bool


def _job_seed(seed: int, train_count: int, epoch: int, job: int) -> int:
    mixed = np.random.SeedSequence([seed & 0xFFFFFFFF, train_count, epoch, job]).generate_state(2)
    return int(mixed[0]) << 16 | int(mixed[1]) & 0xFFFF


def run_epochs(
    model: Any,
    corpus: Iterable[Sequence[str]],
    *,
    epochs: int,
    start_alpha: float,
    end_alpha: float,
    total_words: int | None,
    total_examples: int | None,
    callbacks: Sequence[Any],
    progress: Callable[[Word2VecProgress], None] | None,
    train_job: Callable[..., tuple[int, float, int]],
    threads: int,
) -> tuple[int, int]:
    """Train ``model`` for ``epochs`` passes; return ``(effective_words, raw_words)`` in total."""
    ids = id_table(model.wv.index_to_key)
    trained_total = raw_total = 0
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        for epoch in range(epochs):
            _call(callbacks, "on_epoch_begin", model)
            eff, raw, loss, examples = _run_epoch(
                model, corpus, ids, epoch, epochs, start_alpha, end_alpha, total_words,
                total_examples, progress, train_job, pool, threads,
            )
            trained_total += eff
            raw_total += raw
            model.running_training_loss += loss
            model.epoch_losses.append(loss / max(examples, 1))
            model._sync_tables()
            _call(callbacks, "on_epoch_end", model)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return trained_total, raw_total


def _run_epoch(
    model, corpus, ids, epoch, epochs, start_alpha, end_alpha, total_words, total_examples,
    progress, train_job, pool, threads,
):
    by_words = bool(total_words)
    total = total_words if by_words else (total_examples or 0)

    def alpha_at(done: int) -> float:
        frac = min(done / total, 1.0) if total else 0.0
        value = start_alpha - (start_alpha - end_alpha) * (epoch + frac) / epochs
        return max(end_alpha, value)

    started = time.perf_counter()
    last_report = started
    pending: deque[tuple[Future, int]] = deque()
    done_raw = done_units = eff = examples = 0
    loss = 0.0

    def report(elapsed: float, alpha: float, last: bool) -> Word2VecProgress:
        return Word2VecProgress(
            epoch=epoch,
            epochs=epochs,
            words_done=done_raw,
            total_words=int(total_words or 0),
            effective_words=eff,
            words_per_sec=eff / max(elapsed, 1e-9),
            alpha=float(alpha),
            loss=loss / max(examples, 1),
            epoch_done=last,
        )

    def collect(result: tuple[int, float, int], raw: int) -> None:
        nonlocal done_raw, eff, loss, examples
        done_raw += raw
        eff += result[0]
        loss += result[1]
        examples += result[2]

    for job_no, (word_ids, ends, raw, n_sent) in enumerate(
        iter_jobs(corpus, ids, model.batch_words)
    ):
        units = raw if by_words else n_sent
        a0, a1 = alpha_at(done_units), alpha_at(done_units + units)
        done_units += units
        seed = _job_seed(model.seed, model.train_count, epoch, job_no)
        args = (word_ids, ends, a0, a1, seed)
        if pool is None:
            collect(train_job(*args), raw)
        else:
            pending.append((pool.submit(train_job, *args), raw))
            while len(pending) > 2 * threads:
                fut, r = pending.popleft()
                collect(fut.result(), r)
        now = time.perf_counter()
        if progress is not None and now - last_report > 0.2:
            last_report = now
            progress(report(now - started, a1, False))
    while pending:
        fut, r = pending.popleft()
        collect(fut.result(), r)
    if progress is not None:
        elapsed = time.perf_counter() - started
        progress(report(elapsed, alpha_at(done_units), True))
    return eff, done_raw, loss, examples


def _call(callbacks: Sequence[Any], name: str, model: Any) -> None:
    for cb in callbacks:
        method = getattr(cb, name, None)
        if method is not None:
            method(model)


def numba_job(model: Any) -> Callable[..., tuple[int, float, int]]:
    """Bind the model's tables and settings to the numba kernel: ``f(ids, ends, a0, a1, seed)``."""
    syn0, syn1neg = model.wv.vectors, model.syn1neg
    fixed = (
        model.sample_int, model.cum_table, _w2v_numba.EXP_TABLE, _w2v_numba.LOG_TABLE,
        int(model.sg), int(model.cbow_mean), int(model.window), bool(model.shrink_windows),
        int(model.negative),
    )
    kernel = _w2v_numba.kernel()

    def job(word_ids, ends, a0, a1, seed):
        return kernel(syn0, syn1neg, word_ids, ends, *fixed, a0, a1, seed)

    return job
