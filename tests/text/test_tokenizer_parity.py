"""vectab.text.Tokenizer gives exactly what keras_preprocessing's Tokenizer gives."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vectab.text import Tokenizer, _corpus, text_to_word_sequence, tokenizer_from_json

kp_text = pytest.importorskip(
    "keras_preprocessing.text", reason="keras-preprocessing (the parity oracle) is not installed"
)

# letters whose lower-casing is special (final sigma, dotted I, titlecase, ligature, sharp s),
# punctuation, every kind of whitespace, and the character vectab joins texts with
ALPHABET = "aAbBzZ ΣσΑΟİiıǅǆßﬁé'.,!?-_\t\n\x0b\x0c\r\x1c\u3000\xa0\u2028\x00"
WORDS = ["the", "The", "THE", "a", "Σ", "ΑΣ", "οδοσ", "İ", "x.y", "don't", "ß", "ǅ", "", "<OOV>"]

token = st.one_of(st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=4))
separator = st.sampled_from([" ", "  ", ", ", ". ", "\t", "\n", "", "!"])
text = st.lists(st.tuples(token, separator), max_size=7).map(
    lambda parts: "".join(t + s for t, s in parts)
)
corpus = st.lists(text, max_size=7)
options = st.fixed_dictionaries(
    {
        "num_words": st.one_of(st.none(), st.integers(1, 8)),
        "oov_token": st.sampled_from([None, "<OOV>", "the", ""]),
        "lower": st.booleans(),
        "char_level": st.booleans(),
        "filters": st.sampled_from(['!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', "", " aeΣ", "\u3000x"]),
        "split": st.sampled_from([" ", " ", " ", "a", "\t", "xy"]),
    }
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_state(ours: Tokenizer, keras) -> None:
    assert list(ours.word_counts.items()) == list(keras.word_counts.items())
    assert dict(ours.word_docs) == dict(keras.word_docs)
    assert list(ours.word_index.items()) == list(keras.word_index.items())
    assert ours.index_word == keras.index_word
    assert dict(ours.index_docs) == dict(keras.index_docs)
    assert ours.document_count == keras.document_count


def assert_same_outputs(ours: Tokenizer, keras, texts: list) -> None:
    assert ours.texts_to_sequences(texts) == keras.texts_to_sequences(texts)
    assert list(ours.texts_to_sequences_generator(iter(texts))) == list(
        keras.texts_to_sequences_generator(texts)
    )
    if keras.num_words or keras.word_index:
        for mode in ("binary", "count", "freq", "tfidf"):
            if mode == "tfidf" and not keras.document_count:
                continue
            expected = keras.texts_to_matrix(texts, mode=mode)
            np.testing.assert_array_equal(ours.texts_to_matrix(texts, mode=mode), expected)


@SETTINGS
@given(corpus, corpus, options)
def test_fit_and_convert_match_keras(fit_texts, other_texts, kwargs):
    ours, keras = Tokenizer(**kwargs), kp_text.Tokenizer(**kwargs)
    ours.fit_on_texts(fit_texts)
    keras.fit_on_texts(fit_texts)
    assert_same_state(ours, keras)
    assert_same_outputs(ours, keras, fit_texts)  # reuses the tokens kept by fit_on_texts
    assert_same_outputs(ours, keras, other_texts)



@SETTINGS
@given(corpus, corpus, options)
def test_byte_level_encoding_matches_keras_on_new_texts(fit_texts, other_texts, kwargs):
    """The byte-level paths alone (any size), on texts not fitted: encode_texts is taken
    whenever `split` is one ASCII character and no text holds the NUL it joins texts with, and
    then gives Keras' ids exactly; text_corpus gives Keras' counts."""
    kwargs = {**kwargs, "char_level": False}
    keras = kp_text.Tokenizer(**kwargs)
    keras.fit_on_texts(fit_texts)
    if keras.oov_token is not None and keras.oov_token not in keras.word_index:
        return
    oov_index = keras.word_index.get(keras.oov_token)
    got = _corpus.encode_texts(
        other_texts, keras.word_index, filters=keras.filters, lower=keras.lower,
        split=keras.split, num_words=keras.num_words, oov_index=oov_index, min_chars=0,
    )
    one_byte_split = len(keras.split) == 1 and keras.split.isascii()
    fast = not other_texts or (one_byte_split and not any("\x00" in t for t in other_texts))
    assert (got is not None) == fast
    if got is not None:
        assert got == keras.texts_to_sequences(other_texts)
    # and fitting from the same byte-level tokens counts as Keras does
    coded = _corpus.text_corpus(
        fit_texts, filters=keras.filters, lower=keras.lower, split=keras.split, min_chars=0
    )
    if coded is not None:
        words, counts, docs = _corpus.count(coded)
        assert list(zip(words, counts)) == list(keras.word_counts.items())
        assert dict(zip(words, docs)) == dict(keras.word_docs)

@SETTINGS
@given(corpus, corpus, options, options)
def test_reused_tokens_never_go_stale(fit_texts, other_texts, kwargs, changed):
    """Options changed after fit_on_texts are honoured on new texts and on the fitted ones."""
    ours, keras = Tokenizer(**kwargs), kp_text.Tokenizer(**kwargs)
    ours.fit_on_texts(fit_texts)
    keras.fit_on_texts(fit_texts)
    for name in ("lower", "char_level", "filters", "split", "num_words", "oov_token"):
        setattr(ours, name, changed[name])
        setattr(keras, name, changed[name])
    if keras.oov_token is not None and keras.oov_token not in keras.word_index:
        return  # Keras would emit None ids; vectab raises (tested in test_errors.py)
    assert ours.texts_to_sequences(other_texts) == keras.texts_to_sequences(other_texts)
    ours.fit_on_texts(fit_texts)
    keras.fit_on_texts(fit_texts)
    edited = list(fit_texts)
    if edited:
        edited[0] += " zzz"
    assert ours.texts_to_sequences(edited) == keras.texts_to_sequences(edited)


@SETTINGS
@given(corpus, st.lists(st.lists(st.sampled_from(WORDS[:-2])), max_size=4), corpus, options)
def test_incremental_fits_and_token_lists_match_keras(first, token_lists, second, kwargs):
    ours, keras = Tokenizer(**kwargs), kp_text.Tokenizer(**kwargs)
    for batch in (first, token_lists, first + token_lists, second):
        ours.fit_on_texts(batch)
        keras.fit_on_texts(batch)
        assert_same_state(ours, keras)
    assert_same_outputs(ours, keras, second + token_lists)


@SETTINGS
@given(corpus, options, st.lists(st.lists(st.integers(0, 12), max_size=6), max_size=5))
def test_ids_back_to_texts_and_matrix_match_keras(texts, kwargs, sequences):
    ours, keras = Tokenizer(**kwargs), kp_text.Tokenizer(**kwargs)
    ours.fit_on_texts(texts)
    keras.fit_on_texts(texts)
    if kwargs["oov_token"] is not None and kwargs["oov_token"] not in keras.word_index:
        return  # Keras' oov lookup would fail too (the token was overwritten by a word)
    assert ours.sequences_to_texts(sequences) == keras.sequences_to_texts(sequences)
    ours.fit_on_sequences(sequences)
    keras.fit_on_sequences(sequences)
    assert dict(ours.index_docs) == dict(keras.index_docs)
    if keras.num_words or keras.word_index:
        for mode in ("binary", "count", "freq", "tfidf"):
            if mode == "tfidf" and not keras.document_count:
                continue
            np.testing.assert_array_equal(
                ours.sequences_to_matrix(sequences, mode=mode),
                keras.sequences_to_matrix(sequences, mode=mode),
            )


@SETTINGS
@given(corpus, options)
def test_json_is_read_by_keras_and_back(texts, kwargs):
    ours, keras = Tokenizer(**kwargs), kp_text.Tokenizer(**kwargs)
    ours.fit_on_texts(texts)
    keras.fit_on_texts(texts)
    ours_config, keras_config = ours.get_config(), keras.get_config()
    assert ours_config.keys() == keras_config.keys()
    for key, value in ours_config.items():
        if key in ("word_counts", "word_index", "index_word"):  # order matters
            assert list(json.loads(value).items()) == list(json.loads(keras_config[key]).items())
        elif key in ("word_docs", "index_docs"):  # Keras' order follows set iteration
            assert json.loads(value) == json.loads(keras_config[key])
        else:
            assert value == keras_config[key]
    from_ours = kp_text.tokenizer_from_json(ours.to_json())
    from_keras = tokenizer_from_json(keras.to_json())
    assert_same_state(from_keras, from_ours)
    assert_same_state(from_keras, keras)
    probe = texts + ["the a new words"]
    assert from_keras.texts_to_sequences(probe) == from_ours.texts_to_sequences(probe)


@settings(max_examples=100, deadline=None)
@given(text, options)
def test_text_to_word_sequence_matches_keras(sample, kwargs):
    args = dict(filters=kwargs["filters"], lower=kwargs["lower"], split=kwargs["split"])
    assert text_to_word_sequence(sample, **args) == kp_text.text_to_word_sequence(sample, **args)


def test_large_corpus_matches_keras():
    """A corpus large enough for realistic counts, ties and OOV rates."""
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(3000)] + ["Σ", "ΑΣ", "Éa"], dtype=object)
    ids = rng.zipf(1.3, size=60_000) % len(words)
    pieces = np.split(words[ids], np.cumsum(rng.integers(0, 30, size=3000)))[:-1]
    texts = [", ".join(p.tolist()) + "." for p in pieces]
    for kwargs in ({"num_words": 500, "oov_token": "<OOV>"}, {"char_level": True}, {}):
        ours, keras = Tokenizer(**kwargs), kp_text.Tokenizer(**kwargs)
        ours.fit_on_texts(texts)
        keras.fit_on_texts(texts)
        assert_same_state(ours, keras)
        assert ours.texts_to_sequences(texts) == keras.texts_to_sequences(texts)
        assert ours.texts_to_sequences(texts[::-1]) == keras.texts_to_sequences(texts[::-1])
