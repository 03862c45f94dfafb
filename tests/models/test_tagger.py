"""SequenceTagger (BiLSTM-CRF): contract, padding side, constraints, learning a toy pattern."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from vectab.engine.metrics import entity_f1
from vectab.models import SequenceTagger, TaggerConfig
from vectab.testing import run_module_test

V, D = 12, 6
TAGS = ["O", "B-X", "I-X"]


def _model(**options) -> SequenceTagger:
    torch.manual_seed(0)
    settings = dict(hidden_size=5, dropout=0.0)
    settings.update(options)
    return SequenceTagger(TaggerConfig(V, D, settings.pop("tags", TAGS), **settings))


class _Loss(nn.Module):
    """Wrap a tagger so the harness sees the CRF loss (and so checks the CRF's gradients)."""

    def __init__(self, model: SequenceTagger) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids, tags):
        return self.model.loss({"ids": ids, "tags": tags}).reshape(1)


def test_module_harness():
    ids = torch.tensor([[0, 3, 4, 5], [6, 7, 8, 9]])
    tags = torch.tensor([[-100, 1, 2, 0], [0, 1, 2, 2]])
    run_module_test(lambda: _Loss(_model()), (ids, tags), expected_output_shape=(1,))


def test_decode_marks_pads_and_ignores_the_padding_side():
    model = _model().eval()
    seq = [3, 4, 5, 6]
    alone = model.decode({"ids": torch.tensor([seq])})[0]
    pre = model.decode({"ids": torch.tensor([[0, 0] + seq])})[0]
    post = model.decode({"ids": torch.tensor([seq + [0, 0]])})[0]
    assert pre.tolist() == [-100, -100] + alone.tolist()
    assert post.tolist() == alone.tolist() + [-100, -100]
    tags = torch.tensor([[1, 2, 0, 0]])
    loss = model.loss({"ids": torch.tensor([seq]), "tags": tags})
    pre_tags = torch.tensor([[-100, -100, 1, 2, 0, 0]])
    torch.testing.assert_close(
        model.loss({"ids": torch.tensor([[0, 0] + seq]), "tags": pre_tags}), loss
    )


def test_predict_proba_is_a_distribution_over_tags():
    model = _model()
    batch = {"ids": torch.tensor([[0, 3, 4], [5, 6, 7]])}
    proba = model.predict_proba(batch)
    assert proba.shape == (2, 3, 3)
    torch.testing.assert_close(proba.sum(-1), torch.tensor([[0.0, 1, 1], [1, 1, 1]]))


def test_constraints_auto_and_explicit():
    assert _model().crf.constraints == "BIO"
    bmes = ["O", "B-N", "M-N", "E-N", "S-N"]
    assert _model(tags=bmes).crf.constraints == "BIOES"
    assert _model(tags=["NOUN", "VERB"]).crf.constraints is None
    assert _model(constraints=None).crf.constraints is None
    assert _model(use_crf=False).crf is None


def _toy_data(n: int = 48):
    """Token 1 starts an entity (B-X), token 2 continues it (I-X); others are O."""
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, V, (n, 7), generator=g)
    for row in ids:
        start = int(torch.randint(0, 5, (1,), generator=g))
        row[start], row[start + 1] = 1, 2
    tags = torch.zeros_like(ids)
    tags[ids == 1], tags[ids == 2] = 1, 2
    ids[::3, :2], tags[::3, :2] = 0, -100  # pre-padding in a third of the rows
    return {"ids": ids, "tags": tags}


@pytest.mark.parametrize("use_crf", [True, False])
def test_learns_a_toy_pattern(use_crf):
    batch = _toy_data()
    model = _model(use_crf=use_crf, hidden_size=8)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(40):
        optimizer.zero_grad()
        model.loss(batch).backward()
        optimizer.step()
    model.eval()
    decoded = model.decode(batch)
    mask = batch["ids"] != 0
    true = [[TAGS[t] for t in row[m].tolist()] for row, m in zip(batch["tags"], mask)]
    pred = [[TAGS[t] for t in row[m].tolist()] for row, m in zip(decoded, mask)]
    assert entity_f1(true, pred)["f1"] > 0.95


def test_config_json_round_trip():
    model = _model(tags=["O", "B-N", "M-N", "E-N", "S-N"]).eval()
    data = json.loads(json.dumps(model.config.to_dict()))
    twin = SequenceTagger(TaggerConfig.from_dict(data)).eval()
    twin.load_state_dict(model.state_dict())
    batch = {"ids": torch.tensor([[0, 3, 4, 5]])}
    assert torch.equal(twin.decode(batch), model.decode(batch))
    assert model.model_type == "SequenceTagger" and model.task == "tagging"


@pytest.mark.parametrize(
    "options",
    [
        {"tags": []},
        {"tags": "O B-X"},
        {"tags": ["O", "O"]},
        {"hidden_size": 0},
        {"num_layers": 0},
        {"encoder": "mean"},
        {"dropout": 1.0},
        {"constraints": "IOB"},
        {"vocab_size": 0},
    ],
)
def test_bad_config_raises(options):
    settings = {"vocab_size": V, "embedding_dim": D, "tags": TAGS}
    settings.update(options)
    with pytest.raises(ValueError):
        TaggerConfig(**settings)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="BIO"):
        SequenceTagger(TaggerConfig(V, D, ["O", "B-X", "E-X"], constraints="BIO"))
    with pytest.raises(TypeError, match="TaggerConfig"):
        SequenceTagger({"vocab_size": V})
    model = _model()
    with pytest.raises(KeyError, match="tags"):
        model.loss({"ids": torch.tensor([[1, 2]])})
    with pytest.raises(KeyError, match="ids"):
        model.decode({"tokens": torch.tensor([[1, 2]])})
