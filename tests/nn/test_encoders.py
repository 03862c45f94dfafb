"""SequenceEncoder and masked pooling: padding side never changes the result."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vectab.nn.encoders import ENCODER_KINDS, SequenceEncoder, is_left_aligned, left_align_index
from vectab.nn.pooling import AttentionPooling, last_real, masked_max, masked_mean

POOLINGS = ("last", "mean", "max", "attention")
D = 6


def _encoder(kind: str, pooling: str, **options) -> SequenceEncoder:
    torch.manual_seed(0)
    settings = dict(hidden_size=4, num_filters=3, kernel_sizes=(2, 3, 5), pooling=pooling)
    settings.update(options)
    return SequenceEncoder(D, kind=kind, **settings).eval()


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("kind", ENCODER_KINDS)
def test_pre_post_and_no_padding_give_the_same_outputs(kind, pooling):
    enc = _encoder(kind, pooling, num_layers=2)
    g = torch.Generator().manual_seed(1)
    short, long = torch.randn(3, D, generator=g), torch.randn(5, D, generator=g)
    junk = 100 * torch.randn(2, D, generator=g)  # pad vectors: must never matter
    alone_out, alone_pooled = enc(short[None])
    long_out, long_pooled = enc(long[None])
    pre = torch.stack([torch.cat([junk, short]), long])
    post = torch.stack([torch.cat([short, junk]), long])
    pre_mask = torch.tensor([[False, False, True, True, True], [True] * 5])
    post_mask = torch.tensor([[True, True, True, False, False], [True] * 5])
    for x, mask, real in ((pre, pre_mask, slice(2, 5)), (post, post_mask, slice(0, 3))):
        out, pooled = enc(x, mask)
        torch.testing.assert_close(pooled[0], alone_pooled[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(pooled[1], long_pooled[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(out[0, real], alone_out[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(out[1], long_out[0], atol=1e-5, rtol=1e-5)
        assert bool((out[0][~mask[0]] == 0).all())


@pytest.mark.parametrize("kind", ["bilstm", "gru"])
def test_gradients_do_not_depend_on_the_padding_side(kind):
    enc = _encoder(kind, "last")
    seq = torch.randn(3, D)
    grads = []
    for padded, mask in (
        (torch.cat([torch.zeros(2, D), seq]), torch.tensor([False, False, True, True, True])),
        (torch.cat([seq, torch.zeros(2, D)]), torch.tensor([True, True, True, False, False])),
    ):
        x = padded[None].clone().requires_grad_(True)
        enc(x, mask[None])[1].sum().backward()
        assert bool((x.grad[0][~mask] == 0).all())
        grads.append(x.grad[0][mask])
    torch.testing.assert_close(grads[0], grads[1])


def test_recurrent_last_pooling_is_the_final_hidden_state_of_torch_rnn():
    enc = _encoder("bilstm", "last")
    seq = torch.randn(1, 4, D)
    _, (h_n, _) = enc.rnn(seq)
    x = torch.cat([torch.zeros(1, 3, D), seq], dim=1)
    mask = torch.tensor([[False] * 3 + [True] * 4])
    torch.testing.assert_close(enc(x, mask)[1][0], torch.cat([h_n[0, 0], h_n[1, 0]]))


@pytest.mark.parametrize("kind", ENCODER_KINDS)
def test_a_row_without_tokens_gives_zeros_and_no_nan(kind):
    enc = _encoder(kind, "attention")
    mask = torch.tensor([[False, False, False], [True, True, False]])
    x = torch.randn(2, 3, D, requires_grad=True)
    out, pooled = enc(x, mask)
    assert bool((out[0] == 0).all()) and bool((pooled[0] == 0).all())
    (out.sum() + pooled.sum()).backward()
    assert bool(torch.isfinite(x.grad).all())


def test_cnn_handles_sequences_shorter_than_the_kernel():
    enc = _encoder("cnn", "max", kernel_sizes=(5, 7))
    out, pooled = enc(torch.randn(2, 1, D))
    assert out.shape == (2, 1, 6) and pooled.shape == (2, 6)


def test_no_padding_mask_equals_no_mask():
    enc = _encoder("bigru", "mean")
    x = torch.randn(3, 4, D)
    full = torch.ones(3, 4, dtype=torch.bool)
    torch.testing.assert_close(enc(x, full)[1], enc(x)[1])


@pytest.mark.parametrize(
    "kind, size", [("lstm", 4), ("bilstm", 8), ("gru", 4), ("bigru", 8), ("cnn", 9), ("mean", D)]
)
def test_output_size(kind, size):
    enc = _encoder(kind, "max")
    assert enc.output_size == size
    assert enc(torch.randn(2, 3, D))[0].shape == (2, 3, size)


@given(st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=5))
@settings(max_examples=50, deadline=None)
def test_left_align_index_keeps_the_token_order(rows):
    mask = torch.tensor(rows)
    x = torch.arange(mask.numel()).reshape(mask.shape)
    gather, back = left_align_index(mask)
    aligned = x.gather(1, gather)
    lengths = mask.sum(1)
    for b in range(mask.shape[0]):
        assert aligned[b, : lengths[b]].tolist() == x[b][mask[b]].tolist()
    assert torch.equal(aligned.gather(1, back), x)
    assert is_left_aligned(torch.arange(4)[None] < lengths[:, None])


def test_pooling_functions():
    x = torch.tensor([[[1.0], [5.0], [3.0]], [[2.0], [4.0], [-9.0]]])
    mask = torch.tensor([[False, True, True], [True, True, False]])
    assert masked_mean(x, mask).tolist() == [[4.0], [3.0]]
    assert masked_max(x, mask).tolist() == [[5.0], [4.0]]
    assert last_real(x, mask).tolist() == [[3.0], [4.0]]
    assert masked_mean(x, None).shape == (2, 1)
    pool = AttentionPooling(1)
    weights = pool.weights(x, mask)
    assert bool((weights[~mask] == 0).all())
    torch.testing.assert_close(weights.sum(1), torch.ones(2))


@pytest.mark.parametrize(
    "options",
    [
        {"kind": "transformer"},
        {"hidden_size": 0},
        {"num_layers": -1},
        {"dropout": 1.0},
        {"dropout": -0.1},
        {"kernel_sizes": ()},
        {"kernel_sizes": (3, 0)},
        {"pooling": "sum"},
    ],
)
def test_bad_options_raise(options):
    with pytest.raises(ValueError):
        SequenceEncoder(D, **options)


@pytest.mark.parametrize(
    ("options", "name"),
    [({"num_filters": 1.5}, "num_filters"), ({"hidden_size": "8"}, "hidden_size"),
     ({"dropout": "0.1"}, "dropout"), ({"kernel_sizes": (3, 2.0)}, r"kernel_sizes\[1\]"),
     ({"kind": 3}, "kind")],
)
def test_options_of_the_wrong_type_raise_type_error(options, name):
    with pytest.raises(TypeError, match=f"`{name}`"):
        SequenceEncoder(D, **options)


def test_bad_input_size_and_inputs_raise():
    with pytest.raises(ValueError, match="input_size"):
        SequenceEncoder(0)
    enc = SequenceEncoder(D, kind="lstm", hidden_size=3)
    with pytest.raises(ValueError, match="x"):
        enc(torch.randn(2, 3, D + 1))
    with pytest.raises(ValueError, match="x"):
        enc(torch.randn(3, D))
    with pytest.raises(TypeError, match="bool"):
        enc(torch.randn(2, 3, D), torch.ones(2, 3))
    with pytest.raises(ValueError, match="shape"):
        enc(torch.randn(2, 3, D), torch.ones(2, 4, dtype=torch.bool))


@pytest.mark.parametrize("pooling", ["last", "attention"])
@pytest.mark.parametrize("kind", ["lstm", "bilstm", "gru", "bigru"])
def test_packed_and_dense_runs_agree(kind, pooling):
    packed = _encoder(kind, pooling, num_layers=2, pack=True)
    dense = _encoder(kind, pooling, num_layers=2, pack=False)
    dense.load_state_dict(packed.state_dict())
    g = torch.Generator().manual_seed(2)
    x = torch.randn(5, 7, D, generator=g)
    mask = torch.rand(5, 7, generator=g) > 0.4
    mask[0], mask[1] = True, False
    mask[2] = torch.arange(7) >= 3  # pre-padded
    results = []
    for enc in (packed, dense):
        leaf = x.clone().requires_grad_(True)
        out, pooled = enc(leaf, mask)
        (out.sum() + pooled.square().sum()).backward()
        results.append((out, pooled, leaf.grad))
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_bad_pack_raises():
    # A flag is a bool: 'auto' (or 0) used to be read as a value, now it is the wrong type.
    for pack in ("auto", 0):
        with pytest.raises(TypeError, match="`pack` must be None, True or False"):
            SequenceEncoder(D, pack=pack)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("kind", ["lstm", "bilstm"])
def test_matches_keras_lstm_with_a_mask(kind):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    enc = _encoder(kind, "last")
    lstm = keras.layers.LSTM(4)
    layer = keras.layers.Bidirectional(lstm) if kind == "bilstm" else lstm
    x = torch.randn(3, 6, D)
    mask = torch.tensor(
        [[False, False, True, True, True, True], [True] * 3 + [False] * 3, [True] * 6]
    )
    layer(x.numpy(), mask=mask.numpy())  # build

    def weights(suffix):  # torch and Keras share the i, f, g, o gate order
        get = lambda name: getattr(enc.rnn, f"{name}_l0{suffix}").detach()  # noqa: E731
        return [
            get("weight_ih").T.numpy(),
            get("weight_hh").T.numpy(),
            (get("bias_ih") + get("bias_hh")).numpy(),
        ]

    if kind == "bilstm":
        layer.forward_layer.set_weights(weights(""))
        layer.backward_layer.set_weights(weights("_reverse"))
    else:
        layer.set_weights(weights(""))
    expected = keras.ops.convert_to_numpy(layer(x.numpy(), mask=mask.numpy()))
    torch.testing.assert_close(enc(x, mask)[1], torch.as_tensor(expected), atol=1e-5, rtol=1e-4)
