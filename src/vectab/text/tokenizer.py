"""A Keras-exact text Tokenizer: texts -> word_index -> integer sequences (and back).

Every output equals that of ``keras_preprocessing.text.Tokenizer`` (Keras 2's
``tf.keras.preprocessing.text.Tokenizer``): ids start at 1 (0 is reserved for padding), words
are ranked by count with ties broken by first appearance, ``oov_token`` takes id 1, and
``num_words`` is applied when texts are converted (``word_index`` keeps every word). The JSON
of :meth:`Tokenizer.to_json` is read by Keras' ``tokenizer_from_json`` and the other way round.

Differences, all on input Keras mishandles: a bare string where a list of texts is expected,
and texts that are neither str nor a list of str tokens (``None``, numbers) raise
``TypeError`` instead of being read character by character or failing deep inside;
``num_words <= 0`` raises; converting texts with an ``oov_token`` before fitting raises
instead of emitting ``None`` ids; an ``analyzer`` returning a generator still fills
``word_docs``; ``word_docs`` is ordered by first appearance (Keras' order follows set
iteration, which changes between runs).

Speed: the corpus is tokenized, counted and looked up as a whole (:mod:`vectab.text._corpus`):
for str texts, pyarrow's hash table works on the UTF-8 bytes without a Python string per token,
so ``texts_to_sequences`` is as fast on new texts as on the texts just fitted. The tokenizer
keeps no state beyond Keras' attributes.
"""

from __future__ import annotations

import json
import operator
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from vectab._checks import check_bool, check_choice, check_int
from vectab.text import _corpus
from vectab.text._checks import (
    check_text,
    check_texts,
    short,
)
from vectab.text._matrix import bag_of_words
from vectab.text._num_words import MISSING, limit_ids

__all__ = ["Tokenizer", "text_to_word_sequence"]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(
    text: str, filters: str = DEFAULT_FILTERS, lower: bool = True, split: str = " "
) -> list[str]:
    """Split a text into words: lower-case, replace ``filters`` by ``split``, split, drop empties.

    Keras equivalent: ``keras.preprocessing.text.text_to_word_sequence``.

    Example:
        >>> text_to_word_sequence("The cat, the HAT!")
        ['the', 'cat', 'the', 'hat']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"`text` must be a str, got {type(text).__name__}: {short(text)}. "
            "Convert it with str() first."
        )
    check_bool(lower, "lower")
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in text.split(split) if word]


def _checked_text(text: Any, i: int) -> str | list[str]:
    check_text(text, f"texts[{i}]")
    return text


def _checked_ids(seq: Any, i: int) -> list:
    if isinstance(seq, (str, bytes)) or not isinstance(seq, Iterable):
        raise TypeError(f"`sequences[{i}]` must be a list of int ids, got {short(seq)}.")
    seq = list(seq)
    if set(map(type, seq)) <= {int}:
        return seq
    for num in seq:
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)):
            raise TypeError(
                f"`sequences[{i}]` must hold int ids, got {type(num).__name__}: "
                f"{short(num)}. Convert the ids with int() first."
            )
    return seq


def _chunks(items: Iterable, check: Callable[[Any, int], Any]) -> Iterator[list]:
    """``items`` checked one by one and grouped in lists of 1, 2, 4, ... 4096 items.

    The generators convert a whole list at a time (the batch speed) yet stay lazy, and an
    item that fails its check raises only after the items before it were yielded, exactly as
    when converting one item at a time.
    """
    chunk: list = []
    size = 1
    for i, item in enumerate(items):
        try:
            item = check(item, i)
        except (TypeError, ValueError):
            if chunk:
                yield chunk
            raise
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk, size = [], min(2 * size, 4096)
    if chunk:
        yield chunk


class Tokenizer:
    """Turn texts into sequences of word ids, with the exact behaviour of Keras' Tokenizer.

    Keras equivalent: ``keras_preprocessing.text.Tokenizer`` (``keras._legacy`` in Keras 3);
    code written for it runs after changing only the import, and gives the same ids.

    Args:
        num_words: Keep only the ``num_words - 1`` most frequent words when converting texts
            (``word_index`` still holds every word). ``None`` keeps all.
        filters: Characters replaced by ``split`` before splitting (default: punctuation except
            ``'``, plus tab and newline).
        lower: Lower-case texts (and tokens of pre-split texts) first.
        split: Word separator.
        char_level: Every character is a token.
        oov_token: If given, it gets id 1 and replaces unknown words (and words beyond
            ``num_words``) in :meth:`texts_to_sequences`; without it they are dropped.
        analyzer: A callable ``text -> list of tokens`` replacing lower/filter/split.
        document_count: Initial number of documents seen (used by ``tfidf``).

    Attributes:
        word_index: ``{word: id}``, ids from 1 in order of decreasing count.
        index_word: ``{id: word}``.
        word_counts: ``OrderedDict`` ``{word: count}`` in order of first appearance.
        word_docs: ``{word: number of documents containing it}``.
        index_docs: ``{id: number of documents containing it}``.
        document_count: Number of documents fitted.

    Example:
        >>> tok = Tokenizer(num_words=4, oov_token="<OOV>")
        >>> tok.fit_on_texts(["The cat sat.", "The cat ran!", "A dog."])
        >>> tok.word_index
        {'<OOV>': 1, 'the': 2, 'cat': 3, 'sat': 4, 'ran': 5, 'a': 6, 'dog': 7}
        >>> tok.texts_to_sequences(["the cat ran away"])
        [[2, 3, 1, 1]]
    """

    def __init__(
        self,
        num_words: int | None = None,
        filters: str = DEFAULT_FILTERS,
        lower: bool = True,
        split: str = " ",
        char_level: bool = False,
        oov_token: str | None = None,
        analyzer: Callable[[str], list[str]] | None = None,
        document_count: int = 0,
    ) -> None:
        check_int(num_words, "num_words", allow_none=True)
        check_bool(lower, "lower")
        check_bool(char_level, "char_level")
        if not isinstance(filters, str):
            raise TypeError(
                f"`filters` must be a str of characters to remove, got "
                f"{type(filters).__name__}: {short(filters)}. Join them: ''.join(filters)."
            )
        if not isinstance(split, str):
            raise TypeError(
                f"`split` must be a str (the word separator), got {type(split).__name__}: "
                f"{short(split)}."
            )
        if split == "" and not char_level:
            raise ValueError(
                f"`split` must be a non-empty str (the word separator), got {short(split)}. "
                "For one token per character pass char_level=True."
            )
        if oov_token is not None and not isinstance(oov_token, str):
            raise TypeError(f"`oov_token` must be a str or None, got {short(oov_token)}.")
        if analyzer is not None and not callable(analyzer):
            raise TypeError(f"`analyzer` must be a callable text -> tokens, got {short(analyzer)}.")
        check_int(document_count, "document_count", minimum=0)
        self.word_counts: OrderedDict[str, int] = OrderedDict()
        self.word_docs: defaultdict[str, int] = defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs: defaultdict[int, int] = defaultdict(int)
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}
        self.analyzer = analyzer

    def __repr__(self) -> str:
        return (
            f"Tokenizer(num_words={self.num_words}, oov_token={self.oov_token!r}, "
            f"lower={self.lower}, char_level={self.char_level}, words={len(self.word_index)})"
        )

    # ------------------------------------------------------------------ tokenizing
    def _tokens(self, text: str | list[str]) -> list[str]:
        """Tokens of one text, exactly as Keras makes them."""
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return list(text)
        if self.analyzer is not None:
            return list(self.analyzer(text))
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def _tokenize(self, texts: list) -> tuple[list, Any]:
        """``(tokens, boundary)``: all tokens, documents separated by ``boundary``.

        The whole corpus is tokenized at once when possible (see ``_corpus``), else text by
        text.
        """
        if self.analyzer is None and set(map(type, texts)) <= {str}:
            fast = _corpus.corpus_tokens(
                texts,
                filters=self.filters,
                lower=self.lower,
                split=self.split,
                char_level=self.char_level,
            )
            if fast is not None:
                return fast, _corpus.BOUNDARY
        boundary, tokens = object(), []
        for i, text in enumerate(texts):
            if i:
                tokens.append(boundary)
            tokens.extend(self._tokens(text))
        return tokens, boundary

    # ------------------------------------------------------------------ fitting
    def fit_on_texts(self, texts: Iterable[str | list[str]]) -> None:
        """Update the vocabulary from ``texts`` (str, or lists of str tokens).

        Keras equivalent: ``Tokenizer.fit_on_texts``.

        Raises:
            TypeError: ``texts`` is a single string, or an item is not a str / list of str.
        """
        texts = check_texts(texts)
        corpus = None
        if self.analyzer is None and not self.char_level and set(map(type, texts)) <= {str}:
            corpus = _corpus.text_corpus(
                texts, filters=self.filters, lower=self.lower, split=self.split
            )
        if corpus is None:
            tokens, boundary = self._tokenize(texts)
            corpus = _corpus.to_corpus(tokens, boundary, len(texts))
            del tokens
        words, counts, docs = _corpus.count(corpus)
        word_counts, word_docs = self.word_counts, self.word_docs
        with _corpus.no_gc():
            if not word_counts and not word_docs:  # first fit: C-level inserts, same order
                word_counts.update(zip(words, counts))
                word_docs.update(zip(words, docs))
            else:
                for word, count, ndocs in zip(words, counts, docs):
                    word_counts[word] = word_counts.get(word, 0) + count
                    word_docs[word] += ndocs
            self.document_count += len(texts)
            self._build_index()

    def add_words(self, words: Iterable[str], *, only_reachable: bool = True) -> int:
        """Give ids to ``words`` that are not yet in the vocabulary, after every counted word.

        For a frozen pretrained table: add the vectors' words, and a word first seen at test
        time keeps its pretrained vector instead of becoming ``oov_token``. An added word has
        count 0, so it ranks after all fitted words (in the order given) and a later
        :meth:`fit_on_texts` that sees it ranks it by its count. With ``num_words`` set the
        added ids fall past the cap and are not used. No Keras equivalent.

        Args:
            words: words to add (str); known words are left as they are.
            only_reachable: skip words that tokenizing text can never produce, i.e. whose own
                tokens are not exactly ``[word]`` (upper case with ``lower=True``, a filtered
                character or ``split`` inside, several characters with ``char_level``).

        Returns:
            The number of words added.
        """
        check_bool(only_reachable, "only_reachable")
        if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
            raise TypeError(f"`words` must be an iterable of str, got {short(words)}.")
        words = list(words)
        for i, word in enumerate(words):  # check all first: a bad item changes nothing
            if not isinstance(word, str) or not word:
                raise TypeError(f"`words[{i}]` must be a non-empty str, got {short(word)}.")
        added = 0
        for word in words:
            if word in self.word_counts or word == self.oov_token:
                continue
            if only_reachable and self._tokens(word) != [word]:
                continue
            self.word_counts[word] = 0
            added += 1
        if added:
            self._build_index()
        return added

    def _build_index(self) -> None:
        """Rank words by count (stable: ties keep first appearance), oov_token first."""
        ranked = sorted(self.word_counts.items(), key=operator.itemgetter(1), reverse=True)
        vocab = [] if self.oov_token is None else [self.oov_token]
        vocab.extend(map(operator.itemgetter(0), ranked))
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = dict(zip(self.word_index.values(), self.word_index.keys()))
        ids = map(self.word_index.__getitem__, self.word_docs.keys())
        self.index_docs.update(zip(ids, list(self.word_docs.values())))

    def fit_on_sequences(self, sequences: Iterable[Iterable[int]]) -> None:
        """Update ``document_count`` and ``index_docs`` from id sequences (for tf-idf).

        Keras equivalent: ``Tokenizer.fit_on_sequences``.
        """
        if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
            raise TypeError(f"`sequences` must be a list of id sequences, got {short(sequences)}.")
        sequences = list(sequences)
        self.document_count += len(sequences)
        for i, seq in enumerate(sequences):
            if isinstance(seq, (str, bytes)) or not isinstance(seq, Iterable):
                raise TypeError(f"`sequences[{i}]` must be a list of int ids, got {short(seq)}.")
            for index in set(seq):
                self.index_docs[index] += 1

    # ------------------------------------------------------------------ texts -> ids
    def _oov_index(self) -> int | None:
        if self.oov_token is None:
            return None
        index = self.word_index.get(self.oov_token)
        if index is None:
            raise ValueError(
                f"oov_token {self.oov_token!r} is not in word_index: the tokenizer is not "
                "fitted. Call fit_on_texts(texts) first."
            )
        return index

    def texts_to_sequences(self, texts: Iterable[str | list[str]]) -> list[list[int]]:
        """Convert each text to a list of word ids.

        Only ids below ``num_words`` are kept; other words become the ``oov_token`` id, or are
        dropped without one. Keras equivalent: ``Tokenizer.texts_to_sequences``.

        Example:
            >>> tok = Tokenizer()
            >>> tok.fit_on_texts(["a b b", "c"])
            >>> tok.texts_to_sequences(["b a d", ""])
            [[1, 2], []]
        """
        texts = check_texts(texts)
        return self._sequences(texts, self._oov_index())

    def _sequences(self, texts: list, oov_index: int | None) -> list[list[int]]:
        """Ids of checked ``texts``: the byte-level path for str texts, else the token path."""
        if not texts:
            return []
        limits = {"num_words": self.num_words, "oov_index": oov_index}
        if self.analyzer is None and not self.char_level and set(map(type, texts)) <= {str}:
            sequences = _corpus.encode_texts(
                texts, self.word_index, filters=self.filters, lower=self.lower,
                split=self.split, **limits,
            )
            if sequences is not None:
                return sequences
        tokens, boundary = self._tokenize(texts)
        if boundary in self.word_index:
            corpus = _corpus.to_corpus(tokens, boundary, len(texts))
            return _corpus.to_sequences(corpus, self.word_index, **limits)
        return _corpus.encode_tokens(tokens, boundary, self.word_index, **limits)

    def texts_to_sequences_generator(self, texts: Iterable[str | list[str]]) -> Iterator[list[int]]:
        """Yield the id list of each text, one at a time (``texts`` may be a stream).

        Keras equivalent: ``Tokenizer.texts_to_sequences_generator``.
        """
        if isinstance(texts, (str, bytes)) or not isinstance(texts, Iterable):
            check_texts(texts)
        oov_index = self._oov_index()
        for chunk in _chunks(texts, _checked_text):
            yield from self._sequences(chunk, oov_index)

    # ------------------------------------------------------------------ ids -> texts
    def sequences_to_texts(self, sequences: Iterable[Iterable[int]]) -> list[str]:
        """Convert id sequences back to space-joined texts (Keras ``sequences_to_texts``).

        Example:
            >>> tok = Tokenizer(oov_token="?")
            >>> tok.fit_on_texts(["hello world"])
            >>> tok.sequences_to_texts([[2, 3, 9]])
            ['hello world ?']
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences: Iterable[Iterable[int]]) -> Iterator[str]:
        """Yield the text of each id sequence (Keras ``sequences_to_texts_generator``)."""
        if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
            raise TypeError(f"`sequences` must be a list of id lists, got {short(sequences)}.")
        index_word = self.index_word
        oov_index = self.word_index.get(self.oov_token)
        needs_oov = oov_index is None and self.oov_token is not None
        for chunk in _chunks(sequences, _checked_ids):
            known = [num if num in index_word else MISSING for seq in chunk for num in seq]
            ids = limit_ids(np.array(known, dtype=np.int64), num_words=self.num_words,
                            oov_index=oov_index).tolist()
            start = 0
            for seq in chunk:
                end = start + len(seq)
                if needs_oov and MISSING in known[start:end]:
                    self._oov_index()  # raises: an unknown id needs the OOV word, with no id
                yield " ".join([index_word[num] for num in ids[start:end] if num != MISSING])
                start = end

    # ------------------------------------------------------------------ bag of words
    def texts_to_matrix(self, texts: Iterable[str | list[str]], mode: str = "binary") -> np.ndarray:
        """Bag-of-words matrix of ``texts``, shape ``(len(texts), num_words)``, float64.

        Keras equivalent: ``Tokenizer.texts_to_matrix``. ``mode`` is one of ``"binary"``,
        ``"count"``, ``"tfidf"``, ``"freq"``.

        Example:
            >>> tok = Tokenizer()
            >>> tok.fit_on_texts(["a a b"])
            >>> tok.texts_to_matrix(["a b a"], mode="count")
            array([[0., 2., 1.]])
        """
        check_choice(mode, "mode", MATRIX_MODES)
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(
        self, sequences: Iterable[Iterable[int]], mode: str = "binary"
    ) -> np.ndarray:
        """Bag-of-words matrix of id sequences (Keras ``sequences_to_matrix``).

        Ids ``>= num_words`` (or ``> len(word_index)`` without ``num_words``) are ignored.
        """
        check_choice(mode, "mode", MATRIX_MODES)
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError(
                "sequences_to_matrix needs a width: pass num_words to the Tokenizer, or call "
                "fit_on_texts first."
            )
        if mode == "tfidf" and not self.document_count:
            raise ValueError(
                "mode='tfidf' needs document frequencies: call fit_on_texts or "
                "fit_on_sequences first."
            )
        return bag_of_words(
            sequences,
            num_words,
            mode,
            document_count=self.document_count,
            index_docs=self.index_docs,
        )

    # ------------------------------------------------------------------ serialization
    def get_config(self) -> dict[str, Any]:
        """Configuration and vocabulary as a dict of JSON-ready values (Keras' layout)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, *, indent: int | None = None, ensure_ascii: bool = True) -> str:
        """Serialize to the JSON string Keras' ``tokenizer_from_json`` reads.

        The ``analyzer`` callable is not serialized (Keras does not either).

        Example:
            >>> tok = Tokenizer()
            >>> tok.fit_on_texts(["hi there"])
            >>> from vectab.text import tokenizer_from_json
            >>> tokenizer_from_json(tok.to_json()).word_index
            {'hi': 1, 'there': 2}
        """
        payload = {"class_name": "Tokenizer", "config": self.get_config()}
        check_int(indent, "indent", minimum=0, allow_none=True)
        check_bool(ensure_ascii, "ensure_ascii")
        return json.dumps(payload, indent=indent, ensure_ascii=ensure_ascii)
