"""Corpora large enough for the pyarrow coding path give Keras' exact results too."""

from __future__ import annotations

import random

import pytest

from vectab.text import Tokenizer, _corpus

keras_text = pytest.importorskip("keras_preprocessing.text", reason="keras-preprocessing is the oracle")

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
