"""Corpus-at-once kernels behind :class:`vectab.text.Tokenizer`.

The Keras Tokenizer lower-cases, filters and splits one text at a time and counts words in a
Python loop. Here the whole corpus is joined into one string with a boundary character that
no text contains, so ``str.lower``, the filter translation and ``str.split`` each run once as a
C loop. For str texts the result is encoded to UTF-8 and read as a pyarrow string array
(:func:`_token_array`), whose hash table codes (fit) or looks up (``texts_to_sequences``) every
token in C; otherwise every token is mapped to an integer by one ``map`` over a dict method.
The counting, the per-document frequencies and the id selection are done in numpy.

The results are exactly those of the per-text algorithm:

* ``str.lower`` is context-free except for the final-sigma rule, and the boundary character is
  neither cased nor case-ignorable, so it cuts that context exactly where a text ends;
* filtering and splitting are per character, and the boundary becomes a token of its own;
* tokens keep their corpus order, so first appearance (Keras' tie-break) is preserved.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from vectab.text._num_words import MISSING, limit_ids

BOUNDARY = "\x00"
# below this many characters the token-list path is as fast: the byte-level path has a fixed
# cost (pyarrow calls); measured on 1 to 20,000 texts, 100k-word vocabulary: even at ~200k
MIN_CHARS = 200_000
# every character but " " for which str.isspace() is True (str.split() splits on them)
_OTHER_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def join_texts(texts: Sequence[str]) -> str | None:
    """Join ``texts`` with :data:`BOUNDARY`; ``None`` when a text already contains it."""
    joined = BOUNDARY.join(texts)
    if joined.count(BOUNDARY) != max(len(texts) - 1, 0):
        return None
    return joined


def _translate(text: str, filters: str, split: str) -> str:
    """Replace every character of ``filters`` by ``split`` (Keras' ``str.translate`` step)."""
    if not filters:
        return text
    if text.isascii() or not (filters.isascii() and split.isascii() and len(split) == 1):
        return text.translate(str.maketrans({c: split for c in filters}))
    # str.translate leaves its C fast path at the first non-ASCII character; on UTF-8 bytes an
    # ASCII byte is always an ASCII character, so a byte table gives the same result quickly.
    chars = filters.encode("ascii")
    table = bytes.maketrans(chars, split.encode("ascii") * len(chars))
    data = text.encode("utf-8", "surrogatepass").translate(table)
    return data.decode("utf-8", "surrogatepass")


def corpus_tokens(
    texts: Sequence[str], *, filters: str, lower: bool, split: str, char_level: bool
) -> list[str] | None:
    """Tokenize all ``texts`` at once.

    Returns the tokens of every text in order, with a :data:`BOUNDARY` token between
    consecutive texts. ``None`` means "use the per-text path" (a text contains the boundary
    character, or the options make the joined form unsafe).
    """
    if BOUNDARY in filters or BOUNDARY in split or (not char_level and len(split) != 1):
        return None
    joined = join_texts(texts)
    if joined is None:
        return None
    if lower:
        joined = joined.lower()
    if char_level:
        return list(joined)
    joined = _translate(joined, filters, split)
    joined = joined.replace(BOUNDARY, split + BOUNDARY + split)
    if split == " " and not any(c in joined for c in _OTHER_WHITESPACE):
        return joined.split()  # same tokens as split(" ") without the empty strings
    return list(filter(None, joined.split(split)))


def _token_array(
    texts: Sequence[str], *, filters: str, lower: bool, split: str, min_chars: int | None
) -> tuple[object, np.ndarray, np.ndarray] | None:
    """All tokens of ``texts`` as one pyarrow string array, without a Python string per token.

    The texts are joined with :data:`BOUNDARY`, lower-cased and filtered once (as in
    :func:`corpus_tokens`) and encoded to UTF-8. Every
    ``split`` or boundary byte starts a token, so the bytes *are* an array of ``split + word``
    tokens (zero copy: the offsets are the separator positions). Returns ``(tokens, lengths,
    cuts)``: ``lengths`` in bytes (1 = an empty word, which Keras drops), ``cuts`` the
    positions of the tokens that begin a text after the first. ``None``: use the token-list
    path: the texts hold fewer than ``min_chars`` characters (default :data:`MIN_CHARS`), a
    text contains the boundary or a lone surrogate, ``split`` is not one ASCII character, or
    pyarrow is missing.
    """
    if len(split) != 1 or not split.isascii() or split == BOUNDARY:
        return None
    joined = join_texts(texts)
    if joined is None or len(joined) < (MIN_CHARS if min_chars is None else min_chars):
        return None
    try:
        import pyarrow as pa
    except ImportError:
        return None
    if lower:
        joined = joined.lower()
    # a boundary turned into `split` by the filters still cuts the texts: cuts are found below
    joined = _translate(joined, filters.replace(BOUNDARY, ""), split)
    try:
        data = (split + joined).encode("utf-8")
    except UnicodeEncodeError:
        return None
    del joined
    raw = np.frombuffer(data, dtype=np.uint8)
    is_boundary = raw == 0
    starts = np.flatnonzero(is_boundary | (raw == ord(split)))
    cuts = np.flatnonzero(is_boundary[starts])
    del raw, is_boundary
    data = data.replace(b"\x00", split.encode("ascii"))
    offsets = np.append(starts, len(data)).astype(np.int64)
    tokens = pa.LargeStringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data)
    )
    return tokens, np.diff(offsets), cuts


def encode_texts(
    texts: Sequence[str],
    word_index: dict,
    *,
    filters: str,
    lower: bool,
    split: str,
    num_words: int | None,
    oov_index: int | None,
    min_chars: int | None = None,
) -> list[list[int]] | None:
    """Ids of every text with Keras' rules, exactly: see :func:`_token_array`.

    pyarrow's hash table codes the tokens (C); only the distinct tokens are looked up in
    ``word_index``, so the cost does not grow with the vocabulary. ``None`` when
    :func:`_token_array` declines: use the token-list path.
    """
    if not texts:
        return []
    array = _token_array(texts, filters=filters, lower=lower, split=split, min_chars=min_chars)
    if array is None:
        return None
    tokens, lengths, cuts = array
    encoded = tokens.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()  # split + word
    # the rule is applied once per distinct token, then gathered for every token
    table = np.fromiter(
        map(word_index.get, [token[1:] for token in distinct], itertools.repeat(MISSING)),
        dtype=np.int64,
        count=len(distinct),
    )
    table = limit_ids(table, num_words=num_words, oov_index=oov_index)
    ids = table[encoded.indices.to_numpy(zero_copy_only=False)]
    keep = (lengths > 1) & (ids != MISSING)
    return _rows(ids, keep, cuts)


def text_corpus(
    texts: Sequence[str], *, filters: str, lower: bool, split: str, min_chars: int | None = None
) -> Corpus | None:
    """The coded corpus of ``texts`` straight from :func:`_token_array` (pyarrow's
    ``dictionary_encode``: codes in order of first appearance); ``None``: use the token path."""
    if not texts:
        return None
    array = _token_array(texts, filters=filters, lower=lower, split=split, min_chars=min_chars)
    if array is None:
        return None
    tokens, lengths, cuts = array
    encoded = tokens.dictionary_encode()
    words = [word[1:] for word in encoded.dictionary.to_pylist()]
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    empty = next((i for i, word in enumerate(words) if not word), -1)
    return Corpus(words=words, codes=codes, n_docs=len(texts), boundary_code=empty, cuts=cuts)


@dataclass
class Corpus:
    """A tokenized corpus as integer codes.

    Attributes:
        words: Distinct tokens in order of first appearance (markers included).
        codes: One code per token: the token's position in ``words``.
        n_docs: Number of documents.
        boundary_code: Code of a token that is not counted (-1: none): the document separator,
            or the empty word.
        cuts: Positions of the tokens that begin each document after the first; ``None``: the
            documents are separated by ``boundary_code`` tokens.
    """

    words: list[Hashable]
    codes: np.ndarray
    n_docs: int
    boundary_code: int
    cuts: np.ndarray | None = None


def _arrow_codes(tokens: list[Hashable]) -> tuple[list[str], np.ndarray] | None:
    """Codes in order of first appearance from pyarrow's hash table (C), or None.

    About 2.5x faster than a Python dict on millions of strings. Returns None when a token is
    not a string or not encodable as UTF-8 (a lone surrogate): the dict path handles those.
    String equality is the same on both paths (UTF-8 bytes vs code points).
    """
    try:
        import pyarrow as pa

        encoded = pa.array(tokens, type=pa.string()).dictionary_encode()
    except (ImportError, TypeError, ValueError):  # ArrowTypeError/ArrowInvalid subclass these
        return None
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return encoded.dictionary.to_pylist(), codes


def to_corpus(tokens: list[Hashable], boundary: Hashable, n_docs: int) -> Corpus:
    """Code ``tokens`` (documents separated by ``boundary``) in one pass over a hash table."""
    if len(tokens) >= 10_000:
        arrow = _arrow_codes(tokens)
        if arrow is not None:
            words, codes = arrow
            boundary_code = next((i for i, w in enumerate(words) if w == boundary), -1)
            return Corpus(words=words, codes=codes.astype(np.int32, copy=False), n_docs=n_docs,
                          boundary_code=boundary_code)
    first: dict[Hashable, int] = {}
    codes = np.fromiter(
        map(first.setdefault, tokens, itertools.count()), dtype=np.int64, count=len(tokens)
    )
    words = list(first)
    first_pos = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    rank = np.empty(len(tokens), dtype=np.int64)
    rank[first_pos] = np.arange(len(words), dtype=np.int64)
    codes = rank[codes]  # dense: 0 = first distinct token, 1 = second, ...
    return Corpus(
        words=words,
        codes=codes.astype(np.int32) if len(words) < 2**31 else codes,
        n_docs=n_docs,
        boundary_code=int(rank[first[boundary]]) if boundary in first else -1,
    )


def count(corpus: Corpus) -> tuple[list[Hashable], list[int], list[int]]:
    """Word counts and document counts, words in order of first appearance."""
    codes, n_words = corpus.codes, len(corpus.words)
    if not n_words:
        return [], [], []
    counts = np.bincount(codes, minlength=n_words)
    is_boundary = codes == corpus.boundary_code
    if corpus.cuts is None:
        doc = np.cumsum(is_boundary)
    else:
        doc = np.zeros(len(codes), dtype=np.int64)
        doc[corpus.cuts] = 1
        doc = np.cumsum(doc)
    keep = ~is_boundary
    # distinct (word, document) pairs -> number of documents holding each word
    pairs = codes[keep].astype(np.int64) * corpus.n_docs + doc[keep]
    pairs.sort()
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = pairs[1:] != pairs[:-1]
    doc_counts = np.bincount(pairs[distinct] // corpus.n_docs, minlength=n_words)

    real = np.ones(n_words, dtype=bool)
    if corpus.boundary_code >= 0:
        real[corpus.boundary_code] = False
    idx = np.flatnonzero(real)
    return [corpus.words[i] for i in idx.tolist()], counts[idx].tolist(), doc_counts[idx].tolist()


def to_sequences(
    corpus: Corpus, word_index: dict, *, num_words: int | None, oov_index: int | None
) -> list[list[int]]:
    """Ids of every document of a coded corpus, with Keras' ``texts_to_sequences`` rules."""
    lookup = np.fromiter(
        map(word_index.get, corpus.words, itertools.repeat(MISSING)),
        dtype=np.int64,
        count=len(corpus.words),
    )
    codes = corpus.codes
    is_boundary = codes == corpus.boundary_code
    ids = limit_ids(lookup[codes], num_words=num_words, oov_index=oov_index)
    keep = ~is_boundary & (ids != MISSING)
    return _rows(ids, keep, np.flatnonzero(is_boundary))


def encode_tokens(
    tokens: list[Hashable],
    boundary: Hashable,
    word_index: dict,
    *,
    num_words: int | None,
    oov_index: int | None,
) -> list[list[int]]:
    """Ids of every document straight from its tokens (one dict lookup per token).

    ``boundary`` must not be a key of ``word_index``.
    """
    ids = np.fromiter(
        map(word_index.get, tokens, itertools.repeat(MISSING)), dtype=np.int64, count=len(tokens)
    )
    missing = np.flatnonzero(ids == MISSING)
    missing_tokens = [tokens[i] for i in missing.tolist()]
    # compared in Python: numpy strings drop trailing NULs, so "\x00" == "" there
    is_boundary = np.array([t == boundary for t in missing_tokens], dtype=bool)
    ids = limit_ids(ids, num_words=num_words, oov_index=oov_index)
    keep = ids != MISSING
    keep[missing[is_boundary]] = False
    return _rows(ids, keep, missing[is_boundary])


def _rows(ids: np.ndarray, keep: np.ndarray, cuts: np.ndarray) -> list[list[int]]:
    """Kept ids as one list per document; a new document begins at each ``cuts`` position.

    A cut is the position of a boundary token (not kept) or of a document's first token.
    """
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    starts = kept_before[np.concatenate([[0], cuts])]
    ends = kept_before[np.concatenate([cuts, [len(ids)]])]
    values = _int_list(ids[keep])
    with no_gc():
        return [values[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


def _int_list(ids: np.ndarray) -> list[int]:
    """``ids.tolist()``, sharing one int object per distinct id when the ids are small.

    ``tolist`` makes a new int object for every id above 256 (Keras' lists reuse the ints of
    ``word_index``); indexing an object array of ``range(max + 1)`` copies references only,
    about 3x faster on millions of ids.
    """
    if not len(ids):
        return []
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high > len(ids):
        return ids.tolist()
    table = np.empty(high + 1, dtype=object)
    table[:] = range(high + 1)
    return table[ids].tolist()


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small lists.

    The lists hold ints only (no reference cycles), but each allocation counts toward the
    collector's thresholds, and the collections it triggers walk every live object: building
    200,000 rows is several times slower with it running.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
