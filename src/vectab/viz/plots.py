"""A labelled scatter plot of word vectors (matplotlib): groups in colours, analogy arrows."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vectab._checks import check_bool, check_float, check_int, check_seed
from vectab._fileio import atomic_path
from vectab._progress import ProgressArg
from vectab.viz._inputs import (
    GroupsArg,
    StopwordsArg,
    WordsArg,
    auto_clusters,
    importance,
    is_stopword,
    normalize_groups,
    require,
    stopword_set,
    words_for,
)
from vectab.viz.projection import project

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot", "place_labels", "DEFAULT_TOP"]

DEFAULT_TOP = 100
MAX_OFFSET = 2.5  # label heights: the farthest a label may sit from its point (then dropped)
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
IMAGE_FORMATS = ("png", "svg", "pdf")
OTHER = "other"


def _candidates(w: float, h: float, r: float, rings: int) -> np.ndarray:
    """Label-centre offsets around a point, nearest first: the 8 spots touching it, then rings."""
    dx, dy = w / 2 + r, h / 2 + r
    near = [(dx, 0), (-dx, 0), (0, dy), (0, -dy), (dx, dy), (-dx, dy), (dx, -dy), (-dx, -dy)]
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)[None, :]
    k = np.arange(1, rings + 1, dtype=np.float64)[:, None] * h  # ring after ring, 24 spots each
    far = np.column_stack(
        [(np.cos(angles) * (dx + k)).ravel(), (np.sin(angles) * (dy + k)).ravel()]
    )
    return np.vstack([np.array(near, dtype=np.float64), far])


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    point_radius: float = 4.0,
    gap: float = 2.0,
    rings: int = 30,
    order: np.ndarray | None = None,
    max_offset: float | None = None,
) -> np.ndarray:
    """Find label centres near their points so that labels overlap neither each other nor points.

    Greedy, in display units (pixels): labels are placed one after the other (isolated points
    first, or in ``order``), each at the nearest free spot among the 8 spots touching its point
    and then rings further out; a label with no free spot within ``rings`` label heights takes
    the spot with the least overlap. One vectorized test per label: fast for thousands of labels.

    With ``max_offset`` a label is never put farther than that from its point (the gap between
    the point and the label's box) and never on another label: it may cover other points when
    no spot is free of them, and is dropped (its row is NaN) when no spot is free of labels.

    Args:
        anchors: ``(n, 2)`` point positions.
        sizes: ``(n, 2)`` label widths and heights.
        bounds: ``(x0, y0, x1, y1)`` box the labels must stay in, or None.
        point_radius: half the size of the box each point occupies.
        gap: extra space kept around each label.
        rings: how far out (in label heights) to look for a free spot.
        order: the order to place labels in (most important first); default isolated first.
        max_offset: the farthest a label's box may be from its point, or None (no bound, no
            label dropped).

    Returns:
        ``(n, 2)`` label centres (NaN rows: labels dropped under ``max_offset``).

    Example:
        >>> import numpy as np
        >>> anchors = np.zeros((3, 2))  # three points at the same place
        >>> sizes = np.array([[40.0, 10.0]] * 3)
        >>> c = place_labels(anchors, sizes, gap=0.0)
        >>> apart = (np.abs(c[:, None] - c[None]) >= sizes[0] - 1e-9).any(axis=2)
        >>> bool(apart[np.triu_indices(3, 1)].all())
        True
    """
    anchors = np.asarray(anchors, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64) + gap
    n = len(anchors)
    centres = np.zeros_like(anchors)
    if n == 0:
        return centres
    half_points = np.full(2, point_radius)
    # isolated points first: crowded ones then search around what is already placed
    if order is None:
        d = np.linalg.norm(anchors[:, None] - anchors[None], axis=2) if n <= 1500 else None
        order = (
            np.argsort(-np.sort(d, axis=1)[:, min(1, n - 1)], kind="stable")
            if d is not None
            else np.arange(n)
        )
    else:
        order = np.asarray(order, dtype=np.int64)
    if max_offset is not None:
        centres[:] = np.nan
    all_lo = np.zeros((n, 2))  # boxes placed so far: rows order[:k]
    all_hi = np.zeros((n, 2))
    point_lo, point_hi = anchors - half_points, anchors + half_points
    max_half = sizes.max(axis=0) / 2
    for k, i in enumerate(order):
        half = sizes[i] / 2
        cand = anchors[i] + _candidates(sizes[i, 0], sizes[i, 1], point_radius + gap, rings)
        if max_offset is not None:
            cand = cand[_box_gap(cand, half, anchors[i]) <= max_offset + 1e-9]
        if bounds is not None:
            x0, y0, x1, y1 = bounds
            inside = (
                (cand[:, 0] - half[0] >= x0)
                & (cand[:, 0] + half[0] <= x1)
                & (cand[:, 1] - half[1] >= y0)
                & (cand[:, 1] + half[1] <= y1)
            )
            if inside.any():
                cand = cand[inside]
        # only obstacles that can touch a candidate matter
        reach = np.abs(cand - anchors[i]).max(axis=0) + half + max_half + half_points
        placed = order[:k]
        near_placed = placed[
            (np.abs((all_lo[placed] + all_hi[placed]) / 2 - anchors[i]) <= reach).all(axis=1)
        ]
        near_points = np.flatnonzero((np.abs(anchors - anchors[i]) <= reach).all(axis=1))
        obstacles_lo = np.vstack([all_lo[near_placed], point_lo[near_points]])
        obstacles_hi = np.vstack([all_hi[near_placed], point_hi[near_points]])
        if max_offset is not None:
            best = _bounded_spot(
                cand, half, obstacles_lo, obstacles_hi, len(near_placed), near_points == i
            )
            if best is not None:
                centres[i] = best
                all_lo[i], all_hi[i] = best - half, best + half
            else:  # dropped: an empty box far away that no candidate can touch
                all_lo[i] = all_hi[i] = np.inf
            continue
        best = None
        for part in (slice(0, 8), slice(0, None)):  # the touching spots first, then everything
            lo, hi = cand[part] - half, cand[part] + half
            inter = np.minimum(hi[:, None], obstacles_hi[None]) - np.maximum(
                lo[:, None], obstacles_lo[None]
            )
            cost = np.clip(inter, 0, None).prod(axis=2).sum(axis=1)
            free = np.flatnonzero(cost == 0)
            if len(free):
                best = cand[part][free[0]]
                break
        if best is None:
            best = cand[int(np.argmin(cost))]
        centres[i] = best
        all_lo[i], all_hi[i] = best - half, best + half
    return centres


def _box_gap(centres: np.ndarray, half: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Distance from ``point`` to each box (centre, half size): 0 when inside."""
    return np.hypot(*np.clip(np.abs(centres - point) - half, 0, None).T)


def _bounded_spot(
    cand: np.ndarray,
    half: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    n_labels: int,
    own: np.ndarray,
) -> np.ndarray | None:
    """The first candidate free of labels and points, else the first free of labels (it may
    cover other points, never its own), else None. ``lo``/``hi``: labels first, then points."""
    if len(cand) == 0:
        return None
    c_lo, c_hi = cand - half, cand + half
    inter = np.minimum(c_hi[:, None], hi[None]) - np.maximum(c_lo[:, None], lo[None])
    touch = (inter > 1e-9).all(axis=2)
    on_labels = touch[:, :n_labels].any(axis=1)
    on_points = touch[:, n_labels:].any(axis=1)
    on_own = touch[:, n_labels:][:, own].any(axis=1)
    for ok in (~on_labels & ~on_points, ~on_labels & ~on_own):
        free = np.flatnonzero(ok)
        if len(free):
            return cand[free[0]]
    return None


def _check_analogies(analogies: Any) -> list[tuple[str, ...]]:
    if analogies is None:
        return []
    out = []
    for quad in analogies:
        if isinstance(quad, str) or len(quad) != 4:
            raise ValueError(
                "`analogies` must be a list of (a, b, c, d) word tuples such as "
                f"('man', 'king', 'woman', 'queen'), got {quad!r}"
            )
        out.append(tuple(str(w) for w in quad))
    return out


def _renderer(fig: Any) -> Any:
    try:
        return fig.canvas.get_renderer()
    except AttributeError:  # a canvas without one (e.g. a fresh FigureCanvasBase)
        return fig._get_renderer()


def _annotate(
    ax: Any,
    words: list[str],
    xy: np.ndarray,
    fontsize: float,
    ranks: np.ndarray,
    skip: np.ndarray,
) -> None:
    """Write the words beside their points: the most important first (lowest ``ranks``), each
    at the nearest spot free of other labels within `MAX_OFFSET` label heights; a word with no
    such spot, or one of ``skip`` (stop words), is left unlabelled. A label that is not touching
    its point gets a short leader line to the nearest side of its box."""
    fig = ax.figure
    keep = np.flatnonzero(~skip)
    # a pale box keeps a label readable over other points (and the text stays text in SVG)
    halo = {"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.7}
    texts = {
        i: ax.text(
            xy[i, 0],
            xy[i, 1],
            words[i],
            fontsize=fontsize,
            ha="center",
            va="center",
            zorder=4,
        )
        for i in keep
    }
    if not texts:
        return
    renderer = _renderer(fig)
    extents = [texts[i].get_window_extent(renderer) for i in keep]
    sizes = np.array([[e.width, e.height] for e in extents])
    to_px = ax.transData
    anchors = to_px.transform(xy[keep])
    box = ax.get_window_extent(renderer)
    line_height = float(sizes[:, 1].max())
    centres = place_labels(
        anchors,
        sizes,
        bounds=(box.x0, box.y0, box.x1, box.y1),
        order=np.argsort(ranks[keep], kind="stable"),
        max_offset=MAX_OFFSET * line_height,
    )
    for row, i in enumerate(keep):
        t, centre, point = texts[i], centres[row], anchors[row]
        if np.isnan(centre).any():
            t.remove()
            continue
        t.set_position(tuple(to_px.inverted().transform(centre)))
        t.set_bbox(halo)  # after measuring: the box pad is inside place_labels' gap
        half = (sizes[row] + 2.0) / 2  # place_labels' gap
        near = np.clip(point, centre - half, centre + half)  # the box's nearest point
        if np.hypot(*(near - point)) > 9.0:  # farther than the 8 spots touching the point
            line = to_px.inverted().transform(np.vstack([point, near]))
            ax.plot(line[:, 0], line[:, 1], color="0.55", lw=0.5, zorder=1)


def plot(
    vectors: Any,
    words: WordsArg = None,
    *,
    method: str = "pca",
    groups: GroupsArg = None,
    analogies: Sequence[tuple[str, str, str, str]] | None = None,
    annotate: bool = True,
    ax: Any = None,
    figsize: tuple[float, float] = (10.0, 8.0),
    title: str | None = None,
    out: str | os.PathLike[str] | None = None,
    seed: int = 0,
    perplexity: float | None = None,
    fontsize: float = 8.0,
    progress: ProgressArg = None,
    stopwords: StopwordsArg = None,
    clusters: int | None = None,
) -> Figure:
    """Draw word vectors in 2-D: a labelled scatter plot, groups in colours, analogy arrows.

    No peer library draws word vectors any more (gensim removed ``gensim.viz`` in 4.0); this is
    the PCA/t-SNE picture of the Keras and gensim tutorials in one call. Uses matplotlib's Agg
    renderer only (no window, no pyplot state).

    Args:
        vectors: a `vectab.vectors.Vectors`, or a ``(words, matrix)`` pair.
        words: a list of words, an int N (the N first, i.e. most frequent, words that are not
            stop words) or None: the words of ``groups`` and ``analogies`` when given, else the
            first 100 (stop words skipped).
        method: ``"pca"``, ``"tsne"`` or ``"umap"`` (see `vectab.viz.project`).
        groups: ``{word: group}``, ``{group: [words]}`` or a list of word lists; each group gets
            a colour and a legend entry, other words are grey.
        analogies: ``(a, b, c, d)`` tuples drawn as arrows a -> b and c -> d in one colour, e.g.
            ``("man", "king", "woman", "queen")``; their words are added to the plot.
        annotate: write words beside their points: the most frequent first (the vectors'
            row order), each at the nearest spot that overlaps no other label, within 2.5
            label heights of its point (a short leader line when not touching it); words with
            no such spot, and stop words, stay unlabelled (so 1,000 words stay readable).
        ax: a matplotlib Axes to draw into; default a new Figure.
        figsize: size in inches of the new Figure.
        title: the title; default names the method and the number of words.
        out: also save the figure there (format from the suffix: .png, .svg or .pdf), atomically.
        seed: random seed of t-SNE / UMAP.
        perplexity: t-SNE perplexity (clipped for few points).
        progress: reports of the projection (see `vectab.viz.projection.project`).
        fontsize: label size in points.
        stopwords: words never labelled nor picked by a count ``words=N``: None (default)
            the built-in English list `vectab.viz._inputs.STOPWORDS` (plus punctuation
            tokens), False or ``[]`` none, or your own list (case-insensitive).
        clusters: without ``groups``, colour the words by k-means clusters of their vectors
            (cosine, seeded by ``seed``): None picks ``k = sqrt(n / 10)`` (2 to 12) from 50 words
            on; an int k sets it; 0 or 1: one colour.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        ValueError: bad ``method``, ``analogies`` or ``out`` suffix; fewer than 2 words.
        vectab.errors.OutOfVocabularyError: a requested word is not in the vectors.
        ImportError: matplotlib (or the t-SNE/UMAP package) is missing:
            ``pip install "vectab[viz]"``.

    Example:
        >>> import numpy as np
        >>> words = ["king", "queen", "man", "woman"]
        >>> m = np.array([[1.0, 1, 0], [1.0, 0, 1], [0, 1.0, 0.1], [0, 0.1, 1.0]])
        >>> fig = plot((words, m), analogies=[("man", "king", "woman", "queen")])
        >>> fig.axes[0].get_title()
        '4 words, PCA'
    """
    require("matplotlib", purpose="plot()")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fmt = None
    if out is not None:
        fmt = Path(out).suffix.lower().lstrip(".")
        if fmt not in IMAGE_FORMATS:
            raise ValueError(
                "`out` must end in .png, .svg or .pdf (the format comes from the suffix), got "
                f"{str(out)!r}"
            )
    quads = _check_analogies(analogies)
    check_int(clusters, "clusters", minimum=0, allow_none=True)
    check_bool(annotate, "annotate")
    check_float(fontsize, "fontsize", minimum=0, min_open=True)
    check_seed(seed)
    stop = stopword_set(stopwords)
    word_to_group, group_names = normalize_groups(groups)
    analogy_words = [w for quad in quads for w in quad]
    chosen = words_for(
        vectors,
        words,
        default=list(word_to_group),
        required=analogy_words,
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
    xy = proj.coords

    if ax is None:
        fig = Figure(figsize=figsize, dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    fig = ax.figure

    ranks = importance(vectors, proj.words)
    cluster_ids = None if group_names else auto_clusters(proj.vectors, ranks, clusters, seed=seed)
    labels = [word_to_group.get(w, OTHER) for w in proj.words]
    if OTHER in labels and group_names:
        group_names = [*group_names, OTHER]
    palette = _palette(len(group_names) - (OTHER in group_names)) + ["0.6"]
    if cluster_ids is not None:  # no legend: a cluster is its colour
        colours = _palette(int(cluster_ids.max()) + 1)
        for c, colour in enumerate(colours):
            sel = cluster_ids == c
            ax.scatter(xy[sel, 0], xy[sel, 1], s=14, color=colour, zorder=3)
    elif group_names:
        for name, colour in zip(group_names, palette):
            sel = np.array([lab == name for lab in labels])
            if sel.any():
                ax.scatter(xy[sel, 0], xy[sel, 1], s=18, color=colour, label=name, zorder=3)
    else:
        ax.scatter(xy[:, 0], xy[:, 1], s=14, color="tab:blue", zorder=3)

    pad = 0.08 * (xy.max(axis=0) - xy.min(axis=0) + 1e-9)
    ax.set_xlim(xy[:, 0].min() - pad[0], xy[:, 0].max() + pad[0])
    ax.set_ylim(xy[:, 1].min() - pad[1], xy[:, 1].max() + pad[1])

    index = {w: i for i, w in enumerate(proj.words)}
    arrow_colours = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
    for k, (a, b, c, d) in enumerate(quads):
        colour = arrow_colours[k % len(arrow_colours)]
        for src, dst in ((a, b), (c, d)):
            ax.annotate(
                "",
                xy=xy[index[dst]],
                xytext=xy[index[src]],
                zorder=2,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": colour,
                    "lw": 1.4,
                    "shrinkA": 4,
                    "shrinkB": 4,
                },
            )
        ax.plot([], [], color=colour, lw=1.4, label=f"{a} → {b}  ≈  {c} → {d}")

    if annotate:
        skip = np.array([is_stopword(w, stop) for w in proj.words], dtype=bool)
        _annotate(ax, proj.words, xy, fontsize, ranks, skip)
    if group_names or quads:
        ax.legend(loc="best", fontsize=fontsize + 1, framealpha=0.85)
    name = METHOD_NAMES[proj.method]
    ax.set_title(title if title is not None else f"{len(proj.words)} words, {name}")
    ax.set_xlabel(f"{name} 1")
    ax.set_ylabel(f"{name} 2")
    ax.set_xticks([])
    ax.set_yticks([])

    if out is not None:
        with atomic_path(out) as tmp:
            fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight")
    return fig


def _palette(n: int) -> list[Any]:
    from matplotlib import colormaps

    if n <= 10:
        cmap = colormaps["tab10"]
        return [cmap(i) for i in range(n)]
    cmap = colormaps["tab20"] if n <= 20 else colormaps["hsv"]
    return [cmap(i / max(n, 1)) if n > 20 else cmap(i) for i in range(n)]
