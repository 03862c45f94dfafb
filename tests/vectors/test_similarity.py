"""topk_cosine: the same rows and scores as brute force, in every mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vectab.vectors import similarity
from vectab.vectors.similarity import FastIndex, _topk_rows, normalize_rows, topk_cosine


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
def test_fast_mode_reranks_exactly(exclude, monkeypatch):
    monkeypatch.setattr(similarity, "FAST_MIN_ELEMENTS", 0)  # use int8 even on a small matrix
    g = torch.Generator().manual_seed(1)
    centres = torch.randn(40, 32, generator=g)
    m = centres[torch.randint(0, 40, (20000,), generator=g)] + 0.5 * torch.randn(
        20000, 32, generator=g
    )
    q = m[:200]
    ex = torch.arange(200) if exclude else None
    ref_scores, ref_ids = topk_cosine(q, m, 10, exclude=ex)
    scores, ids = topk_cosine(q, m, 10, exclude=ex, fast=True)
    same = (torch.sort(ids).values == torch.sort(ref_ids).values).all(dim=1).float().mean()
    assert same >= 0.99
    rows_equal = (ids == ref_ids).all(dim=1)
    torch.testing.assert_close(scores[rows_equal], ref_scores[rows_equal])


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


@pytest.mark.parametrize("k", [0, -1, 1.5, True, 3001])
def test_bad_k(data, k):
    q, m = data
    with pytest.raises(ValueError, match="`k`"):
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


@pytest.mark.parametrize("chunk_size", [0, -3, 2.5])
def test_bad_chunk_size(data, chunk_size):
    q, m = data
    with pytest.raises(ValueError, match="chunk_size"):
        topk_cosine(q, m, 2, chunk_size=chunk_size)


def test_normalized_flag_skips_normalization():
    m = normalize_rows(torch.randn(100, 8))
    q = m[:3]
    assert torch.equal(topk_cosine(q, m, 3, normalized=True)[1], brute(q, m, 3)[1])
    assert np.allclose(topk_cosine(q, m, 1, normalized=True)[0].numpy(), 1.0, atol=1e-6)


def test_fast_index_kind_on_cpu():
    index = FastIndex(normalize_rows(torch.randn(64, 8)))
    expected = "int8" if "fbgemm" in torch.backends.quantized.supported_engines else "float32"
    assert index.kind == expected


def test_fast_on_small_matrix_is_exact(data):
    q, m = data
    assert torch.equal(topk_cosine(q, m, 5, fast=True)[1], brute(q, m, 5)[1])
