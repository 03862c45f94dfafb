"""A labelled scatter plot of word vectors (matplotlib): groups in colours, analogy arrows."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vectab._fileio import atomic_path
from vectab._progress import ProgressArg
from vectab.viz._inputs import GroupsArg, WordsArg, normalize_groups, require, words_for
from vectab.viz.projection import project

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot", "place_labels", "DEFAULT_TOP"]

DEFAULT_TOP = 100
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
IMAGE_FORMATS = ("png", "svg", "pdf")
OTHER = "other"


def _candidates(w: float, h: float, r: float, rings: int) -> np.ndarray:
    """Label-centre offsets around a point, nearest first: the 8 spots touching it, then rings."""
    dx, dy = w / 2 + r, h / 2 + r
    near = [(dx, 0), (-dx, 0), (0, dy), (0, -dy), (dx, dy), (-dx, dy), (dx, -dy), (-dx, -dy)]
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    far = [
        (np.cos(a) * (dx + k * h), np.sin(a) * (dy + k * h))
        for k in range(1, rings + 1)
        for a in angles
    ]
    return np.array(near + far, dtype=np.float64)


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    point_radius: float = 4.0,
    gap: float = 2.0,
    rings: int = 30,
) -> np.ndarray:
    """Find label centres near their points so that labels overlap neither each other nor points.

    Greedy, in display units (pixels): labels are placed one after the other (isolated points
    first), each at the nearest free spot among the 8 spots touching its point and then rings
    further out; a label with no free spot within ``rings`` label heights takes the spot with
    the least overlap. One vectorized test per label: fast for thousands of labels.

    Args:
        anchors: ``(n, 2)`` point positions.
        sizes: ``(n, 2)`` label widths and heights.
        bounds: ``(x0, y0, x1, y1)`` box the labels must stay in, or None.
        point_radius: half the size of the box each point occupies.
        gap: extra space kept around each label.
        rings: how far out (in label heights) to look for a free spot.

    Returns:
        ``(n, 2)`` label centres.

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
    d = np.linalg.norm(anchors[:, None] - anchors[None], axis=2) if n <= 1500 else None
    order = (
        np.argsort(-np.sort(d, axis=1)[:, min(1, n - 1)], kind="stable")
        if d is not None
        else np.arange(n)
    )
    all_lo = np.zeros((n, 2))  # boxes placed so far: rows order[:k]
    all_hi = np.zeros((n, 2))
    point_lo, point_hi = anchors - half_points, anchors + half_points
    max_half = sizes.max(axis=0) / 2
    for k, i in enumerate(order):
        half = sizes[i] / 2
        cand = anchors[i] + _candidates(sizes[i, 0], sizes[i, 1], point_radius + gap, rings)
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


def _annotate(ax: Any, words: list[str], xy: np.ndarray, fontsize: float) -> None:
    """Write every word beside its point, labels moved apart so they do not pile up."""
    fig = ax.figure
    texts = [
        ax.text(x, y, w, fontsize=fontsize, ha="center", va="center")
        for w, (x, y) in zip(words, xy)
    ]
    renderer = _renderer(fig)
    sizes = np.array(
        [[t.get_window_extent(renderer).width, t.get_window_extent(renderer).height] for t in texts]
    )
    to_px = ax.transData
    anchors = to_px.transform(xy)
    box = ax.get_window_extent(renderer)
    centres = place_labels(anchors, sizes, bounds=(box.x0, box.y0, box.x1, box.y1))
    data_centres = to_px.inverted().transform(centres)
    moved = np.hypot(*(centres - anchors).T) > sizes[:, 0] / 2 + 12
    for t, centre, point, far in zip(texts, data_centres, xy, moved):
        t.set_position(tuple(centre))
        if far:  # a leader line when the label ended up away from its point
            ax.plot(*np.column_stack([point, centre]), color="0.6", lw=0.5, zorder=1)


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
) -> Figure:
    """Draw word vectors in 2-D: a labelled scatter plot, groups in colours, analogy arrows.

    No peer library draws word vectors any more (gensim removed ``gensim.viz`` in 4.0); this is
    the PCA/t-SNE picture of the Keras and gensim tutorials in one call. Uses matplotlib's Agg
    renderer only (no window, no pyplot state).

    Args:
        vectors: a `vectab.vectors.Vectors`, or a ``(words, matrix)`` pair.
        words: a list of words, an int N (the N first, i.e. most frequent, words) or None:
            the words of ``groups`` and ``analogies`` when given, else the first 100.
        method: ``"pca"``, ``"tsne"`` or ``"umap"`` (see `vectab.viz.project`).
        groups: ``{word: group}``, ``{group: [words]}`` or a list of word lists; each group gets
            a colour and a legend entry, other words are grey.
        analogies: ``(a, b, c, d)`` tuples drawn as arrows a -> b and c -> d in one colour, e.g.
            ``("man", "king", "woman", "queen")``; their words are added to the plot.
        annotate: write each word beside its point (labels are moved so they do not overlap;
            beyond a few hundred words this gets slow and unreadable: pass ``annotate=False``
            or use `to_html`).
        ax: a matplotlib Axes to draw into; default a new Figure.
        figsize: size in inches of the new Figure.
        title: the title; default names the method and the number of words.
        out: also save the figure there (format from the suffix: .png, .svg or .pdf), atomically.
        seed: random seed of t-SNE / UMAP.
        perplexity: t-SNE perplexity (clipped for few points).
        progress: reports of the projection (see `vectab.viz.projection.project`).
        fontsize: label size in points.

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
    word_to_group, group_names = normalize_groups(groups)
    analogy_words = [w for quad in quads for w in quad]
    chosen = words_for(
        vectors, words, default=list(word_to_group), required=analogy_words, default_top=DEFAULT_TOP
    )
    proj = project(vectors, chosen, method=method, n_components=2, seed=seed, perplexity=perplexity,
                   progress=progress)
    xy = proj.coords

    if ax is None:
        fig = Figure(figsize=figsize, dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    fig = ax.figure

    labels = [word_to_group.get(w, OTHER) for w in proj.words]
    if OTHER in labels and group_names:
        group_names = [*group_names, OTHER]
    palette = _palette(len(group_names) - (OTHER in group_names)) + ["0.6"]
    if group_names:
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
        _annotate(ax, proj.words, xy, fontsize)
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
