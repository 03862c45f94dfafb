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


def test_add_words_appends_after_the_counted_words():
    tok = fitted(oov_token="?")
    before = dict(tok.word_index)
    assert tok.add_words(["zebra", "cat", "Lion", "a-b", "two words", "yak"]) == 2
    # counted words keep their ids; new ones follow in the order given; unreachable ones skipped
    assert tok.word_index == {**before, "zebra": 6, "yak": 7}
    assert tok.index_word[6] == "zebra" and tok.word_counts["zebra"] == 0
    assert tok.texts_to_sequences(["the zebra sat", "Yak!"]) == [[2, 6, 4], [7]]
    # fitting later ranks an added word by its count, like any other
    tok.fit_on_texts(["yak yak yak"])
    assert tok.word_index["yak"] == 2 and tok.word_counts["yak"] == 3
    # the added words survive JSON
    again = tokenizer_from_json(tok.to_json())
    assert again.word_index == tok.word_index


def test_add_words_reachability_follows_the_options():
    tok = Tokenizer(lower=False, filters="")
    tok.fit_on_texts(["a b"])
    assert tok.add_words(["Lion", "a-b"]) == 2  # case kept, '-' not filtered
    assert fitted().add_words(["Lion"], only_reachable=False) == 1
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["ab"])
    assert chars.add_words(["c", "cd"]) == 1


def test_add_words_rejects_bad_input():
    import pytest

    tok = fitted()
    with pytest.raises(TypeError, match="`words` must be an iterable of str"):
        tok.add_words("zebra")
    with pytest.raises(TypeError, match=r"`words\[1\]` must be a non-empty str"):
        tok.add_words(["ok", 3])
    assert "ok" not in tok.word_counts and "ok" not in tok.word_index
