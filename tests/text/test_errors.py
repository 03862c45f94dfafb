"""Every bad input raises a clear TypeError/ValueError naming the argument."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vectab.text import (
    Tokenizer,
    collate,
    lengths_to_mask,
    pad_sequences,
    sequences_to_mask,
    text_to_word_sequence,
    tokenizer_from_json,
)


def fitted(**kwargs) -> Tokenizer:
    tok = Tokenizer(**kwargs)
    tok.fit_on_texts(["the cat sat", "the dog"])
    return tok


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"num_words": 0}, ValueError, "num_words"),
        ({"num_words": -5}, ValueError, "num_words"),
        ({"num_words": 2.5}, TypeError, "num_words"),
        ({"num_words": "100"}, TypeError, "num_words"),
        ({"num_words": True}, TypeError, "num_words"),
        ({"filters": 5}, TypeError, "filters"),
        ({"split": ""}, ValueError, "split"),
        ({"split": 3}, TypeError, "split"),
        ({"lower": "no"}, TypeError, "lower"),
        ({"lower": 1}, TypeError, "lower"),
        ({"lower": None}, TypeError, "lower"),
        ({"char_level": "yes"}, TypeError, "char_level"),
        ({"char_level": 0}, TypeError, "char_level"),
        ({"oov_token": 1}, TypeError, "oov_token"),
        ({"analyzer": "split"}, TypeError, "analyzer"),
        ({"document_count": -1}, ValueError, "document_count"),
    ],
)
def test_bad_tokenizer_options(kwargs, error, name):
    with pytest.raises(error, match=f"`{name}`"):
        Tokenizer(**kwargs)


BAD_TEXTS = [
    ("the cat sat", TypeError, r"`texts` must be a list of strings, got a single str"),
    (b"bytes", TypeError, "`texts`"),
    (42, TypeError, "`texts`"),
    (None, TypeError, "`texts`"),
    ([None], TypeError, r"`texts\[0\]`.*NoneType"),
    (["ok", 3.5], TypeError, r"`texts\[1\]`.*float"),
    (["ok", float("nan")], TypeError, r"`texts\[1\]`"),
    ([("a", "b")], TypeError, r"`texts\[0\]`.*tuple"),
    ([["a", 1]], TypeError, r"`texts\[0\]`.*token 1"),
]


@pytest.mark.parametrize(("texts", "error", "match"), BAD_TEXTS)
def test_bad_texts(texts, error, match):
    with pytest.raises(error, match=match):
        Tokenizer().fit_on_texts(texts)
    with pytest.raises(error, match=match):
        fitted().texts_to_sequences(texts)
    with pytest.raises(error, match=match):
        list(fitted().texts_to_sequences_generator(texts))
    with pytest.raises(error, match=match):
        fitted().texts_to_matrix(texts)


def test_oov_token_on_unfitted_tokenizer():
    with pytest.raises(ValueError, match="fit_on_texts"):
        Tokenizer(oov_token="<OOV>").texts_to_sequences(["a"])


@pytest.mark.parametrize(("mode", "error"), [("tf-idf", ValueError), ("TFIDF", ValueError),
                                            ("", ValueError), (None, TypeError), (1, TypeError)])
def test_bad_matrix_mode(mode, error):
    # A non-str option is the wrong type (#10's one rule), a str outside the choices a wrong value.
    with pytest.raises(error, match="`mode` must be one of 'binary', 'count', 'tfidf', 'freq'"):
        fitted().texts_to_matrix(["the"], mode=mode)
    with pytest.raises(error, match="`mode`"):
        fitted().sequences_to_matrix([[1]], mode=mode)


def test_matrix_needs_a_width_and_document_counts():
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="tfidf"):
        Tokenizer(num_words=5).sequences_to_matrix([[1]], mode="tfidf")


@pytest.mark.parametrize(
    ("sequences", "error", "match"),
    [
        ([[1, -2]], ValueError, ">= 0"),
        ([[1.5]], TypeError, "integer ids"),
        ([[None]], TypeError, "integer ids"),
        ([["the"]], TypeError, "integer ids"),
        ([[[1, 2], [3, 4]]], ValueError, "flat list"),
        ([1, 2], TypeError, r"`sequences\[0\]`"),
        ("abc", TypeError, "`sequences`"),
    ],
)
def test_bad_ids_for_matrix_and_collate(sequences, error, match):
    with pytest.raises(error, match=match):
        fitted().sequences_to_matrix(sequences)
    with pytest.raises(error, match=match):
        collate(sequences)


@pytest.mark.parametrize(
    ("sequences", "error"),
    [
        ("abc", TypeError),
        (["abc"], TypeError),
        ([[1.5]], TypeError),
        ([[None]], TypeError),
        (5, TypeError),
    ],
)
def test_bad_ids_for_sequences_to_texts(sequences, error):
    with pytest.raises(error, match="`sequences"):
        fitted().sequences_to_texts(sequences)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"padding": "left"}, ValueError, "padding"),
        ({"padding": None}, TypeError, "padding"),
        ({"truncating": 1}, TypeError, "truncating"),
        ({"truncating": "middle"}, ValueError, "truncating"),
        ({"maxlen": 0}, ValueError, "maxlen"),
        ({"maxlen": -3}, ValueError, "maxlen"),
        ({"maxlen": 2.5}, TypeError, "maxlen"),
        ({"maxlen": "3"}, TypeError, "maxlen"),
    ],
)
def test_bad_padding_options(kwargs, error, name):
    with pytest.raises(error, match=f"`{name}`"):
        pad_sequences([[1, 2]], **kwargs)
    with pytest.raises(error, match=f"`{name}`"):
        collate([[1, 2]], **kwargs)


@pytest.mark.parametrize(
    ("sequences", "match"),
    [
        (5, "`sequences`"),
        ("abc", "`sequences`"),
        ([1, 2, 3], r"wrap it"),
        ([[1], "ab"], r"`sequences\[1\]`"),
    ],
)
def test_bad_sequences_for_pad_sequences(sequences, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(sequences)


def test_bad_collate_value():
    with pytest.raises(TypeError, match="`value`"):
        collate([[1]], value=0.5)


@pytest.mark.parametrize(
    ("lengths", "kwargs", "error", "name"),
    [
        ([[1, 2]], {}, ValueError, "lengths"),
        ([1.5, 2.0], {}, TypeError, "lengths"),
        ([1, -1], {}, ValueError, "lengths"),
        ([1, 2], {"padding": "both"}, ValueError, "padding"),
        ([1, 2], {"maxlen": -1}, ValueError, "maxlen"),
    ],
)
def test_bad_lengths(lengths, kwargs, error, name):
    with pytest.raises(error, match=f"`{name}`"):
        lengths_to_mask(lengths, **kwargs)


def test_bad_padded_for_sequences_to_mask():
    with pytest.raises(TypeError, match="`padded`"):
        sequences_to_mask("0 0 1")


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (5, TypeError),
        ("not json", ValueError),
        ("{}", ValueError),
        (json.dumps({"config": {"word_counts": "{}"}}), ValueError),
    ],
)
def test_bad_tokenizer_json(payload, error):
    with pytest.raises(error, match="`json_string`"):
        tokenizer_from_json(payload)


def test_unknown_option_in_tokenizer_json():
    config = json.loads(fitted().to_json())
    config["config"]["colour"] = "blue"
    with pytest.raises(ValueError, match="colour"):
        tokenizer_from_json(json.dumps(config))


@pytest.mark.parametrize("text", [None, 5, ["a", "b"], np.str_("ok").encode()])
def test_bad_text_for_text_to_word_sequence(text):
    with pytest.raises(TypeError, match="`text`"):
        text_to_word_sequence(text)


@pytest.mark.parametrize("lower", ["no", 0, None])
def test_flags_are_booleans_in_the_text_helpers(lower):
    from vectab.text import text_to_word_sequence

    with pytest.raises(TypeError, match="`lower` must be True or False"):
        text_to_word_sequence("The Cat", lower=lower)
