"""Exact top-k over unit rows: the engine behind every search of :mod:`.similarity`.

Every row is scored in float32, one matrix product per chunk of queries and block of rows, and
the best ``k`` are kept with a two-level top-k (the best groups of 32 rows first, then the best
rows inside them), which gives the same answer as ``torch.topk`` over the whole row at a
fraction of its cost; on CPU with numba a compiled running top-k replaces it. The inverted-file
index (:mod:`._index`) falls back to this search; :mod:`.similarity` is the public front door.
"""

from __future__ import annotations

import numpy as np
import torch

from vectab._checks import check_int
from vectab.vectors.formats import _kernels

__all__ = ["normalize_rows", "search_exact", "check_k", "apply_exclude", "by_chunks"]

_GROUP = 32  # rows per group in the two-level top-k
_SCORE_BUDGET = 2**26  # score-matrix elements per chunk (256 MB of float32, reused)
_KERNEL_SCORES = 2**20  # score elements per block for the compiled top-k (4 MB: stays in cache)
_KERNEL_WAIT_SCORES = 2**27  # a search this large waits for the compiled kernels to load


def normalize_rows(matrix: torch.Tensor) -> torch.Tensor:
    """Return ``matrix`` with every row scaled to unit L2 norm (zero rows stay zero).

    Shape:
        matrix: ``(N, D)``; returns ``(N, D)`` float32.

    Example:
        >>> normalize_rows(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    matrix = matrix.to(torch.float32)
    norms = torch.linalg.vector_norm(matrix, dim=-1, keepdim=True)
    return matrix / torch.where(norms > 0, norms, torch.ones_like(norms))


def _topk_rows(scores: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k of each row of ``scores`` (b, V), exactly, via the best groups of rows first."""
    b, n = scores.shape
    if n < 64 * k or n < 4 * _GROUP:
        return torch.topk(scores, k, dim=1)
    n_main = n // _GROUP * _GROUP
    groups = scores[:, :n_main].view(b, n_main // _GROUP, _GROUP)
    best_groups = torch.topk(groups.amax(dim=2), k, dim=1).indices  # (b, k)
    cand = groups.gather(1, best_groups.unsqueeze(2).expand(b, k, _GROUP)).reshape(b, k * _GROUP)
    offsets = torch.arange(_GROUP, device=scores.device)
    cand_ids = (best_groups.unsqueeze(2) * _GROUP + offsets).reshape(b, k * _GROUP)
    if n_main < n:  # the last, partial group
        tail_ids = torch.arange(n_main, n, device=scores.device).expand(b, n - n_main)
        cand = torch.cat([cand, scores[:, n_main:]], dim=1)
        cand_ids = torch.cat([cand_ids, tail_ids], dim=1)
    top, pos = torch.topk(cand, k, dim=1)
    return top, cand_ids.gather(1, pos)


def apply_exclude(scores: torch.Tensor, exclude: torch.Tensor | None, ids=None) -> None:
    """Set excluded ids to -inf in place; ``exclude`` is (b, E) long, -1 = nothing."""
    if exclude is None:
        return
    if ids is None:  # scores is (b, V): scatter -inf at the excluded columns
        fill = torch.where(exclude >= 0, float("-inf"), float("inf")).to(scores.dtype)
        scores.scatter_reduce_(1, exclude.clamp(min=0), fill, reduce="amin", include_self=True)
    else:  # scores is (b, C) for candidate ids (b, C)
        hit = (ids.unsqueeze(2) == exclude.unsqueeze(1)).any(dim=2)
        scores.masked_fill_(hit, float("-inf"))


def check_k(k: int, n_rows: int) -> None:
    """Refuse a ``k`` that is not a positive int or is more than the ``n_rows`` searched."""
    check_int(k, "k")
    if k > n_rows:
        raise ValueError(f"`k` is {k} but the matrix has only {n_rows} rows; pass k <= {n_rows}")


def _kernel_applies(queries: torch.Tensor, matrix: torch.Tensor) -> bool:
    """Use the compiled running top-k: CPU float32, numba present and its kernels loaded.

    While they still load (the first second or two of a process), only a large search waits
    for them; a small one runs the torch path at once.
    """
    if matrix.is_cuda or matrix.dtype != torch.float32 or queries.dtype != torch.float32:
        return False
    if not _kernels.HAVE_NUMBA:
        return False
    large = queries.shape[0] * matrix.shape[0] >= _KERNEL_WAIT_SCORES
    return _kernels.topk_ready(wait=large)


def by_chunks(queries, exclude, chunk_size, k, search_chunk):
    """Run ``search_chunk(q, ex)`` over chunks of the queries and their excluded ids."""
    out_scores, out_ids = [], []
    for start in range(0, queries.shape[0], chunk_size):
        ex = None if exclude is None else exclude[start : start + chunk_size]
        top, ids = search_chunk(queries[start : start + chunk_size], ex)
        out_scores.append(top)
        out_ids.append(ids)
    if not out_scores:
        empty = torch.empty(0, k, device=queries.device)
        return empty, empty.long()
    return torch.cat(out_scores), torch.cat(out_ids)


def _score_blocks(q, matrix, ex, block, buf):
    """Yield ``(first row, scores)`` of ``q`` against each row block, excluded ids at -inf."""
    b = q.shape[0]
    for first in range(0, matrix.shape[0], block):
        rows = matrix[first : first + block]
        scores = torch.mm(q, rows.T, out=buf[: b * rows.shape[0]].view(b, -1))
        if ex is not None:  # the excluded ids that fall in this block, shifted to it
            inside = (ex >= first) & (ex < first + rows.shape[0])
            apply_exclude(scores, torch.where(inside, ex - first, -1))
        yield first, scores


def _merged_topk(blocks, b: int, k: int):
    """Each block's top-k (two-level, see ``_topk_rows``), then an exact merge of them."""
    tops, tids = [], []
    for first, scores in blocks:
        top, ids = _topk_rows(scores, min(k, scores.shape[1]))
        tops.append(top)
        tids.append(ids + first)
    if len(tops) == 1:
        return tops[0], tids[0]
    top, pos = torch.topk(torch.cat(tops, dim=1), k, dim=1)
    return top, torch.cat(tids, dim=1).gather(1, pos)


def _running_topk(blocks, b: int, k: int):
    """The compiled running top-k (``_kernels.update_topk``) over every block, on CPU."""
    best = np.full((b, k), -np.inf, dtype=np.float32)
    best_ids = np.full((b, k), -1, dtype=np.int64)
    for first, scores in blocks:
        _kernels.update_topk(scores.numpy(), first, best, best_ids)
    return torch.from_numpy(best), torch.from_numpy(best_ids)


def search_exact(
    queries: torch.Tensor,
    matrix: torch.Tensor,
    k: int,
    *,
    exclude: torch.Tensor | None = None,
    chunk_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k inner products of unit ``queries`` (B, D) against unit ``matrix`` (V, D), exactly."""
    n_rows = matrix.shape[0]
    check_k(k, n_rows)
    # Many queries per product keep the matrix product fast (it streams the matrix once per
    # chunk); the matrix is cut into row blocks so the score block stays small: in cache for
    # the compiled running top-k, near _SCORE_BUDGET for torch's two-level top-k.
    chunk_size = chunk_size or 1024
    widest = max(1, min(chunk_size, queries.shape[0]))
    if _kernel_applies(queries, matrix):
        reduce, block = _running_topk, max(k, _KERNEL_SCORES // widest)
    else:
        reduce, block = _merged_topk, max(4 * _GROUP * k, _SCORE_BUDGET // widest)
    block = min(block, n_rows)
    buf = torch.empty(widest * block, device=matrix.device)  # one buffer for every chunk
    return by_chunks(queries, exclude, chunk_size, k, lambda q, ex: reduce(
        _score_blocks(q, matrix, ex, block, buf), q.shape[0], k))
