"""One self-contained interactive page of a word-vector projection (inline SVG + JS, no network)."""

from __future__ import annotations

import html
import json
import os
import re
from typing import Any

import numpy as np

from vectab._checks import check_int
from vectab._fileio import atomic_write
from vectab._progress import ProgressArg
from vectab.viz._inputs import (
    GroupsArg,
    StopwordsArg,
    WordsArg,
    auto_clusters,
    importance,
    is_stopword,
    normalize_groups,
    stopword_set,
    words_for,
)
from vectab.viz._page import PAGE
from vectab.viz.projection import project

__all__ = ["to_html", "nearest_neighbors", "DEFAULT_TOP"]

DEFAULT_TOP = 1000
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
# matplotlib's tab10, so the page and the PNG colour groups alike; grey for "other"
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a",
]  # fmt: skip
OTHER_COLOUR = "#9a9a9a"


def nearest_neighbors(
    matrix: np.ndarray, k: int, *, chunk: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine top-``k`` neighbours of every row among the other rows (brute force, in chunks).

    Shape:
        - matrix: ``(n, dim)``
        - output: ids ``(n, k)`` int64 and similarities ``(n, k)``, best first.

    Example:
        >>> import numpy as np
        >>> ids, sims = nearest_neighbors(np.array([[1.0, 0], [0.9, 0.1], [0, 1.0]]), 1)
        >>> ids[:, 0].tolist()
        [1, 0, 1]
    """
    n = matrix.shape[0]
    k = min(k, n - 1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    ids = np.zeros((n, max(k, 0)), dtype=np.int64)
    sims = np.zeros((n, max(k, 0)), dtype=np.float32)
    if k <= 0:
        return ids, sims
    for start in range(0, n, chunk):
        block = unit[start : start + chunk] @ unit.T
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -np.inf  # a word is not its own neighbour
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(block, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        ids[start : start + chunk] = top
        sims[start : start + chunk] = np.take_along_axis(block, top, axis=1)
    return ids, sims


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>', '&' or line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def to_html(
    vectors: Any,
    words: WordsArg = None,
    *,
    method: str = "pca",
    groups: GroupsArg = None,
    neighbors: int = 10,
    out: str | os.PathLike[str] | None = None,
    title: str | None = None,
    seed: int = 0,
    perplexity: float | None = None,
    progress: ProgressArg = None,
    stopwords: StopwordsArg = None,
    clusters: int | None = None,
) -> str:
    """Build one interactive HTML page of the projected words.

    The page is a single file with inline SVG and JavaScript: no server, no CDN, no network.
    Hovering a point shows its word; the search box (case-insensitive, it lists the words that
    start with what is typed, the most frequent first) highlights a word and its nearest
    neighbours (cosine similarity in the original space, computed here and embedded, listed in
    the side panel); the mouse wheel zooms and dragging pans; groups have colours and a legend
    (without groups: k-means clusters, named by their most frequent words). The most frequent
    words are labelled at every zoom: as many as fit without overlap, about one per 14,000
    square pixels of the screen, so zooming in labels more words of the region shown.
    TensorBoard's Embedding Projector is the closest peer (see `export_projector`).

    Args:
        vectors: a `vectab.vectors.Vectors`, or a ``(words, matrix)`` pair.
        words: a list of words, an int N (the N first, i.e. most frequent, words that are not
            stop words) or None: the words of ``groups`` when given, else the first 1000
            (stop words skipped).
        method: ``"pca"``, ``"tsne"`` or ``"umap"`` (see `vectab.viz.project`).
        groups: ``{word: group}``, ``{group: [words]}`` or a list of word lists.
        neighbors: how many nearest neighbours (among the drawn words) the search shows; 0: none.
        out: also write the page there (atomically).
        title: the page title; default names the method and the number of words.
        seed: random seed of t-SNE / UMAP.
        perplexity: t-SNE perplexity (clipped for few points).
        progress: reports of the projection (see `vectab.viz.projection.project`).
        stopwords: words never labelled automatically (searching still finds them) nor picked
            by a count ``words=N``: None (default) the built-in English list, False or ``[]``
            none, or your own list (see `vectab.viz.plot`).
        clusters: without ``groups``, colour the words by k-means clusters of their vectors:
            None picks ``k = sqrt(n / 10)`` (2 to 12) from 50 words on; an int k sets it; 0 or
            1: one colour.

    Returns:
        The page as a string.

    Raises:
        ValueError: bad ``method`` or ``neighbors``; fewer than 2 words.
        vectab.errors.OutOfVocabularyError: a requested word is not in the vectors.
        ImportError: t-SNE / UMAP without their package: ``pip install "vectab[viz]"``.

    Example:
        >>> import numpy as np
        >>> page = to_html((["cat", "dog", "</script>"], np.eye(3)), neighbors=1)
        >>> page.startswith("<!DOCTYPE html>"), page.count("</script>")  # the page's own two
        (True, 2)
    """
    check_int(neighbors, "neighbors", minimum=0)
    check_int(clusters, "clusters", minimum=0, allow_none=True)
    stop = stopword_set(stopwords)
    word_to_group, group_names = normalize_groups(groups)
    chosen = words_for(
        vectors,
        words,
        default=list(word_to_group),
        required=[],
        default_top=DEFAULT_TOP,
        stop=stop,
    )
    proj = project(
        vectors,
        chosen,
        method=method,
        n_components=2,
        seed=seed,
        perplexity=perplexity,
        progress=progress,
    )
    ids, sims = nearest_neighbors(proj.vectors, int(neighbors))

    xy = proj.coords
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    scale = float((hi - lo).max()) or 1.0
    unit = (xy - (lo + hi) / 2) / scale + 0.5  # in [0, 1], aspect ratio kept

    ranks = importance(vectors, proj.words)
    by_rank = np.argsort(ranks, kind="stable")
    imp = np.empty(len(ranks), dtype=np.int64)
    imp[by_rank] = np.arange(len(ranks))  # 0: the most frequent word
    labelable = [int(i) for i in by_rank if not is_stopword(proj.words[i], stop)]
    cluster_ids = None if group_names else auto_clusters(proj.vectors, ranks, clusters, seed=seed)
    if cluster_ids is not None:  # each cluster named by its 3 most frequent words
        group_names = [
            ", ".join([proj.words[i] for i in labelable if cluster_ids[i] == c][:3])
            or f"cluster {c + 1}"
            for c in range(int(cluster_ids.max()) + 1)
        ]
        word_to_group = {w: group_names[c] for w, c in zip(proj.words, cluster_ids)}
    labels = [word_to_group.get(w) for w in proj.words]
    if group_names and any(lab is None for lab in labels):
        group_names = [*group_names, "other"]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(group_names))]
    if group_names and group_names[-1] == "other" and "other" not in word_to_group.values():
        colours[-1] = OTHER_COLOUR
    position = {name: i for i, name in enumerate(group_names)}
    name = METHOD_NAMES[proj.method]
    title = title if title is not None else f"{len(proj.words)} words, {name}"
    data = {
        "words": proj.words,
        "x": np.round(unit[:, 0], 5).tolist(),
        "y": np.round(unit[:, 1], 5).tolist(),
        "group": [
            position[lab if lab is not None else "other"] if group_names else -1 for lab in labels
        ],
        "groups": group_names,
        "colors": colours,
        "nbrs": ids.tolist(),
        "sims": np.round(sims.astype(np.float64), 3).tolist(),
        "method": name,
        "notes": list(proj.notes),
        "imp": imp.tolist(),
        "order": labelable,
        "clustered": cluster_ids is not None,
    }
    parts = {"TITLE": html.escape(title), "DATA": _script_json(data)}
    page = re.sub(r"/\*VECTAB_(TITLE|DATA)\*/", lambda m: parts[m.group(1)], PAGE)
    if out is not None:
        with atomic_write(out, "w", newline="\n") as f:
            f.write(page)
    return page
