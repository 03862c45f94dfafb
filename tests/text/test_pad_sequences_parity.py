"""vectab.text.pad_sequences gives exactly what Keras 3's keras.utils.pad_sequences gives.

Keras runs on the torch backend (tests/conftest.py sets KERAS_BACKEND=torch before import).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vectab.text import Tokenizer, pad_sequences

keras = pytest.importorskip("keras", reason="Keras 3 (the pad_sequences oracle) is not installed")
keras_pad = keras.utils.pad_sequences

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

ints = st.integers(-200, 200) | st.integers(-(2**40), 2**40)
floats = st.floats(-1e3, 1e3, allow_nan=False, width=32) | st.sampled_from([0.5, -0.5, 1.7])
row = st.one_of(
    st.lists(ints, max_size=7),
    st.lists(floats, max_size=7),
    st.lists(ints | floats, max_size=7),
    st.lists(st.integers(0, 100), max_size=7).map(tuple),
    st.lists(st.integers(0, 100), max_size=7).map(lambda r: np.asarray(r, dtype=np.int64)),
)
options = st.fixed_dictionaries(
    {
        "maxlen": st.one_of(st.none(), st.integers(1, 9)),
        "dtype": st.sampled_from(
            ["int32", "int64", "float32", "float64", "int8", "uint8", "int16"]
        ),
        "padding": st.sampled_from(["pre", "post"]),
        "truncating": st.sampled_from(["pre", "post"]),
        "value": st.sampled_from([0.0, 0, -1, 7, 2.5, -0.5]),
    }
)


def outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (ValueError, OverflowError, TypeError) as exc:
        return type(exc)


def assert_same(ours, theirs):
    if isinstance(theirs, type):
        assert ours is theirs
        return
    assert not isinstance(ours, type), ours
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


@SETTINGS
@given(st.lists(row, min_size=1, max_size=6), options)
def test_matches_keras_on_numbers(sequences, kwargs):
    assert_same(
        outcome(pad_sequences, sequences, **kwargs), outcome(keras_pad, sequences, **kwargs)
    )


@SETTINGS
@given(
    st.lists(
        st.lists(st.lists(st.integers(-5, 5), min_size=2, max_size=2), max_size=4), min_size=1
    ),
    options,
)
def test_matches_keras_on_vector_items(sequences, kwargs):
    assert_same(
        outcome(pad_sequences, sequences, **kwargs), outcome(keras_pad, sequences, **kwargs)
    )


@SETTINGS
@given(
    st.lists(st.lists(st.text(max_size=3), max_size=5), min_size=1, max_size=5),
    st.one_of(st.none(), st.integers(1, 6)),
    st.sampled_from(["pre", "post"]),
    st.sampled_from(["", "<pad>"]),
)
def test_matches_keras_on_strings(sequences, maxlen, padding, value):
    kwargs = dict(maxlen=maxlen, dtype=object, padding=padding, value=value)
    assert_same(pad_sequences(sequences, **kwargs), keras_pad(sequences, **kwargs))


def test_ragged_items_raise_like_keras():
    sequences = [[[1, 2], [3, 4]], [[5, 6, 7]]]
    with pytest.raises(ValueError):
        keras_pad(sequences)
    with pytest.raises(ValueError, match="shape"):
        pad_sequences(sequences)


def test_string_value_needs_object_dtype_like_keras():
    with pytest.raises(ValueError):
        keras_pad([[1]], value="x")
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([[1]], value="x")


def test_empty_list_gives_empty_array():
    """Keras raises on [] (max of an empty list); vectab returns an empty batch."""
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([], maxlen=4).shape == (0, 4)


def test_analyzer_matches_keras3_legacy_tokenizer():
    legacy = pytest.importorskip("keras.src.legacy.preprocessing.text")
    texts = ["One two, TWO", "three-three three", "", "two"]

    def analyzer(text):
        return text.replace(",", " ").split()

    ours, theirs = (
        Tokenizer(analyzer=analyzer, oov_token="?"),
        legacy.Tokenizer(analyzer=analyzer, oov_token="?"),
    )
    ours.fit_on_texts(texts)
    theirs.fit_on_texts(texts)
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert ours.word_index == theirs.word_index
    assert dict(ours.word_docs) == dict(theirs.word_docs)
    probe = texts + ["four two One"]
    assert ours.texts_to_sequences(probe) == theirs.texts_to_sequences(probe)
