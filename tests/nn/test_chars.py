"""CharEncoder, CasingEmbedding and WordFeatures: character-aware word representations (#14)."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.func import functional_call

from vectab.models._embedding import resolve_mask
from vectab.nn import CasingEmbedding, CharEncoder, Embedding, WordFeatures
from vectab.text import CASING_CLASSES, CharVocab, casing_ids

KINDS = ("cnn", "lstm")
SENTENCES = [["The", "cat", "sat"], ["on", "a", "mat", "in", "Zürich"]]
VOCAB = CharVocab.build(SENTENCES)


def _encoder(kind: str, **options) -> CharEncoder:
    torch.manual_seed(0)
    settings = dict(char_dim=5, out_dim=6, kind=kind, kernel_size=3) | options
    return CharEncoder(len(VOCAB), **settings).eval()


def _ids(token_lists, **options) -> torch.Tensor:
    return torch.as_tensor(VOCAB.encode_batch(token_lists, **options))


# ----------------------------------------------------------------- CharEncoder
@pytest.mark.parametrize("kernel_size", [1, 2, 3, 5])
@pytest.mark.parametrize("kind", KINDS)
def test_padding_never_changes_a_word(kind, kernel_size):
    enc = _encoder(kind, kernel_size=kernel_size)
    with torch.no_grad():  # a non-zero padding row must not leak in either
        enc.embedding.weight[0] = 10.0
    words = [["The", "cat", "a"]]
    tight = enc(_ids(words, max_word_len=None))  # width 3, seq 3
    wide = enc(_ids(words + SENTENCES, seq_len=7, max_word_len=12))
    torch.testing.assert_close(wide[0, :3], tight[0], rtol=1e-6, atol=1e-6)
    assert wide.shape == (3, 7, 6)
    assert wide[0, 3:].eq(0).all() and wide[1, 3:].eq(0).all()  # padding words: exactly 0
    for b, row in enumerate(SENTENCES):  # each word as if alone
        for t, word in enumerate(row):
            alone = enc(_ids([[word]], max_word_len=None))[0, 0]
            torch.testing.assert_close(wide[b + 1, t], alone, rtol=1e-6, atol=1e-6)


ENCODERS = {kind: _encoder(kind) for kind in KINDS}


@settings(max_examples=10, deadline=None)
@given(st.lists(st.lists(st.integers(1, len(VOCAB) - 1), max_size=7), min_size=1, max_size=6),
       st.integers(0, 4), st.sampled_from(KINDS))
def test_each_word_is_encoded_as_if_alone(words, extra_width, kind):
    enc = ENCODERS[kind]
    width = max(len(w) for w in words) + extra_width
    ids = torch.zeros(1, len(words), max(width, 1), dtype=torch.long)
    for t, w in enumerate(words):
        ids[0, t, : len(w)] = torch.tensor(w, dtype=torch.long)
    out = enc(ids)[0]
    for t, w in enumerate(words):
        if not w:
            assert out[t].eq(0).all()
            continue
        alone = enc(torch.tensor([[w]]))[0, 0]
        torch.testing.assert_close(out[t], alone, rtol=1e-5, atol=1e-6)
        assert out[t].ne(0).any()


@pytest.mark.parametrize("kind", KINDS)
def test_repeated_words_get_the_gradients_of_each_occurrence(kind):
    # a batch's repeated words are encoded once: outputs and gradients must be those of
    # encoding every occurrence on its own (the sum over the occurrences)
    enc = _encoder(kind).train()  # no character dropout: the shared encoding is exact
    rows = [["The", "cat", "The", "a"], ["a", "a", "The", "mat"]]
    batch = enc(_ids(rows, max_word_len=None))
    weights = torch.randn_like(batch)
    (batch * weights).sum().backward()
    together = enc.embedding.weight.grad.clone()
    enc.zero_grad()
    for b, row in enumerate(rows):
        for t, word in enumerate(row):
            alone = enc(_ids([[word]], max_word_len=None))[0, 0]
            torch.testing.assert_close(batch[b, t].detach(), alone.detach(), rtol=1e-6,
                                       atol=1e-6)
            (alone * weights[b, t]).sum().backward()
    torch.testing.assert_close(together, enc.embedding.weight.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_any_leading_shape(kind):
    enc = _encoder(kind)
    ids = _ids(SENTENCES)
    out = enc(ids)
    torch.testing.assert_close(enc(ids.reshape(-1, ids.shape[-1])), out.reshape(-1, 6))
    torch.testing.assert_close(enc(ids[0]), out[0])
    assert enc(ids[:, :, :0]).eq(0).all() and enc(ids[:, :, :0]).shape == (2, 5, 6)
    assert enc(ids[:0]).shape == (0, 5, 6)
    assert enc(torch.zeros(2, 3, 4, dtype=torch.long)).eq(0).all()


def _cnn_reference(enc: CharEncoder, ids: list[int]) -> torch.Tensor:
    """Ma & Hovy by hand: windows of kernel_size over the word (zeros outside), max over them."""
    emb = enc.embedding.weight[ids]  # (L, char_dim)
    k = enc.kernel_size
    left = (k - 1) // 2  # torch's "same": the extra zero goes on the right
    weight, bias = enc.conv.weight, enc.conv.bias  # (out, char_dim, k)
    outputs = []
    for i in range(len(ids)):
        total = bias.clone()
        for j in range(k):
            pos = i + j - left
            if 0 <= pos < len(ids):
                total = total + weight[:, :, j] @ emb[pos]
        outputs.append(total)
    return torch.stack(outputs).max(dim=0).values


def _lstm_reference(enc: CharEncoder, ids: list[int]) -> torch.Tensor:
    """Lample et al. by hand: run each direction's cell over the word, keep the last states."""
    x = enc.embedding.weight[ids]
    hidden = enc.out_dim // 2
    states = []
    for suffix, order in (("", range(len(ids))), ("_reverse", reversed(range(len(ids))))):
        w_ih = getattr(enc.lstm, f"weight_ih_l0{suffix}")
        w_hh = getattr(enc.lstm, f"weight_hh_l0{suffix}")
        b = getattr(enc.lstm, f"bias_ih_l0{suffix}") + getattr(enc.lstm, f"bias_hh_l0{suffix}")
        h, c = torch.zeros(hidden), torch.zeros(hidden)
        for t in order:
            i, f, g, o = (w_ih @ x[t] + w_hh @ h + b).split(hidden)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        states.append(h)
    return torch.cat(states)


@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4])
def test_cnn_matches_the_windows_computed_by_hand(kernel_size):
    enc = _encoder("cnn", kernel_size=kernel_size)
    words = ["a", "at", "The", "Zürich"]
    out = enc(_ids([words]))
    with torch.no_grad():
        for t, ids in enumerate(VOCAB.encode_words(words)):
            torch.testing.assert_close(out[0, t], _cnn_reference(enc, ids), rtol=1e-5, atol=1e-5)


def test_lstm_matches_the_cells_computed_by_hand():
    enc = _encoder("lstm")
    words = ["a", "at", "The", "Zürich"]
    out = enc(_ids([words]))
    with torch.no_grad():
        for t, ids in enumerate(VOCAB.encode_words(words)):
            torch.testing.assert_close(out[0, t], _lstm_reference(enc, ids), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_distinct_words_get_distinct_vectors(kind):
    enc = _encoder(kind)
    words = ["cat", "act", "tac", "at", "ta", "a", "cats", "Cat", "mat", "sat", "Zürich", "zzz"]
    out = enc(_ids([words]))[0]
    for (i, a), (j, b) in itertools.combinations(enumerate(words), 2):
        assert (out[i] - out[j]).abs().max() > 1e-4, (a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_state_dict_round_trip(kind, tmp_path):
    enc = _encoder(kind)
    path = tmp_path / "chars.pt"
    torch.save(enc.state_dict(), path)
    torch.manual_seed(1)
    again = CharEncoder(len(VOCAB), char_dim=5, out_dim=6, kind=kind).eval()
    ids = _ids(SENTENCES)
    assert not torch.equal(again(ids), enc(ids))
    again.load_state_dict(torch.load(path, weights_only=True))
    torch.testing.assert_close(again(ids), enc(ids), rtol=0, atol=0)
    vocab = CharVocab.from_dict(VOCAB.to_dict())
    torch.testing.assert_close(again(torch.as_tensor(vocab.encode_batch(SENTENCES))), enc(ids))


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_float64(kind):
    torch.manual_seed(0)
    enc = CharEncoder(6, char_dim=3, out_dim=4, kind=kind, kernel_size=2).double()
    ids = torch.tensor([[[2, 3, 4, 0], [5, 0, 0, 0]], [[0, 0, 0, 0], [3, 2, 1, 5]]])
    names = [name for name, _ in enc.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in enc.parameters())

    def run(*values):
        return functional_call(enc, dict(zip(names, values, strict=True)), (ids,))

    assert torch.autograd.gradcheck(run, params, eps=1e-6, atol=1e-5)
    grads = torch.autograd.grad(run(*params).sum(), params)
    assert all(g.abs().sum() > 0 for g in grads)  # the gradient reaches every parameter


@pytest.mark.parametrize("kind", KINDS)
def test_padding_words_give_zero_gradient_and_char_row_zero_gets_none(kind):
    enc = _encoder(kind)
    enc.train()
    out = enc(_ids(SENTENCES, seq_len=6))
    out.sum().backward()
    assert enc.embedding.weight.grad[0].eq(0).all()
    assert enc.embedding.weight.grad[2:].abs().sum() > 0


@pytest.mark.parametrize("kind", KINDS)
def test_mixed_precision_autocast(kind):
    # Trainer(mixed_precision=...) runs forward under autocast: the conv / LSTM give bf16 there
    enc = _encoder(kind)
    ids = _ids(SENTENCES)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = enc(ids)
        features = WordFeatures(Embedding(3, 4), chars=enc)((ids[..., 0] != 0).long(), ids)
    assert out[0, 3:].eq(0).all()  # (CPU autocast runs the conv in bf16, the LSTM in float32)
    torch.testing.assert_close(out.float(), enc(ids), rtol=0.05, atol=0.05)
    assert features.dtype == torch.float32 and features.shape == (2, 5, 10)


def test_dropout_only_in_training():
    enc = _encoder("cnn", dropout=0.5)
    ids = _ids(SENTENCES)
    torch.testing.assert_close(enc(ids), enc(ids))
    enc.train()
    torch.manual_seed(3)
    noisy = enc(ids)
    assert not torch.allclose(noisy, enc.eval()(ids))
    assert noisy[0, 3:].eq(0).all()  # padding words stay exactly 0 under dropout


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"kind": "gru"}, ValueError, "`kind`"),
        ({"kind": "lstm", "out_dim": 5}, ValueError, "`out_dim` must be even"),
        ({"num_chars": 1}, ValueError, "`num_chars`"),
        ({"padding_idx": 9}, ValueError, "`padding_idx`"),
        ({"dropout": 1.0}, ValueError, "`dropout`"),
        ({"kernel_size": 0}, ValueError, "`kernel_size`"),
        ({"char_dim": 2.0}, TypeError, "`char_dim`"),
    ],
)
def test_char_encoder_arguments(options, error, match):
    with pytest.raises(error, match=match):
        CharEncoder(**({"num_chars": 9} | options))


@pytest.mark.parametrize("kind", KINDS)
def test_char_encoder_input_errors(kind):
    enc = _encoder(kind)
    with pytest.raises(ValueError, match="`char_ids` must have shape"):
        enc(torch.tensor([2, 3]))
    with pytest.raises(ValueError, match="characters first"):
        enc(torch.tensor([[[0, 2, 3]]]))
    with pytest.raises(ValueError, match=rf"\[0, {len(VOCAB)}\)"):
        enc(torch.tensor([[[len(VOCAB)]]]))
    with pytest.raises(TypeError, match="`ids`"):
        enc(torch.tensor([[[2.0]]]))


# ----------------------------------------------------------------- CasingEmbedding
def test_casing_embedding():
    layer = CasingEmbedding(4)
    assert layer.num_classes == len(CASING_CLASSES) and layer.output_dim == 4
    ids = torch.tensor([casing_ids(["The", "NASA", "cat", "3"]) + [0]])
    out = layer(ids)
    assert out.shape == (1, 5, 4) and out[0, 4].eq(0).all() and out[0, :4].ne(0).any(-1).all()
    out.sum().backward()
    assert layer.embedding.weight.grad[0].eq(0).all()
    with pytest.raises(ValueError, match=r"\[0, 9\)"):
        layer(torch.tensor([[9]]))
    with pytest.raises(ValueError, match="`dim`"):
        CasingEmbedding(0)


# ----------------------------------------------------------------- WordFeatures
def _word_table(vocab_size: int = 8, dim: int = 4, **options) -> Embedding:
    matrix = torch.randn(vocab_size, dim, generator=torch.Generator().manual_seed(0))
    return Embedding.from_pretrained(matrix, **options)


def _features(**options) -> WordFeatures:
    torch.manual_seed(0)
    parts = dict(chars=CharEncoder(len(VOCAB), char_dim=5, out_dim=6),
                 casing=CasingEmbedding(3)) | options
    return WordFeatures(_word_table(freeze=False, mask_zero=True), **parts)


def _inputs(seq_len: int | None = None):
    chars = _ids(SENTENCES, seq_len=seq_len)
    ids = (chars[..., 0] != 0).long() * 5  # every word is id 5 (say, the OOV row)
    casing = torch.zeros(ids.shape, dtype=torch.long)
    for b, row in enumerate(SENTENCES):
        casing[b, : len(row)] = torch.tensor(casing_ids(row))
    return ids, chars, casing


def test_word_features_concatenates_word_char_and_casing():
    layer = _features().eval()
    ids, chars, casing = _inputs()
    out = layer(ids, chars, casing)
    assert layer.output_dim == 4 + 6 + 3 and out.shape == (2, 5, 13)
    torch.testing.assert_close(out[..., :4], layer.word_embedding(ids))
    torch.testing.assert_close(out[..., 4:10], layer.chars(chars))
    torch.testing.assert_close(out[..., 10:], layer.casing(casing))
    only_chars = WordFeatures(layer.word_embedding, chars=layer.chars)
    assert only_chars.output_dim == 10
    torch.testing.assert_close(only_chars(ids, chars), out[..., :10])
    plain = WordFeatures(layer.word_embedding)
    torch.testing.assert_close(plain(ids), layer.word_embedding(ids))


def test_oov_words_sharing_one_row_get_their_own_non_zero_char_vectors():
    layer = _features().eval()
    ids, chars, casing = _inputs()  # every word maps to the same word row
    out = layer(ids, chars, casing)
    words = [w for row in SENTENCES for w in row]
    real = out[ids != 0]
    assert torch.equal(real[:, :4], real[:1, :4].expand(len(words), 4))  # one word row for all
    assert real[:, 4:10].ne(0).any(-1).all()
    for i, j in itertools.combinations(range(len(words)), 2):
        assert (real[i, 4:] - real[j, 4:]).abs().max() > 1e-4, (words[i], words[j])


def test_word_features_mask_is_the_word_embeddings():
    layer = _features()
    ids, chars, casing = _inputs(seq_len=6)
    assert torch.equal(layer.compute_mask(ids), ids != 0)
    assert torch.equal(resolve_mask(layer, ids, None), ids != 0)
    no_mask = WordFeatures(_word_table(), chars=layer.chars)
    assert no_mask.compute_mask(ids) is None and resolve_mask(no_mask, ids, None) is None
    padded = WordFeatures(Embedding(8, 4, padding_idx=0))
    assert padded.padding_idx == 0 and torch.equal(resolve_mask(padded, ids, None), ids != 0)
    assert padded.num_embeddings == 8


def test_row_frozen_pretrained_rows_stay_while_chars_and_casing_learn():
    torch.manual_seed(0)
    frozen = torch.tensor([True, True, False, True, False, True, True, False])
    words = _word_table(freeze=frozen, mask_zero=True)
    layer = WordFeatures(words, chars=CharEncoder(len(VOCAB), out_dim=6, kind="lstm"),
                         casing=CasingEmbedding(3), dropout=0.1)
    before = words.weight.detach().clone()
    char_before = [p.detach().clone() for p in layer.chars.parameters()]
    casing_before = layer.casing.embedding.weight.detach().clone()
    optimizer = torch.optim.AdamW(layer.parameters(), lr=0.1, weight_decay=0.1)
    ids = torch.tensor([[1, 2, 3, 4, 0], [5, 6, 7, 0, 0]])
    chars = _ids(SENTENCES)
    casing = torch.tensor([[3, 1, 1, 0, 0], [1, 1, 1, 1, 3]])
    for _ in range(3):
        optimizer.zero_grad()
        out = layer(ids, chars, casing)
        (out ** 2).sum().backward()
        optimizer.step()
    after = words.weight.detach()
    assert torch.equal(after[frozen], before[frozen])
    assert not torch.isclose(after[~frozen], before[~frozen]).all(-1).any()
    assert all(not torch.equal(p, q) for p, q in zip(layer.chars.parameters(), char_before,
                                                      strict=True))
    assert not torch.equal(layer.casing.embedding.weight[1:], casing_before[1:])
    assert torch.equal(layer.casing.embedding.weight[0], casing_before[0])


def test_word_features_state_dict_round_trip_keeps_frozen_rows():
    frozen = torch.tensor([True, False] * 4)
    torch.manual_seed(0)
    layer = WordFeatures(_word_table(freeze=frozen, mask_zero=True),
                         chars=CharEncoder(len(VOCAB), out_dim=6), casing=CasingEmbedding(3))
    state = layer.state_dict()
    torch.manual_seed(1)
    again = WordFeatures(Embedding(8, 4, mask_zero=True, trainable=~frozen.numpy()),
                         chars=CharEncoder(len(VOCAB), out_dim=6), casing=CasingEmbedding(3))
    again.load_state_dict(state)
    ids, chars, casing = _inputs()
    torch.testing.assert_close(again(ids, chars, casing), layer(ids, chars, casing))
    assert torch.equal(again.word_embedding.trainable_rows, ~frozen)


def test_word_features_errors():
    layer = _features()
    ids, chars, casing = _inputs()
    with pytest.raises(ValueError, match="`char_ids` is required"):
        layer(ids, casing_ids=casing)
    with pytest.raises(ValueError, match="`casing_ids` is required"):
        layer(ids, chars)
    plain = WordFeatures(layer.word_embedding)
    with pytest.raises(ValueError, match="`char_ids` was given"):
        plain(ids, chars)
    with pytest.raises(ValueError, match="`casing_ids` was given"):
        plain(ids, casing_ids=casing)
    with pytest.raises(ValueError, match="`char_ids` must cover the same positions"):
        layer(ids, chars[:, :3], casing)
    with pytest.raises(ValueError, match="`casing_ids` must cover the same positions"):
        layer(ids, chars, casing[:1])
    for bad in (None, torch.nn.Linear(2, 2), "emb"):
        with pytest.raises(TypeError, match="`word_embedding`"):
            WordFeatures(bad)
    with pytest.raises(TypeError, match="`chars` must be a vectab.nn.CharEncoder"):
        WordFeatures(layer.word_embedding, chars=CasingEmbedding(3))
    with pytest.raises(TypeError, match="`casing` must be a vectab.nn.CasingEmbedding"):
        WordFeatures(layer.word_embedding, casing=layer.chars)
    for bad in (1.0, -0.1, math.nan):
        with pytest.raises(ValueError, match="`dropout`"):
            WordFeatures(layer.word_embedding, dropout=bad)


def test_a_tagger_style_stack_trains_on_unseen_words():
    # End to end: a tiny linear tagger over WordFeatures tells a capitalised unseen word from a
    # lower-case one through the char and casing features alone (all words share the OOV row).
    torch.manual_seed(0)
    words = ["Paris", "Berlin", "Tokyo", "Madrid", "cat", "dog", "sat", "ran"]
    vocab = CharVocab.build(words)
    layer = WordFeatures(Embedding(3, 4, mask_zero=True),
                         chars=CharEncoder(len(vocab), char_dim=8, out_dim=8),
                         casing=CasingEmbedding(2))
    head = torch.nn.Linear(layer.output_dim, 2)
    optimizer = torch.optim.Adam([*layer.parameters(), *head.parameters()], lr=0.05)
    chars = torch.as_tensor(vocab.encode_batch([words]))
    ids, casing = torch.ones(1, len(words), dtype=torch.long), torch.tensor([casing_ids(words)])
    labels = torch.tensor([[1, 1, 1, 1, 0, 0, 0, 0]])
    for _ in range(30):
        optimizer.zero_grad()
        loss = F.cross_entropy(head(layer(ids, chars, casing)).reshape(-1, 2), labels.reshape(-1))
        loss.backward()
        optimizer.step()
    new = ["Rome", "Oslo", "cow", "ate"]
    out = head(layer(torch.ones(1, 4, dtype=torch.long),
                     torch.as_tensor(vocab.encode_batch([new])), torch.tensor([casing_ids(new)])))
    assert out.argmax(-1).tolist() == [[1, 1, 0, 0]]
