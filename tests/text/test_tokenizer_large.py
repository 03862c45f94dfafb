"""Corpora large enough for the pyarrow coding path give Keras' exact results too."""

from __future__ import annotations

import random

import pytest

from vectab.text import Tokenizer, _corpus

keras_text = pytest.importorskip(
    "keras_preprocessing.text", reason="keras-preprocessing is the oracle"
)

ALPHABET = list("abcdeé ÉßςΣ日本\x00\t,.!'") + ["İ", "ǅ"]


def _corpus_texts(n_texts: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4))) for _ in range(400)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(n_texts)]


@pytest.mark.parametrize("options", [
    {},
    {"num_words": 50, "oov_token": "<OOV>"},
    {"lower": False, "filters": ""},
    {"char_level": True},
])
def test_large_corpus_matches_keras(options):
    texts = _corpus_texts(3000, seed=len(options))
    ours, theirs = Tokenizer(**options), keras_text.Tokenizer(**options)
    ours.fit_on_texts(texts)
    theirs.fit_on_texts(texts)
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert dict(ours.word_docs) == dict(theirs.word_docs)
    assert ours.word_index == theirs.word_index
    assert ours.texts_to_sequences(texts) == theirs.texts_to_sequences(texts)


def test_arrow_path_is_taken_and_falls_back_on_lone_surrogates():
    tokens = ["a", "b", "a", "\x00", "c"] * 3000
    words, codes = _corpus._arrow_codes(tokens)
    assert words == ["a", "b", "\x00", "c"]
    assert codes[:5].tolist() == [0, 1, 0, 2, 3]
    assert _corpus._arrow_codes(["ok", "\ud800"]) is None
    corpus = _corpus.to_corpus(["x", "\ud800"] * 6000, "\x00", 1)
    assert corpus.words == ["x", "\ud800"]


@pytest.mark.parametrize("options", [
    {},
    {"num_words": 50, "oov_token": "<OOV>"},
    {"lower": False, "filters": "", "split": "a"},
])
def test_texts_not_fitted_match_keras(options, monkeypatch):
    """Fit on one corpus, encode another (the byte-level paths), lone surrogates included."""
    fit, other = _corpus_texts(3000, seed=7), _corpus_texts(3000, seed=8)
    # NUL would send them to the token-list path (tested above)
    fit, other = [t.replace("\x00", "") for t in fit], [t.replace("\x00", "") for t in other]
    args = {"filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": True, "split": " "}
    args.update((k, v) for k, v in options.items() if k in args)
    ours, theirs = Tokenizer(**options), keras_text.Tokenizer(**options)
    monkeypatch.setattr(_corpus, "MIN_CHARS", 10_000)  # the Tokenizer takes the byte paths
    assert len(" ".join(fit)) > _corpus.MIN_CHARS
    assert _corpus.text_corpus(fit, **args) is not None  # fitting takes the byte-level path
    ours.fit_on_texts(fit)
    theirs.fit_on_texts(fit)
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert dict(ours.word_docs) == dict(theirs.word_docs)
    oov = theirs.word_index.get(theirs.oov_token)
    limits = {"num_words": ours.num_words, "oov_index": oov}
    fast = _corpus.encode_texts(other, ours.word_index, **args, **limits)
    assert fast is not None  # the byte-level path was taken
    assert fast == ours.texts_to_sequences(other) == theirs.texts_to_sequences(other)
    # a lone surrogate is not UTF-8: both byte-level paths decline, the token path is exact
    other[5] += " \ud800x"
    assert _corpus.text_corpus(other, **args) is None
    assert _corpus.encode_texts(other, ours.word_index, **args, **limits) is None
    assert ours.texts_to_sequences(other) == theirs.texts_to_sequences(other)
    ours.fit_on_texts(other)
    theirs.fit_on_texts(other)
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert ours.texts_to_sequences(fit) == theirs.texts_to_sequences(fit)
