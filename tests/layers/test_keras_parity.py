"""Each vectab.layers layer against the same Keras 3 layer: Keras' weights copied in with
set_weights give Keras' outputs (1e-5, float32), with and without masks; count_params and the
get_weights layout agree."""

from __future__ import annotations

import numpy as np
import pytest
import torch

keras = pytest.importorskip("keras")

from vectab import layers as vl  # noqa: E402

RNG = np.random.default_rng(0)
ATOL = 1e-5


def knp(x):
    if isinstance(x, (list, tuple)):
        return [knp(v) for v in x]
    return np.asarray(keras.ops.convert_to_numpy(x))


def tnp(x):
    if isinstance(x, (list, tuple)):
        return [tnp(v) for v in x]
    return x.detach().cpu().numpy()


def pair(keras_layer, vectab_layer, x, mask=None):
    """Build both on x, copy Keras' weights into vectab, return both outputs as numpy."""
    kx = keras.ops.convert_to_tensor(x)
    kwargs = {} if mask is None else {"mask": keras.ops.convert_to_tensor(mask)}
    k_out = keras_layer(kx, **kwargs)
    tx = torch.as_tensor(x)
    vectab_layer.eval()
    vectab_layer(tx, mask=None if mask is None else torch.as_tensor(mask))  # builds lazily
    weights = keras_layer.get_weights()
    assert [w.shape for w in vectab_layer.get_weights()] == [w.shape for w in weights]
    vectab_layer.set_weights(weights)
    assert vectab_layer.count_params() == keras_layer.count_params()
    with torch.no_grad():
        v_out = vectab_layer(tx, mask=None if mask is None else torch.as_tensor(mask))
    return knp(k_out), tnp(v_out)


def assert_close(a, b):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_close(x, y)
        return
    np.testing.assert_allclose(b, a, atol=ATOL, rtol=1e-5)


def seq(batch=3, steps=6, dim=4):
    return RNG.standard_normal((batch, steps, dim)).astype("float32")


def padded_masks(batch=3, steps=6):
    """Post- and pre-padding masks with lengths 6, 3, 1."""
    lengths = np.array([steps, 3, 1])[:batch]
    post = np.arange(steps)[None, :] < lengths[:, None]
    return post, post[:, ::-1].copy()


# ----------------------------------------------------------------- core
@pytest.mark.parametrize("activation", [None, "relu", "softmax"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense(activation, use_bias):
    x = RNG.standard_normal((4, 5)).astype("float32")
    k, v = pair(keras.layers.Dense(3, activation=activation, use_bias=use_bias),
                vl.Dense(3, activation=activation, use_bias=use_bias), x)
    assert_close(k, v)


def test_dense_on_sequences_keeps_the_mask_as_keras_3():
    x = seq()
    k, v = pair(keras.layers.Dense(2), vl.Dense(2), x)
    assert_close(k, v)
    mask = torch.ones(3, 6, dtype=torch.bool)
    assert keras.layers.Dense(2).supports_masking and vl.Dense(2).compute_mask(x, mask) is mask


def test_embedding_and_its_mask():
    ids = np.array([[3, 1, 0, 0], [2, 4, 4, 0]], dtype="int64")
    k_layer = keras.layers.Embedding(5, 2, mask_zero=True)
    v_layer = vl.Embedding(5, 2, mask_zero=True)
    assert isinstance(v_layer, __import__("vectab").nn.Embedding)
    k, v = pair(k_layer, v_layer, ids)
    assert_close(k, v)
    np.testing.assert_array_equal(
        tnp(v_layer.compute_mask(torch.as_tensor(ids), None)),
        knp(k_layer.compute_mask(keras.ops.convert_to_tensor(ids))),
    )
    assert v_layer.count_params() == 10


@pytest.mark.parametrize(("k_make", "v_make"), [
    (lambda: keras.layers.Flatten(), lambda: vl.Flatten()),
    (lambda: keras.layers.Reshape((4, 6)), lambda: vl.Reshape((4, 6))),
    (lambda: keras.layers.Reshape((-1, 2)), lambda: vl.Reshape((-1, 2))),
    (lambda: keras.layers.Activation("tanh"), lambda: vl.Activation("tanh")),
    (lambda: keras.layers.Dropout(0.5), lambda: vl.Dropout(0.5)),
    (lambda: keras.layers.SpatialDropout1D(0.5), lambda: vl.SpatialDropout1D(0.5)),
])
def test_weightless_layers(k_make, v_make):
    x = seq()
    k_layer, v_layer = k_make(), v_make()
    k, v = pair(k_layer, v_layer, x)
    assert_close(k, v)
    assert v_layer.compute_output_shape((None, 6, 4)) == tuple(
        k_layer.compute_output_shape((None, 6, 4)))
    mask = torch.ones(3, 6, dtype=torch.bool)
    assert (v_layer.compute_mask(x, mask) is mask) == k_layer.supports_masking


def test_dropout_trains_like_keras():
    x = torch.ones(2000, 8)
    layer = vl.Dropout(0.25).train()
    out = layer(x)
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.75) < 0.03
    assert torch.allclose(out[kept], torch.tensor(1 / 0.75))
    spatial = vl.SpatialDropout1D(0.5).train()(torch.ones(50, 7, 8))
    assert bool(((spatial == 0).all(1) | (spatial != 0).all(1)).all())  # whole channels


# ----------------------------------------------------------------- recurrent
RNNS = {
    "lstm": (keras.layers.LSTM, vl.LSTM),
    "gru": (keras.layers.GRU, vl.GRU),
    "simple_rnn": (keras.layers.SimpleRNN, vl.SimpleRNN),
}


@pytest.mark.parametrize("kind", list(RNNS))
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("padding", [None, "post", "pre"])
def test_rnn(kind, return_sequences, padding):
    k_cls, v_cls = RNNS[kind]
    x = seq()
    mask = None
    if padding is not None:
        mask = padded_masks()[0 if padding == "post" else 1]
    k, v = pair(k_cls(5, return_sequences=return_sequences),
                v_cls(5, return_sequences=return_sequences), x, mask)
    assert_close(k, v)


@pytest.mark.parametrize("kind", list(RNNS))
def test_rnn_return_state_and_go_backwards(kind):
    k_cls, v_cls = RNNS[kind]
    x = seq()
    mask = padded_masks()[0]
    for kwargs in ({"return_state": True}, {"go_backwards": True, "return_sequences": True},
                   {"return_state": True, "go_backwards": True}):
        k, v = pair(k_cls(3, **kwargs), v_cls(3, **kwargs), x, mask)
        assert_close(k, v)


@pytest.mark.parametrize("kind", list(RNNS))
def test_pre_and_post_padding_give_the_same_final_output(kind):
    _, v_cls = RNNS[kind]
    layer = v_cls(4).eval()
    x = torch.randn(1, 3, 2)
    post = torch.cat([x, torch.zeros(1, 2, 2)], 1)
    pre = torch.cat([torch.zeros(1, 2, 2), x], 1)
    m_post = torch.tensor([[True, True, True, False, False]])
    with torch.no_grad():
        a, b, c = layer(post, mask=m_post), layer(pre, mask=m_post.flip(1)), layer(x)
    torch.testing.assert_close(a, c)
    torch.testing.assert_close(b, c)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merge_modes(merge_mode):
    k, v = pair(
        keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True),
                                   merge_mode=merge_mode),
        vl.Bidirectional(vl.LSTM(3, return_sequences=True), merge_mode=merge_mode),
        seq(), padded_masks()[1],
    )
    assert_close(k, v)


@pytest.mark.parametrize("padding", [None, "post", "pre"])
def test_bidirectional_masks(padding):
    mask = None if padding is None else padded_masks()[0 if padding == "post" else 1]
    k, v = pair(keras.layers.Bidirectional(keras.layers.LSTM(3)),
                vl.Bidirectional(vl.LSTM(3)), seq(), mask)
    assert_close(k, v)


def test_bidirectional_gru_return_state():
    x = seq()
    k, v = pair(keras.layers.Bidirectional(keras.layers.GRU(3, return_state=True)),
                vl.Bidirectional(vl.GRU(3, return_state=True)), x, padded_masks()[1])
    assert_close(k, v)


# ----------------------------------------------------------------- conv and pooling
@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize(("strides", "dilation"), [(1, 1), (2, 1), (1, 2)])
def test_conv1d(padding, strides, dilation):
    if padding == "causal" and strides > 1:
        pytest.skip("Keras 3 rejects causal padding with strides > 1")
    x = seq(steps=9)
    k, v = pair(
        keras.layers.Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation,
                            activation="relu"),
        vl.Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation,
                  activation="relu"),
        x,
    )
    assert_close(k, v)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize(("pool", "strides"), [(2, None), (3, 2), (3, 1)])
def test_max_pooling1d(padding, pool, strides):
    x = seq(steps=7)
    k, v = pair(keras.layers.MaxPooling1D(pool, strides, padding),
                vl.MaxPooling1D(pool, strides, padding), x)
    assert_close(k, v)


@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling(keepdims):
    x = seq()
    for mask in (None, *padded_masks()):
        for k_cls, v_cls in ((keras.layers.GlobalAveragePooling1D, vl.GlobalAveragePooling1D),
                             (keras.layers.GlobalMaxPooling1D, vl.GlobalMaxPooling1D)):
            kl, vlayer = k_cls(keepdims=keepdims), v_cls(keepdims=keepdims)
            k_mask = None if not kl.supports_masking else mask  # Keras drops it otherwise
            k, v = pair(kl, vlayer, x, k_mask)
            assert_close(k, v)


# ----------------------------------------------------------------- wrappers and merges
def test_time_distributed_dense():
    x = seq()
    k, v = pair(keras.layers.TimeDistributed(keras.layers.Dense(2)),
                vl.TimeDistributed(vl.Dense(2)), x)
    assert_close(k, v)


def test_concatenate_and_add():
    a, b = seq(), seq()
    ka, kb = keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b)
    ta, tb = torch.as_tensor(a), torch.as_tensor(b)
    assert_close(knp(keras.layers.concatenate([ka, kb])), tnp(vl.concatenate([ta, tb])))
    assert_close(knp(keras.layers.Concatenate(axis=1)([ka, kb])),
                 tnp(vl.Concatenate(axis=1)([ta, tb])))
    assert_close(knp(keras.layers.Add()([ka, kb])), tnp(vl.Add()([ta, tb])))
    post, pre = (torch.as_tensor(m) for m in padded_masks())
    assert torch.equal(vl.Add().compute_mask([ta, tb], [post, pre]), post | pre)
    assert vl.Add().compute_mask([ta, tb], [post, None]) is None


# ----------------------------------------------------------------- activations
@pytest.mark.parametrize("name", sorted(vl.ACTIVATIONS))
def test_activation_matches_keras(name):
    x = np.linspace(-5, 5, 41, dtype="float32").reshape(1, 41)
    k_fn = keras.activations.get(name)
    np.testing.assert_allclose(
        tnp(vl.activation(name)(torch.as_tensor(x))), knp(k_fn(keras.ops.convert_to_tensor(x))),
        atol=1e-5, rtol=1e-5,
    )


def test_embedding_weights_and_trainable_false_as_keras():
    matrix = RNG.standard_normal((5, 3)).astype("float32")
    k_layer = keras.layers.Embedding(5, 3, weights=[matrix], trainable=False)
    v_layer = vl.Embedding(5, 3, weights=[matrix], trainable=False)
    ids = np.array([[1, 4, 0]])
    k_out = knp(k_layer(keras.ops.convert_to_tensor(ids)))
    np.testing.assert_allclose(tnp(v_layer(torch.as_tensor(ids))), k_out)
    np.testing.assert_array_equal(v_layer.get_weights()[0], k_layer.get_weights()[0])
    assert not any(p.requires_grad for p in v_layer.parameters())


def test_dense_regularizers_give_keras_losses():
    x = RNG.standard_normal((4, 5)).astype("float32")
    k_layer = keras.layers.Dense(3, kernel_regularizer="l2", bias_regularizer="l1",
                                 activity_regularizer="l2")
    v_layer = vl.Dense(3, kernel_regularizer="l2", bias_regularizer="l1",
                       activity_regularizer="l2")
    k_layer(keras.ops.convert_to_tensor(x))  # builds; losses are read after a call
    v_layer(torch.as_tensor(x))
    weights = [w + 0.1 for w in k_layer.get_weights()]
    k_layer.set_weights(weights)
    v_layer.set_weights(weights)
    k_layer(keras.ops.convert_to_tensor(x))
    v_layer(torch.as_tensor(x))
    expected = sorted(float(knp(v)) for v in k_layer.losses)
    got = sorted(float(v) for v in v_layer.regularization_losses())
    np.testing.assert_allclose(got, expected, rtol=1e-5)
