"""Parity with Keras 3 (torch backend): lookup, mask, losses, regularizers and constraints."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from vectab.nn import Embedding, apply_constraints, constraints, regularization_loss, regularizers

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="Keras 3 is the reference for these tests")
if keras.backend.backend() != "torch":
    pytest.skip("needs Keras on its torch backend", allow_module_level=True)

MATRIX = np.random.default_rng(0).normal(size=(12, 5)).astype("float32")
IDS = np.array([[3, 7, 0, 0], [11, 2, 5, 0]])


def test_same_lookup_mask_and_losses_as_keras_embedding():
    ref = keras.layers.Embedding(12, 5, weights=[MATRIX], mask_zero=True,
                                 embeddings_regularizer="l2", activity_regularizer="l1")
    ours = Embedding(12, 5, weights=[MATRIX], mask_zero=True,
                     embeddings_regularizer="l2", activity_regularizer="l1")
    expected = ref(IDS)
    assert torch.equal(ours(IDS), torch.as_tensor(np.asarray(expected.detach().cpu())))
    assert torch.equal(ours.compute_mask(torch.as_tensor(IDS)), ref.compute_mask(IDS).cpu())
    keras_total = sum(float(loss.detach()) for loss in ref.losses)
    assert regularization_loss(ours).item() == pytest.approx(keras_total, rel=1e-6)


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_regularizers_equal_keras(name):
    x = torch.as_tensor(MATRIX)
    expected = float(keras.regularizers.get(name)(MATRIX))
    assert regularizers.get(name)(x).item() == pytest.approx(expected, rel=1e-6)
    both = float(keras.regularizers.L1L2(l1=0.01, l2=0.01)(MATRIX))
    assert regularizers.get("l1_l2")(x).item() == pytest.approx(both, rel=1e-6)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (constraints.MaxNorm(1.5), lambda: keras.constraints.MaxNorm(1.5, axis=1)),
        (constraints.UnitNorm(), lambda: keras.constraints.UnitNorm(axis=1)),
        (constraints.NonNeg(), lambda: keras.constraints.NonNeg()),
        (constraints.MinMaxNorm(0.5, 1.0, rate=0.7),
         lambda: keras.constraints.MinMaxNorm(0.5, 1.0, rate=0.7, axis=1)),
    ],
)
def test_constraints_equal_keras_with_axis_1(ours, theirs):
    expected = np.asarray(theirs()(MATRIX).detach().cpu())
    layer = Embedding(12, 5, weights=[MATRIX], embeddings_constraint=ours)
    apply_constraints(layer)
    assert np.allclose(layer.weight.detach().numpy(), expected, atol=1e-6)


def test_keras_default_initializer_range():
    keras_table = np.asarray(keras.initializers.get("uniform")((400, 20)).cpu())
    ours = Embedding(400, 20).weight.detach().numpy()
    assert abs(keras_table).max() <= 0.05 and abs(ours).max() <= 0.05
    assert abs(keras_table.std() - ours.std()) < 2e-3
