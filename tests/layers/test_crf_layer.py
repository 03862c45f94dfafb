"""vectab.layers.CRF as keras-contrib's CRF (#11): the one-hot Viterbi output, ``loss_function``
(the CRF's negative log-likelihood of the layer's last call) and ``accuracy`` (Viterbi token
accuracy over the real steps), trained through ``Model.compile/fit``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import vectab.layers as vl
from vectab import nn as vnn
from vectab.models import Model

MASK = torch.tensor([[True, True, True, False, False], [True, True, True, True, True]])


def _layer(**kw):
    torch.manual_seed(0)
    return vl.CRF(4, use_kernel=False, use_bias=False, **kw)


def test_output_is_the_viterbi_path_one_hot_with_zeros_at_masked_steps():
    layer = _layer()
    emissions = torch.randn(2, 5, 4)
    out = layer(emissions, mask=MASK)
    paths = vnn.CRF.decode(layer.crf, emissions, MASK)
    assert out.shape == (2, 5, 4) and out.dtype == torch.float32
    assert torch.equal(out.argmax(-1)[MASK], paths[MASK])
    assert torch.equal(out.sum(-1), MASK.float())  # one-hot at real steps, zeros at masked
    assert torch.equal(layer.compute_mask(emissions, MASK), MASK)  # the mask passes on


def test_the_kernel_projects_features_to_the_tag_scores():
    torch.manual_seed(0)
    layer = vl.CRF(4)
    x = torch.randn(2, 5, 6)
    out = layer(x, mask=MASK)
    kernel, chain, bias, left, right = layer.get_weights()
    assert kernel.shape == (6, 4) and chain.shape == (4, 4) and bias.shape == left.shape == (4,)
    emissions = x @ torch.as_tensor(kernel) + torch.as_tensor(bias)
    assert torch.equal(out.argmax(-1)[MASK], layer.crf.decode(emissions, MASK)[MASK])


@pytest.mark.parametrize("target", ["one_hot", "ids", "ids_1"])
def test_loss_function_is_the_nll_of_the_last_call(target):
    layer = _layer()
    emissions = torch.randn(2, 5, 4)
    tags = torch.randint(0, 4, (2, 5))
    y = {"one_hot": torch.nn.functional.one_hot(tags, 4).float(), "ids": tags,
         "ids_1": tags[..., None]}[target]
    out = layer(emissions, mask=MASK)
    expected = layer.crf.nll(emissions, tags, MASK, reduction="none")
    torch.testing.assert_close(layer.loss_function(out, y), expected)
    torch.testing.assert_close(layer.loss_function(y, out), expected)  # Keras' order
    torch.testing.assert_close(layer.loss(out, y).mean(), layer.nll(emissions, tags, MASK))


def test_loss_gradient_flows_to_the_emissions():
    layer = _layer()
    emissions = torch.randn(2, 5, 4, requires_grad=True)
    out = layer(emissions, mask=MASK)
    layer.loss_function(out, torch.zeros(2, 5, dtype=torch.long)).sum().backward()
    assert emissions.grad is not None and emissions.grad[MASK].abs().sum() > 0
    assert emissions.grad[~MASK].abs().sum() == 0  # masked steps take no part


def test_loss_before_any_call_says_what_to_do():
    with pytest.raises(RuntimeError, match="call the model"):
        _layer().loss_function(torch.zeros(1, 2, 4), torch.zeros(1, 2))


def test_accuracy_counts_the_real_steps_only():
    layer = _layer()
    out = layer(torch.randn(2, 5, 4), mask=MASK)
    pred = out.argmax(-1)
    wrong = (pred + 1) % 4
    tags = torch.where(MASK, pred, wrong)  # right at every real step, wrong at masked ones
    assert float(layer.accuracy(out, tags)) == 1.0
    assert float(layer.accuracy(torch.nn.functional.one_hot(tags, 4).float(), out)) == 1.0
    tags[1, :2] = wrong[1, :2]  # 2 of the 8 real steps wrong
    assert float(layer.accuracy(out, tags)) == pytest.approx(6 / 8)
    assert layer.accuracy.__name__ == "crf_viterbi_accuracy"


def test_compiled_functional_model_trains_and_predicts():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 9, size=(64, 6))
    x[::2, 4:] = 0  # padded
    y = np.eye(3)[x % 3]  # the tag is the word id mod 3, one-hot
    inputs = vl.Input(shape=(6,))
    h = vl.Embedding(9, 8, mask_zero=True)(inputs)
    h = vl.Bidirectional(vl.LSTM(8, return_sequences=True))(h)
    crf = vl.CRF(3)
    model = Model(inputs, crf(h))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    model.compile(optimizer=optimizer, loss=crf.loss_function, metrics=[crf.accuracy])
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["crf_viterbi_accuracy"][-1] > 0.8
    pred = model.predict(x, verbose=0)
    assert pred.shape == (64, 6, 3)
    real = x != 0
    assert (pred[~real] == 0).all() and (pred[real].sum(-1) == 1).all()
    assert (pred.argmax(-1)[real] == (x % 3)[real]).mean() > 0.8


def test_keras_contrib_arguments():
    assert vl.CRF(3, sparse_target=True, test_mode="viterbi").get_config()["sparse_target"]
    no_boundary = vl.CRF(3, use_boundary=False, use_kernel=False)
    assert len(no_boundary.get_weights()) == 2  # chain kernel and bias
    with pytest.raises(NotImplementedError, match="learn_mode='join'"):
        vl.CRF(3, learn_mode="marginal")
    with pytest.raises(ValueError, match="`test_mode`"):
        vl.CRF(3, test_mode="greedy")
    with pytest.raises(TypeError, match="`sparse_target`"):
        vl.CRF(3, sparse_target="yes")
    marginal = vl.CRF(3, test_mode="marginal", use_kernel=False).eval()
    probs = marginal(torch.randn(2, 5, 3), mask=MASK)
    torch.testing.assert_close(probs.sum(-1), MASK.float())
