"""word2vec CPU kernels (numba): the classic per-pair SGD of word2vec.c / gensim.

One call trains one job (a few thousand sentences' word ids) and releases the GIL, so worker
threads update the shared tables at the same time without locks (Hogwild, as word2vec.c and
gensim do). Compiled code is cached on disk (``cache=True``).

The math is gensim's ``w2v_fast_sentence_sg_neg`` / ``w2v_fast_sentence_cbow_neg``: sigmoid and
log-sigmoid from 1000-entry tables over ``[-6, 6]``, pairs whose score falls outside that range
are skipped, frequent words are downsampled with ``sample_int``, windows shrink at random.
Skip-gram and CBOW share one inlined step, :func:`_negative_step` (score an input vector
against the target and the noise words, accumulate the input's gradient, update the output
rows), as gensim's two kernels share their inner loop.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable

import numpy as np

from vectab.models.word2vec.state import TrainState

# numba is optional (extra "fast"); without it the torch kernel trains. Imported on first use.
AVAILABLE = importlib.util.find_spec("numba") is not None

__all__ = ["AVAILABLE", "EXP_TABLE", "LOG_TABLE", "MAX_EXP", "kernel", "numba_job"]

MAX_EXP = 6.0
EXP_TABLE_SIZE = 1000
_x = np.exp((np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP)
EXP_TABLE = (_x / (_x + 1)).astype(np.float32)
LOG_TABLE = np.log(EXP_TABLE).astype(np.float32)
MAX_SENTENCE_LEN = 10_000
_LCG_MUL = 25214903917
_LCG_MOD = (1 << 48) - 1


def _negative_step(
    h, syn1neg, word, negative, cum_table, cum_max, exp_table, log_table, alpha, scale, work,
    rnd, loss,
):  # pragma: no cover - compiled by numba (inlined into the kernel); tested through Word2Vec
    """Train the input vector ``h`` to predict ``word`` against ``negative`` noise words.

    The step skip-gram and CBOW share (gensim's ``fast_sentence_*_neg`` inner loop): score ``h``
    against ``word`` (label 1) and each noise word drawn from ``cum_table`` (label 0, skipped
    when it is ``word``), add each pair's gradient times the output row to ``work`` (the caller
    applies ``work`` to the input rows), and move each output row of ``syn1neg`` towards or
    away from ``h``. Pairs scored outside ``(-MAX_EXP, MAX_EXP)`` are skipped. Returns the
    advanced random state and ``loss`` plus this example's negative log-likelihood.
    """
    size = h.shape[0]
    for a in range(size):
        work[a] = 0.0
    for d in range(negative + 1):
        if d == 0:
            target = word
            label = np.float32(1.0)
        else:
            x = (rnd >> np.uint64(16)) % cum_max
            target = np.searchsorted(cum_table, np.uint32(x))
            rnd = (rnd * np.uint64(_LCG_MUL) + np.uint64(11)) & np.uint64(_LCG_MOD)
            if target == word:
                continue
            label = np.float32(0.0)
        f = np.float32(0.0)
        for a in range(size):
            f += h[a] * syn1neg[target, a]
        if f <= -MAX_EXP or f >= MAX_EXP:
            continue
        g = (label - exp_table[int((f + MAX_EXP) * scale)]) * alpha
        fl = f if d == 0 else -f
        if -MAX_EXP < fl < MAX_EXP:
            loss -= log_table[int((fl + MAX_EXP) * scale)]
        for a in range(size):
            work[a] += g * syn1neg[target, a]
            syn1neg[target, a] += g * h[a]
    return rnd, loss


_negative_step_compiled = _negative_step  # replaced by its numba version in kernel()


def _train_job(
    syn0, syn1neg, word_ids, sentence_ends, sample_int, cum_table, exp_table, log_table,
    sg, cbow_mean, window, shrink_windows, negative, alpha_start, alpha_end, seed,
):  # pragma: no cover - compiled by numba; tested through Word2Vec
    size = syn0.shape[1]
    n_raw = word_ids.shape[0]
    scale = EXP_TABLE_SIZE / MAX_EXP / 2.0
    cum_len = cum_table.shape[0]
    cum_max = np.uint64(cum_table[cum_len - 1])
    rnd = np.uint64(seed) & np.uint64(_LCG_MOD)
    mul = np.uint64(_LCG_MUL)
    mod = np.uint64(_LCG_MOD)
    sixteen = np.uint64(16)
    buf = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    reduced = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    work = np.empty(size, dtype=np.float32)
    neu1 = np.empty(size, dtype=np.float32)
    effective = 0
    loss = 0.0
    examples = 0
    start = 0
    for s in range(sentence_ends.shape[0]):
        end = sentence_ends[s]
        alpha = np.float32(alpha_start + (alpha_end - alpha_start) * (start / max(n_raw, 1)))
        n = 0
        for p in range(start, end):
            w = word_ids[p]
            if w < 0:
                continue
            r = (rnd >> sixteen) & np.uint64(0xFFFFFFFF)
            rnd = (rnd * mul + np.uint64(11)) & mod
            if np.uint64(sample_int[w]) < r:
                continue
            buf[n] = w
            n += 1
            if n == MAX_SENTENCE_LEN:
                break
        start = end
        effective += n
        for i in range(n):
            if shrink_windows:
                reduced[i] = np.int32((rnd >> sixteen) % np.uint64(window))
                rnd = (rnd * mul + np.uint64(11)) & mod
            else:
                reduced[i] = 0
        for i in range(n):
            j0 = max(i - window + reduced[i], 0)
            k0 = min(i + window + 1 - reduced[i], n)
            word = buf[i]
            if sg:  # each context word's input row predicts the current word
                for j in range(j0, k0):
                    if j == i:
                        continue
                    row1 = buf[j]
                    examples += 1
                    rnd, loss = _negative_step_compiled(
                        syn0[row1], syn1neg, word, negative, cum_table, cum_max, exp_table,
                        log_table, alpha, scale, work, rnd, loss,
                    )
                    for a in range(size):
                        syn0[row1, a] += work[a]
            else:  # the window's summed (or mean) input rows predict the current word
                count = 0
                for a in range(size):
                    neu1[a] = 0.0
                for j in range(j0, k0):
                    if j == i:
                        continue
                    count += 1
                    for a in range(size):
                        neu1[a] += syn0[buf[j], a]
                if count == 0:
                    continue
                examples += 1
                inv = np.float32(1.0 / count)
                if cbow_mean:
                    for a in range(size):
                        neu1[a] *= inv
                rnd, loss = _negative_step_compiled(
                    neu1, syn1neg, word, negative, cum_table, cum_max, exp_table, log_table,
                    alpha, scale, work, rnd, loss,
                )
                if not cbow_mean:
                    for a in range(size):
                        work[a] *= inv
                for j in range(j0, k0):
                    if j == i:
                        continue
                    row = buf[j]
                    for a in range(size):
                        syn0[row, a] += work[a]
    return effective, loss, examples


@functools.lru_cache(maxsize=1)
def kernel():
    """The compiled kernel (loaded from numba's on-disk cache after the first compilation)."""
    from vectab._jit import njit

    global _negative_step_compiled
    options = dict(fastmath=True, error_model="numpy")
    _negative_step_compiled = njit(cache=False, inline="always", **options)(_negative_step)
    return njit(nogil=True, **options)(_train_job)


def numba_job(state: TrainState) -> Callable[..., tuple[int, float, int]]:
    """Bind ``state``'s tables and settings to the kernel: ``f(ids, ends, a0, a1, seed)``.

    The job returns ``(effective_words, loss_sum, examples)`` and updates ``state.syn0`` and
    ``state.syn1neg`` in place.
    """
    syn0, syn1neg = state.syn0, state.syn1neg
    fixed = (
        state.sample_int, state.cum_table, EXP_TABLE, LOG_TABLE, int(state.sg),
        int(state.cbow_mean), int(state.window), bool(state.shrink_windows), int(state.negative),
    )
    compiled = kernel()

    def job(word_ids, ends, a0, a1, seed):
        return compiled(syn0, syn1neg, word_ids, ends, *fixed, a0, a1, seed)

    return job
