"""word2vec epoch loop: jobs, learning-rate schedule, worker threads and progress events.

The corpus is read once per epoch and cut into jobs of ``batch_words`` raw words; an in-memory
corpus (a ``list`` or ``tuple`` of sentences) is mapped to word ids once per ``train()`` call
and its jobs replayed every epoch (the word -> id lookups were Python work competing with the
worker threads for the cores; the ids take 4 bytes a word, less than the list). Each job gets
the learning rate of its place in the run (linear decay from ``alpha`` to ``min_alpha`` over all
epochs' words, as gensim) and is trained by the numba kernel in a pool of threads that release
the GIL (Hogwild), or by the torch kernel (CUDA, or CPU without numba).

Progress is reported as :class:`vectab._progress.ProgressEvent` values with
``task="word2vec"`` and ``unit="words"`` (raw corpus words): ``"start"`` at the beginning of
every epoch, ``"update"`` at most every :data:`REPORT_EVERY_S` seconds, ``"epoch_end"`` with
every metric, and one ``"end"`` (``aborted=True`` on an error or Ctrl-C). The metrics are
``loss`` (mean loss per training example so far in the epoch), ``alpha`` (current learning
rate), ``words_per_sec`` (effective words per second) and ``effective_words`` (words trained
on after unknown words and downsampling are removed; gensim logs this count).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Literal

import numpy as np

from vectab._progress import ProgressEvent
from vectab.models.word2vec.corpus import id_table, iter_jobs
from vectab.models.word2vec.state import TrainState

__all__ = ["REPORT_EVERY_S", "TASK", "run_epochs"]

TASK = "word2vec"
REPORT_EVERY_S = 0.2  # least time between two "update" events

Emit = Callable[[ProgressEvent], None]
JobFn = Callable[..., tuple[int, float, int]]
Job = tuple[np.ndarray, np.ndarray, int, int]  # (word_ids, sentence_ends, raw_words, sentences)


def _job_seed(seed: int, train_count: int, epoch: int, job: int) -> int:
    mixed = np.random.SeedSequence([seed & 0xFFFFFFFF, train_count, epoch, job]).generate_state(2)
    return int(mixed[0]) << 16 | int(mixed[1]) & 0xFFFF


def run_epochs(
    state: TrainState,
    corpus: Iterable[Sequence[str]],
    *,
    epochs: int,
    start_alpha: float,
    end_alpha: float,
    total_words: int | None,
    total_examples: int | None,
    train_job: JobFn,
    threads: int,
    emit: Emit | None,
    on_epoch_begin: Callable[[], None],
    on_epoch_end: Callable[[float, int], None],
    task: str = TASK,
) -> tuple[int, int]:
    """Train for ``epochs`` passes; return ``(effective_words, raw_words)`` in total.

    ``task`` names the events (``"word2vec"``, or ``"fasttext"`` for FastText).
    ``on_epoch_begin()`` runs before each epoch, ``on_epoch_end(loss_sum, examples)`` after it
    (the caller records the loss and syncs its tables there), before the ``"epoch_end"`` event.
    """
    ids = id_table(state.index_to_key)
    jobs = _JobSource(corpus, ids, state.batch_words)
    trained_total = raw_total = 0
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    aborted = True
    try:
        for epoch in range(epochs):
            on_epoch_begin()
            eff, raw = _run_epoch(
                state, jobs, epoch, epochs, start_alpha, end_alpha, total_words,
                total_examples, emit, train_job, pool, threads, on_epoch_end, task,
            )
            trained_total += eff
            raw_total += raw
        aborted = False
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if emit is not None:
            emit(ProgressEvent(task, "end", done=raw_total, total=None, unit="words",
                               epochs=epochs, aborted=aborted))
    return trained_total, raw_total


class _JobSource:
    """Every epoch's jobs: cut from the corpus, or replayed when the corpus is in memory."""

    def __init__(self, corpus: Iterable[Sequence[str]], ids: dict[str, int], batch_words: int):
        self.corpus, self.ids, self.batch_words = corpus, ids, batch_words
        self.cached: list[Job] | None = None
        self.keep = isinstance(corpus, (list, tuple))

    def __iter__(self) -> Iterator[Job]:
        if self.cached is not None:
            yield from self.cached
            return
        cut: list[Job] = []
        for job in iter_jobs(self.corpus, self.ids, self.batch_words):
            if self.keep:
                cut.append(job)
            yield job
        if self.keep:
            self.cached = cut


def _run_epoch(
    state, jobs, epoch, epochs, start_alpha, end_alpha, total_words, total_examples,
    emit, train_job, pool, threads, on_epoch_end, task,
):
    by_words = bool(total_words)
    total = total_words if by_words else (total_examples or 0)
    words_total = int(total_words) if total_words else None

    def alpha_at(done: int) -> float:
        frac = min(done / total, 1.0) if total else 0.0
        value = start_alpha - (start_alpha - end_alpha) * (epoch + frac) / epochs
        return max(end_alpha, value)

    started = time.perf_counter()
    last_report = started
    pending: deque[tuple[Future, int]] = deque()
    done_raw = done_units = eff = examples = 0
    loss = 0.0

    def event(kind: Literal["update", "epoch_end"], alpha: float) -> ProgressEvent:
        elapsed = time.perf_counter() - started
        metrics = {
            "loss": loss / max(examples, 1),
            "alpha": float(alpha),
            "words_per_sec": eff / max(elapsed, 1e-9),
            "effective_words": eff,
        }
        return ProgressEvent(task, kind, done=done_raw, total=words_total, unit="words",
                             epoch=epoch + 1, epochs=epochs, metrics=metrics)

    def collect(result: tuple[int, float, int], raw: int) -> None:
        nonlocal done_raw, eff, loss, examples
        done_raw += raw
        eff += result[0]
        loss += result[1]
        examples += result[2]

    if emit is not None:
        emit(ProgressEvent(task, "start", done=0, total=words_total, unit="words",
                           epoch=epoch + 1, epochs=epochs))
    for job_no, (word_ids, ends, raw, n_sent) in enumerate(jobs):
        units = raw if by_words else n_sent
        a0, a1 = alpha_at(done_units), alpha_at(done_units + units)
        done_units += units
        seed = _job_seed(state.seed, state.train_count, epoch, job_no)
        args = (word_ids, ends, a0, a1, seed)
        if pool is None:
            collect(train_job(*args), raw)
        else:
            pending.append((pool.submit(train_job, *args), raw))
            while len(pending) > 2 * threads:
                fut, r = pending.popleft()
                collect(fut.result(), r)
        now = time.perf_counter()
        if emit is not None and now - last_report >= REPORT_EVERY_S:
            last_report = now
            emit(event("update", a1))
    while pending:
        fut, r = pending.popleft()
        collect(fut.result(), r)
    on_epoch_end(loss, examples)
    if emit is not None:
        emit(event("epoch_end", alpha_at(done_units)))
    return eff, done_raw
