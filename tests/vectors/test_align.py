"""build_embedding_matrix, CoverageReport, Vectors.embedding_matrix and Embedding.from_vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from vectab.nn import Embedding
from vectab.vectors.align import CoverageReport, build_embedding_matrix
from vectab.vectors.store import Vectors


@pytest.fixture
def kv():
    words = ["the", "cat", "Paris", "NASA", "sat"]
    return Vectors(words, np.arange(15, dtype=np.float32).reshape(5, 3) + 1)


class Subwords:
    def word_vector(self, word):
        return np.full(3, 100.0 + len(word), dtype=np.float32)


def test_rows_fallbacks_and_padding(kv):
    word_index = {"the": 1, "Cat": 2, "paris": 3, "nasa": 4, "dog": 5}
    matrix, report = build_embedding_matrix(word_index, kv, oov_init="zeros")
    assert matrix.shape == (6, 3) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[0], 0)
    np.testing.assert_array_equal(matrix[1], kv["the"])
    np.testing.assert_array_equal(matrix[2], kv["cat"])  # lower
    np.testing.assert_array_equal(matrix[3], kv["Paris"])  # title
    np.testing.assert_array_equal(matrix[4], kv["NASA"])  # upper
    np.testing.assert_array_equal(matrix[5], 0)
    assert report.found == {"exact": 1, "lower": 1, "title": 1, "upper": 1}
    assert report.missing == ["dog"] and report.num_rows == 6 and report.num_words == 5
    assert report.pretrained_mask.tolist() == [False, True, True, True, True, False]
    assert report.type_coverage == pytest.approx(0.8) and report.token_coverage is None


def test_fallback_order_and_subset(kv):
    _, report = build_embedding_matrix({"Cat": 1, "paris": 2}, kv, fallbacks=("exact", "lower"))
    assert report.found == {"exact": 0, "lower": 1} and report.missing == ["paris"]


def test_num_words_follows_keras(kv):
    word_index = {"the": 1, "cat": 2, "sat": 3, "dog": 4}
    matrix, report = build_embedding_matrix(word_index, kv, num_words=3)
    assert matrix.shape == (3, 3) and report.num_words == 2 and report.missing == []
    matrix, _ = build_embedding_matrix(word_index, kv, num_words=100)
    assert matrix.shape == (5, 3)


def test_tokenizer_counts_give_token_coverage(kv):
    text = pytest.importorskip("vectab.text")
    tok = text.Tokenizer()
    tok.fit_on_texts(["the cat sat", "the dog the dog the bird"])
    matrix, report = build_embedding_matrix(tok, kv)
    assert matrix.shape == (len(tok.word_index) + 1, 3)
    total = sum(tok.word_counts.values())
    assert report.token_coverage == pytest.approx((total - 3) / total)
    assert report.most_frequent_missing(1) == [("dog", 2)]
    assert report.missing == ["dog", "bird"] and report.missing_counts == [2, 1]
    summary = report.summary()
    assert "of tokens" in summary and "dog (2)" in summary
    assert str(report) == summary


def test_oov_token_gets_a_row_but_is_not_a_missing_word(kv):
    text = pytest.importorskip("vectab.text")
    tok = text.Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(["the cat sat", "the dog"])
    matrix, report = build_embedding_matrix(tok, kv, oov_init="mean")
    oov = tok.word_index["<OOV>"]
    assert report.missing == ["dog"] and "<OOV>" not in report.summary()
    assert report.type_coverage == pytest.approx(3 / 4)  # the, cat, sat of 4 words
    assert not report.pretrained_mask[oov]  # it learns, like a missing word
    np.testing.assert_allclose(matrix[oov], matrix[tok.word_index["dog"]])  # and is filled
    with_unk = Vectors(["the", "<OOV>"], np.ones((2, 3), dtype=np.float32))
    _, report = build_embedding_matrix(tok, with_unk)  # vectors with the token: its vector
    assert report.pretrained_mask[oov] and report.found["exact"] == 1


def test_subword_fallback(kv):
    sub = Vectors(kv.index_to_key, kv.vectors, subwords=Subwords())
    matrix, report = build_embedding_matrix({"the": 1, "zebra": 2}, sub)
    assert report.found["subword"] == 1 and report.missing == []
    np.testing.assert_array_equal(matrix[2], np.full(3, 105.0))
    assert report.pretrained_mask.tolist() == [False, True, True]


@pytest.mark.parametrize("oov_init", ["zeros", "mean", "random"])
def test_oov_init_policies(kv, oov_init):
    word_index = {"the": 1, "cat": 2, "x": 3, "y": 4}
    matrix, _ = build_embedding_matrix(word_index, kv, oov_init=oov_init, seed=3)
    again, _ = build_embedding_matrix(word_index, kv, oov_init=oov_init, seed=3)
    np.testing.assert_array_equal(matrix, again)
    found = matrix[1:3]
    if oov_init == "zeros":
        np.testing.assert_array_equal(matrix[3:], 0)
    elif oov_init == "mean":
        np.testing.assert_allclose(matrix[3], found.mean(axis=0))
    else:
        assert not np.array_equal(matrix[3], matrix[4])
        other, _ = build_embedding_matrix(word_index, kv, oov_init=oov_init, seed=4)
        assert not np.array_equal(matrix[3:], other[3:])


def test_callable_oov_init(kv):
    matrix, _ = build_embedding_matrix({"x": 1, "y": 2}, kv, oov_init=lambda n, d: np.ones((n, d)))
    np.testing.assert_array_equal(matrix[1:], 1.0)
    with pytest.raises(ValueError, match="oov_init"):
        build_embedding_matrix({"x": 1}, kv, oov_init=lambda n, d: np.ones((n + 1, d)))


def test_report_to_dict_is_json(kv):
    _, report = build_embedding_matrix({"the": 1, "dog": 2}, kv, word_counts={"the": 5, "dog": 1})
    d = json.loads(json.dumps(report.to_dict()))
    assert d["pretrained_rows"] == [1] and d["token_coverage"] == pytest.approx(5 / 6)
    assert isinstance(report, CoverageReport)


@pytest.mark.parametrize(
    "word_index, options, error, match",
    [
        (["the"], {}, TypeError, "word_index"),
        ({"the": 0}, {}, ValueError, "padding"),
        ({"the": -2}, {}, ValueError, ">= 1"),
        ({"the": "1"}, {}, ValueError, "ids must be ints"),
        ({"the": 1}, {"num_words": 0}, ValueError, "num_words"),
        ({"the": 1}, {"num_words": 2.5}, TypeError, "`num_words`"),
        ({"the": 1}, {"seed": "1"}, TypeError, "`seed`"),
        ({"the": 1}, {"fallbacks": ("exact", "stem")}, ValueError, "unknown fallback"),
        ({"the": 1}, {"fallbacks": "exact"}, TypeError, "fallbacks"),
        ({"the": 1}, {"fallbacks": ("subword",)}, ValueError, "no subword model"),
        ({"x": 1}, {"oov_init": "normal"}, ValueError, "oov_init"),
    ],
)
def test_bad_input(kv, word_index, options, error, match):
    with pytest.raises(error, match=match):
        build_embedding_matrix(word_index, kv, **options)


@pytest.mark.parametrize("freeze", ["pretrained", True, False])
def test_from_vectors_builds_the_layer(kv, freeze):
    text = pytest.importorskip("vectab.text")
    tok = text.Tokenizer()
    tok.fit_on_texts(["the cat sat on the mat"])
    layer = Embedding.from_vectors(kv, tok, freeze=freeze, oov_init="zeros")
    report = layer.coverage
    assert isinstance(layer, Embedding) and isinstance(report, CoverageReport)
    assert not hasattr(layer, "coverage_report")  # one name for the report
    assert layer.weight.shape == (len(tok.word_index) + 1, 3)
    np.testing.assert_array_equal(layer.weight.detach().numpy()[tok.word_index["cat"]], kv["cat"])
    assert layer.mask_zero
    expected = {
        True: np.zeros_like(report.pretrained_mask),
        False: np.ones_like(report.pretrained_mask),
        "pretrained": ~report.pretrained_mask & (np.arange(report.num_rows) > 0),
    }[freeze]
    assert np.asarray(layer.trainable_rows).tolist() == expected.tolist()
    out = layer(torch.tensor([[tok.word_index["cat"], 0]]))
    assert out.shape == (1, 2, 3)


def test_from_vectors_bad_freeze(kv):
    with pytest.raises(ValueError, match="freeze"):
        Embedding.from_vectors(kv, {"the": 1}, freeze="all")


def test_embedding_matrix_is_build_embedding_matrix(kv):
    word_index = {"the": 1, "Cat": 2, "zzz": 3, "sat": 4}
    matrix, found, report = kv.embedding_matrix(word_index, num_words=4, oov_init="mean")
    expected, expected_report = build_embedding_matrix(
        word_index, kv, num_words=4, oov_init="mean"
    )
    np.testing.assert_array_equal(matrix, expected)
    assert found is report.pretrained_mask and found.tolist() == [False, True, True, False]
    assert report.to_dict() == expected_report.to_dict()


class _Source:
    """A VectorSource that is no Vectors: the layer needs only embedding_matrix."""

    def __init__(self):
        self.calls = []

    def embedding_matrix(self, word_index, *, num_words, fallbacks, oov_init, seed):
        self.calls.append((dict(word_index), num_words, fallbacks, oov_init, seed))
        matrix = np.arange(8, dtype=np.float32).reshape(4, 2)
        return matrix, np.array([False, True, False, True]), "the report"


def test_from_vectors_takes_any_vector_source():
    source = _Source()
    layer = Embedding.from_vectors(source, {"a": 1, "b": 2, "c": 3}, seed=3, oov_init="zeros")
    assert source.calls == [({"a": 1, "b": 2, "c": 3}, None, None, "zeros", 3)]
    assert layer.coverage == "the report"
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.arange(8).reshape(4, 2))
    # found rows and the padding row stay fixed, the others learn
    assert np.asarray(layer.trainable_rows).tolist() == [False, False, True, False]


@pytest.mark.parametrize("vectors", [None, np.ones((3, 2)), {"the": np.ones(2)}])
def test_from_vectors_refuses_what_has_no_embedding_matrix(vectors):
    with pytest.raises(TypeError, match=r"`vectors` must be a vectab.vectors.Vectors .* got"):
        Embedding.from_vectors(vectors, {"the": 1})


def test_subword_rows_of_a_fasttext_bin_match_gensim_and_are_counted():
    # issue #14: words outside a fastText model's vocabulary take their n-gram vector
    fasttext = pytest.importorskip("gensim.models.fasttext")
    from gensim.test.utils import datapath

    from vectab.vectors import load_vectors

    path = datapath("lee_fasttext.bin")
    theirs = fasttext.load_facebook_vectors(path)
    ours = load_vectors(path)
    word_index = {"night": 1, "nightss": 2, "landlordship": 3, "zz": 4}
    assert "night" in theirs.key_to_index and "nightss" not in theirs.key_to_index
    matrix, report = build_embedding_matrix(word_index, ours, fallbacks=("exact", "subword"))
    for word, i in word_index.items():
        np.testing.assert_allclose(matrix[i], theirs[word], atol=1e-6)
    assert report.found == {"exact": 1, "subword": 3} and report.num_subword == 3
    assert report.missing == [] and report.pretrained_mask.tolist() == [False] + [True] * 4
    assert "built from subwords (fastText n-grams): 3 words" in report.summary()
    assert report.to_dict()["num_subword"] == 3
    _, exact_only = build_embedding_matrix(word_index, ours, fallbacks=("exact",))
    assert exact_only.num_subword == 0 and "subwords" not in exact_only.summary()
