"""Regularizers: Keras names and defaults, values against hand computation, collection."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vectab.nn import Embedding, regularization_loss, regularizers

X = torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("l1", 0.01 * 8.0),
        ("l2", 0.01 * (1 + 4 + 0.25 + 9 + 2.25)),
        ("l1_l2", 0.01 * 8.0 + 0.01 * 16.5),
    ],
)
def test_named_regularizers_match_hand_computation(name, expected):
    assert regularizers.get(name)(X).item() == pytest.approx(expected)


def test_objects_and_callables():
    assert regularizers.L1L2(l1=0.1, l2=0.2)(X).item() == pytest.approx(0.1 * 8 + 0.2 * 16.5)
    assert regularizers.L1L2()(X).item() == 0.0
    assert repr(regularizers.L1(0.5)) == "L1(l1=0.5)"
    custom = regularizers.get(lambda w: w.sum())
    assert custom(X).item() == pytest.approx(1.0)
    assert regularizers.get(None) is None


def test_collects_over_nested_modules_with_gradient():
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    first = Embedding(2, 2, weights=[table], embeddings_regularizer="l2")
    second = Embedding(2, 2, weights=[table], embeddings_regularizer=regularizers.L1(0.5))
    model = nn.Sequential(nn.Sequential(first), nn.Linear(2, 2), second)
    loss = regularization_loss(model)
    assert loss.item() == pytest.approx(0.01 * 30 + 0.5 * 10)
    loss.backward()
    assert torch.allclose(first.weight.grad, 0.02 * table)
    assert torch.allclose(second.weight.grad, torch.full((2, 2), 0.5))


def test_no_regularizer_gives_zero():
    assert regularization_loss(nn.Linear(2, 2)).item() == 0.0
    assert regularization_loss(nn.Identity()).item() == 0.0


@pytest.mark.parametrize("bad", [-0.1, float("nan")])
def test_bad_factors(bad):
    with pytest.raises(ValueError, match="`l1` must be a number >= 0, got"):
        regularizers.L1L2(l1=bad)


@pytest.mark.parametrize("bad", ["0.1", True])
def test_factors_of_the_wrong_type(bad):
    with pytest.raises(TypeError, match="`l1` must be a number >= 0, got"):
        regularizers.L1L2(l1=bad)
