"""Initializers: Keras defaults and formulas, seeds, callables and arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vectab.nn import Embedding, initializers

SHAPE = (4000, 50)


@pytest.mark.parametrize(
    ("name", "cls", "config"),
    [
        ("uniform", initializers.RandomUniform, {"minval": -0.05, "maxval": 0.05, "seed": None}),
        ("random_uniform",
         initializers.RandomUniform, {"minval": -0.05, "maxval": 0.05, "seed": None}),
        ("normal", initializers.RandomNormal, {"mean": 0.0, "stddev": 0.05, "seed": None}),
        ("random_normal", initializers.RandomNormal, {"mean": 0.0, "stddev": 0.05, "seed": None}),
        ("truncated_normal",
         initializers.TruncatedNormal, {"mean": 0.0, "stddev": 0.05, "seed": None}),
        ("glorot_uniform", initializers.GlorotUniform, {"seed": None}),
        ("glorot_normal", initializers.GlorotNormal, {"seed": None}),
        ("orthogonal", initializers.Orthogonal, {"gain": 1.0, "seed": None}),
        ("zeros", initializers.Zeros, {}),
        ("ones", initializers.Ones, {}),
        ("constant", initializers.Constant, {"value": 0.0}),
        ("GlorotUniform", initializers.GlorotUniform, {"seed": None}),
    ],
)
def test_names_give_keras_defaults(name, cls, config):
    init = initializers.get(name)
    assert type(init) is cls and init.get_config() == config


def test_distributions_follow_keras_formulas():
    torch.manual_seed(0)
    u = initializers.get("uniform")(SHAPE)
    assert u.min() >= -0.05 and u.max() <= 0.05 and abs(u.std() - 0.1 / math.sqrt(12)) < 1e-3
    n = initializers.RandomNormal(mean=1.0, stddev=0.2)(SHAPE)
    assert abs(n.mean() - 1.0) < 2e-3 and abs(n.std() - 0.2) < 2e-3
    t = initializers.TruncatedNormal(stddev=0.05)(SHAPE)
    assert t.abs().max() <= 0.1 and t.std() < 0.05
    limit = math.sqrt(6 / (SHAPE[0] + SHAPE[1]))  # Keras: fan_in = rows, fan_out = columns
    g = initializers.GlorotUniform()(SHAPE)
    assert g.abs().max() <= limit and g.abs().max() > 0.99 * limit
    gn = initializers.GlorotNormal()(SHAPE)
    assert abs(gn.std() - math.sqrt(2 / sum(SHAPE))) < 2e-3  # truncation restores the scale
    o = initializers.Orthogonal(gain=2.0)((50, 30))
    assert torch.allclose(o.T @ o, 4 * torch.eye(30), atol=1e-4)
    assert torch.equal(initializers.Constant(0.5)((2, 2)), torch.full((2, 2), 0.5))
    assert torch.equal(initializers.get("ones")((2, 3), dtype=torch.float64),
                       torch.ones(2, 3, dtype=torch.float64))


def test_seed_makes_tables_repeatable():
    a = initializers.RandomNormal(seed=7)((5, 3))
    b = initializers.RandomNormal(seed=7)((5, 3))
    c = initializers.RandomNormal(seed=8)((5, 3))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(
        Embedding(5, 3, embeddings_initializer=initializers.RandomNormal(seed=7)).weight, a)


def test_callables_arrays_and_tensors():
    keras_style = Embedding(3, 2, embeddings_initializer=lambda shape: np.full(shape, 2.0))
    assert torch.equal(keras_style.weight, torch.full((3, 2), 2.0))
    torch_style = Embedding(3, 2, embeddings_initializer=torch.nn.init.ones_)
    assert torch.equal(torch_style.weight, torch.ones(3, 2))
    matrix = np.arange(6.0).reshape(3, 2)
    from_array = Embedding(3, 2, embeddings_initializer=matrix)
    assert torch.equal(from_array.weight, torch.as_tensor(matrix, dtype=torch.float32))
    tensor = torch.randn(3, 2, dtype=torch.float64)
    from_tensor = Embedding(3, 2, embeddings_initializer=tensor, dtype=torch.float64)
    assert (torch.equal(from_tensor.weight, tensor)
            and from_tensor.weight.data_ptr() != tensor.data_ptr())


def test_padding_row_starts_at_zero_unless_weights_given():
    assert torch.equal(Embedding(4, 2, padding_idx=1).weight[1], torch.zeros(2))
    kept = Embedding(4, 2, weights=[np.ones((4, 2))], padding_idx=1)
    assert torch.equal(kept.weight[1], torch.ones(2))


@pytest.mark.parametrize(("bad", "error"), [("glorot", ValueError), ("he_normal", ValueError),
                                            (1.5, TypeError), (None, TypeError)])
def test_bad_identifiers(bad, error):
    with pytest.raises(error, match="`embeddings_initializer`"):
        initializers.get(bad)
