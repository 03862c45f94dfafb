"""Project word vectors to 2 or 3 dimensions: PCA (numpy SVD), t-SNE (scikit-learn), UMAP."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from vectab._checks import check_bool, check_choice, check_float, check_int, check_seed
from vectab._progress import ProgressArg, ProgressEvent, emitter
from vectab.viz._inputs import WordsArg, require, select

__all__ = ["Projection", "project", "METHODS"]

METHODS = ("pca", "tsne", "umap")


@dataclass(frozen=True)
class Projection:
    """The result of `project`: one low-dimensional point per word.

    Attributes:
        words: the projected words, in row order of ``coords``.
        coords: ``(n, n_components)`` float64 coordinates.
        method: ``"pca"``, ``"tsne"`` or ``"umap"``.
        vectors: the ``(n, dim)`` float64 rows that were projected (after normalization when
            ``normalize=True``); the pictures use them to find true nearest neighbours.
        notes: adjustments made on the way (e.g. a perplexity clipped for few points).

    Shape:
        - coords: ``(n, n_components)``
        - vectors: ``(n, dim)``
    """

    words: list[str]
    coords: np.ndarray
    method: str
    vectors: np.ndarray
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.words)


def pca(matrix: np.ndarray, n_components: int) -> np.ndarray:
    """Principal components of the rows of ``matrix`` through an SVD (same as sklearn's PCA).

    Signs are fixed like scikit-learn's ``svd_flip``: in each component the loading with the
    largest absolute value is positive, so the result does not depend on the LAPACK build.

    Shape:
        - matrix: ``(n, dim)``
        - output: ``(n, n_components)``

    Example:
        >>> import numpy as np
        >>> x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]])
        >>> np.round(pca(x, 1)[:, 0], 2) + 0.0
        array([-2.,  0.,  2.])
    """
    centered = matrix - matrix.mean(axis=0, keepdims=True)
    u, s, vt = np.linalg.svd(centered, full_matrices=False)
    # Axes beyond the rank of the centred data carry no variance: their coordinates are exactly
    # 0 (rounding noise of ~1e-17 would otherwise be stretched by a later plot's autoscale).
    tol = (
        (s.max(initial=0.0) * max(centered.shape) * np.finfo(centered.dtype).eps) if s.size else 0.0
    )
    s = np.where(s > tol, s, 0.0)
    k = min(n_components, vt.shape[0])
    signs = np.sign(vt[np.arange(k), np.argmax(np.abs(vt[:k]), axis=1)])
    signs[signs == 0] = 1.0
    coords = u[:, :k] * (s[:k] * signs)
    if k < n_components:  # fewer points than components: the extra axes carry no variance
        coords = np.hstack([coords, np.zeros((coords.shape[0], n_components - k))])
    return coords


def _tsne(
    matrix: np.ndarray, n_components: int, seed: int, perplexity: float | None,
    metrics: dict[str, float],
) -> tuple[np.ndarray, list[str]]:
    manifold = require("sklearn.manifold", package="scikit-learn", purpose="t-SNE")
    n = matrix.shape[0]
    notes = []
    wanted = 30.0 if perplexity is None else float(perplexity)
    # scikit-learn needs perplexity < n; about n/3 keeps the neighbourhoods meaningful.
    limit = max(1.0, (n - 1) / 3.0)
    if wanted > limit:
        notes.append(
            f"perplexity {wanted:g} clipped to {limit:.3g} for {n} points (it must be < n)"
        )
        wanted = limit
    tsne = manifold.TSNE(
        n_components=n_components,
        perplexity=wanted,
        init="pca",
        learning_rate="auto",
        random_state=seed,
        method="barnes_hut" if n_components < 4 else "exact",
    )
    if n >= 2000:
        coords = tsne.fit_transform(matrix)
    else:
        # Few points: OpenMP threads only add spin-waiting (20x slower on a busy 2-core machine).
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            coords = tsne.fit_transform(matrix)
    metrics["kl_divergence"] = float(tsne.kl_divergence_)
    metrics["iterations"] = int(getattr(tsne, "n_iter_", 0))
    return coords, notes


def _umap(matrix: np.ndarray, n_components: int, seed: int) -> tuple[np.ndarray, list[str]]:
    umap = require("umap", package="umap-learn", purpose="UMAP")
    n = matrix.shape[0]
    notes = []
    n_neighbors = 15
    if n_neighbors >= n:
        n_neighbors = max(2, n - 1)
        notes.append(f"n_neighbors 15 lowered to {n_neighbors} for {n} points")
    reducer = umap.UMAP(
        n_components=n_components,
        n_neighbors=n_neighbors,
        random_state=seed,
        init="spectral" if n > n_components + 1 else "random",
    )
    with warnings.catch_warnings():  # "n_jobs overridden by setting random_state": expected
        warnings.filterwarnings("ignore", message=".*n_jobs value.*", category=UserWarning)
        coords = reducer.fit_transform(matrix)
    return np.asarray(coords, dtype=np.float64), notes


def project(
    vectors: Any,
    words: WordsArg = None,
    *,
    method: str = "pca",
    n_components: int = 2,
    seed: int = 0,
    perplexity: float | None = None,
    normalize: bool = True,
    progress: ProgressArg = None,
) -> Projection:
    """Project word vectors to 2-D or 3-D for drawing.

    PCA runs on numpy alone (an SVD, the same numbers as ``sklearn.decomposition.PCA`` up to
    float rounding). t-SNE uses ``sklearn.manifold.TSNE`` (PCA init, ``learning_rate="auto"``);
    UMAP uses ``umap-learn``. Both come with ``pip install "vectab[viz]"``.

    Args:
        vectors: a `vectab.vectors.Vectors`, or a ``(words, matrix)`` pair.
        words: the words to project: a list, an int N (the first N rows: the N most frequent
            words of a frequency-sorted file), or None for every word.
        method: ``"pca"``, ``"tsne"`` or ``"umap"``.
        n_components: 2 or 3.
        seed: random seed of t-SNE / UMAP (PCA is deterministic).
        perplexity: t-SNE perplexity (default 30); clipped to ``(n - 1) / 3`` for few points,
            with a note in ``Projection.notes``.
        normalize: scale every vector to unit length first, so that distances in the picture
            follow cosine similarity (how word vectors are compared). Default True.
        progress: ``True`` for the one renderer, or a callable receiving
            :class:`vectab._progress.ProgressEvent` values: task ``"PCA"``, ``"t-SNE"`` or
            ``"UMAP"``, a ``start`` and an ``end`` event counting the points projected (the
            end of a t-SNE carries its ``kl_divergence`` and ``iterations``).

    Returns:
        A `Projection` with ``words``, ``coords`` ``(n, n_components)``, ``method`` and ``notes``.

    Raises:
        ValueError: unknown method, ``n_components`` not 2 or 3, fewer than 2 words, or fewer
            dimensions than components.
        vectab.errors.OutOfVocabularyError: a requested word is not in the vectors.
        ImportError: t-SNE / UMAP without their package (the message names the extra).

    Example:
        >>> import numpy as np
        >>> words = ["a", "b", "c", "d"]
        >>> m = np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 1.0, 0], [0, 0, 1.0]])
        >>> p = project((words, m), method="pca")
        >>> p.words, p.coords.shape, p.method
        (['a', 'b', 'c', 'd'], (4, 2), 'pca')
    """
    check_choice(method, "method", METHODS)
    check_int(n_components, "n_components", minimum=2, maximum=3, fix=" Pass 2 or 3.")
    check_float(perplexity, "perplexity", minimum=0, min_open=True, allow_none=True)
    check_seed(seed)
    check_bool(normalize, "normalize")
    emit = emitter(progress)
    chosen, matrix = select(vectors, words)
    if len(chosen) < 2:
        raise ValueError(
            f"`words` must name at least 2 words to project, got {len(chosen)}: {chosen}"
        )
    if matrix.shape[1] < n_components:
        raise ValueError(
            f"`n_components`={n_components} is more than the vectors' {matrix.shape[1]} dimensions"
        )
    if not np.isfinite(matrix).all():
        bad = [chosen[i] for i in np.flatnonzero(~np.isfinite(matrix).all(axis=1))[:5]]
        raise ValueError(f"the vectors of {bad} contain NaN or inf; they cannot be projected")
    if normalize:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = matrix / np.where(norms > 0, norms, 1.0)
    notes: list[str] = []
    metrics: dict[str, float] = {}
    task, n = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}[method], len(chosen)
    if emit is not None:
        emit(ProgressEvent(task, "start", done=0, total=n, unit="points"))
    try:
        if method == "pca":
            coords = pca(matrix, n_components)
        elif method == "tsne":
            coords, notes = _tsne(matrix, n_components, seed, perplexity, metrics)
        else:
            coords, notes = _umap(matrix, n_components, seed)
    except BaseException:
        if emit is not None:
            emit(ProgressEvent(task, "end", done=0, total=n, unit="points", aborted=True))
        raise
    if emit is not None:
        emit(ProgressEvent(task, "end", done=n, total=n, unit="points", metrics=metrics))
    return Projection(
        words=chosen,
        coords=np.asarray(coords, dtype=np.float64),
        method=method,
        vectors=matrix,
        notes=tuple(notes),
    )
