"""Characters of words as ids, and the casing class of a word: the inputs of character-aware
word representations (:class:`vectab.nn.CharEncoder`, :class:`vectab.nn.CasingEmbedding`).

A word table knows only the words it was built with; the characters of an unseen word (a new
entity name, a typo, a rare inflection) still say a lot about it. :class:`CharVocab` maps
characters to ids (0 = padding, 1 = unknown character) and turns token lists into a
``(batch, seq, chars)`` id array; :func:`casing_ids` gives each word one of
:data:`CASING_CLASSES` (Reimers & Gurevych 2017's casing feature, refined).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from vectab._checks import check_bool, check_int, shown

__all__ = ["CASING_CLASSES", "CharVocab", "casing_ids", "casing_of"]

CASING_CLASSES: tuple[str, ...] = (
    "pad", "lower", "upper", "title", "numeric", "has_digit", "mixed", "punct", "other",
)
"""The casing classes in id order; id 0 (``"pad"``) is never given to a word (:func:`casing_of`)."""

_CASING_ID = {name: i for i, name in enumerate(CASING_CLASSES)}
_NUMBER_MARKS = frozenset(".,:/-+%")


def casing_of(word: str) -> str:
    """Return the casing class of ``word``, the first rule that applies, in this order:

    1. ``"numeric"``: at least one digit and nothing but digits and ``. , : / - + %``
       (``1990``, ``3.14``, ``1,000``, ``12/05``, ``-3``, ``50%``).
    2. ``"has_digit"``: another word with a digit (``A4``, ``2nd``, ``COVID-19``, ``$5``).
    3. ``"lower"``: it has cased letters and all are lower case (``cat``, ``don't``, ``e-mail``).
    4. ``"upper"``: it has cased letters and all are upper case (``NASA``, ``I``, ``U.S.``).
    5. ``"title"``: the first character is upper case and no other is (``Paris``, ``Jean-luc``).
    6. ``"mixed"``: upper and lower case letters otherwise (``iPhone``, ``McDonald``, ``eBay``).
    7. ``"punct"``: every character is punctuation or a symbol (``.``, ``--``, ``$``, ``:)``).
    8. ``"other"``: the rest (letters without case such as ``北京``, the empty string).

    Digits are Unicode decimal digits (``str.isdecimal``); case is ``str.islower`` /
    ``str.isupper``. Reimers & Gurevych (2017) use numeric, mainly_numeric, allLower, allUpper,
    initialUpper, contains_digit and other; here title needs the rest of the word in lower case
    (``McDonald`` is mixed) and punctuation has its own class.

    Example:
        >>> [casing_of(w) for w in ["cat", "NASA", "Paris", "1990", "A4", "iPhone", ",", "北京"]]
        ['lower', 'upper', 'title', 'numeric', 'has_digit', 'mixed', 'punct', 'other']
    """
    if not isinstance(word, str):
        raise TypeError(f"`word` must be a str, got {type(word).__name__}: {shown(word)}.")
    if any(c.isdecimal() for c in word):
        if all(c.isdecimal() or c in _NUMBER_MARKS for c in word):
            return "numeric"
        return "has_digit"
    if word.islower():
        return "lower"
    if word.isupper():
        return "upper"
    if word[:1].isupper() and not any(c.isupper() for c in word[1:]):
        return "title"
    if any(c.isupper() for c in word) and any(c.islower() for c in word):
        return "mixed"
    if word and all(unicodedata.category(c)[0] in "PS" for c in word):
        return "punct"
    return "other"


def casing_ids(words: Sequence[str]) -> list[int]:
    """Return the :data:`CASING_CLASSES` id of each word (1..8; 0 is padding), see
    :func:`casing_of`.

    Pad a batch of them with ``pad_sequences(..., padding="post")`` (id 0 = ``"pad"``).

    Example:
        >>> casing_ids(["The", "cat", "sat", "in", "2024", "."])
        [3, 1, 1, 1, 4, 7]
    """
    _check_words(words)
    for word in words:
        if not isinstance(word, str):
            raise TypeError(f"`words` must hold str tokens, got {type(word).__name__}: "
                            f"{shown(word)}.")
    return [_CASING_ID[casing_of(w)] for w in words]


def _check_words(words: Any) -> None:
    if isinstance(words, str) or not isinstance(words, Iterable):
        got = f"{type(words).__name__}: {shown(words)}"
        raise TypeError(
            f"`words` must be a sequence of str (the tokens), got {got}. Split a text first, "
            "e.g. text.split()."
        )


def _check_max_word_len(max_word_len: Any) -> None:
    check_int(max_word_len, "max_word_len", allow_none=True)


def _cut(ids: list[int], max_word_len: int | None) -> list[int]:
    """Keep a long word's first ``ceil(n/2)`` and last ``floor(n/2)`` characters (n =
    ``max_word_len``): both the prefix and the suffix carry information (capitals, -ing, -tion)."""
    if max_word_len is None or len(ids) <= max_word_len:
        return ids
    tail = max_word_len // 2
    return ids[: max_word_len - tail] + ids[len(ids) - tail:]


class CharVocab:
    """A character vocabulary: id 0 is padding, id 1 an unknown character, 2.. the characters.

    Build it from training tokens with :meth:`build`; encode words with :meth:`encode_words`
    (lists of ids) or :meth:`encode_batch` (a padded ``(batch, seq, chars)`` array for
    :class:`vectab.nn.CharEncoder`). There is no Keras or PyTorch equivalent; Keras'
    ``Tokenizer(char_level=True)`` indexes the characters of whole texts, not of each word.

    Args:
        chars: the characters, in id order from id 2 (each a str of length 1, no repeats).
        lower: lower-case words before looking their characters up (case then comes from
            :func:`casing_ids`).

    Attributes:
        pad_id: 0. oov_id: 1.
        char_index: ``{char: id}``.

    Shape:
        encode_batch: ``token_lists`` of B lists -> ``(B, T, C)`` int64, zero-padded after the
        words (T = ``seq_len`` or the longest list) and after each word's characters (C =
        ``max_word_len``, or the longest word when ``max_word_len=None``).

    Example:
        >>> vocab = CharVocab.build([["the", "cat"], ["a", "hat"]])
        >>> len(vocab), vocab.encode_words(["cat", "cow"])
        (7, [[6, 3, 2], [6, 1, 1]])
        >>> vocab.encode_batch([["the", "cat"], ["a"]], max_word_len=4).tolist()
        [[[2, 4, 5, 0], [6, 3, 2, 0]], [[3, 0, 0, 0], [0, 0, 0, 0]]]
    """

    pad_id = 0
    oov_id = 1

    def __init__(self, chars: Sequence[str] = (), *, lower: bool = False) -> None:
        check_bool(lower, "lower")
        if isinstance(chars, str):
            chars = list(chars)
        if not isinstance(chars, Iterable):
            raise TypeError(
                f"`chars` must be a sequence of single characters, got "
                f"{type(chars).__name__}: {shown(chars)}."
            )
        chars = list(chars)
        index: dict[str, int] = {}
        for char in chars:
            if not isinstance(char, str):
                raise TypeError(
                    f"`chars` must hold single characters (str of length 1), got "
                    f"{type(char).__name__}: {shown(char)}."
                )
            if len(char) != 1:
                raise ValueError(
                    f"`chars` must hold single characters (str of length 1), got {shown(char)}."
                )
            if char in index:
                raise ValueError(f"`chars` must not repeat a character, got {char!r} twice.")
            index[char] = len(index) + 2
        self.lower = bool(lower)
        self.chars: list[str] = chars
        self.char_index: dict[str, int] = index

    @classmethod
    def build(
        cls,
        tokens_or_token_lists: Iterable[str] | Iterable[Sequence[str]],
        *,
        min_count: int = 1,
        max_chars: int | None = None,
        lower: bool = False,
    ) -> CharVocab:
        """Count the characters of the words and keep the frequent ones.

        Args:
            tokens_or_token_lists: words (``["the", "cat"]``) or token lists (sentences,
                ``[["the", "cat"], ["a", "hat"]]``); every occurrence of a character in a
                word counts once.
            min_count: keep characters seen at least this many times.
            max_chars: keep at most this many characters (the most frequent; ties go to the
                first seen); None keeps all.
            lower: as in the constructor (counting is done on the lower-cased words).

        Characters get ids 2, 3, ... in order of falling count, ties in order of first
        appearance.

        Example:
            >>> CharVocab.build(["aab", "bc"], max_chars=2).chars
            ['a', 'b']
        """
        check_int(min_count, "min_count")
        check_int(max_chars, "max_chars", allow_none=True)
        check_bool(lower, "lower")
        if isinstance(tokens_or_token_lists, str):
            raise TypeError(
                "`tokens_or_token_lists` must be words or token lists, got str: "
                f"{shown(tokens_or_token_lists)}. Pass text.split() or a list of token lists."
            )
        counts: Counter[str] = Counter()
        for item in tokens_or_token_lists:
            words = [item] if isinstance(item, str) else item
            for word in words:
                if not isinstance(word, str):
                    raise TypeError(
                        "`tokens_or_token_lists` must hold str tokens (or lists of them), got "
                        f"{type(word).__name__}: {shown(word)}."
                    )
                counts.update(word.lower() if lower else word)
        kept = [c for c, n in counts.most_common() if n >= min_count]
        if max_chars is not None:
            kept = kept[:max_chars]
        return cls(kept, lower=lower)

    def __len__(self) -> int:
        """Number of ids, padding and unknown included (the ``num_chars`` of a CharEncoder)."""
        return len(self.chars) + 2

    def __repr__(self) -> str:
        return f"CharVocab({len(self.chars)} chars + pad + oov, lower={self.lower})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CharVocab):
            return NotImplemented
        return self.chars == other.chars and self.lower == other.lower

    def _word_ids(self, word: Any) -> list[int]:
        if not isinstance(word, str):
            raise TypeError(f"`words` must hold str tokens, got {type(word).__name__}: "
                            f"{shown(word)}.")
        get, oov = self.char_index.get, self.oov_id
        return [get(c, oov) for c in (word.lower() if self.lower else word)]

    def encode_words(
        self, words: Sequence[str], max_word_len: int | None = None
    ) -> list[list[int]]:
        """Return the character ids of each word (unknown characters are 1).

        Args:
            words: the tokens.
            max_word_len: cut longer words to this many ids, keeping the first
                ``ceil(n/2)`` and the last ``floor(n/2)`` characters (prefix and suffix both
                carry information); None keeps every character.

        An empty word gives ``[]`` (in a batch: all padding, like a padding position).

        Example:
            >>> vocab = CharVocab(list("abcdefgh"))
            >>> vocab.encode_words(["abcdefgh", "ax"], max_word_len=5)
            [[2, 3, 4, 8, 9], [2, 1]]
        """
        _check_max_word_len(max_word_len)
        _check_words(words)
        return [_cut(self._word_ids(w), max_word_len) for w in words]

    def encode_batch(
        self,
        token_lists: Sequence[Sequence[str]],
        *,
        max_word_len: int | None = 20,
        seq_len: int | None = None,
    ) -> np.ndarray:
        """Return the character ids of a batch of token lists as one zero-padded int64 array.

        Args:
            token_lists: B token lists (sentences).
            max_word_len: width C of the last axis; longer words are cut as in
                :meth:`encode_words`. None: the longest word of the batch.
            seq_len: length T of each row: longer lists lose their last tokens (as the word
                ids with ``pad_sequences(..., truncating="post")``); None: the longest list.

        Words and characters are padded after (post), as vectab's task datasets pad word ids.

        Shape:
            ``(B, T, C)`` int64.
        """
        _check_max_word_len(max_word_len)
        check_int(seq_len, "seq_len", minimum=0, allow_none=True)
        if isinstance(token_lists, str) or not isinstance(token_lists, Iterable):
            raise TypeError(
                "`token_lists` must be a list of token lists, got "
                f"{type(token_lists).__name__}: {shown(token_lists)}."
            )
        rows = []
        for tokens in token_lists:
            if isinstance(tokens, str):
                raise TypeError(
                    f"`token_lists` must hold token lists, got a str: {shown(tokens)}. "
                    "Wrap a single sentence as [tokens]."
                )
            tokens = list(tokens) if seq_len is None else list(tokens)[:seq_len]
            rows.append([_cut(self._word_ids(w), max_word_len) for w in tokens])
        length = seq_len if seq_len is not None else max((len(r) for r in rows), default=0)
        width = max_word_len
        if width is None:
            width = max((len(w) for r in rows for w in r), default=0)
        out = np.zeros((len(rows), length, width), dtype=np.int64)
        for b, row in enumerate(rows):
            for t, word in enumerate(row):
                out[b, t, : len(word)] = word
        return out

    # ----------------------------------------------------------------- saving
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe description (``from_dict`` rebuilds the same vocabulary).

        Example:
            >>> CharVocab(["a", "b"]).to_dict()
            {'format': 'vectab.CharVocab', 'version': 1, 'chars': ['a', 'b'], 'lower': False}
        """
        return {"format": "vectab.CharVocab", "version": 1, "chars": list(self.chars),
                "lower": self.lower}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CharVocab:
        """Rebuild a vocabulary from :meth:`to_dict` (also after a JSON round trip).

        Example:
            >>> import json
            >>> vocab = CharVocab.build(["cat"], lower=True)
            >>> CharVocab.from_dict(json.loads(json.dumps(vocab.to_dict()))) == vocab
            True
        """
        if not isinstance(data, dict):
            raise TypeError(f"`data` must be a dict from CharVocab.to_dict(), got "
                            f"{type(data).__name__}: {shown(data)}.")
        if data.get("format") != "vectab.CharVocab" or "chars" not in data:
            raise ValueError(
                "`data` must come from CharVocab.to_dict() (format 'vectab.CharVocab' with "
                f"'chars'), got keys {sorted(data)}."
            )
        version = data.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version > 1:
            raise ValueError(
                f"`data` has CharVocab format version {version!r}; this vectab reads version 1. "
                "Upgrade vectab to load it."
            )
        return cls(data["chars"], lower=data.get("lower", False))

