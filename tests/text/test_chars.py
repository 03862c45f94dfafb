"""CharVocab (character ids of words) and the casing classes of words (#14)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vectab.text import CASING_CLASSES, CharVocab, casing_ids, casing_of, pad_sequences

# word -> casing class: each rule of casing_of, its edges and its order of precedence.
CASING_TABLE = {
    # numeric: a digit and nothing but digits and . , : / - + %
    "1990": "numeric", "3.14": "numeric", "1,000": "numeric", "12/05/2024": "numeric",
    "-3": "numeric", "+49": "numeric", "50%": "numeric", "10:30": "numeric", "٣": "numeric",
    # has_digit: any other word with a digit (before every case rule)
    "A4": "has_digit", "2nd": "has_digit", "COVID-19": "has_digit", "$5": "has_digit",
    "mp3": "has_digit", "1990s": "has_digit",
    # lower / upper: all cased letters in one case (other characters allowed)
    "cat": "lower", "don't": "lower", "e-mail": "lower", "über": "lower", "straße": "lower",
    "NASA": "upper", "I": "upper", "U.S.": "upper", "A": "upper", "ÉCOLE": "upper",
    # title: upper first, no other upper case letter
    "Paris": "title", "Jean-luc": "title", "Über": "title", "Mr.": "title",
    # mixed: both cases otherwise
    "iPhone": "mixed", "McDonald": "mixed", "eBay": "mixed", "'Tis": "mixed", "Jean-Luc": "mixed",
    # punct: punctuation and symbols only
    ".": "punct", ",": "punct", "--": "punct", "$": "punct", ":)": "punct", "(": "punct",
    "€": "punct", "...": "punct",
    # other: no cased letters, not all punctuation
    "北京": "other", "": "other", " ": "other", "-北京-": "other",
}


@pytest.mark.parametrize(("word", "expected"), sorted(CASING_TABLE.items()))
def test_casing_of_follows_the_documented_rules(word, expected):
    assert casing_of(word) == expected


def test_casing_classes_and_ids():
    assert CASING_CLASSES[0] == "pad"
    assert len(set(CASING_CLASSES)) == len(CASING_CLASSES) == 9
    words = list(CASING_TABLE)
    ids = casing_ids(words)
    assert ids == [CASING_CLASSES.index(CASING_TABLE[w]) for w in words]
    assert 0 not in ids  # id 0 is kept for padding positions
    assert set(ids) == set(range(1, len(CASING_CLASSES)))  # the table reaches every class


def test_casing_ids_pads_with_pad_sequences():
    rows = [casing_ids(["The", "cat"]), casing_ids(["NASA"])]
    padded = pad_sequences(rows, padding="post")
    assert padded.tolist() == [[3, 1], [2, 0]]


@pytest.mark.parametrize("bad", ["The cat", None, 5])
def test_casing_ids_refuses_a_non_token_list(bad):
    with pytest.raises(TypeError, match="`words`"):
        casing_ids(bad)


@pytest.mark.parametrize("bad", [None, 3, ["a"]])
def test_casing_of_refuses_a_non_str(bad):
    with pytest.raises(TypeError, match="`word` must be a str"):
        casing_of(bad)


# ----------------------------------------------------------------- CharVocab.build
def test_build_counts_characters_over_words_and_orders_by_count():
    vocab = CharVocab.build([["abc", "bc"], ["c"]])
    assert vocab.chars == ["c", "b", "a"]  # c: 3, b: 2, a: 1
    assert vocab.char_index == {"c": 2, "b": 3, "a": 4}
    assert len(vocab) == 5 and vocab.pad_id == 0 and vocab.oov_id == 1


def test_build_ties_go_to_the_first_seen_character():
    assert CharVocab.build(["xy", "yx", "z"]).chars == ["x", "y", "z"]


def test_build_takes_words_or_token_lists_alike():
    assert CharVocab.build(["the", "cat", "a"]) == CharVocab.build([["the", "cat"], ["a"]])
    assert CharVocab.build(iter(["the", "cat"])) == CharVocab.build(["the", "cat"])


def test_build_min_count_and_max_chars():
    tokens = ["aaaa", "bbb", "cc", "d"]
    assert CharVocab.build(tokens, min_count=2).chars == ["a", "b", "c"]
    assert CharVocab.build(tokens, max_chars=2).chars == ["a", "b"]
    assert CharVocab.build(tokens, min_count=3, max_chars=1).chars == ["a"]
    assert CharVocab.build(tokens, min_count=5).chars == []


def test_build_lower_folds_case_when_counting_and_encoding():
    vocab = CharVocab.build(["Cat", "cAT"], lower=True)
    assert vocab.chars == ["c", "a", "t"]
    assert vocab.encode_words(["CAT", "cat"]) == [[2, 3, 4], [2, 3, 4]]
    cased = CharVocab.build(["Cat", "cAT"])
    assert cased.encode_words(["CAT"]) != cased.encode_words(["cat"])


# ----------------------------------------------------------------- encoding
def test_encode_words_unknown_characters_are_the_oov_id():
    vocab = CharVocab(["a", "b"])
    assert vocab.encode_words(["ab", "ba", "aXb", "", "é"]) == [[2, 3], [3, 2], [2, 1, 3], [], [1]]


def test_long_words_keep_their_prefix_and_suffix():
    vocab = CharVocab(list("abcdefghij"))
    word = "abcdefghij"  # ids 2..11
    assert vocab.encode_words([word], max_word_len=4) == [[2, 3, 10, 11]]
    assert vocab.encode_words([word], max_word_len=5) == [[2, 3, 4, 10, 11]]
    assert vocab.encode_words([word], max_word_len=1) == [[2]]
    assert vocab.encode_words([word], max_word_len=10) == [list(range(2, 12))]
    assert vocab.encode_words([word]) == [list(range(2, 12))]
    # the suffix survives: words that differ only in their ending stay distinct
    ids = vocab.encode_words(["abcdefgh" + "ij", "abcdefgh" + "ji"], max_word_len=4)
    assert ids[0] != ids[1]


def test_encode_batch_pads_words_and_characters_after():
    vocab = CharVocab(list("abc"))
    out = vocab.encode_batch([["ab", "c"], ["abc"], []], max_word_len=4)
    assert out.dtype == np.int64 and out.shape == (3, 2, 4)
    assert out.tolist() == [
        [[2, 3, 0, 0], [4, 0, 0, 0]],
        [[2, 3, 4, 0], [0, 0, 0, 0]],
        [[0, 0, 0, 0], [0, 0, 0, 0]],
    ]


def test_encode_batch_widths_and_lengths():
    vocab = CharVocab(list("abcdef"))
    lists = [["abcdef", "a"], ["ab"]]
    assert vocab.encode_batch(lists, max_word_len=None).shape == (2, 2, 6)
    assert vocab.encode_batch(lists, max_word_len=3)[0, 0].tolist() == [2, 3, 7]
    out = vocab.encode_batch(lists, seq_len=1, max_word_len=None)
    assert out.shape == (2, 1, 6) and out[0, 0].tolist() == [2, 3, 4, 5, 6, 7]
    assert vocab.encode_batch(lists, seq_len=4).shape == (2, 4, 20)
    assert vocab.encode_batch([], max_word_len=None).shape == (0, 0, 0)
    assert vocab.encode_batch([[]], max_word_len=None).shape == (1, 0, 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.text(alphabet="abcXY", max_size=9), max_size=5), max_size=4),
    st.one_of(st.none(), st.integers(1, 7)),
)
def test_encode_batch_rows_are_encode_words_padded(token_lists, max_word_len):
    vocab = CharVocab(list("abc"))
    out = vocab.encode_batch(token_lists, max_word_len=max_word_len)
    assert out.shape[:2] == (len(token_lists), max((len(t) for t in token_lists), default=0))
    for b, tokens in enumerate(token_lists):
        for t, ids in enumerate(vocab.encode_words(tokens, max_word_len=max_word_len)):
            assert out[b, t, : len(ids)].tolist() == ids
            assert not out[b, t, len(ids):].any()
        assert not out[b, len(tokens):].any()
        if max_word_len is not None:
            assert all(len(w) <= max_word_len for w in vocab.encode_words(tokens, max_word_len))


# ----------------------------------------------------------------- saving
def test_to_dict_from_dict_round_trip_through_json():
    vocab = CharVocab.build([["Zürich", "北京", "naïve", "😀"]], lower=True)
    data = json.loads(json.dumps(vocab.to_dict()))
    again = CharVocab.from_dict(data)
    assert again == vocab and again.lower is True and len(again) == len(vocab)
    words = ["zürich", "Naïve", "北", "😀x"]
    assert again.encode_words(words) == vocab.encode_words(words)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ([1, 2], TypeError),
        ({"chars": ["a"]}, ValueError),
        ({"format": "other", "chars": ["a"]}, ValueError),
        ({"format": "vectab.CharVocab", "version": 2, "chars": ["a"]}, ValueError),
        ({"format": "vectab.CharVocab", "version": 1, "chars": ["ab"]}, ValueError),
    ],
)
def test_from_dict_refuses_what_to_dict_cannot_make(bad, error):
    with pytest.raises(error, match="`(data|chars)`"):
        CharVocab.from_dict(bad)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("chars", "error"),
    [(["a", "a"], ValueError), (["ab"], ValueError), ([""], ValueError), ([1], TypeError),
     ([None], TypeError), (5, TypeError)],
)
def test_constructor_refuses_bad_chars(chars, error):
    with pytest.raises(error, match="`chars`"):
        CharVocab(chars)


def test_a_string_where_tokens_are_expected_is_a_type_error():
    vocab = CharVocab(["a"])
    with pytest.raises(TypeError, match="`tokens_or_token_lists`"):
        CharVocab.build("the cat")
    with pytest.raises(TypeError, match="`tokens_or_token_lists`"):
        CharVocab.build([["the", 3]])
    with pytest.raises(TypeError, match="`words`"):
        vocab.encode_words("abc")
    with pytest.raises(TypeError, match="`words`"):
        vocab.encode_words([None])
    for bad in ("the cat", ["the", "cat"], 5):
        with pytest.raises(TypeError, match="`token_lists`"):
            vocab.encode_batch(bad)


@pytest.mark.parametrize("bad", [0, -1])
def test_max_word_len_must_be_positive(bad):
    with pytest.raises(ValueError, match="`max_word_len` must be an int >= 1 or None, got"):
        CharVocab(["a"]).encode_batch([["a"]], max_word_len=bad)
    with pytest.raises(ValueError, match="`max_word_len`"):
        CharVocab(["a"]).encode_words(["a"], max_word_len=bad)
