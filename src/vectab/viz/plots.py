"""A labelled scatter plot of word vectors (matplotlib): groups in colours, analogy arrows."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vectab._fileio import atomic_path
from vectab.viz._inputs import GroupsArg, WordsArg, normalize_groups, require, words_for
from vectab.viz.projection import project

__all__ = ["plot", "place_labels", "DEFAULT_TOP"]

DEFAULT_TOP = 100
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
IMAGE_FORMATS = ("png", "svg", "pdf")
OTHER = "other"


def place_labels(
    anchors: np.ndarray,
    sizes: np.ndarray,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    point_radius: float = 4.0,
    gap: float = 2.0,
    max_iter: int = 300,
) -> np.ndarray:
    """Find label centres near their points so that no two label boxes overlap.

    A small repulsion scheme in display units (pixels): every label starts to the right of
    its point; overlapping boxes (and boxes that cover a point) push each other apart along
    the axis of least overlap, while a weak spring pulls each label back to its point.

    Args:
        anchors: ``(n, 2)`` point positions.
        sizes: ``(n, 2)`` label widths and heights.
        bounds: ``(x0, y0, x1, y1)`` box the label centres must stay in, or None.
        point_radius: half the size of the box each point occupies.
        gap: extra space kept between boxes.
        max_iter: iteration budget; stops earlier once nothing overlaps.

    Returns:
        ``(n, 2)`` label centres.

    Example:
        >>> import numpy as np
        >>> anchors = np.zeros((2, 2))  # two points at the same place
        >>> centres = place_labels(anchors, np.array([[40.0, 10.0], [40.0, 10.0]]))
        >>> bool(abs(centres[0, 1] - centres[1, 1]) >= 10.0)  # the labels no longer overlap
        True
    """
    anchors = np.asarray(anchors, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64) + gap
    n = len(anchors)
    centres = anchors + np.column_stack([sizes[:, 0] / 2 + point_radius, np.zeros(n)])
    if n == 0:
        return centres
    rng = np.random.default_rng(0)
    jitter = rng.uniform(-0.5, 0.5, size=(n, n, 2))
    jitter = jitter - jitter.transpose(1, 0, 2)  # antisymmetric: breaks ties between equal boxes
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    point_box = np.full(2, 2 * point_radius)
    for _ in range(max_iter):
        push = np.zeros_like(centres)
        # label against label
        diff = centres[:, None, :] - centres[None, :, :] + jitter * 1e-3
        overlap = (sizes[:, None, :] + sizes[None, :, :]) / 2 - np.abs(diff)
        hit = (overlap > 0).all(axis=2) & upper
        moved = bool(hit.any())
        if moved:
            i, j = np.nonzero(hit)
            axis = np.argmin(overlap[i, j], axis=1)
            amount = overlap[i, j, axis] / 2 + 0.5
            sign = np.sign(diff[i, j, axis])
            sign[sign == 0] = 1.0
            np.add.at(push, (i, axis), sign * amount)
            np.add.at(push, (j, axis), -sign * amount)
        # label against every point (its own included)
        pdiff = centres[:, None, :] - anchors[None, :, :]
        poverlap = (sizes[:, None, :] + point_box) / 2 - np.abs(pdiff)
        phit = (poverlap > 0).all(axis=2)
        if phit.any():
            moved = True
            i, j = np.nonzero(phit)
            axis = np.argmin(poverlap[i, j], axis=1)
            sign = np.sign(pdiff[i, j, axis])
            sign[sign == 0] = 1.0
            np.add.at(push, (i, axis), sign * (poverlap[i, j, axis] + 0.5))
        if not moved:
            break
        centres += push + 0.02 * (anchors - centres)
        if bounds is not None:
            x0, y0, x1, y1 = bounds
            centres[:, 0] = np.clip(centres[:, 0], x0 + sizes[:, 0] / 2, x1 - sizes[:, 0] / 2)
            centres[:, 1] = np.clip(centres[:, 1], y0 + sizes[:, 1] / 2, y1 - sizes[:, 1] / 2)
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
) -> Any:
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
        annotate: write each word beside its point (labels are moved so they do not overlap).
        ax: a matplotlib Axes to draw into; default a new Figure.
        figsize: size in inches of the new Figure.
        title: the title; default names the method and the number of words.
        out: also save the figure there (format from the suffix: .png, .svg or .pdf), atomically.
        seed: random seed of t-SNE / UMAP.
        perplexity: t-SNE perplexity (clipped for few points).
        fontsize: label size in points.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        ValueError: bad ``method``, ``analogies`` or ``out`` suffix; fewer than 2 words.
        vectab.errors.OutOfVocabularyError: a requested word is not in the vectors.
        ImportError: matplotlib (or the t-SNE/UMAP package) is missing: ``pip install "vectab[viz]"``.

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
                f"`out` must end in .png, .svg or .pdf (the format comes from the suffix), got {str(out)!r}"
            )
    quads = _check_analogies(analogies)
    word_to_group, group_names = normalize_groups(groups)
    analogy_words = [w for quad in quads for w in quad]
    chosen = words_for(
        vectors, words, default=list(word_to_group), required=analogy_words, default_top=DEFAULT_TOP
    )
    proj = project(vectors, chosen, method=method, n_components=2, seed=seed, perplexity=perplexity)
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
