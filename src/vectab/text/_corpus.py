"""Corpus-at-once kernels behind :class:`vectab.text.Tokenizer`.

The Keras Tokenizer lower-cases, filters and splits one text at a time and counts words in a
Python loop. Here the whole corpus is joined into one string with a boundary character that
no text contains, so ``str.lower``, the filter translation and ``str.split`` each run once as a
C loop; every token is then mapped to an integer by one ``map`` over a dict method, and the
counting, the per-document frequencies and the id selection are done in numpy.

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

import numpy as np

BOUNDARY = "\x00"
# every character for which str.isspace() is True (str.split() with no argument splits on them)
_ASCII_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_MISSING = np.iinfo(np.int64).min
# texts are processed in chunks of about this many characters, so that the token strings a
# chunk creates are still in the CPU cache when they are counted or looked up
CHUNK_CHARS = 1 << 19


def chunks(texts: Sequence[str], size: int | None = None) -> Iterator[Sequence[str]]:
    """Consecutive slices of ``texts`` holding about ``size`` characters each (at least 1 text)."""
    size = size or CHUNK_CHARS
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    start = 0
    while start < len(texts):
        before = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, before + size, side="right")), start + 1)
        yield texts[start:stop]
        start = stop


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
) -> tuple[list[str], bool] | None:
    """Tokenize all ``texts`` at once.

    Returns ``(tokens, has_empty)``: the tokens of every text in order with a
    :data:`BOUNDARY` token between consecutive texts, and whether empty-string tokens
    (to be dropped) may occur. ``None`` means "use the per-text path" (a text contains the
    boundary character, or the options make the joined form unsafe).
    """
    if BOUNDARY in filters or BOUNDARY in split or (not char_level and len(split) != 1):
        return None
    joined = join_texts(texts)
    if joined is None:
        return None
    if lower:
        joined = joined.lower()
    if char_level:
        return list(joined), False
    joined = _translate(joined, filters, split)
    joined = joined.replace(BOUNDARY, split + BOUNDARY + split)
    if split == " " and joined.isascii() and not any(c in joined for c in _ASCII_WHITESPACE):
        return joined.split(), False  # same tokens as split(" ") without the empty strings
    return joined.split(split), True


def count_corpus(
    tokens: list[Hashable], boundary: Hashable, n_docs: int, *, drop_empty: bool
) -> tuple[list[Hashable], list[int], list[int]]:
    """Count tokens and the number of documents holding each, in first-appearance order.

    Args:
        tokens: Tokens of all documents, with ``boundary`` between consecutive documents.
        boundary: The separator token (never a real token).
        n_docs: Number of documents.
        drop_empty: Whether ``""`` tokens are artefacts of splitting, to be ignored.

    Returns:
        ``(words, counts, doc_counts)`` with words in order of first appearance.
    """
    if not tokens:
        return [], [], []
    first: dict[Hashable, int] = {}
    codes = np.fromiter(
        map(first.setdefault, tokens, itertools.count()), dtype=np.int64, count=len(tokens)
    )
    words = list(first)
    first_pos = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    rank = np.empty(len(tokens), dtype=np.int64)
    rank[first_pos] = np.arange(len(words), dtype=np.int64)
    codes = rank[codes]  # dense codes: 0 = first distinct token, 1 = second, ...
    boundary_code = int(rank[first[boundary]]) if boundary in first else -1
    empty_code = int(rank[first[""]]) if drop_empty and "" in first else -1
    del rank, first_pos
    counts = np.bincount(codes, minlength=len(words))

    is_boundary = codes == boundary_code
    doc = np.cumsum(is_boundary)
    keep = ~is_boundary if empty_code < 0 else ~is_boundary & (codes != empty_code)
    # distinct (word, document) pairs -> number of documents per word
    pairs = codes[keep] * np.int64(n_docs) + doc[keep]
    pairs.sort()
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = pairs[1:] != pairs[:-1]
    doc_counts = np.bincount(pairs[distinct] // n_docs, minlength=len(words))

    keep_words = np.ones(len(words), dtype=bool)
    keep_words[[code for code in (boundary_code, empty_code) if code >= 0]] = False
    idx = np.flatnonzero(keep_words)
    return (
        [words[i] for i in idx.tolist()],
        counts[idx].tolist(),
        doc_counts[idx].tolist(),
    )


def encode_corpus(
    tokens: list[str],
    word_index: dict,
    *,
    num_words: int | None,
    oov_index: int | None,
    drop_empty: bool,
) -> list[list[int]]:
    """Map corpus tokens to ids with Keras' ``texts_to_sequences`` rules.

    Known words with an index ``>= num_words`` and unknown words become ``oov_index``, or are
    dropped when it is ``None``. :data:`BOUNDARY` tokens end a document.
    """
    ids = np.fromiter(
        map(word_index.get, tokens, itertools.repeat(_MISSING)), dtype=np.int64, count=len(tokens)
    )
    missing = np.flatnonzero(ids == _MISSING)
    missing_tokens = [tokens[i] for i in missing.tolist()]
    # compare in Python: numpy strings drop trailing NULs, so "\x00" == "" there
    is_boundary = np.array([t == BOUNDARY for t in missing_tokens], dtype=bool)
    is_empty = np.array([t == "" for t in missing_tokens], dtype=bool)
    boundaries = missing[is_boundary]
    keep = np.ones(len(ids), dtype=bool)
    keep[boundaries] = False
    is_word = ~is_boundary
    if drop_empty:
        keep[missing[is_empty]] = False
        is_word &= ~is_empty
    unknown = missing[is_word]
    if num_words:
        over = np.flatnonzero((ids >= num_words) & keep)
        unknown = np.concatenate([unknown, over])
    if oov_index is None:
        keep[unknown] = False
    else:
        ids[unknown] = oov_index

    kept_before = np.concatenate([[0], np.cumsum(keep)])
    starts = kept_before[np.concatenate([[0], boundaries + 1])]
    ends = kept_before[np.concatenate([boundaries, [len(ids)]])]
    values = ids[keep].tolist()
    with no_gc():
        return [values[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


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
