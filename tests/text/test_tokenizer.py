"""Tokenizer behaviour beyond Keras parity: JSON round trips that keep fitting, caching."""

from __future__ import annotations

import copy
import pickle

from vectab.text import Tokenizer, tokenizer_from_json


def fitted(**kwargs) -> Tokenizer:
    tok = Tokenizer(**kwargs)
    tok.fit_on_texts(["the cat sat", "the dog"])
    return tok


def test_tokenizer_from_json_can_be_fitted_further():
    """Keras' tokenizer_from_json gives plain dicts (KeyError on the next fit); vectab does not."""
    tok = tokenizer_from_json(fitted(oov_token="?").to_json())
    tok.fit_on_texts(["a new cat"])
    assert tok.word_counts["cat"] == 2 and tok.word_docs["new"] == 1
    assert tok.texts_to_sequences(["new cat zebra"]) == [[tok.word_index["new"], 3, 1]]


def test_pickle_and_copy_drop_the_kept_corpus():
    tok = Tokenizer(oov_token="?")
    texts = ["the cat sat"] * 50
    tok.fit_on_texts(texts)
    assert tok._fitted_corpus is not None
    for clone in (pickle.loads(pickle.dumps(tok)), copy.deepcopy(tok)):
        assert clone._fitted_corpus is None
        assert clone.word_index == tok.word_index
        assert clone.texts_to_sequences(texts) == tok.texts_to_sequences(texts)


def test_whitespace_table_is_complete():
    """str.split() splits on these; the corpus path checks for them before using it."""
    from vectab.text._corpus import _OTHER_WHITESPACE

    expected = "".join(c for c in map(chr, range(0x110000)) if c.isspace() and c != " ")
    assert _OTHER_WHITESPACE == expected
