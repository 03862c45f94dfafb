"""FastText CPU kernels (numba): gensim's ``fasttext_inner`` per-pair SGD with subword rows.

One call trains one job and releases the GIL, so worker threads update the shared tables at
the same time without locks (Hogwild, as gensim and fastText do). The math is gensim's
``fasttext_fast_sentence_sg_neg`` / ``fasttext_fast_sentence_cbow_neg``:

- a word's input vector is the mean of its own row (``vectors_vocab``) and its character
  n-gram rows (``vectors_ngrams``, duplicates counted as often as they occur, as fastText);
- skip-gram: the centre word's composed vector predicts each context word; its gradient goes
  to the centre's word row and every one of its n-gram rows;
- CBOW: the mean (or sum) of every context word's word and n-gram rows predicts the centre
  word; the gradient goes to all of those rows;
- sigmoid from fastText's 512-entry table over ``[-8, 8]``; skip-gram skips pairs scored
  outside it, CBOW clamps them to 0 / 1 (as gensim).

Two deliberate differences from gensim's code, both towards fastText: the skip-gram input is
the true mean (gensim divides the sum of ``1 + n`` rows by ``n``), and within one centre word
the updates of its rows are summed and applied once after its window (the composed vector is
advanced by exactly what those updates would add to it, so every pair sees the vector gensim's
sequential updates give, up to float rounding), which saves recomposing the vector per pair.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

# word2vec's noise draw: searchsorted(cum_table, x) through a bucket table, the same words
from vectab.models.word2vec._numba import draw_noise, noise_guide

__all__ = ["EXP_TABLE", "LOG_TABLE", "MAX_EXP", "compose", "kernel", "make_job"]

MAX_EXP = 8.0
EXP_TABLE_SIZE = 512
_x = np.exp((np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP)
EXP_TABLE = (_x / (_x + 1)).astype(np.float32)
LOG_TABLE = np.log(EXP_TABLE).astype(np.float32)
MAX_SENTENCE_LEN = 10_000
_LCG_MUL = 25214903917
_LCG_MOD = (1 << 48) - 1


def _negative(
    h, syn1neg, word, noise, negative, exp_table, log_table, alpha, scale, work, loss, clamp,
):  # pragma: no cover - compiled by numba (inlined into the kernel); tested through FastText
    """Train the input vector ``h`` to predict ``word`` against the noise words ``noise``.

    Sets ``work`` to the gradient of ``h`` (the caller applies it to the input rows) and moves
    the output rows; a noise word equal to ``word`` is skipped. A score outside
    ``(-MAX_EXP, MAX_EXP)`` skips its pair (skip-gram) or is clamped to probability 0 / 1
    (``clamp``: CBOW), as gensim's two kernels do. Returns ``loss`` plus this example's
    negative log-likelihood.
    """
    size = h.shape[0]
    for a in range(size):
        work[a] = 0.0
    for d in range(negative + 1):
        if d == 0:
            target = word
            label = np.float32(1.0)
        else:
            target = noise[d - 1]
            if target == word:
                continue
            label = np.float32(0.0)
        f = np.float32(0.0)
        for a in range(size):
            f += h[a] * syn1neg[target, a]
        if f <= -MAX_EXP:
            if not clamp:
                continue
            p = np.float32(0.0)
        elif f >= MAX_EXP:
            if not clamp:
                continue
            p = np.float32(1.0)
        else:
            p = exp_table[int((f + MAX_EXP) * scale)]
        g = (label - p) * alpha
        fl = f if d == 0 else -f
        if -MAX_EXP < fl < MAX_EXP:
            loss -= log_table[int((fl + MAX_EXP) * scale)]
        for a in range(size):
            work[a] += g * syn1neg[target, a]
            syn1neg[target, a] += g * h[a]
    return loss


# replaced by their numba versions in kernel()
_negative_compiled = _negative
_draw_noise_compiled = draw_noise


def _train_job(
    vocab_rows, ngram_rows, syn1neg, ptr, idx, gain, word_ids, sentence_ends, sample_int,
    cum_table, guide, shift, exp_table, log_table, sg, cbow_mean, window, shrink_windows,
    negative, alpha_start, alpha_end, seed,
):  # pragma: no cover - compiled by numba; tested through FastText
    size = vocab_rows.shape[1]
    n_raw = word_ids.shape[0]
    scale = EXP_TABLE_SIZE / MAX_EXP / 2.0
    cum_max = np.uint64(cum_table[cum_table.shape[0] - 1])
    mod = np.uint64(_LCG_MOD)
    mul = np.uint64(_LCG_MUL)
    sixteen = np.uint64(16)
    rnd = np.uint64(seed) & mod
    buf = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    reduced = np.empty(MAX_SENTENCE_LEN, dtype=np.int32)
    work = np.empty(size, dtype=np.float32)
    total = np.empty(size, dtype=np.float32)
    neu1 = np.empty(size, dtype=np.float32)
    noise = np.empty(max(negative, 1), dtype=np.int64)
    effective = 0
    loss = 0.0
    examples = 0
    start = 0
    for s in range(sentence_ends.shape[0]):
        end = sentence_ends[s]
        alpha = np.float32(alpha_start + (alpha_end - alpha_start) * (start / max(n_raw, 1)))
        # word2vec's preamble (downsampling, window reductions), repeated on purpose: one inlined
        # helper shared by both kernels gave the same vectors but 10-13% fewer words/cpu-s in all
        # four modes (sg, cbow, FastText sg, cbow; 5 interleaved rounds, #13)
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
            if sg:
                if k0 - j0 < 2:
                    continue
                # the centre word's composed vector: mean of its word row and n-gram rows
                g0, g1 = ptr[word], ptr[word + 1]
                for a in range(size):
                    neu1[a] = vocab_rows[word, a]
                    total[a] = 0.0
                for q in range(g0, g1):
                    row = idx[q]
                    for a in range(size):
                        neu1[a] += ngram_rows[row, a]
                inv = np.float32(1.0 / (g1 - g0 + 1))
                for a in range(size):
                    neu1[a] *= inv
                step = gain[word]
                for j in range(j0, k0):
                    if j == i:
                        continue
                    examples += 1
                    rnd = _draw_noise_compiled(rnd, cum_table, cum_max, guide, shift, negative,
                                               noise)
                    loss = _negative_compiled(neu1, syn1neg, buf[j], noise, negative, exp_table,
                                              log_table, alpha, scale, work, loss, False)
                    for a in range(size):
                        total[a] += work[a]
                        neu1[a] += step * work[a]
                for a in range(size):
                    vocab_rows[word, a] += total[a]
                for q in range(g0, g1):
                    row = idx[q]
                    for a in range(size):
                        ngram_rows[row, a] += total[a]
            else:
                count = 0
                for a in range(size):
                    neu1[a] = 0.0
                for j in range(j0, k0):
                    if j == i:
                        continue
                    c = buf[j]
                    count += 1 + ptr[c + 1] - ptr[c]
                    for a in range(size):
                        neu1[a] += vocab_rows[c, a]
                    for q in range(ptr[c], ptr[c + 1]):
                        row = idx[q]
                        for a in range(size):
                            neu1[a] += ngram_rows[row, a]
                if count == 0:
                    continue
                examples += 1
                inv = np.float32(1.0 / count)
                if cbow_mean:
                    for a in range(size):
                        neu1[a] *= inv
                rnd = _draw_noise_compiled(rnd, cum_table, cum_max, guide, shift, negative, noise)
                loss = _negative_compiled(neu1, syn1neg, word, noise, negative, exp_table,
                                          log_table, alpha, scale, work, loss, True)
                if not cbow_mean:
                    for a in range(size):
                        work[a] *= inv
                for j in range(j0, k0):
                    if j == i:
                        continue
                    c = buf[j]
                    for a in range(size):
                        vocab_rows[c, a] += work[a]
                    for q in range(ptr[c], ptr[c + 1]):
                        row = idx[q]
                        for a in range(size):
                            ngram_rows[row, a] += work[a]
    return effective, loss, examples


def _compose(vocab_rows, ngram_rows, ptr, idx, out):  # pragma: no cover - compiled by numba
    """``out[w]`` = mean of word ``w``'s row and its n-gram rows, summed in fastText's order."""
    size = vocab_rows.shape[1]
    for w in range(vocab_rows.shape[0]):
        for a in range(size):
            out[w, a] = vocab_rows[w, a]
        for q in range(ptr[w], ptr[w + 1]):
            row = idx[q]
            for a in range(size):
                out[w, a] += ngram_rows[row, a]
        n = np.float32(ptr[w + 1] - ptr[w] + 1)
        for a in range(size):
            out[w, a] /= n


@functools.lru_cache(maxsize=1)
def kernel():
    """The compiled training kernel (from numba's on-disk cache after the first compilation)."""
    from vectab._jit import njit

    global _negative_compiled, _draw_noise_compiled
    options = dict(fastmath=True, error_model="numpy")
    _negative_compiled = njit(cache=False, inline="always", **options)(_negative)
    _draw_noise_compiled = njit(cache=False, inline="always", **options)(draw_noise)
    return njit(nogil=True, **options)(_train_job)


@functools.lru_cache(maxsize=1)
def _compose_kernel():
    from vectab._jit import njit

    return njit(nogil=True)(_compose)


def compose(
    vocab_rows: np.ndarray, ngram_rows: np.ndarray, ptr: np.ndarray, idx: np.ndarray
) -> np.ndarray:
    """The words' vectors (gensim's ``adjust_vectors``): ``(vocab, dim)`` float32, new array."""
    out = np.empty_like(vocab_rows)
    if len(out):
        _compose_kernel()(vocab_rows, ngram_rows, ptr, idx, out)
    return out


def make_job(
    vocab_rows: np.ndarray, ngram_rows: np.ndarray, syn1neg: np.ndarray, ptr: np.ndarray,
    idx: np.ndarray, gain: np.ndarray, sample_int: np.ndarray, cum_table: np.ndarray, *,
    sg: bool, cbow_mean: bool, window: int, shrink_windows: bool, negative: int,
) -> Callable[..., tuple[int, float, int]]:
    """Bind the tables and settings to the kernel: ``job(ids, ends, a0, a1, seed)``.

    The job returns ``(effective_words, loss_sum, examples)`` and updates the three tables in
    place (``run_epochs``' ``train_job``).
    """
    compiled = kernel()
    guide, shift = noise_guide(cum_table)
    fixed = (sample_int, cum_table, guide, np.uint32(shift), EXP_TABLE, LOG_TABLE, int(sg),
             int(cbow_mean), int(window), bool(shrink_windows), int(negative))

    def job(word_ids, ends, a0, a1, seed):
        return compiled(vocab_rows, ngram_rows, syn1neg, ptr, idx, gain, word_ids, ends, *fixed,
                        a0, a1, seed)

    return job
