"""word2vec torch kernel: minibatched negative sampling with matrix products, no autograd.

Used on CUDA, and on CPU when numba is missing. A job's examples are generated with tensor ops
(downsampling, shrunk windows, sentence boundaries), then trained in small minibatches in
corpus order: gather rows, score the positive and the ``negative`` noise words with batched
products, and scatter the SGD updates back with ``index_add_``.

Large batches of summed updates make frequent words diverge (a word drawn hundreds of times in
one batch receives hundreds of summed steps), so each row's summed update in a minibatch is
scaled by ``min(1, DUPLICATE_CAP / occurrences)``: rare rows get plain SGD, frequent rows a
bounded step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from vectab.models.word2vec.state import TrainState

__all__ = ["torch_job", "examples_from_job"]

MAX_EXP = 6.0
BATCH_EXAMPLES = {"cpu": 256, "cuda": 4096}  # examples per minibatch, by device type
DUPLICATE_CAP = 16.0


def examples_from_job(
    ids: torch.Tensor, ends: torch.Tensor, sample_int: torch.Tensor, window: int,
    shrink_windows: bool, sg: bool, gen: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, int]:
    """Return ``(targets, example_of_input, inputs, target_pos, kept_words)`` for one job.

    Each training example predicts ``targets[e]`` from the input rows ``inputs[k]`` with
    ``example_of_input[k] == e`` (one input per example in skip-gram, the whole window in CBOW).
    ``target_pos`` is the raw position of each example's word (for the learning-rate schedule).
    """
    device = ids.device
    n_raw = ids.shape[0]
    lengths = torch.diff(ends, prepend=ends.new_zeros(1))
    sent = torch.repeat_interleave(torch.arange(len(ends), device=device), lengths)
    pos = torch.arange(n_raw, device=device)
    keep = ids >= 0
    rand = torch.randint(0, 2**32, (n_raw,), generator=gen, device=device)
    keep &= sample_int[ids.clamp(min=0)] >= rand
    ids, sent, pos = ids[keep], sent[keep], pos[keep]
    n = ids.shape[0]
    if shrink_windows:
        span = window - torch.randint(0, window, (n,), generator=gen, device=device)
    else:
        span = torch.full((n,), window, device=device)
    centers, contexts = [], []
    idx = torch.arange(n, device=device)
    for d in range(1, min(window, n - 1) + 1):
        right = idx[d:]  # centers whose context lies d words to the left
        left = idx[:-d]  # centers whose context lies d words to the right
        for i, j in ((right, right - d), (left, left + d)):
            ok = (sent[i] == sent[j]) & (span[i] >= d)
            centers.append(i[ok])
            contexts.append(j[ok])
    if not centers:
        empty = idx[:0]
        return empty, empty, empty, empty, n
    center = torch.cat(centers)
    context = torch.cat(contexts)
    order = torch.sort(center * (2 * window + 1) + (context - center + window), stable=True).indices
    center, context = center[order], context[order]
    if sg:
        return (
            ids[center],
            torch.arange(center.numel(), device=device),
            ids[context],
            pos[center],
            n,
        )
    uniq, example = torch.unique_consecutive(center, return_inverse=True)
    return ids[uniq], example, ids[context], pos[uniq], n


def torch_job(
    state: TrainState, device: torch.device
) -> tuple[Callable[..., tuple[int, float, int]], tuple[torch.Tensor, torch.Tensor]]:
    """Bind ``state``'s tables (moved to ``device``) to the torch kernel.

    Returns ``(job, (syn0, syn1neg))``: ``job(ids, ends, a0, a1, seed)`` trains one job and
    returns ``(effective_words, loss_sum, examples)``; the two tensors are the tables it
    updates (the arrays of ``state`` themselves on CPU, copies on CUDA that the caller copies
    back).

    Raises:
        ValueError: ``state.hs`` is set: hierarchical softmax trains with the numba CPU kernel.
    """
    if state.hs:
        where = "numba is not installed" if device.type == "cpu" else f"device={str(device)!r}"
        raise ValueError(
            f"hs=1 trains with the numba CPU kernel, but {where}; install numba "
            "(pip install 'vectab[fast]') and use device='cpu', or train with hs=0, negative=5"
        )
    syn0 = torch.from_numpy(state.syn0).to(device)
    syn1 = torch.from_numpy(state.syn1neg).to(device)
    sample_int = torch.from_numpy(state.sample_int.astype(np.int64)).to(device)
    cum = torch.from_numpy(state.cum_table.astype(np.int64)).to(device)
    cum_max = int(state.cum_table[-1])
    batch = BATCH_EXAMPLES.get(device.type, BATCH_EXAMPLES["cuda"])
    negative, window, sg = int(state.negative), int(state.window), bool(state.sg)
    cbow_mean, shrink = bool(state.cbow_mean), bool(state.shrink_windows)

    @torch.no_grad()
    def job(word_ids: np.ndarray, ends: np.ndarray, a0: float, a1: float, seed: int):
        gen = torch.Generator(device=device).manual_seed(seed)
        ids = torch.from_numpy(word_ids).to(device, torch.int64)
        n_raw = max(ids.shape[0], 1)
        targets, ex_of_in, inputs, tpos, effective = examples_from_job(
            ids, torch.from_numpy(ends).to(device), sample_int, window, shrink, sg, gen
        )
        n_ex = targets.shape[0]
        loss = torch.zeros((), dtype=torch.float64, device=device)
        starts = torch.arange(0, n_ex + batch, batch, device=device)
        in_bounds = torch.searchsorted(ex_of_in, starts).tolist()
        for b, start in enumerate(range(0, n_ex, batch)):
            stop = min(start + batch, n_ex)
            lo, hi = in_bounds[b], in_bounds[b + 1]
            alpha = a0 + (a1 - a0) * tpos[start:stop].to(syn0.dtype) / n_raw
            loss += _step(
                syn0,
                syn1,
                cum,
                targets[start:stop],
                ex_of_in[lo:hi] - start,
                inputs[lo:hi],
                alpha,
                negative,
                cbow_mean,
                cum_max,
                gen,
            )
        return effective, float(loss), n_ex

    return job, (syn0, syn1)


def _step(syn0, syn1, cum, targets, local, inputs, alpha, negative, cbow_mean, cum_max, gen):
    b = targets.shape[0]
    dim = syn0.shape[1]
    count = torch.bincount(local, minlength=b).clamp(min=1).to(syn0.dtype)
    h = torch.zeros(b, dim, dtype=syn0.dtype, device=syn0.device).index_add_(0, local, syn0[inputs])
    if cbow_mean:
        h /= count[:, None]
    draws = torch.randint(0, cum_max, (b, negative), generator=gen, device=syn0.device)
    noise = torch.searchsorted(cum, draws)
    rows = torch.cat([targets[:, None], noise], 1)  # (B, 1+K)
    out = syn1[rows]  # (B, 1+K, D)
    score = torch.bmm(out, h[:, :, None]).squeeze(2)
    label = torch.zeros_like(score)
    label[:, 0] = 1.0
    live = (score.abs() < MAX_EXP).to(score.dtype)
    live[:, 1:] *= (noise != targets[:, None]).to(score.dtype)
    grad = (label - torch.sigmoid(score)) * live * alpha[:, None]
    signed = torch.where(label > 0, score, -score)
    loss = -(torch.nn.functional.logsigmoid(signed) * live).sum(dtype=torch.float64)
    work = torch.bmm(grad[:, None, :], out).squeeze(1)  # (B, D)
    if not cbow_mean:
        work /= count[:, None]
    flat_rows = rows.reshape(-1)
    d_out = (grad[:, :, None] * h[:, None, :]).reshape(-1, dim)
    syn1.index_add_(0, flat_rows, d_out * _dup_scale(flat_rows, syn1.dtype)[:, None])
    d_in = work[local]
    syn0.index_add_(0, inputs, d_in * _dup_scale(inputs, syn0.dtype)[:, None])
    return loss


def _dup_scale(rows: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``min(1, DUPLICATE_CAP / occurrences of the row in this minibatch)`` for every entry."""
    _, inverse, counts = torch.unique(rows, return_inverse=True, return_counts=True)
    occurrences = counts[inverse].to(dtype)
    return torch.clamp(DUPLICATE_CAP / occurrences, max=1.0)
