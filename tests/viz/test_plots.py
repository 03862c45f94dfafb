"""vectab.viz.plot: labels that do not overlap, groups, analogy arrows, files, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from vectab.errors import OutOfVocabularyError
from vectab.viz import plot
from vectab.viz.plots import place_labels

matplotlib = pytest.importorskip("matplotlib")

WORDS = ["king", "queen", "man", "woman", "paris", "france", "rome", "italy", "one", "two", "three"]


def vectors(seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    return WORDS, rng.normal(size=(len(WORDS), 12)).astype(np.float32)


def label_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]


def overlaps(boxes) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j]) and boxes[i].width > 0 and boxes[j].width > 0
    ]


def test_place_labels_separates_a_pile():
    rng = np.random.default_rng(1)
    anchors = rng.normal(size=(40, 2)) * 5  # 40 labels piled on a few pixels
    sizes = np.column_stack([rng.uniform(20, 60, 40), np.full(40, 10.0)])
    centres = place_labels(anchors, sizes, gap=0.0)
    lo, hi = centres - sizes / 2, centres + sizes / 2
    inter = np.minimum(hi[:, None], hi[None]) - np.maximum(lo[:, None], lo[None])
    hit = (inter > 1e-6).all(axis=2)
    np.fill_diagonal(hit, False)
    assert not hit.any()
    assert np.abs(centres - anchors).max() < 300  # labels stay near their points


def test_plot_labels_every_word_without_overlap():
    words, m = vectors()
    # a pile: many near-identical vectors
    m = np.vstack([m, m[:1] + np.random.default_rng(2).normal(size=(8, 12)) * 1e-3])
    words = words + [f"near{i}" for i in range(8)]
    fig = plot((words, m), words=words)
    labels = [t.get_text() for t in fig.axes[0].texts]
    # every word outside the pile; in the pile the most frequent (first) ones, the rest dropped
    # rather than put far away
    assert set(WORDS) <= set(labels)
    piled = [w for w in labels if w.startswith("near")]
    assert len(piled) >= 4 and piled == [f"near{i}" for i in range(len(piled))]
    assert overlaps(label_boxes(fig)) == []
    assert isinstance(fig, matplotlib.figure.Figure)


def test_groups_and_analogies():
    words, m = vectors()
    groups = {"royalty": ["king", "queen"], "cities": ["paris", "rome"], "numbers": ["one", "two"]}
    quads = [("man", "king", "woman", "queen"), ("france", "paris", "italy", "rome")]
    fig = plot((words, m), groups=groups, analogies=quads, title="t")
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == ["royalty", "cities", "numbers"]
    assert "other" in legend  # analogy words outside the groups
    assert "man → king  ≈  woman → queen" in legend
    arrows = [t for t in ax.texts if not t.get_text()]
    assert len(arrows) == 4
    # only group and analogy words are drawn by default
    drawn = {t.get_text() for t in ax.texts if t.get_text()}
    assert drawn == {
        "king",
        "queen",
        "paris",
        "rome",
        "one",
        "two",
        "man",
        "woman",
        "france",
        "italy",
    }
    assert ax.get_title() == "t"


def test_groups_forms_are_equivalent():
    words, m = vectors()
    by_group = {"a": ["king", "queen"], "b": ["one", "two"]}
    by_word = {"king": "a", "queen": "a", "one": "b", "two": "b"}
    as_lists = [["king", "queen"], ["one", "two"]]
    colours = []
    for groups in (by_group, by_word, as_lists):
        fig = plot((words, m), words=words, groups=groups, annotate=False)
        colours.append([tuple(c.get_facecolor()[0]) for c in fig.axes[0].collections])
    assert colours[0] == colours[1] == colours[2]
    assert len(colours[0]) == 3  # a, b and the grey "other"


def test_default_words_and_ax(tmp_path):
    from matplotlib.figure import Figure

    words, m = vectors()
    fig = Figure()
    ax = fig.add_subplot()
    assert plot((words, m), ax=ax, annotate=False) is fig
    assert len(ax.collections[0].get_offsets()) == len(words)  # all 11 (< 100 default)
    fig = plot((words, m), words=3, analogies=[("man", "king", "woman", "queen")])
    drawn = {t.get_text() for t in fig.axes[0].texts if t.get_text()}
    assert drawn == {"king", "queen", "man", "woman"}


def test_out_writes_png_svg_pdf(tmp_path):
    words, m = vectors()
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for fmt, head in magic.items():
        path = tmp_path / "sub" / f"plot.{fmt}"
        plot((words, m), out=path)
        assert path.read_bytes().startswith(head)
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == [
        "plot.pdf",
        "plot.png",
        "plot.svg",
    ]


def test_tsne_plot():
    pytest.importorskip("sklearn.manifold")
    words, m = vectors()
    fig = plot((words, m), method="tsne")
    assert fig.axes[0].get_title() == "11 words, t-SNE"


def test_bad_arguments(tmp_path):
    words, m = vectors()
    cases = [
        ({"out": tmp_path / "x.jpg"}, ValueError, "must end in .png, .svg or .pdf"),
        ({"out": tmp_path / "x"}, ValueError, "must end in"),
        ({"analogies": [("man", "king", "woman")]}, ValueError, r"\(a, b, c, d\)"),
        ({"analogies": ["mankingwomanqueen"]}, ValueError, "`analogies`"),
        ({"analogies": [("man", "king", "woman", "zebra")]}, OutOfVocabularyError, "zebra"),
        ({"groups": {"a": ["king"], "king": "b"}}, TypeError, "not a mix"),
        ({"groups": ["king", "queen"]}, TypeError, "list of word lists"),
        ({"groups": 5}, TypeError, "`groups` must be"),
        ({"method": "mds"}, ValueError, "`method`"),
        ({"annotate": "no"}, TypeError, "`annotate` must be True or False"),
        ({"fontsize": "8"}, TypeError, "`fontsize`"),
        ({"fontsize": 0}, ValueError, "`fontsize` must be a number > 0"),
        ({"seed": 1.5}, TypeError, "`seed`"),
    ]
    for kwargs, exc, message in cases:
        with pytest.raises(exc, match=message):
            plot((words, m), **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"matplotlib.*vectab\[viz\]"):
        plot(vectors())


STOP_FIRST = ["the", ",", "of", "and", ".", "to", "in", "a", '"', "'s"]


def many(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """A frequency-sorted vocabulary: stop words and punctuation first, as in GloVe, then words
    in 8 blobs."""
    rng = np.random.default_rng(seed)
    words = STOP_FIRST + [f"word{i}" for i in range(n + 50)]
    centres = rng.normal(size=(8, 20)) * 3
    m = centres[rng.integers(8, size=len(words))] + rng.normal(size=(len(words), 20))
    return words, m.astype(np.float32)


def leader_lengths(fig) -> list[float]:
    ax = fig.axes[0]
    out = []
    for line in ax.lines:
        xy = line.get_xydata()
        if len(xy) == 2:
            px = ax.transData.transform(xy)
            out.append(float(np.hypot(*(px[1] - px[0]))))
    return out


@pytest.mark.parametrize("n", [300, 1000])
def test_many_words_stay_readable(n):
    from vectab.viz._inputs import STOPWORDS
    from vectab.viz.plots import MAX_OFFSET

    words, m = many(n)
    fig = plot((words, m), n)
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections)
    assert drawn == n  # n words, stop words skipped: word0 .. word{n-1}
    labels = [t.get_text() for t in ax.texts if t.get_text()]
    assert not {w for w in labels if w.lower() in STOPWORDS or not w[0].isalnum()}
    assert set(labels) <= {f"word{i}" for i in range(n)}
    assert {f"word{i}" for i in range(10)} <= set(labels)  # the most frequent are labelled
    assert 60 <= len(labels) < n  # a subset: those that fit
    boxes = label_boxes(fig)
    assert overlaps(boxes) == []
    height = max(b.height for b in boxes)
    lengths = leader_lengths(fig)
    assert lengths and max(lengths) <= MAX_OFFSET * height + 4  # short leader lines only


def test_stop_words_in_a_word_list_are_drawn_not_labelled():
    words, m = many(20)
    chosen = ["the", "of", ",", "word0", "word1", "word2"]
    fig = plot((words, m), chosen)
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == 6
    assert {t.get_text() for t in fig.axes[0].texts} == {"word0", "word1", "word2"}
    for keep in (False, []):
        fig = plot((words, m), chosen, stopwords=keep)
        assert {t.get_text() for t in fig.axes[0].texts} == set(chosen)
    fig = plot((words, m), chosen, stopwords=["WORD1"])  # a list of one's own, any case
    assert {t.get_text() for t in fig.axes[0].texts} == {"the", "of", "word0", "word2"}
    fig = plot((words, m), 3, stopwords=False)  # a count keeps the stop words too
    assert [t.get_text() for t in fig.axes[0].texts] == ["the", ",", "of"]


def colours_of(fig) -> list[tuple[float, ...]]:
    ax = fig.axes[0]
    order = np.concatenate([c.get_offsets().data[:, 0] for c in ax.collections])
    faces = [tuple(c.get_facecolor()[0]) for c in ax.collections for _ in c.get_offsets()]
    return [faces[i] for i in np.argsort(order, kind="stable")]


def test_kmeans_cluster_colours():
    from vectab.viz._inputs import kmeans

    words, m = many(200)
    first = plot((words, m), 200, annotate=False)
    again = plot((words, m), 200, annotate=False)
    assert len(first.axes[0].collections) == 4  # k = sqrt(200 / 10) ~ 4
    assert colours_of(first) == colours_of(again)  # deterministic
    assert len(plot((words, m), 200, annotate=False, clusters=7).axes[0].collections) == 7
    assert len(plot((words, m), 200, annotate=False, clusters=0).axes[0].collections) == 1
    assert len(plot((words, m), 30, annotate=False).axes[0].collections) == 1  # few: one colour
    groups = {"a": ["word0", "word1"]}  # groups win over clusters
    assert len(plot((words, m), 200, groups=groups, annotate=False).axes[0].collections) == 2
    # k-means finds well separated blobs, the same for a seed
    rng = np.random.default_rng(3)
    blobs = np.vstack([rng.normal(size=(30, 5)) * 0.1 + 5 * k for k in range(3)])
    ids = kmeans(blobs, 3, seed=1)
    assert ids.tolist() == [0] * 30 + [1] * 30 + [2] * 30
    assert kmeans(blobs[::-1], 3, seed=1).tolist() == [0] * 30 + [1] * 30 + [2] * 30


def test_bad_label_options():
    words, m = vectors()
    cases = [
        ({"clusters": -1}, ValueError, "`clusters`"),
        ({"clusters": "3"}, TypeError, "`clusters`"),
        ({"clusters": 2.5}, TypeError, "`clusters`"),
        ({"stopwords": "the"}, TypeError, "`stopwords`"),
        ({"stopwords": 3}, TypeError, "`stopwords`"),
    ]
    for kwargs, exc, message in cases:
        with pytest.raises(exc, match=message):
            plot((words, m), **kwargs)


@pytest.mark.slow
def test_real_glove_300_words_tsne_is_readable(shared_data):
    """The README's picture: 300 GloVe words by t-SNE (its top words are stop words)."""
    pytest.importorskip("sklearn.manifold")
    from vectab.vectors.io import load_vectors
    from vectab.viz._inputs import STOPWORDS
    from vectab.viz.plots import MAX_OFFSET

    glove = load_vectors(shared_data / "glove-6b-50d-top20k" / "glove.6B.50d.top20k.w2v.txt")
    fig = plot(glove, 300, method="tsne")
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert not {w for w in labels if w in STOPWORDS or not any(ch.isalnum() for ch in w)}
    assert {"said", "one", "new", "two", "first", "year", "people"} <= set(labels)
    assert 150 <= len(labels) <= 300
    boxes = label_boxes(fig)
    assert overlaps(boxes) == []
    assert max(leader_lengths(fig)) <= MAX_OFFSET * max(b.height for b in boxes) + 4
