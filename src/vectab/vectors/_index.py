"""The inverted-file (IVF) index of fast search: k-means cells, a few probed per query.

:class:`FastIndex` is what ``topk_cosine(fast=True)`` and ``Vectors.most_similar_batch(fast=True)``
search; import it from :mod:`vectab.vectors.similarity`. Its scores are exact (it just scores
fewer rows), and it falls back to the exact search of :mod:`._exact` where probing cannot help.
"""

from __future__ import annotations

import math

import torch

from vectab._progress import ProgressArg, ProgressEvent, emitter
from vectab.vectors._exact import apply_exclude, by_chunks, normalize_rows, search_exact

__all__ = ["FastIndex"]

_KMEANS_ITERATIONS = 10
_KMEANS_SAMPLE = 64  # k-means training rows per cell
_NPROBE = 16  # cells probed per query without calibration
_TARGET_RECALL = 0.995  # calibration: share of sampled queries whose whole top-10 is found
_CALIBRATION_QUERIES = 512
_ASSIGN_SCORES = 2**24  # score elements per chunk when rows are assigned to cells (64 MB)


class FastIndex:
    """An inverted-file (IVF) index over a unit-normalized matrix: search a few cells, not all.

    The rows are clustered by spherical k-means (``nlist`` cells, Lloyd iterations on a seeded
    sample, so the same matrix and seed give the same index) and stored sorted by cell, one
    contiguous block per cell. A search scores the ``nlist`` centroids, probes the ``nprobe``
    best cells of each query and scores only their rows, exactly in float32, with one matrix
    product per probed cell for all the queries that probe it. The returned scores are exact;
    a true neighbour is missed only when it lies in a cell that was not probed. This is FAISS's
    ``IndexIVFFlat`` with the inner-product metric. Build once, reuse for every search.

    How many cells to probe depends on the data: real embeddings form clusters and a few cells
    hold a query's neighbours, while vectors with no structure (isotropic noise) spread them
    over every cell. So by default the index measures it: a seeded sample of rows is searched
    exactly (top-10, the row itself excluded, as ``most_similar`` does), and ``nprobe`` is
    the smallest number of cells that holds the whole exact top-10 of ``target_recall`` of
    the sample. When that needs more than an eighth of the cells, probing would cost as
    much as the exact search, so the index searches exactly (``exhaustive``).

    Args:
        unit_matrix: ``(V, D)`` float32 rows of unit norm.
        nlist: number of cells (default ``sqrt(V)``, which keeps the build to a few seconds
            for 400k x 300: assigning the rows costs ``V * nlist * D`` multiply-adds).
        nprobe: cells searched per query; None: calibrated as above (overridable per search).
        target_recall: share of sampled queries whose exact top-10 the calibrated ``nprobe``
            must find in full (None: ``nprobe`` 16, no calibration).
        iterations: Lloyd iterations of the k-means.
        seed: seed of the k-means sample, its initial centroids and the calibration sample.
        progress: ``True`` for the one renderer, or a callable receiving
            :class:`vectab._progress.ProgressEvent` values while the index is built (task
            ``"index"``, unit ``"vectors"``: ``start``, an ``update`` once the centroids are
            trained and once the rows are in their lists, ``end`` with ``nlist``, ``nprobe``
            and the calibration ``recall``).

    Attributes:
        nprobe: cells probed per query.
        recall: the share of the calibration sample whose exact top-10 ``nprobe`` cells hold
            (None without calibration).
        exhaustive: True when searches run exactly (probing would not be faster).

    Example:
        >>> from vectab.vectors.similarity import FastIndex, normalize_rows, topk_cosine
        >>> m = normalize_rows(torch.randn(1000, 8, generator=torch.Generator().manual_seed(0)))
        >>> index = FastIndex(m, nlist=10, nprobe=10)
        >>> torch.equal(index.search(m[:5], 3)[1], topk_cosine(m[:5], m, 3)[1])
        True
    """

    kind = "ivf"

    def __init__(
        self,
        unit_matrix: torch.Tensor,
        *,
        nlist: int | None = None,
        nprobe: int | None = None,
        target_recall: float | None = _TARGET_RECALL,
        iterations: int = _KMEANS_ITERATIONS,
        seed: int = 0,
        progress: ProgressArg = None,
    ) -> None:
        if target_recall is not None and not 0 < target_recall <= 1:
            raise ValueError(f"`target_recall` must be in (0, 1] or None, got {target_recall!r}")
        emit = emitter(progress)
        n_rows = unit_matrix.shape[0]
        if nlist is None:
            nlist = int(math.sqrt(n_rows))
        self.nlist = max(1, min(int(nlist), n_rows))
        self._matrix = unit_matrix
        if emit is None:
            self._build(nprobe, target_recall, iterations, seed, None)
            return
        emit(ProgressEvent("index", "start", done=0, total=n_rows, unit="vectors"))
        try:
            self._build(nprobe, target_recall, iterations, seed, emit)
        except BaseException:
            emit(ProgressEvent("index", "end", total=n_rows, unit="vectors", aborted=True))
            raise
        metrics = {"nlist": self.nlist, "nprobe": self.nprobe}
        if self.recall is not None:
            metrics["recall"] = self.recall
        emit(ProgressEvent("index", "end", done=n_rows, total=n_rows, unit="vectors",
                           metrics=metrics))

    def _build(self, nprobe, target_recall, iterations, seed, emit) -> None:
        """Train the centroids, sort the rows into their cells, calibrate ``nprobe``."""
        unit_matrix, n_rows = self._matrix, self._matrix.shape[0]
        self.centroids = _spherical_kmeans(unit_matrix, self.nlist, iterations, seed)
        if emit is not None:
            emit(ProgressEvent("index", "update", done=0, total=n_rows, unit="vectors",
                               metrics={"nlist": self.nlist}))
        cells = _assign(unit_matrix, self.centroids)
        if emit is not None:
            emit(ProgressEvent("index", "update", done=n_rows, total=n_rows, unit="vectors",
                               metrics={"nlist": self.nlist}))
        self.perm = torch.argsort(cells, stable=True)
        counts = torch.bincount(cells, minlength=self.nlist)
        self.offsets = torch.zeros(self.nlist + 1, dtype=torch.long, device=cells.device)
        self.offsets[1:] = torch.cumsum(counts, 0)
        self._sorted = unit_matrix[self.perm].contiguous()
        self._bounds = self.offsets.tolist()
        self.recall: float | None = None
        self.exhaustive = False
        if nprobe is not None:
            self.nprobe = nprobe
        elif target_recall is None:
            self.nprobe = _NPROBE
        else:
            self.nprobe, self.recall = self._calibrate(cells, target_recall, seed)
            self.exhaustive = self.nprobe > max(1, self.nlist // 8)

    def _calibrate(self, cells: torch.Tensor, target: float, seed: int) -> tuple[int, float]:
        """The fewest cells that hold the exact top-10 of ``target`` of a sample of rows."""
        n_rows = self._matrix.shape[0]
        k = min(10, n_rows - 1)
        if k < 1:
            return self.nlist, 1.0
        g = torch.Generator().manual_seed(seed + 1)
        sample = torch.randperm(n_rows, generator=g)[:_CALIBRATION_QUERIES].to(self._matrix.device)
        q = self._matrix[sample]
        _, truth = search_exact(q, self._matrix, k, exclude=sample.view(-1, 1))
        order = torch.argsort(q @ self.centroids.T, dim=1, descending=True)
        rank = torch.empty_like(order)
        rank.scatter_(1, order, torch.arange(self.nlist, device=order.device).expand_as(order))
        needed = rank.gather(1, cells[truth]).amax(dim=1) + 1  # cells to probe per query
        nprobe = int(torch.quantile(needed.double(), target, interpolation="higher"))
        return nprobe, float((needed <= nprobe).double().mean())

    def search(
        self,
        queries: torch.Tensor,
        k: int,
        *,
        exclude: torch.Tensor | None = None,
        nprobe: int | None = None,
        chunk_size: int | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Top-k rows among the probed cells of each unit query (exact where too few rows).

        Shape:
            queries: ``(B, D)``; exclude: ``(B, E)`` (-1 = nothing); returns ``(B, k)`` twice.
        """
        if nprobe is None and self.exhaustive:
            return search_exact(queries, self._matrix, k, exclude=exclude, chunk_size=chunk_size)
        nprobe = min(self.nlist, nprobe or self.nprobe)
        return by_chunks(queries, exclude, chunk_size or 4096, k,
                          lambda q, ex: self._search_chunk(q, k, ex, nprobe))

    def _search_chunk(self, q, k, ex, nprobe):
        b = q.shape[0]
        kk = k + (0 if ex is None else ex.shape[1])  # room for excluded rows
        probe = torch.topk(q @ self.centroids.T, nprobe, dim=1).indices.reshape(-1)  # (b*p,)
        pair_query = torch.arange(b, device=q.device).repeat_interleave(nprobe)
        order = torch.argsort(probe, stable=True)
        cell_counts = torch.bincount(probe, minlength=self.nlist).tolist()
        best = torch.full((b * nprobe, kk), float("-inf"), device=q.device)
        best_ids = torch.full((b * nprobe, kk), -1, dtype=torch.long, device=q.device)
        threads = torch.get_num_threads()
        if not q.is_cuda:  # many small products: thread hand-offs cost more than they give
            torch.set_num_threads(1)
        try:
            self._score_cells(q, order, pair_query, cell_counts, kk, best, best_ids)
        finally:
            torch.set_num_threads(threads)
        best = best.view(b, nprobe * kk)
        best_ids = best_ids.view(b, nprobe * kk)
        valid = best_ids >= 0
        best_ids = torch.where(valid, self.perm[best_ids.clamp(min=0)], -1)
        if ex is not None:
            apply_exclude(best, ex, best_ids)
        if nprobe * kk < k:  # cannot hold k rows: search exactly
            return search_exact(q, self._matrix, k, exclude=ex)
        top, where = torch.topk(best, k, dim=1)
        ids = best_ids.gather(1, where)
        missing = torch.isinf(top[:, -1])
        if missing.any():  # fewer than k rows in the probed cells: search those queries exactly
            rows = missing.nonzero().squeeze(1)
            ex_rows = None if ex is None else ex[rows]
            top[rows], ids[rows] = search_exact(q[rows], self._matrix, k, exclude=ex_rows)
        return top, ids

    def _score_cells(self, q, order, pair_query, cell_counts, kk, best, best_ids) -> None:
        """Exact scores of every probed cell: one product per cell for the queries probing it."""
        bounds, pos = self._bounds, 0
        for cell, count in enumerate(cell_counts):
            if count == 0:
                continue
            pairs = order[pos : pos + count]
            pos += count
            lo, hi = bounds[cell], bounds[cell + 1]
            if hi == lo:  # an empty cell
                continue
            scores = q[pair_query[pairs]] @ self._sorted[lo:hi].T
            t = min(kk, hi - lo)
            top, where = torch.topk(scores, t, dim=1)
            best[pairs, :t] = top
            best_ids[pairs, :t] = where + lo


def _spherical_kmeans(unit: torch.Tensor, nlist: int, iterations: int, seed: int) -> torch.Tensor:
    """``nlist`` unit centroids from Lloyd iterations on a seeded sample of the rows."""
    g = torch.Generator().manual_seed(seed)
    n_rows = unit.shape[0]
    n_train = min(n_rows, _KMEANS_SAMPLE * nlist)
    sample = unit[torch.randperm(n_rows, generator=g)[:n_train].to(unit.device)]
    centroids = sample[:nlist].clone()
    for _ in range(iterations):
        cells = _assign(sample, centroids)
        sums = torch.zeros_like(centroids).index_add_(0, cells, sample)
        filled = torch.bincount(cells, minlength=nlist) > 0  # an empty cell keeps its centroid
        centroids = torch.where(filled.unsqueeze(1), normalize_rows(sums), centroids)
    return centroids


def _assign(rows: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """The best centroid of every row (by inner product), in chunks of the score matrix."""
    step = max(1, _ASSIGN_SCORES // max(centroids.shape[0], 1))
    out = [
        torch.argmax(rows[i : i + step] @ centroids.T, dim=1) for i in range(0, rows.shape[0], step)
    ]
    return torch.cat(out) if out else torch.empty(0, dtype=torch.long, device=rows.device)
