"""Batched cosine top-k search: one matrix product per chunk of queries, on CPU or GPU.

Exact mode scores every row in float32 and keeps the best ``k`` with a two-level top-k (the
best groups of 32 rows first, then the best rows inside them), which gives the same answer as
``torch.topk`` over the whole row at a fraction of its cost. Fast mode scores every row in low
precision (int8 through FBGEMM on CPU, float16 on CUDA), keeps a generous candidate list per
query and re-ranks the candidates exactly in float32, so the returned scores are always exact.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

__all__ = ["topk_cosine", "normalize_rows", "FastIndex", "FAST_MIN_ELEMENTS"]

_GROUP = 32  # rows per group in the two-level top-k
# Below this many matrix elements the exact float32 search is already faster than quantized
# scoring + re-ranking (measured: 20k x 50 GloVe, exact 2.7x faster than int8), so
# ``fast=True`` runs the exact search there.
FAST_MIN_ELEMENTS = 2**23
_SCORE_BUDGET = 2**26  # score-matrix elements per chunk (256 MB of float32, reused)


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


def _as_tensor(x: Any, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(x))
    raise TypeError(f"`{name}` must be a torch.Tensor or numpy array, got {type(x).__name__}")


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


def _apply_exclude(scores: torch.Tensor, exclude: torch.Tensor | None, ids=None) -> None:
    """Set excluded ids to -inf in place; ``exclude`` is (b, E) long, -1 = nothing."""
    if exclude is None:
        return
    if ids is None:  # scores is (b, V): scatter -inf at the excluded columns
        fill = torch.where(exclude >= 0, float("-inf"), float("inf")).to(scores.dtype)
        scores.scatter_reduce_(1, exclude.clamp(min=0), fill, reduce="amin", include_self=True)
    else:  # scores is (b, C) for candidate ids (b, C)
        hit = (ids.unsqueeze(2) == exclude.unsqueeze(1)).any(dim=2)
        scores.masked_fill_(hit, float("-inf"))


class FastIndex:
    """A low-precision copy of a unit-normalized matrix, for fast candidate scoring.

    On CPU the rows are quantized to int8 (one scale per row) and multiplied with FBGEMM's
    dynamic-quantized linear kernel; on CUDA they are stored in float16. Build once, reuse for
    every search over the same matrix.

    Args:
        unit_matrix: ``(V, D)`` float32 rows of unit norm.
    """

    def __init__(self, unit_matrix: torch.Tensor) -> None:
        self.device = unit_matrix.device
        self.kind = "float32"
        self._packed: Any = None
        self._matrix = unit_matrix
        if unit_matrix.is_cuda:
            self.kind = "float16"
            self._half = unit_matrix.half()
        elif "fbgemm" in torch.backends.quantized.supported_engines:
            self.kind = "int8"
            scales = unit_matrix.abs().amax(dim=1).clamp(min=1e-12).double() / 127.0
            zeros = torch.zeros(unit_matrix.shape[0], dtype=torch.long)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                qweight = torch.quantize_per_channel(unit_matrix, scales, zeros, 0, torch.qint8)
                self._packed = torch.ops.quantized.linear_prepack(qweight, None)

    def scores(self, queries: torch.Tensor) -> torch.Tensor:
        """Approximate ``queries @ matrix.T`` (b, V) in float32."""
        if self.kind == "float16":
            return (queries.half() @ self._half.T).float()
        if self.kind == "float32":  # no low-precision kernel here: exact scores
            return queries @ self._matrix.T
        # Each query is scaled to max |x| = 1 so that the per-tensor activation scale suits
        # every row (a per-row factor does not change the ranking); reduce_range=True keeps
        # FBGEMM's int16 pair sums from saturating, which otherwise costs ~25% of the top-10.
        scale = queries.abs().amax(dim=1, keepdim=True).clamp(min=1e-12)
        previous = torch.backends.quantized.engine
        try:
            torch.backends.quantized.engine = "fbgemm"
            out = torch.ops.quantized.linear_dynamic(
                (queries / scale).contiguous(), self._packed, True
            )
        finally:
            torch.backends.quantized.engine = previous
        return out.mul_(scale)


def _check_k(k: int, n_rows: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"`k` must be a positive int, got {k!r}")
    if k > n_rows:
        raise ValueError(f"`k` is {k} but the matrix has only {n_rows} rows; pass k <= {n_rows}")


def search_unit(
    queries: torch.Tensor,
    matrix: torch.Tensor,
    k: int,
    *,
    exclude: torch.Tensor | None = None,
    chunk_size: int | None = None,
    fast_index: FastIndex | None = None,
    candidates: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k inner products of unit ``queries`` (B, D) against unit ``matrix`` (V, D)."""
    n_rows = matrix.shape[0]
    _check_k(k, n_rows)
    if chunk_size is None:
        # Below ~128 queries per product the matrix product loses much of its speed.
        chunk_size = int(min(1024, max(128, _SCORE_BUDGET // max(n_rows, 1))))
    n_cand = min(n_rows, candidates or max(16 * k, 128))
    out_scores, out_ids = [], []
    buf = None
    for start in range(0, queries.shape[0], chunk_size):
        q = queries[start : start + chunk_size]
        ex = None if exclude is None else exclude[start : start + chunk_size]
        if fast_index is None or n_cand >= n_rows:
            if buf is None:  # one buffer for every chunk: fresh ones cost page faults
                buf = torch.empty(min(chunk_size, queries.shape[0]), n_rows, device=matrix.device)
            s = torch.mm(q, matrix.T, out=buf[: q.shape[0]])
            _apply_exclude(s, ex)
            top, ids = _topk_rows(s, k)
        else:
            approx = fast_index.scores(q)
            _apply_exclude(approx, ex)
            _, cand = _topk_rows(approx, n_cand)
            exact = torch.bmm(matrix[cand], q.unsqueeze(2)).squeeze(2)  # (b, C)
            _apply_exclude(exact, ex, cand)
            top, pos = torch.topk(exact, k, dim=1)
            ids = cand.gather(1, pos)
        out_scores.append(top)
        out_ids.append(ids)
    if not out_scores:
        empty = torch.empty(0, k, device=matrix.device)
        return empty, empty.long()
    return torch.cat(out_scores), torch.cat(out_ids)


def topk_cosine(
    queries: torch.Tensor | np.ndarray,
    matrix: torch.Tensor | np.ndarray,
    k: int,
    *,
    exclude: torch.Tensor | np.ndarray | None = None,
    chunk_size: int | None = None,
    fast: bool = False,
    normalized: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Find the ``k`` rows of ``matrix`` with the highest cosine similarity to each query.

    The batched form of gensim's ``KeyedVectors.most_similar`` / ``similar_by_vector``: all
    queries are scored with a few matrix products instead of one pass over the matrix each.
    Runs on the device of ``matrix`` (CPU or CUDA).

    Args:
        queries: ``(B, D)`` or ``(D,)`` query vectors.
        matrix: ``(V, D)`` vectors to search.
        k: how many rows to return per query.
        exclude: optional ``(B,)`` or ``(B, E)`` row ids never returned for that query (the
            query word itself, analogy inputs); ``-1`` entries are ignored.
        chunk_size: queries per matrix product (default: enough to keep the score block near
            256 MB).
        fast: score all rows in low precision (int8 on CPU, float16 on CUDA), then re-rank the
            best candidates exactly; scores stay exact, the rare miss is a row just below the top.
            Matrices under ``FAST_MIN_ELEMENTS`` values are searched exactly (faster there).
        normalized: True when the rows of ``queries`` and ``matrix`` already have unit norm
            (skips normalizing them).

    Returns:
        ``(scores, ids)``: float32 cosine similarities, best first, and int64 row ids.

    Shape:
        scores, ids: ``(B, k)`` (``(k,)`` when ``queries`` is 1-D).

    Example:
        >>> m = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> scores, ids = topk_cosine(torch.tensor([[1.0, 0.1]]), m, 2)
        >>> ids.tolist()
        [[0, 2]]
    """
    q = _as_tensor(queries, "queries")
    m = _as_tensor(matrix, "matrix")
    if m.ndim != 2:
        raise ValueError(f"`matrix` must be 2-D (vocab, dim), got shape {tuple(m.shape)}")
    single = q.ndim == 1
    if single:
        q = q.unsqueeze(0)
    if q.ndim != 2 or q.shape[1] != m.shape[1]:
        raise ValueError(
            f"`queries` must have shape (batch, {m.shape[1]}) to match `matrix`, "
            f"got {tuple(q.shape)}"
        )
    _check_k(k, m.shape[0])
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"`chunk_size` must be a positive int or None, got {chunk_size!r}")
    q = q.to(device=m.device, dtype=torch.float32)
    m = m.to(torch.float32)
    if not normalized:
        q, m = normalize_rows(q), normalize_rows(m)
    ex = None
    if exclude is not None:
        ex = _as_tensor(exclude, "exclude").to(device=m.device, dtype=torch.long)
        ex = ex.reshape(q.shape[0], -1)
    index = FastIndex(m) if fast and m.numel() >= FAST_MIN_ELEMENTS else None
    scores, ids = search_unit(q, m, k, exclude=ex, chunk_size=chunk_size, fast_index=index)
    if single:
        return scores[0], ids[0]
    return scores, ids
