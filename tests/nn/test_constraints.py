"""Constraints: Keras formulas, per word vector (row-wise), applied after a step."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vectab.nn import Embedding, apply_constraints, constraints

EPS = 1e-7
W = torch.tensor([[3.0, 4.0], [0.3, -0.4], [0.0, 0.0], [-6.0, 8.0]], dtype=torch.float64)
NORMS = torch.tensor([5.0, 0.5, 0.0, 10.0], dtype=torch.float64).unsqueeze(1)


def test_formulas_are_keras_but_per_row():
    assert torch.allclose(constraints.get("max_norm")(W), W * NORMS.clamp(0, 2) / (EPS + NORMS))
    assert torch.allclose(constraints.get("unit_norm")(W), W / (EPS + NORMS))
    assert torch.equal(constraints.get("non_neg")(W), W.clamp(min=0))
    mm = constraints.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)
    desired = 0.5 * NORMS.clamp(1, 2) + 0.5 * NORMS
    assert torch.allclose(mm(W), W * desired / (EPS + NORMS))
    norms = constraints.get("min_max_norm")(W).norm(dim=1)  # default [0, 1], rate 1
    assert torch.allclose(norms, torch.tensor([1.0, 0.5, 0.0, 1.0], dtype=torch.float64))


def test_row_wise_differs_from_keras_column_default():
    rows = constraints.UnitNorm()(W[[0, 3]])
    cols = constraints.UnitNorm(axis=0)(W[[0, 3]])
    assert torch.allclose(rows.norm(dim=1), torch.ones(2, dtype=torch.float64))
    assert torch.allclose(cols.norm(dim=0), torch.ones(2, dtype=torch.float64))


def test_apply_constraints_after_a_step_in_a_plain_loop():
    layer = Embedding(10, 4,
                      embeddings_initializer="ones", embeddings_constraint=constraints.MaxNorm(1.0))
    model = nn.Sequential(layer, nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    model(torch.tensor([[1, 2]])).sum().backward()
    opt.step()
    apply_constraints(model)
    assert bool((layer.weight.norm(dim=1) <= 1.0 + 1e-6).all())
    frozen = Embedding(3, 2, embeddings_initializer="ones",
                       embeddings_constraint="unit_norm", trainable=False)
    apply_constraints(frozen)
    assert torch.equal(frozen.weight, torch.ones(3, 2))


def test_callable_constraint():
    layer = Embedding(3, 2, embeddings_initializer="ones", embeddings_constraint=lambda w: w * 0.5)
    apply_constraints(layer)
    assert torch.equal(layer.weight, torch.full((3, 2), 0.5))


def test_bad_min_max():
    with pytest.raises(ValueError, match="`min_value` must be <= `max_value`"):
        constraints.MinMaxNorm(min_value=2.0, max_value=1.0)
