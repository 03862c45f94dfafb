"""TextClassifier: heads, masks from every source, padding side, pretrained frozen rows, fitting."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from vectab.models import (
    MODEL_TYPES,
    ClassifierConfig,
    SequenceTagger,
    TabularEmbeddings,
    TextClassifier,
)
from vectab.nn import Embedding
from vectab.testing import run_module_test

V, D = 20, 6


def _model(**options) -> TextClassifier:
    torch.manual_seed(0)
    settings = dict(encoder="bilstm", hidden_size=5, num_filters=4, dropout=0.0)
    settings.update(options)
    return TextClassifier(ClassifierConfig(V, D, settings.pop("num_classes", 3), **settings))


@pytest.mark.parametrize("encoder", ["lstm", "bilstm", "gru", "bigru", "cnn", "mean", "max"])
def test_module_harness(encoder):
    ids = torch.tensor([[0, 0, 3, 4, 5], [6, 7, 8, 9, 1]])
    pooling = "attention" if encoder == "bigru" else None
    run_module_test(
        lambda: _model(encoder=encoder, pooling=pooling),
        ids,
        expected_output_shape=(2, 3),
        expected_output_dtype=torch.float32,
    )


@pytest.mark.parametrize("projection", [(), (7, 4)])
@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
@pytest.mark.parametrize("encoder", ["bilstm", "gru", "cnn", "mean"])
def test_pre_and_post_padding_give_the_same_logits(encoder, pooling, projection):
    model = _model(encoder=encoder, pooling=pooling, projection=projection).eval()
    seq = [5, 9, 2, 11]
    pre = torch.tensor([[0, 0] + seq, [1, 2, 3, 4, 5, 6]])
    post = torch.tensor([seq + [0, 0], [1, 2, 3, 4, 5, 6]])
    with torch.no_grad():
        alone = model(torch.tensor([seq]))
        torch.testing.assert_close(model(pre)[:1], alone, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(model(post)[:1], alone, atol=1e-5, rtol=1e-5)


def test_mask_from_padding_idx_and_from_the_batch():
    model = _model(mask_zero=False, padding_idx=0).eval()
    seq = [5, 9, 2]
    with torch.no_grad():
        alone = model(torch.tensor([seq]))
        torch.testing.assert_close(model(torch.tensor([[0, 0] + seq])), alone)
        plain = _model(mask_zero=False).eval()  # no mask of its own: the batch's is used
        alone = plain(torch.tensor([seq]))
        ids = torch.tensor([[7, 7] + seq])
        mask = torch.tensor([[False, False, True, True, True]])
        torch.testing.assert_close(plain.decode({"ids": ids, "mask": mask}), alone.argmax(1))
        torch.testing.assert_close(plain(ids, mask), alone)


@pytest.mark.parametrize(
    "num_classes, multi_label, labels",
    [
        (1, False, torch.tensor([0, 1])),
        (2, False, torch.tensor([0, 1])),
        (4, False, torch.tensor([3, 1])),
        (3, True, torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])),
    ],
)
def test_heads(num_classes, multi_label, labels):
    model = _model(num_classes=num_classes, multi_label=multi_label)
    batch = {"ids": torch.tensor([[0, 3, 4], [5, 6, 7]]), "labels": labels}
    loss = model.loss(batch)
    assert loss.dim() == 0 and bool(torch.isfinite(loss))
    proba = model.predict_proba(batch)
    decoded = model.decode(batch)
    if multi_label:
        assert proba.shape == (2, 3) and decoded.dtype == torch.bool
        assert torch.equal(decoded, proba > 0.5)
    else:
        assert proba.shape == (2, max(num_classes, 2)) and decoded.dtype == torch.long
        torch.testing.assert_close(proba.sum(1), torch.ones(2))
        assert torch.equal(decoded, proba.argmax(1))


def test_config_json_round_trip_rebuilds_the_same_model():
    model = _model(encoder="cnn", kernel_sizes=(2, 3), pooling="attention", projection=(9,)).eval()
    data = json.loads(json.dumps(model.config.to_dict()))
    assert data["kernel_sizes"] == [2, 3] and data["projection"] == [9]
    twin = TextClassifier(ClassifierConfig.from_dict(data)).eval()
    twin.load_state_dict(model.state_dict())
    ids = torch.tensor([[0, 3, 4, 5]])
    torch.testing.assert_close(twin(ids), model(ids))
    assert model.model_type == "TextClassifier" and model.task == "classification"
    assert isinstance(model.embedding, Embedding)


def test_pretrained_partly_frozen_embedding_keeps_its_frozen_rows():
    matrix = np.random.default_rng(0).normal(size=(V, D)).astype(np.float32)
    rows = np.zeros(V, dtype=bool)
    rows[10:] = True  # rows 10.. learn, 0..9 stay pretrained
    embedding = Embedding(V, D, mask_zero=True, weights=[matrix], trainable=rows)
    model = TextClassifier(ClassifierConfig(V, D, 2, hidden_size=4), embedding=embedding)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1, weight_decay=0.1)
    batch = {"ids": torch.tensor([[0, 1, 12, 5], [3, 15, 19, 2]]), "labels": torch.tensor([0, 1])}
    for _ in range(3):
        optimizer.zero_grad()
        model.loss(batch).backward()
        optimizer.step()
    table = model.embedding.weight.detach().numpy()
    assert np.array_equal(table[:10], matrix[:10])
    assert not np.allclose(table[12], matrix[12])


def test_fits_a_separable_toy_dataset():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    ids = torch.tensor(rng.integers(3, V, size=(64, 6)))
    labels = torch.tensor(rng.integers(0, 2, size=64))
    ids[labels == 1, rng.integers(0, 6)] = 1  # class 1 contains token 1, class 0 token 2
    ids[labels == 0, rng.integers(0, 6)] = 2
    ids[::2, :2] = 0  # some pre-padding
    model = _model(num_classes=2, encoder="bigru", hidden_size=8)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    batch = {"ids": ids, "labels": labels}
    for _ in range(40):
        optimizer.zero_grad()
        model.loss(batch).backward()
        optimizer.step()
    model.eval()
    assert float((model.decode(batch) == labels).float().mean()) == 1.0


def test_registry():
    assert MODEL_TYPES == {
        "TextClassifier": TextClassifier,
        "SequenceTagger": SequenceTagger,
        "TabularEmbeddings": TabularEmbeddings,
    }


@pytest.mark.parametrize(
    "options",
    [
        {"vocab_size": 0},
        {"embedding_dim": -1},
        {"num_classes": 0},
        {"encoder": "transformer"},
        {"pooling": "sum"},
        {"dropout": 1.5},
        {"embedding_dropout": -0.1},
        {"multi_label": True, "num_classes": 1},
        {"projection": (8, 0)},
    ],
)
def test_bad_config_raises(options):
    settings = {"vocab_size": V, "embedding_dim": D, "num_classes": 2}
    settings.update(options)
    with pytest.raises(ValueError):
        ClassifierConfig(**settings)


def test_bad_arguments_raise():
    config = ClassifierConfig(V, D, 2)
    with pytest.raises(ValueError, match="from_dict"):
        ClassifierConfig.from_dict({**config.to_dict(), "colour": "red"})
    with pytest.raises(TypeError, match="dict"):
        ClassifierConfig.from_dict([1, 2])
    with pytest.raises(TypeError, match="ClassifierConfig"):
        TextClassifier({"vocab_size": V})
    with pytest.raises(ValueError, match="vocab_size"):
        TextClassifier(config, embedding=Embedding(V + 1, D))
    with pytest.raises(TypeError, match="embedding"):
        TextClassifier(config, embedding=np.zeros((V, D)))
    model = TextClassifier(config)
    with pytest.raises(KeyError, match="labels"):
        model.loss({"ids": torch.tensor([[1, 2]])})
    with pytest.raises(KeyError, match="ids"):
        model.decode({"tokens": torch.tensor([[1, 2]])})
    with pytest.raises(ValueError, match="ids"):
        model(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="mask"):
        model(torch.tensor([[1, 2]]), torch.tensor([[1, 1]]))


def test_projection_learns_over_a_frozen_table():
    # the frozen table holds the class only as a nonlinear function of each word's vector
    # (|x| large or small); a per-word ReLU layer lets a mean encoder read it
    torch.manual_seed(0)
    words = torch.linspace(-2, 2, V - 1).unsqueeze(1)
    table = torch.cat([torch.zeros(1, 1), words], 0).repeat(1, D)
    labels_of_word = (table[:, 0].abs() > 1).long()
    ids = torch.randint(1, V, (256, 1))
    y = labels_of_word[ids[:, 0]]
    scores = {}
    for projection in [(), (16,)]:
        torch.manual_seed(0)
        model = TextClassifier(ClassifierConfig(V, D, 2, encoder="mean",
                                                dropout=0.0, projection=projection),
                               embedding=Embedding(V, D, weights=[table.numpy()], trainable=False))
        opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.05)
        for _ in range(150):
            opt.zero_grad()
            model.loss({"ids": ids, "labels": y}).backward()
            opt.step()
        scores[projection] = (model(ids).argmax(1) == y).float().mean().item()
    assert scores[(16,)] == 1.0 and scores[()] < 0.9
