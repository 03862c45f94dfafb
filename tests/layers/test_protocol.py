"""The layer protocol of vectab.layers: lazy build, Keras weight layout and errors, JSON config
round trip, initializer defaults, symbolic graphs, masks through a stack of layers."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from vectab import layers as vl
from vectab import nn as vnn


def test_dense_builds_on_first_call_from_the_input_shape():
    layer = vl.Dense(2)
    assert not layer.built and list(layer.parameters()) == []
    with pytest.raises(ValueError, match="not built yet"):
        layer.get_weights()
    layer(torch.randn(3, 7))
    assert layer.built and [w.shape for w in layer.get_weights()] == [(7, 2), (2,)]
    assert vl.Dense(2, input_dim=7).built and vl.Dense(2, input_shape=(7,)).count_params() == 16


def test_tutorial_stack_infers_every_shape():
    emb, flat, dense = vl.Embedding(50, 8, input_length=4), vl.Flatten(), vl.Dense(1, "sigmoid")
    out = dense(flat(emb(torch.randint(0, 50, (10, 4)))))
    assert out.shape == (10, 1) and dense.count_params() == 33
    assert bool(((out > 0) & (out < 1)).all())


def test_set_weights_errors_name_the_layer_and_the_index():
    layer = vl.Dense(2, input_dim=3, name="out")
    with pytest.raises(ValueError, match=r"'out' \(Dense\): weight 0 must have shape \(3, 2\); "
                                         r"got \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="expects a list of 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    lstm = vl.LSTM(2, input_shape=(5, 3), name="enc")
    with pytest.raises(ValueError, match=r"'enc' \(LSTM\): weight 2 must have shape \(8,\)"):
        lstm.set_weights([np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(4)])


@pytest.mark.parametrize("make", [
    lambda: vl.Dense(3, input_dim=4),
    lambda: vl.LSTM(3, input_shape=(5, 4)),
    lambda: vl.GRU(3, input_shape=(5, 4)),
    lambda: vl.SimpleRNN(3, input_shape=(5, 4)),
    lambda: vl.Bidirectional(vl.GRU(3), input_shape=(5, 4)),
    lambda: vl.Conv1D(3, 2, input_shape=(5, 4)),
    lambda: vl.TimeDistributed(vl.Dense(3), input_shape=(5, 4)),
    lambda: vl.CRF(4, input_shape=(5, 4)),
    lambda: vl.CRF(4, use_kernel=False, use_boundary=False),
    lambda: vl.Embedding(6, 4),
])
def test_get_weights_round_trip_and_json_config(make):
    layer = make()
    weights = [w + 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    for a, b in zip(layer.get_weights(), weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    config = json.loads(json.dumps(layer.get_config()))
    twin = type(layer).from_config(config)
    twin.set_weights(layer.get_weights())
    assert twin.get_config() == layer.get_config()
    x = torch.randn(2, 5, 4) if not isinstance(layer, (vl.Dense, vl.Embedding)) else (
        torch.randn(2, 4) if isinstance(layer, vl.Dense) else torch.randint(0, 6, (2, 5)))
    layer.eval(), twin.eval()
    torch.testing.assert_close(twin(x), layer(x))
    assert vl.deserialize(vl.serialize(layer)).get_config() == layer.get_config()


def test_default_initializers_follow_keras():
    lstm = vl.LSTM(8, input_shape=(5, 4))
    kernel, recurrent, bias = (torch.as_tensor(w) for w in lstm.get_weights())
    torch.testing.assert_close(recurrent @ recurrent.T, torch.eye(8), atol=1e-5, rtol=0)
    expected = torch.zeros(32)
    expected[8:16] = 1.0  # unit_forget_bias: ones in the forget-gate slice
    torch.testing.assert_close(bias, expected)
    limit = (6 / (4 + 32)) ** 0.5  # glorot_uniform on Keras' (in, 4u) kernel
    assert float(kernel.abs().max()) <= limit and float(kernel.abs().max()) > 0.8 * limit
    assert not vl.LSTM(8, unit_forget_bias=False, input_shape=(5, 4)).get_weights()[2].any()
    gru_bias = vl.GRU(8, input_shape=(5, 4)).get_weights()[2]
    assert gru_bias.shape == (2, 24) and not gru_bias.any()
    dense = vl.Dense(300, input_dim=200).get_weights()
    limit = (6 / 500) ** 0.5
    assert abs(dense[0].max() - limit) < 0.01 and abs(dense[0].min() + limit) < 0.01
    assert not dense[1].any()


def test_unsupported_options_fail_clearly():
    with pytest.raises(NotImplementedError, match="reset_after"):
        vl.GRU(3, reset_after=False)
    with pytest.raises(NotImplementedError, match="recurrent_dropout"):
        vl.LSTM(3, recurrent_dropout=0.2)
    with pytest.raises(NotImplementedError, match="activation='tanh'"):
        vl.LSTM(3, activation="relu")
    with pytest.raises(ValueError, match="`activation` must be one of"):
        vl.Dense(3, activation="nope")
    with pytest.raises(ValueError, match="`merge_mode`"):
        vl.Bidirectional(vl.LSTM(3), merge_mode="max")


def test_lstm_input_dropout_only_while_training():
    layer = vl.LSTM(4, dropout=0.5, input_shape=(6, 3))
    x = torch.randn(8, 6, 3)
    layer.eval()
    torch.testing.assert_close(layer(x), layer(x))
    layer.train()
    assert not torch.allclose(layer(x), layer(x))


def test_masks_propagate_through_a_stack():
    ids = torch.tensor([[0, 0, 3, 4], [5, 6, 7, 0]])
    emb = vl.Embedding(10, 4, mask_zero=True)
    mask = emb.compute_mask(ids, None)
    x = emb(ids)
    seqs = vl.LSTM(3, return_sequences=True)
    h = seqs(x, mask=mask)
    assert torch.equal(seqs.compute_mask(h, mask), mask)
    assert vl.LSTM(3).compute_mask(h, mask) is None
    td = vl.TimeDistributed(vl.Dense(2))
    assert torch.equal(td.compute_mask(h, mask), mask)
    assert vl.Flatten().compute_mask(h, mask) is None
    pooled = vl.GlobalAveragePooling1D()(h, mask=mask)
    expected = torch.stack([h[0, 2:].mean(0), h[1, :3].mean(0)])
    torch.testing.assert_close(pooled, expected)


def test_crf_layer_honours_the_mask():
    layer = vl.CRF(3, use_kernel=False)
    emissions = torch.randn(2, 4, 3)
    mask = torch.tensor([[False, True, True, True], [True, True, True, True]])
    out = layer(emissions, mask=mask)  # keras-contrib's output: the Viterbi path one-hot
    assert out.shape == (2, 4, 3) and float(out[0, 0].sum()) == 0
    assert isinstance(layer.crf, vnn.CRF)
    paths = out.argmax(-1)
    loss = layer.nll(emissions + layer.bias, paths, mask)
    assert loss.ndim == 0 and float(loss.detach()) > 0


def test_functional_graph_traces_layers_and_shapes():
    first, second = vl.Input(shape=(10,), dtype="int32"), vl.Input(shape=(10,), dtype="int32")
    shared = vl.Embedding(100, 8, mask_zero=True)
    a, b = shared(first), shared(second)
    merged = vl.concatenate([a, b])
    out, h, c = vl.LSTM(5, return_state=True)(merged)
    y = vl.Dense(1, activation="sigmoid")(out)
    assert merged.shape == (None, 10, 16) and y.shape == (None, 1) and c.shape == (None, 5)
    assert (out.index, h.index, c.index) == (0, 1, 2) and out.layer is c.layer
    order = vl.trace([first, second], [y])
    names = [type(n.layer).__name__ for n in order]
    assert names == ["Input", "Input", "Embedding", "Embedding", "Concatenate", "LSTM", "Dense"]
    with pytest.raises(ValueError, match="not among `inputs`"):
        vl.trace([first], [y])


def test_layers_are_plain_torch_modules():
    model = torch.nn.Sequential(vl.Embedding(20, 4), vl.Conv1D(6, 3, padding="same"),
                                vl.GlobalMaxPooling1D(), vl.Dense(2))
    out = model(torch.randint(0, 20, (3, 7)))
    out.sum().backward()
    assert out.shape == (3, 2)
    assert all(p.grad is not None for p in model.parameters())
    assert set(model.state_dict()) >= {"0.weight", "1.weight", "1.bias", "3.weight", "3.bias"}


def test_numpy_inputs_and_trainable_flag():
    layer = vl.Dense(2)
    layer.trainable = False
    out = layer(np.ones((3, 4)))  # float64 numpy -> float32, as Keras
    assert out.dtype == torch.float32 and not any(p.requires_grad for p in layer.parameters())
    layer.trainable = True
    assert all(p.requires_grad for p in layer.parameters())
    with pytest.raises(TypeError, match="`trainable` must be a bool"):
        layer.trainable = "yes"
