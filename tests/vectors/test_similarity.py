"""topk_cosine: the same rows and scores as brute force, in every mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vectab.vectors import similarity
from vectab.vectors._exact import _topk_rows
from vectab.vectors.similarity import FastIndex, normalize_rows, topk_cosine


def brute(queries, matrix, k):
    scores = normalize_rows(torch.as_tensor(queries)) @ normalize_rows(torch.as_tensor(matrix)).T
    return torch.topk(scores, k, dim=1)


@pytest.fixture
def data():
    g = torch.Generator().manual_seed(0)
    return torch.randn(50, 16, generator=g), torch.randn(3000, 16, generator=g)


def test_exact_matches_brute_force(data):
    q, m = data
    scores, ids = topk_cosine(q, m, 10)
    ref_scores, ref_ids = brute(q, m, 10)
    assert torch.equal(ids, ref_ids)
    torch.testing.assert_close(scores, ref_scores)
    assert scores.dtype == torch.float32 and ids.dtype == torch.int64


def test_numpy_inputs_and_single_query(data):
    q, m = data
    scores, ids = topk_cosine(q[0].numpy(), m.numpy(), 5)
    assert scores.shape == (5,) and ids.shape == (5,)
    assert torch.equal(ids, brute(q[:1], m, 5)[1][0])


@pytest.mark.parametrize("chunk_size", [1, 7, 64])
def test_chunking_does_not_change_results(data, chunk_size):
    q, m = data
    assert torch.equal(topk_cosine(q, m, 4, chunk_size=chunk_size)[1], brute(q, m, 4)[1])


def test_exclude_removes_rows(data):
    q, m = data
    _, ref = brute(q, m, 12)
    exclude = ref[:, :2].clone()
    exclude[0, 1] = -1  # -1 = nothing to exclude
    _, ids = topk_cosine(q, m, 10, exclude=exclude)
    assert torch.equal(ids[1:], ref[1:, 2:])
    assert ids[0, 0] == ref[0, 1]
    assert not (ids.unsqueeze(2) == exclude.unsqueeze(1)).any()


@pytest.mark.parametrize("exclude", [False, True])
def test_fast_mode_finds_the_exact_top_k(exclude, monkeypatch):
    monkeypatch.setattr(similarity, "FAST_MIN_ELEMENTS", 0)  # use the IVF index on a small matrix
    m = clustered(20000)
    q = m[:300]
    ex = torch.arange(300) if exclude else None
    ref_scores, ref_ids = topk_cosine(q, m, 10, exclude=ex)
    scores, ids = topk_cosine(q, m, 10, exclude=ex, fast=True)
    assert same_sets(ids, ref_ids).float().mean() >= 0.99
    rows_equal = (ids == ref_ids).all(dim=1)
    torch.testing.assert_close(scores[rows_equal], ref_scores[rows_equal])
    if exclude:
        assert not (ids == ex.view(-1, 1)).any()


def test_two_level_topk_equals_torch_topk():
    g = torch.Generator().manual_seed(2)
    scores = torch.randn(9, 10_007, generator=g)
    top, ids = _topk_rows(scores, 12)
    ref_top, ref_ids = torch.topk(scores, 12, dim=1)
    assert torch.equal(top, ref_top) and torch.equal(ids, ref_ids)


def test_zero_rows_score_zero():
    m = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    scores, ids = topk_cosine(torch.tensor([[0.0, 1.0]]), m, 2)
    assert torch.isfinite(scores).all()


@pytest.mark.parametrize(("k", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                          (True, TypeError), (3001, ValueError)])
def test_bad_k(data, k, error):
    q, m = data
    with pytest.raises(error, match="`k`"):
        topk_cosine(q, m, k)


@pytest.mark.parametrize(
    "queries, matrix, match",
    [
        (torch.randn(2, 3), torch.randn(5, 4), "queries"),
        (torch.randn(2, 2, 4), torch.randn(5, 4), "queries"),
        (torch.randn(2, 4), torch.randn(5), "matrix"),
    ],
)
def test_bad_shapes(queries, matrix, match):
    with pytest.raises(ValueError, match=match):
        topk_cosine(queries, matrix, 1)


@pytest.mark.parametrize("bad", [[[1.0, 2.0]], "abc", None])
def test_bad_types(bad):
    with pytest.raises(TypeError, match="queries"):
        topk_cosine(bad, torch.randn(3, 2), 1)


@pytest.mark.parametrize(("chunk_size", "error"), [(0, ValueError), (-3, ValueError),
                                                   (2.5, TypeError)])
def test_bad_chunk_size(data, chunk_size, error):
    q, m = data
    with pytest.raises(error, match="`chunk_size`"):
        topk_cosine(q, m, 2, chunk_size=chunk_size)


@pytest.mark.parametrize(("nprobe", "error"), [(0, ValueError), (-2, ValueError),
                                               (1.5, TypeError), (True, TypeError),
                                               ("4", TypeError)])
def test_bad_nprobe(data, nprobe, error):
    q, m = data
    with pytest.raises(error, match="`nprobe`"):
        topk_cosine(q, m, 2, fast=True, nprobe=nprobe)


def test_normalized_flag_skips_normalization():
    m = normalize_rows(torch.randn(100, 8))
    q = m[:3]
    assert torch.equal(topk_cosine(q, m, 3, normalized=True)[1], brute(q, m, 3)[1])
    assert np.allclose(topk_cosine(q, m, 1, normalized=True)[0].numpy(), 1.0, atol=1e-6)


def clustered(n, dim=32, centres=40, seed=1):
    g = torch.Generator().manual_seed(seed)
    c = torch.randn(centres, dim, generator=g)
    return c[torch.randint(0, centres, (n,), generator=g)] + 0.5 * torch.randn(n, dim, generator=g)


def same_sets(a, b):
    return (torch.sort(a).values == torch.sort(b).values).all(dim=1)


def test_ivf_index_layout():
    m = normalize_rows(clustered(5000))
    index = FastIndex(m, nlist=20)
    assert index.kind == "ivf" and index.centroids.shape == (20, 32)
    assert torch.equal(torch.sort(index.perm).values, torch.arange(5000))
    assert index.offsets[0] == 0 and index.offsets[-1] == 5000
    assert (index.offsets.diff() >= 0).all()
    # every row sits in the block of its best centroid
    cells = torch.argmax(m[index.perm] @ index.centroids.T, dim=1)
    assert torch.equal(cells, torch.repeat_interleave(torch.arange(20), index.offsets.diff()))


def test_ivf_is_deterministic_for_a_seed():
    m = normalize_rows(clustered(4000))
    a, b = FastIndex(m, nlist=16, seed=3), FastIndex(m, nlist=16, seed=3)
    assert torch.equal(a.perm, b.perm) and torch.equal(a.centroids, b.centroids)
    assert torch.equal(a.search(m[:50], 5)[1], b.search(m[:50], 5)[1])


def test_ivf_probing_every_cell_is_exact():
    m = normalize_rows(clustered(3000))
    index = FastIndex(m, nlist=12)
    ex = torch.arange(40).view(-1, 1)
    scores, ids = index.search(m[:40], 7, exclude=ex, nprobe=12)
    ref_scores, ref_ids = topk_cosine(m[:40], m, 7, exclude=ex, normalized=True)
    assert same_sets(ids, ref_ids).all()
    torch.testing.assert_close(scores, ref_scores)


def test_ivf_k_larger_than_probed_rows_falls_back_to_exact():
    m = normalize_rows(clustered(2000))
    index = FastIndex(m, nlist=40)
    scores, ids = index.search(m[:10], 500, nprobe=1)  # one cell holds far fewer than 500 rows
    assert same_sets(ids, topk_cosine(m[:10], m, 500, normalized=True)[1]).all()
    _, ids = index.search(m[:10], 3, exclude=torch.arange(10).view(-1, 1), nprobe=1)
    assert not (ids == torch.arange(10).view(-1, 1)).any()


def test_ivf_empty_cells_are_skipped():
    m = normalize_rows(clustered(600, centres=3))
    index = FastIndex(m, nlist=10)
    index.offsets = torch.tensor([0, 0, 300, 300, 300, 600, 600, 600, 600, 600, 600])
    index._bounds = index.offsets.tolist()  # cells 0, 2, 3 and 5-9 hold no rows
    scores, ids = index.search(m[:20], 5, nprobe=10)
    assert torch.isfinite(scores).all() and (ids >= 0).all()
    assert same_sets(ids, topk_cosine(m[:20], m, 5, normalized=True)[1]).all()


def test_ivf_with_too_few_distinct_rows():
    m = normalize_rows(torch.eye(4).repeat(50, 1))  # 4 distinct directions, 200 rows
    index = FastIndex(m, nlist=8)
    scores, _ = index.search(m[:4], 3)
    torch.testing.assert_close(scores, torch.ones(4, 3))


def test_fast_on_small_matrix_is_exact(data):
    q, m = data
    assert torch.equal(topk_cosine(q, m, 5, fast=True)[1], brute(q, m, 5)[1])


def test_calibrated_nprobe_finds_the_target_share_of_the_sample():
    m = normalize_rows(clustered(6000, centres=40))
    index = FastIndex(m, nlist=60, seed=2)
    assert index.recall is not None and index.recall >= 0.995
    assert not index.exhaustive and 1 <= index.nprobe <= 60 // 8
    # the calibration sample, searched with the chosen nprobe: the share found equals `recall`
    sample = torch.randperm(6000, generator=torch.Generator().manual_seed(3))[:512]
    ex = sample.view(-1, 1)
    got = index.search(m[sample], 10, exclude=ex)[1]
    truth = topk_cosine(m[sample], m, 10, exclude=ex, normalized=True)[1]
    assert same_sets(got, truth).double().mean().item() == pytest.approx(index.recall)
    # one cell fewer misses more of the sample (nprobe is the smallest that reaches the target)
    if index.nprobe > 1:
        fewer = index.search(m[sample], 10, exclude=ex, nprobe=index.nprobe - 1)[1]
        assert same_sets(fewer, truth).double().mean().item() < 0.995


def test_calibration_on_unstructured_vectors_searches_exactly():
    g = torch.Generator().manual_seed(5)
    m = normalize_rows(torch.randn(6000, 32, generator=g))  # isotropic noise: no cells to prune
    index = FastIndex(m, nlist=60)
    assert index.exhaustive and index.nprobe > 60 // 8
    q = m[:100]
    ex = torch.arange(100).view(-1, 1)
    assert torch.equal(index.search(q, 10, exclude=ex)[1],
                       topk_cosine(q, m, 10, exclude=ex, normalized=True)[1])


def test_fixed_nprobe_skips_calibration():
    m = normalize_rows(clustered(2000))
    index = FastIndex(m, nlist=20, nprobe=3)
    assert index.nprobe == 3 and index.recall is None and not index.exhaustive
    assert FastIndex(m, nlist=20, target_recall=None).nprobe == 16


@pytest.mark.parametrize("target", [0, -0.5, 1.5])
def test_bad_target_recall(target):
    with pytest.raises(ValueError, match="target_recall"):
        FastIndex(normalize_rows(clustered(500)), nlist=5, target_recall=target)
