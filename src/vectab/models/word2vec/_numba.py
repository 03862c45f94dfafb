"""word2vec CPU kernels (numba): the classic per-pair SGD of word2vec.c / gensim.

One call trains one job (a few thousand sentences' word ids) and releases the GIL, so worker
threads update the shared tables at the same time without locks (Hogwild, as word2vec.c and
gensim do). Compiled code is cached on disk (``cache=True``).

The math is gensim's ``w2v_fast_sentence_{sg,cbow}_{neg,hs}``: sigmoid and log-sigmoid from
1000-entry tables over ``[-6, 6]``, pairs whose score falls outside that range are skipped,
frequent words are downsampled with ``sample_int``, windows shrink at random. Skip-gram and
CBOW share the inlined steps :func:`_negative_step` (score an input vector against the target
and the noise words, accumulate the input's gradient, update the output rows) and
:func:`_hs_step` (the same down the target's Huffman path, over ``syn1``); with ``hs=1`` and
``negative > 0`` both run, hierarchical softmax first, as in gensim. Noise words are gensim's
``bisect_left`` on ``cum_table``, found through a bucket table (:func:`noise_guide`) in about
one memory load instead of ~16 dependent ones; the draws are the same. ``compute_loss=False``
skips the loss lookups.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable

import numpy as np

from vectab.models.word2vec.state import TrainState

# numba is optional (extra "fast"); without it the torch kernel trains. Imported on first use.
AVAILABLE = importlib.util.find_spec("numba") is not None

__all__ = [
    "AVAILABLE", "EXP_TABLE", "LOG_TABLE", "MAX_EXP", "draw_noise", "kernel", "noise_guide",
    "numba_job",
]

MAX_EXP = 6.0
EXP_TABLE_SIZE = 1000
_x = np.exp((np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP)
EXP_TABLE = (_x / (_x + 1)).astype(np.float32)
LOG_TABLE = np.log(EXP_TABLE).astype(np.float32)
MAX_SENTENCE_LEN = 10_000
GUIDE_BITS = 16  # the noise guide has 2**16 + 1 buckets at most (see noise_guide)
_LCG_MUL = 25214903917
_LCG_MOD = (1 << 48) - 1


def noise_guide(cum_table: np.ndarray) -> tuple[np.ndarray, int]:
    """A lookup table that turns the noise draw's binary search into (nearly) one load.

    For ``x`` uniform in ``[0, cum_table[-1])`` the noise word is ``searchsorted(cum_table, x)``
    (gensim's ``bisect_left``). ``guide[b]`` is that answer for ``x = b << shift``, so the
    answer for any ``x`` lies in ``guide[x >> shift] .. guide[(x >> shift) + 1]``: one entry
    for most draws (frequent words span many buckets), a short search in the tail. The result
    is exactly ``searchsorted``'s. Returns ``(guide, shift)``; ``guide`` has
    ``2**GUIDE_BITS + 1`` int32 entries at most (256 KiB, kept in cache).
    """
    top = int(cum_table[-1]) if len(cum_table) else 1
    shift = max(top.bit_length() - GUIDE_BITS, 0)
    starts = np.arange(((top - 1) >> shift) + 2, dtype=np.int64) << shift
    guide = np.searchsorted(cum_table.astype(np.int64), starts).astype(np.int32)
    return guide, shift


def draw_noise(rnd, cum_table, cum_max, guide, shift, negative, noise):
    # pragma: no cover - compiled by numba (inlined); tested through Word2Vec
    """Draw ``negative`` noise words into ``noise`` (``searchsorted(cum_table, x)`` for ``x``
    from the random stream, found through ``guide``); return the advanced random state."""
    for d in range(negative):
        x = np.uint32((rnd >> np.uint64(16)) % cum_max)
        b = x >> shift
        lo = np.int64(guide[b])
        hi = np.int64(guide[b + 1])
        while lo < hi:  # bisect_left in the bucket's few candidates
            mid = (lo + hi) >> 1
            if cum_table[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        noise[d] = lo
        rnd = (rnd * np.uint64(_LCG_MUL) + np.uint64(11)) & np.uint64(_LCG_MOD)
    return rnd


def _negative_step(
    h, syn1neg, word, noise, negative, exp_table, log_table, alpha, scale, work, loss,
    compute_loss,
):  # pragma: no cover - compiled by numba (inlined into the kernel); tested through Word2Vec
    """Train the input vector ``h`` to predict ``word`` against the ``negative`` noise words.

    The step skip-gram and CBOW share (gensim's ``fast_sentence_*_neg`` inner loop): score ``h``
    against ``word`` (label 1) and each noise word in ``noise`` (label 0, skipped when it is
    ``word``), add each pair's gradient times the output row to ``work`` (the caller applies
    ``work`` to the input rows), and move each output row of ``syn1neg`` towards or away from
    ``h``. Pairs scored outside ``(-MAX_EXP, MAX_EXP)`` are skipped. Returns ``loss`` plus this
    example's negative log-likelihood (unchanged when ``compute_loss`` is false).
    """
    size = h.shape[0]
    for d in range(negative + 1):
        if d == 0:
            target = word
            label = np.float32(1.0)
        else:
            target = noise[d - 1]
            if target == word:
                continue
            label = np.float32(0.0)
        out = syn1neg[target]
        f = np.float32(0.0)
        for a in range(size):
            f += h[a] * out[a]
        if f <= -MAX_EXP or f >= MAX_EXP:
            continue
        g = (label - exp_table[int((f + MAX_EXP) * scale)]) * alpha
        if compute_loss:
            fl = f if d == 0 else -f
            loss -= log_table[int((fl + MAX_EXP) * scale)]
        for a in range(size):
            work[a] += g * out[a]
            out[a] += g * h[a]
    return loss


def _hs_step(
    h, syn1, codes, points, lo, hi, exp_table, log_table, alpha, scale, work, loss, compute_loss,
):  # pragma: no cover - compiled by numba (inlined into the kernel); tested through Word2Vec
    """Train ``h`` down one word's Huffman path (gensim's ``fast_sentence_*_hs`` inner loop).

    For each inner node ``points[b]`` (``b`` in ``lo..hi``) on the path, the label is
    ``1 - codes[b]``: score ``h`` against the node's row of ``syn1`` (skipped outside
    ``(-MAX_EXP, MAX_EXP)``), add the gradient times the row to ``work`` and move the row. The
    loss is gensim's: minus the log-sigmoid of ``(-1)**code * score``.
    """
    size = h.shape[0]
    # the same score/update lines as _negative_step's, on purpose: moving them into one shared
    # inlined helper made the compiled skip-gram kernel ~30% slower (measured, numba 0.6x)
    for b in range(lo, hi):
        out = syn1[points[b]]
        f = np.float32(0.0)
        for a in range(size):
            f += h[a] * out[a]
        if f <= -MAX_EXP or f >= MAX_EXP:
            continue
        code = codes[b]
        g = (np.float32(1.0) - np.float32(code) - exp_table[int((f + MAX_EXP) * scale)]) * alpha
        if compute_loss:
            fl = f if code == 0 else -f
            loss -= log_table[int((fl + MAX_EXP) * scale)]
        for a in range(size):
            work[a] += g * out[a]
            out[a] += g * h[a]
    return loss


def _window_input(syn0, buf, j0, k0, i, cbow_mean, neu1):
    # pragma: no cover - compiled by numba (inlined); tested through Word2Vec
    """CBOW's input: the sum (or mean) of the window's rows, into ``neu1``; returns the count."""
    size = syn0.shape[1]
    for a in range(size):
        neu1[a] = 0.0
    count = 0
    for j in range(j0, k0):
        if j == i:
            continue
        count += 1
        row = syn0[buf[j]]
        for a in range(size):
            neu1[a] += row[a]
    if cbow_mean and count > 0:
        inv = np.float32(1.0 / count)
        for a in range(size):
            neu1[a] *= inv
    return count


def _apply_window(syn0, buf, j0, k0, i, work, scale):
    # pragma: no cover - compiled by numba (inlined); tested through Word2Vec
    """Add ``scale * work`` to every input row of the window (CBOW's input update)."""
    size = syn0.shape[1]
    for j in range(j0, k0):
        if j == i:
            continue
        row = syn0[buf[j]]
        for a in range(size):
            row[a] += scale * work[a]


# replaced by their numba versions in kernel()
_draw_noise_compiled = draw_noise
_negative_step_compiled = _negative_step
_hs_step_compiled = _hs_step
_window_input_compiled = _window_input
_apply_window_compiled = _apply_window


def _train_job(
    syn0, syn1neg, syn1, word_ids, sentence_ends, sample_int, cum_table, guide, shift, codes,
    points, code_offsets, exp_table, log_table, sg, cbow_mean, window, shrink_windows, negative, hs,
    compute_loss, alpha_start, alpha_end, seed,
):  # pragma: no cover - compiled by numba; tested through Word2Vec
    size = syn0.shape[1]
    n_raw = word_ids.shape[0]
    scale = EXP_TABLE_SIZE / MAX_EXP / 2.0
    cum_len = cum_table.shape[0]
    cum_max = np.uint64(cum_table[cum_len - 1]) if cum_len else np.uint64(1)
    rnd = np.uint64(seed) & np.uint64(_LCG_MOD)
    mul = np.uint64(_LCG_MUL)
    mod = np.uint64(_LCG_MOD)
    sixteen = np.uint64(16)
    buf = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    reduced = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    work = np.empty(size, dtype=np.float32)
    neu1 = np.empty(size, dtype=np.float32)
    noise = np.empty(max(negative, 1), dtype=np.int64)
    one = np.float32(1.0)
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
            lo, hi = code_offsets[word], code_offsets[word + 1]
            if sg:  # each context word's input row predicts the current word
                for j in range(j0, k0):
                    if j == i:
                        continue
                    row = syn0[buf[j]]
                    examples += 1
                    if hs:  # gensim: the hs update lands before the negative-sampling one
                        for a in range(size):
                            neu1[a] = row[a]
                            work[a] = 0.0
                        loss = _hs_step_compiled(
                            neu1, syn1, codes, points, lo, hi, exp_table, log_table, alpha,
                            scale, work, loss, compute_loss,
                        )
                        for a in range(size):
                            row[a] += work[a]
                    if negative:
                        for a in range(size):
                            neu1[a] = row[a]
                            work[a] = 0.0
                        rnd = _draw_noise_compiled(
                            rnd, cum_table, cum_max, guide, shift, negative, noise
                        )
                        loss = _negative_step_compiled(
                            neu1, syn1neg, word, noise, negative, exp_table, log_table, alpha,
                            scale, work, loss, compute_loss,
                        )
                        for a in range(size):
                            row[a] += work[a]
            else:  # the window's summed (or mean) input rows predict the current word
                if j0 + 1 >= k0:  # no context word
                    continue
                examples += 1
                count = k0 - j0 - 1
                back = one if cbow_mean else np.float32(1.0 / count)
                if hs:  # gensim: hs first, negative sampling then re-reads the updated rows
                    _window_input_compiled(syn0, buf, j0, k0, i, cbow_mean, neu1)
                    for a in range(size):
                        work[a] = 0.0
                    loss = _hs_step_compiled(
                        neu1, syn1, codes, points, lo, hi, exp_table, log_table, alpha, scale,
                        work, loss, compute_loss,
                    )
                    _apply_window_compiled(syn0, buf, j0, k0, i, work, back)
                if negative:
                    _window_input_compiled(syn0, buf, j0, k0, i, cbow_mean, neu1)
                    for a in range(size):
                        work[a] = 0.0
                    rnd = _draw_noise_compiled(
                        rnd, cum_table, cum_max, guide, shift, negative, noise
                    )
                    loss = _negative_step_compiled(
                        neu1, syn1neg, word, noise, negative, exp_table, log_table, alpha,
                        scale, work, loss, compute_loss,
                    )
                    _apply_window_compiled(syn0, buf, j0, k0, i, work, back)
    return effective, loss, examples


@functools.lru_cache(maxsize=1)
def kernel():
    """The compiled kernel (loaded from numba's on-disk cache after the first compilation)."""
    from vectab._jit import njit

    global _draw_noise_compiled, _negative_step_compiled, _hs_step_compiled
    global _window_input_compiled, _apply_window_compiled
    options = dict(fastmath=True, error_model="numpy")
    inline = njit(cache=False, inline="always", **options)
    _draw_noise_compiled = inline(draw_noise)
    _negative_step_compiled = inline(_negative_step)
    _hs_step_compiled = inline(_hs_step)
    _window_input_compiled = inline(_window_input)
    _apply_window_compiled = inline(_apply_window)
    return njit(nogil=True, **options)(_train_job)


def numba_job(state: TrainState) -> Callable[..., tuple[int, float, int]]:
    """Bind ``state``'s tables and settings to the kernel: ``f(ids, ends, a0, a1, seed)``.

    The job returns ``(effective_words, loss_sum, examples)`` and updates ``state.syn0`` and
    ``state.syn1neg`` in place.
    """
    syn0, syn1neg, syn1 = state.syn0, state.syn1neg, state.syn1
    if not state.hs:  # the kernel never reads them; one dtype/layout keeps one compiled copy
        syn1 = np.zeros((1, syn0.shape[1]), dtype=np.float32)
    offsets = state.code_offsets if state.hs else np.zeros(len(syn0) + 1, dtype=np.int64)
    guide, shift = noise_guide(state.cum_table)
    fixed = (
        state.sample_int, state.cum_table, guide, np.uint32(shift),
        np.ascontiguousarray(state.codes, dtype=np.uint8),
        np.ascontiguousarray(state.points, dtype=np.int32),
        np.ascontiguousarray(offsets, dtype=np.int64), EXP_TABLE, LOG_TABLE,
        int(state.sg), int(state.cbow_mean), int(state.window), bool(state.shrink_windows),
        int(state.negative), int(state.hs), bool(state.compute_loss),
    )
    compiled = kernel()

    def job(word_ids, ends, a0, a1, seed):
        return compiled(syn0, syn1neg, syn1, word_ids, ends, *fixed, a0, a1, seed)

    return job
