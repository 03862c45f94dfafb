"""Tokenizer behaviour beyond Keras parity: JSON round trips that keep fitting, caching."""

from __future__ import annotations

import copy
import pickle

import pytest

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


KERAS_ATTRIBUTES = {
    "word_counts", "word_docs", "filters", "split", "lower", "num_words", "document_count",
    "char_level", "oov_token", "index_docs", "word_index", "index_word", "analyzer",
}


def test_tokenizer_keeps_only_keras_attributes():
    """No hidden state: what fit_on_texts learns is Keras' attributes, so a tokenizer rebuilt
    from them (pickle, copy, JSON) encodes the fitted texts exactly as fast and the same."""
    tok = Tokenizer(oov_token="?")
    texts = ["the cat sat"] * 50
    tok.fit_on_texts(texts)
    assert set(vars(tok)) == KERAS_ATTRIBUTES
    expected = tok.texts_to_sequences(texts)
    assert set(vars(tok)) == KERAS_ATTRIBUTES
    clones = pickle.loads(pickle.dumps(tok)), copy.deepcopy(tok), tokenizer_from_json(tok.to_json())
    for clone in clones:
        assert set(vars(clone)) == KERAS_ATTRIBUTES
        assert clone.word_index == tok.word_index
        assert clone.texts_to_sequences(texts) == expected


@pytest.mark.parametrize("oov_token", [None, "?"])
@pytest.mark.parametrize("num_words", [None, 3, 5])
def test_every_path_applies_the_same_num_words_rule(oov_token, num_words):
    """texts_to_sequences (batch, generator), sequences_to_texts and train's token_ids agree;
    token_ids keeps one id per token (0 where the others drop the token)."""
    from vectab.train.saving import token_ids

    tok = Tokenizer(num_words=num_words, oov_token=oov_token)
    tok.fit_on_texts(["a a a b b c d e", "b c"])
    tokens = ["a", "zz", "b", "e", "c", "d", "q"]
    batch = tok.texts_to_sequences([" ".join(tokens)])
    assert list(tok.texts_to_sequences_generator([" ".join(tokens)])) == batch
    assert tok.texts_to_sequences([tokens]) == batch  # pre-split tokens: the token-list path
    ids = token_ids(tok, tokens)
    assert len(ids) == len(tokens) and [i for i in ids if i] == batch[0]
    limit = num_words or len(tok.word_index) + 1
    expected = [tok.word_index.get(t, 0) for t in tokens]
    expected = [i if 0 < i < limit else (1 if oov_token else 0) for i in expected]
    assert ids == expected
    known = [i for i in expected if i]
    assert tok.sequences_to_texts([known]) == [" ".join(tok.index_word[i] for i in known)]


def test_sequences_to_texts_names_the_missing_oov_token():
    """An unknown id needs the OOV word; if oov_token has no id, say so (was KeyError: None)."""
    tok = Tokenizer()
    tok.fit_on_texts(["a b"])
    tok.oov_token = "?"
    assert tok.sequences_to_texts([[1, 2]]) == ["a b"]
    with pytest.raises(ValueError, match="oov_token '\\?' is not in word_index"):
        tok.sequences_to_texts([[1, 9]])


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


def test_generators_stay_lazy_and_fail_after_the_good_items():
    """The generators convert growing chunks, yet read a stream lazily and yield every item
    before a bad one, as when converting one item at a time."""
    import itertools

    tok = fitted(oov_token="?")
    stream = itertools.cycle(["the cat", "a dog sat"])
    assert list(itertools.islice(tok.texts_to_sequences_generator(stream), 5)) == [
        [2, 3], [1, 5, 4], [2, 3], [1, 5, 4], [2, 3]
    ]
    texts = ["the cat"] * 6 + [None, "the"]
    rows = tok.texts_to_sequences_generator(texts)
    assert [next(rows) for _ in range(6)] == [[2, 3]] * 6
    with pytest.raises(TypeError, match=r"`texts\[6\]` must be a str"):
        next(rows)
    back = tok.sequences_to_texts_generator([[2, 3]] * 6 + [["x"]])
    assert [next(back) for _ in range(6)] == ["the cat"] * 6
    with pytest.raises(TypeError, match=r"`sequences\[6\]` must hold int ids"):
        next(back)
