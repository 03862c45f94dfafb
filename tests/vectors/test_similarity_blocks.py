"""Exact search over row blocks gives exactly torch.topk over the whole score matrix."""

from __future__ import annotations

import pytest
import torch

from vectab.vectors import similarity


@pytest.mark.parametrize("budget", [2**12, 2**14, 2**26])
def test_row_blocks_merge_to_the_exact_top_k(monkeypatch, budget):
    monkeypatch.setattr(similarity, "_SCORE_BUDGET", budget)
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
