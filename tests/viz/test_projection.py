"""vectab.viz.project: PCA against scikit-learn, t-SNE / UMAP shapes, word selection, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from vectab.errors import OutOfVocabularyError
from vectab.vectors.store import Vectors
from vectab.viz import project
from vectab.viz.projection import Projection


def clusters(n_per: int = 10, dim: int = 16, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Three well separated clusters of words."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, dim)) * 5
    rows = np.concatenate([c + rng.normal(size=(n_per, dim)) * 0.3 for c in centres])
    words = [f"{name}{i}" for name in ("a", "b", "c") for i in range(n_per)]
    return words, rows.astype(np.float32)


def same_cluster_neighbour(words: list[str], coords: np.ndarray) -> float:
    d = np.linalg.norm(coords[:, None] - coords[None], axis=2)
    np.fill_diagonal(d, np.inf)
    nn = d.argmin(axis=1)
    return float(np.mean([words[i][0] == words[j][0] for i, j in enumerate(nn)]))


def test_pca_matches_sklearn():
    sklearn = pytest.importorskip("sklearn.decomposition")
    words, m = clusters()
    for k in (2, 3):
        ours = project((words, m), method="pca", n_components=k, normalize=False).coords
        ref = sklearn.PCA(k).fit_transform(m.astype(np.float64))
        # same axes up to a sign per component
        np.testing.assert_allclose(np.abs(ours), np.abs(ref), atol=1e-8)
        signs = np.sign((ours * ref).sum(axis=0))
        np.testing.assert_allclose(ours, ref * signs, atol=1e-8)


def test_normalize_projects_unit_vectors():
    words, m = clusters()
    scaled = m * np.linspace(1, 10, len(m))[:, None].astype(np.float32)
    a = project((words, m), normalize=True)
    b = project((words, scaled), normalize=True)
    np.testing.assert_allclose(a.coords, b.coords, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(a.vectors, axis=1), 1.0)


def test_projection_result_and_inputs():
    words, m = clusters()
    vecs = Vectors(words, m)
    p = project(vecs, ["b3", "a1", "c2", "a1"])
    assert isinstance(p, Projection)
    assert p.words == ["b3", "a1", "c2"]  # duplicates dropped, order kept
    assert p.coords.shape == (3, 2) and p.coords.dtype == np.float64
    assert p.method == "pca" and len(p) == 3
    assert project(vecs, 5).words == words[:5]
    assert project(vecs).words == words
    assert project(vecs, 10_000).words == words
    np.testing.assert_array_equal(project(vecs).coords, project((words, m)).coords)


def test_pca_fewer_points_than_components():
    p = project((["x", "y"], np.array([[1.0, 0, 0], [0, 1.0, 0]])), n_components=3)
    assert p.coords.shape == (2, 3)
    np.testing.assert_array_equal(p.coords[:, 1:], 0.0)


def test_tsne_keeps_clusters_and_is_seeded():
    pytest.importorskip("sklearn.manifold")
    words, m = clusters(n_per=8)
    a = project((words, m), method="tsne", seed=3)
    assert a.coords.shape == (24, 2)
    assert any("perplexity 30 clipped" in note for note in a.notes)
    assert same_cluster_neighbour(words, a.coords) == 1.0
    b = project((words, m), method="tsne", seed=3)
    np.testing.assert_allclose(a.coords, b.coords)


def test_tsne_perplexity_small_enough_is_kept():
    pytest.importorskip("sklearn.manifold")
    words, m = clusters(n_per=7)
    p = project((words, m), method="tsne", perplexity=3, n_components=3)
    assert p.coords.shape == (21, 3) and p.notes == ()


@pytest.mark.slow  # umap-learn compiles its numba kernels on first use (tens of seconds)
def test_umap_keeps_clusters():
    pytest.importorskip("umap")
    words, m = clusters(n_per=20)
    p = project((words, m), method="umap", seed=0)
    assert p.coords.shape == (60, 2)
    assert same_cluster_neighbour(words, p.coords) > 0.95


@pytest.mark.parametrize(
    ("module", "method", "extra"),
    [("sklearn.manifold", "tsne", "scikit-learn"), ("umap", "umap", "umap-learn")],
)
def test_missing_package_names_the_extra(monkeypatch, module, method, extra):
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    words, m = clusters()
    with pytest.raises(ImportError, match=r"vectab\[viz\]") as info:
        project((words, m), method=method)
    assert extra in str(info.value)


def test_bad_arguments():
    words, m = clusters()
    pair = (words, m)
    bad_values = [
        ({"method": "lda"}, ValueError, "`method` must be one of"),
        ({"method": "PCA"}, ValueError, "`method`"),
        ({"n_components": 1}, ValueError, r"`n_components` must be an int in \[2, 3\], got 1"),
        ({"n_components": 4}, ValueError, "`n_components`"),
        ({"n_components": True}, TypeError, "`n_components`"),
        ({"n_components": "2"}, TypeError, "`n_components`"),
        ({"perplexity": 0}, ValueError, "`perplexity` must be a number > 0 or None, got 0"),
        ({"perplexity": -5.0}, ValueError, "`perplexity`"),
        ({"perplexity": "5"}, TypeError, "`perplexity`"),
        ({"seed": "1"}, TypeError, "`seed`"),
        ({"normalize": "no"}, TypeError, "`normalize` must be True or False"),
        ({"words": "a1"}, TypeError, "not one string"),
        ({"words": 0}, ValueError, "as a count must be >= 1"),
        ({"words": -3}, ValueError, "as a count"),
        ({"words": ["a1"]}, ValueError, "at least 2 words"),
        ({"words": 1}, ValueError, "at least 2 words"),
        ({"words": []}, ValueError, "is empty"),
    ]
    for kwargs, exc, message in bad_values:
        with pytest.raises(exc, match=message):
            project(pair, **kwargs)


def test_unknown_words_are_listed():
    words, m = clusters()
    with pytest.raises(OutOfVocabularyError, match="2 of the requested words") as info:
        project((words, m), ["a1", "zebra", "Apple"])
    assert "'zebra'" in str(info.value) and "'Apple'" in str(info.value)


def test_bad_vectors():
    cases = [
        ("not vectors", TypeError, "must be a vectab Vectors"),
        ((["a", "b"], np.zeros(3)), ValueError, "2-D"),
        ((["a", "b"], np.zeros((3, 2))), ValueError, "2 words but the matrix has 3 rows"),
        ((["a", "b"], np.array([[1.0, np.nan], [0, 1.0]])), ValueError, "NaN or inf"),
        ((["a", "b"], np.zeros((2, 1))), ValueError, "more than the vectors' 1 dimensions"),
    ]
    for vectors, exc, message in cases:
        with pytest.raises(exc, match=message):
            project(vectors)
