"""Metrics equal scikit-learn's and seqeval's on the same inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vectab.engine.metrics import accuracy, entity_f1, get_entities, macro_f1

labels_1d = st.integers(1, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)
TAG_POOL = ["O", "B-A", "I-A", "E-A", "S-A", "B-B", "I-B", "M-B", "E-B", "S-B", "B", "I", "."]
tag_sentences = st.lists(
    st.lists(st.sampled_from(TAG_POOL), min_size=1, max_size=8), min_size=1, max_size=4
)


@given(labels_1d)
@settings(max_examples=40, deadline=None)
def test_accuracy_and_macro_f1_equal_sklearn(pair):
    metrics = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = pair
    assert accuracy(y_true, y_pred) == pytest.approx(metrics.accuracy_score(y_true, y_pred))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = metrics.f1_score(y_true, y_pred, average="macro")
    assert macro_f1(y_true, y_pred) == pytest.approx(expected)


@given(st.integers(0, 2**31 - 1))
@settings(max_examples=15, deadline=None)
def test_multilabel_metrics_equal_sklearn(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    y_true = rng.random((12, 4)) > 0.6
    y_pred = rng.random((12, 4)) > 0.6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert macro_f1(y_true, y_pred) == pytest.approx(expected)
    assert accuracy(y_true, y_pred) == pytest.approx(metrics.accuracy_score(y_true, y_pred))


def test_metrics_accept_tensors_and_strings():
    assert accuracy(torch.tensor([1, 2]), torch.tensor([1, 1])) == 0.5
    assert macro_f1(["a", "b"], ["a", "b"]) == 1.0


@given(tag_sentences, st.data())
@settings(max_examples=120, deadline=None)
def test_entity_f1_equals_seqeval(true, data):
    seqeval = pytest.importorskip("seqeval.metrics")
    pred = [
        data.draw(st.lists(st.sampled_from(TAG_POOL), min_size=len(s), max_size=len(s)))
        for s in true
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = (
            seqeval.precision_score(true, pred),
            seqeval.recall_score(true, pred),
            seqeval.f1_score(true, pred),
        )
    got = entity_f1(true, pred)
    assert (got["precision"], got["recall"], got["f1"]) == pytest.approx(expected)


@given(tag_sentences)
@settings(max_examples=100, deadline=None)
def test_get_entities_equals_seqeval(sentences):
    labeling = pytest.importorskip("seqeval.metrics.sequence_labeling")
    flat = [t for s in sentences for t in s]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert get_entities(flat) == labeling.get_entities(flat)
        assert get_entities(sentences) == labeling.get_entities(sentences)


def test_entity_f1_on_schemes():
    bio = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert entity_f1(bio, bio)["f1"] == 1.0
    bmes = [["B-NAME", "M-NAME", "E-NAME", "S-ORG"]]
    assert get_entities(bmes[0]) == [("NAME", 0, 2), ("ORG", 3, 3)]
    assert entity_f1([["O", "O"]], [["O", "O"]]) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 0.0,
    }


@pytest.mark.parametrize(
    "true, pred, error",
    [
        ([["O"]], [["O"], ["O"]], ValueError),
        ([["O", "O"]], [["O"]], ValueError),
        (["O", "B-A"], ["O", "B-A"], TypeError),
    ],
)
def test_entity_f1_bad_inputs_raise(true, pred, error):
    with pytest.raises(error):
        entity_f1(true, pred)


@pytest.mark.parametrize(
    "y_true, y_pred",
    [([1, 2, 3], [1, 2]), ([[[1]]], [[[1]]]), (np.zeros((2, 3)), np.zeros((3, 2)))],
)
def test_accuracy_and_macro_f1_bad_shapes_raise(y_true, y_pred):
    with pytest.raises(ValueError):
        accuracy(y_true, y_pred)
    with pytest.raises(ValueError):
        macro_f1(y_true, y_pred)
