"""Exact search over row blocks gives exactly torch.topk over the whole score matrix."""

from __future__ import annotations

import pytest
import torch

from vectab.vectors import _exact, similarity


def compiled_available() -> bool:
    from vectab.vectors.formats._kernels import topk_ready

    return topk_ready()


PATHS = ["torch", pytest.param("compiled", marks=pytest.mark.skipif(
    not compiled_available(), reason="the compiled top-k needs numba (vectab[fast])"))]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("budget", [2**12, 2**14, 2**26])
def test_row_blocks_merge_to_the_exact_top_k(monkeypatch, budget, path):
    monkeypatch.setattr(_exact, "_SCORE_BUDGET", budget)
    monkeypatch.setattr(_exact, "_KERNEL_SCORES", budget)
    monkeypatch.setattr(_exact, "_kernel_applies", lambda q, m: path == "compiled")
    gen = torch.Generator().manual_seed(0)
    matrix = torch.nn.functional.normalize(torch.randn(5003, 16, generator=gen), dim=1)
    picked = torch.randperm(5003, generator=gen)[:37]
    queries = matrix[picked]
    exclude = torch.randint(-1, 5003, (37, 3), generator=gen)
    exclude[:, 0] = picked  # the query's own row, its best hit, is excluded
    scores, ids = similarity.search_unit(queries, matrix, 10, exclude=exclude, chunk_size=16)
    full = queries @ matrix.T
    for row, ex in enumerate(exclude.tolist()):
        full[row, [e for e in ex if e >= 0]] = float("-inf")
    want_scores, want_ids = torch.topk(full, 10, dim=1)
    assert torch.equal(ids, want_ids)
    assert torch.allclose(scores, want_scores)


@pytest.mark.parametrize("path", PATHS)
def test_ties_excluded_rows_and_few_rows(monkeypatch, path):
    monkeypatch.setattr(_exact, "_KERNEL_SCORES", 64)
    monkeypatch.setattr(_exact, "_kernel_applies", lambda q, m: path == "compiled")
    matrix = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0]] * 6 + [[0.0, 1.0]] * 4), dim=1)
    queries = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    # ties: k of the tied rows (the compiled top-k ranks the earlier rows first)
    scores, ids = similarity.search_unit(queries, matrix, 3)
    assert set(ids[0].tolist()) <= set(range(6)) and set(ids[1].tolist()) <= {6, 7, 8, 9}
    assert len(set(ids[0].tolist())) == 3 and (scores == 1).all()
    if path == "compiled":
        assert ids.tolist() == [[0, 1, 2], [6, 7, 8]]
    # all but two rows excluded: the excluded ones fill the rest with -inf scores
    exclude = torch.tensor([[0, 1, 2, 3, 4, 5, 6, 7], [-1, -1, -1, -1, -1, -1, -1, -1]])
    scores, ids = similarity.search_unit(queries, matrix, 4, exclude=exclude)
    assert sorted(ids[0, :2].tolist()) == [8, 9] and scores[0, :2].tolist() == [0.0, 0.0]
    assert torch.isinf(scores[0, 2:]).all() and set(ids[0, 2:].tolist()) <= set(range(8))
    assert sorted(ids[1].tolist()) == [6, 7, 8, 9]
