"""TabularEmbeddings: dims rule, shared tables, unknown id, classification and regression heads."""

from __future__ import annotations

import json

import pytest
import torch

from vectab.models import TabularConfig, TabularEmbeddings
from vectab.models.tabular import default_embedding_dim
from vectab.nn import Embedding
from vectab.testing import run_module_test


def _model(**options) -> TabularEmbeddings:
    torch.manual_seed(0)
    settings = dict(num_numeric=2, hidden_sizes=(8,), dropout=0.0)
    settings.update(options)
    return TabularEmbeddings(TabularConfig(settings.pop("cardinalities", [3, 10]), **settings))


def test_module_harness():
    categorical = torch.tensor([[0, 1], [3, 10], [2, 5]])
    numeric = torch.randn(3, 2)
    run_module_test(lambda: _model(), (categorical, numeric), expected_output_shape=(3, 2))


def test_default_dims_follow_fastai_rule():
    assert [default_embedding_dim(n) for n in (2, 5, 51, 1001)] == [
        min(600, round(1.6 * n**0.56)) for n in (2, 5, 51, 1001)
    ]
    config = TabularConfig([4, 50])
    assert config.embedding_dims == [default_embedding_dim(5), default_embedding_dim(51)]
    model = TabularEmbeddings(config)
    assert [e.num_embeddings for e in model.embeddings] == [5, 51]
    assert all(isinstance(e, Embedding) for e in model.embeddings)


def test_shared_tables():
    model = _model(cardinalities=[6, 6, 3], tables=[0, 0, 1], embedding_dims=[4, 4, 2])
    assert len(model.embeddings) == 2
    model.eval()
    swapped = model(torch.tensor([[1, 2, 1]]), torch.zeros(1, 2))
    # both shared columns read the same table: the first column's vectors come from table 0
    vectors = model.embeddings[0](torch.tensor([1, 2]))
    assert vectors.shape == (2, 4) and swapped.shape == (1, 2)


def test_unknown_id_zero_and_out_of_range_ids():
    model = _model()
    assert model(torch.tensor([[0, 0]]), torch.zeros(1, 2)).shape == (1, 2)
    for bad in ([[4, 1]], [[1, 11]], [[-1, 1]]):
        with pytest.raises(ValueError, match="0..cardinality"):
            model(torch.tensor(bad), torch.zeros(1, 2))


def test_classification_and_regression_heads_fit_a_toy_problem():
    g = torch.Generator().manual_seed(0)
    categorical = torch.randint(0, 4, (64, 2), generator=g)
    numeric = torch.randn(64, 2, generator=g)
    labels = (categorical[:, 0] >= 2).long()
    targets = categorical[:, 1].float() + numeric[:, 0]
    for config, batch in (
        ({"cardinalities": [3, 3]}, {"labels": labels}),
        ({"cardinalities": [3, 3], "num_classes": None}, {"labels": targets}),
    ):
        model = _model(hidden_sizes=(16,), **config)
        batch.update(categorical=categorical, numeric=numeric)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        first = float(model.loss(batch).detach())
        for _ in range(60):
            optimizer.zero_grad()
            model.loss(batch).backward()
            optimizer.step()
        model.eval()
        if model.task == "classification":
            assert float((model.decode(batch) == labels).float().mean()) == 1.0
            torch.testing.assert_close(model.predict_proba(batch).sum(1), torch.ones(64))
        else:
            assert float(model.loss(batch).detach()) < 0.1 * first
            assert model.decode(batch).shape == (64,)
            with pytest.raises(ValueError, match="regress"):
                model.predict_proba(batch)


def test_only_numeric_or_only_categorical():
    assert _model(cardinalities=[], num_numeric=3)(None, torch.randn(2, 3)).shape == (2, 2)
    assert _model(num_numeric=0)(torch.tensor([[1, 2]])).shape == (1, 2)


def test_config_json_round_trip():
    model = _model(tables=[0, 1], num_classes=None, num_targets=3).eval()
    data = json.loads(json.dumps(model.config.to_dict()))
    twin = TabularEmbeddings(TabularConfig.from_dict(data)).eval()
    twin.load_state_dict(model.state_dict())
    batch = {"categorical": torch.tensor([[1, 2]]), "numeric": torch.randn(1, 2)}
    assert torch.equal(twin.decode(batch), model.decode(batch))
    assert model.decode(batch).shape == (1, 3)
    assert model.model_type == "TabularEmbeddings" and model.task == "regression"


@pytest.mark.parametrize(
    "options",
    [
        {"cardinalities": [0]},
        {"cardinalities": [], "num_numeric": 0},
        {"num_numeric": -1},
        {"embedding_dims": [3]},
        {"embedding_dims": [3, 0]},
        {"tables": [0]},
        {"tables": [0, 0]},  # different cardinalities cannot share a table
        {"hidden_sizes": (8, 0)},
        {"dropout": 1.0},
        {"num_classes": 1},
        {"num_targets": 0},
    ],
)
def test_bad_config_raises(options):
    settings = {"cardinalities": [3, 10]}
    settings.update(options)
    with pytest.raises(ValueError):
        TabularConfig(**settings)


def test_bad_inputs_raise():
    with pytest.raises(TypeError, match="TabularConfig"):
        TabularEmbeddings({"cardinalities": [3]})
    model = _model()
    with pytest.raises(ValueError, match="categorical"):
        model(torch.tensor([[1, 2, 3]]), torch.zeros(1, 2))
    with pytest.raises(ValueError, match="numeric"):
        model(torch.tensor([[1, 2]]), torch.zeros(1, 3))
    with pytest.raises(ValueError, match="numeric"):
        model(torch.tensor([[1, 2]]))
    with pytest.raises(KeyError, match="labels"):
        model.loss({"categorical": torch.tensor([[1, 2]]), "numeric": torch.zeros(1, 2)})
