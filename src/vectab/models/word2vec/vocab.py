"""word2vec vocabulary: counting, pruning, sorting, downsampling, the noise table, the Huffman tree.

Every rule here reproduces gensim 4 (``Word2Vec.scan_vocab`` / ``prepare_vocab`` /
``make_cum_table`` / ``_assign_binary_codes``, ``utils.keep_vocab_item``) exactly, so a
vocabulary built by vectab has the same words, order, counts, ``sample_int`` thresholds,
``cum_table`` and Huffman codes as gensim's on the same corpus.
"""

from __future__ import annotations

import functools
import heapq
import importlib.util
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "VocabState", "scan_corpus", "select_words", "sample_ints", "cum_table", "huffman_codes",
    "keep_word", "RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP", "TrimRule",
]

CUM_TABLE_DOMAIN = 2**31 - 1

# what a ``trim_rule(word, count, min_count)`` returns (the values of gensim.utils' constants)
RULE_DEFAULT = 0  # apply min_count
RULE_DISCARD = 1  # drop the word
RULE_KEEP = 2  # keep the word whatever its count

TrimRule = Callable[[str, int, int], int]


def keep_word(word: str, count: int, min_count: int, trim_rule: TrimRule | None = None) -> bool:
    """Whether ``word`` stays in the vocabulary (gensim's ``utils.keep_vocab_item``).

    Without ``trim_rule``: ``count >= min_count`` (so ``min_count=0`` keeps every word).
    ``trim_rule(word, count, min_count)`` may return :data:`RULE_KEEP` or
    :data:`RULE_DISCARD` to decide itself, anything else (:data:`RULE_DEFAULT`) applies
    ``min_count``; gensim's own rules (``gensim.utils.RULE_*``) work unchanged.

    Example:
        >>> keep_word("the", 3, 5), keep_word("the", 3, 5, lambda w, c, m: RULE_KEEP)
        (False, True)
    """
    if trim_rule is not None:
        rule = trim_rule(word, count, min_count)
        if rule == RULE_KEEP:
            return True
        if rule == RULE_DISCARD:
            return False
    return count >= min_count


@dataclass
class VocabState:
    """The trained vocabulary: words in row order with their corpus counts."""

    index_to_key: list[str] = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sample_int: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))


def scan_corpus(
    sentences: Iterable[Sequence[str]],
    *,
    max_vocab_size: int | None,
    trim_rule: TrimRule | None = None,
) -> tuple[Counter[str], int, int]:
    """Count every word of ``sentences``; return ``(raw_counts, total_words, sentence_count)``.

    When ``max_vocab_size`` is set and the table grows past it, words seen fewer than
    ``min_reduce`` times are dropped and ``min_reduce`` grows by one, as gensim does (its first
    pruning pass uses ``min_reduce=1`` and so removes nothing); ``trim_rule`` (see
    :func:`keep_word`) is asked about each word there too, as in gensim's ``prune_vocab``.
    """
    counts: Counter[str] = Counter()
    total_words = 0
    n_sentences = 0
    min_reduce = 1
    for sentence in sentences:
        n_sentences += 1
        if isinstance(sentence, str):
            raise TypeError(
                f"each sentence must be a list of tokens, got the string {sentence[:40]!r}; "
                "split it first (sentence.split()) or pass text files as corpus_file"
            )
        counts.update(sentence)
        total_words += len(sentence)
        if max_vocab_size and len(counts) > max_vocab_size:
            for word in [w for w, c in counts.items()
                         if not keep_word(w, c, min_reduce, trim_rule)]:
                del counts[word]
            min_reduce += 1
    return counts, total_words, n_sentences


def effective_min_count(raw: Counter[str], min_count: int, max_final_vocab: int | None) -> int:
    """``min_count``, raised so that at most ``max_final_vocab`` words survive (gensim's rule)."""
    if max_final_vocab is None:
        return min_count
    ordered = sorted(raw.values(), reverse=True)
    calc = ordered[max_final_vocab] + 1 if max_final_vocab < len(ordered) else 1
    return max(calc, min_count)


def select_words(
    raw: Counter[str], min_count: int, *, sort: bool, trim_rule: TrimRule | None = None
) -> tuple[list[str], np.ndarray]:
    """Keep words seen at least ``min_count`` times (or as ``trim_rule`` decides, see
    :func:`keep_word`); sort by count, ties latest-first (gensim)."""
    words = [w for w, c in raw.items() if keep_word(w, c, min_count, trim_rule)]
    counts = np.fromiter((raw[w] for w in words), dtype=np.int64, count=len(words))
    if sort and len(words):
        order = np.lexsort((-np.arange(len(words)), -counts))
        words = [words[i] for i in order]
        counts = counts[order]
    return words, counts


def sample_ints(counts: np.ndarray, retain_total: int, sample: float) -> np.ndarray:
    """Keep-probability thresholds: a word occurrence is kept when ``sample_int >= rand_uint32``.

    ``p = (sqrt(count / t) + 1) * t / count`` clipped to 1, with ``t = sample * retain_total``
    (or ``int(sample * 2.618...)`` when ``sample >= 1``; no downsampling when ``sample == 0``).
    """
    if not sample:
        threshold = float(retain_total)
    elif sample < 1.0:
        threshold = sample * retain_total
    else:
        threshold = float(int(sample * (3 + np.sqrt(5)) / 2))
    v = counts.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        prob = (np.sqrt(v / threshold) + 1) * (threshold / v)
    prob = np.where(prob < 1.0, prob, 1.0)
    return (prob * (2**32 - 1)).astype(np.uint32)


def cum_table(counts: np.ndarray, ns_exponent: float) -> np.ndarray:
    """Cumulative ``count ** ns_exponent`` table scaled to ``2**31 - 1`` (gensim's ``cum_table``).

    A negative word is drawn as ``searchsorted(table, r, side="left")`` for ``r`` uniform in
    ``[0, table[-1])``.
    """
    if len(counts) == 0:
        return np.zeros(0, dtype=np.uint32)
    powered = counts.astype(np.float64) ** float(ns_exponent)
    cumulative = np.cumsum(powered)
    return np.round(cumulative / cumulative[-1] * CUM_TABLE_DOMAIN).astype(np.uint32)



class _Node:
    """A Huffman heap entry ordered by count only, as gensim's ``Heapitem``."""

    __slots__ = ("count", "index")

    def __init__(self, count: int, index: int) -> None:
        self.count, self.index = count, index

    def __lt__(self, other: _Node) -> bool:
        return self.count < other.count


def _merge_order_heapq(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two nodes merged into each inner node, with Python's ``heapq`` (gensim's way)."""
    v = len(counts)
    heap = [_Node(c, i) for i, c in enumerate(counts.tolist())]
    heapq.heapify(heap)
    left = np.empty(v - 1, dtype=np.int64)
    right = np.empty(v - 1, dtype=np.int64)
    for i in range(v - 1):
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        left[i], right[i] = a.index, b.index
        heapq.heappush(heap, _Node(a.count + b.count, i + v))
    return left, right


def _merge_order(counts):  # pragma: no cover - compiled by numba; equal to _merge_order_heapq
    """:func:`_merge_order_heapq` with CPython's ``heapq`` algorithm written out (``heapify``,
    ``heappop``, ``heappush``: the same sift steps and ``<`` comparisons, so ties between equal
    counts fall exactly where gensim's heap puts them), over arrays of node ids."""
    v = counts.shape[0]
    weight = np.empty(2 * v - 1, dtype=np.int64)
    weight[:v] = counts
    heap = np.arange(v, dtype=np.int64)
    left = np.empty(v - 1, dtype=np.int64)
    right = np.empty(v - 1, dtype=np.int64)
    n = v
    for start in range(n // 2 - 1, -1, -1):  # heapify: _siftup of every parent
        _siftup(heap, weight, n, start)
    for i in range(v - 1):
        popped = np.empty(2, dtype=np.int64)
        for k in range(2):  # heappop
            last = heap[n - 1]
            n -= 1
            if n > 0:
                popped[k] = heap[0]
                heap[0] = last
                _siftup(heap, weight, n, 0)
            else:
                popped[k] = last
        left[i], right[i] = popped[0], popped[1]
        weight[v + i] = weight[popped[0]] + weight[popped[1]]
        heap[n] = v + i  # heappush
        n += 1
        _siftdown(heap, weight, 0, n - 1)
    return left, right


def _siftdown(heap, weight, startpos, pos):  # pragma: no cover - compiled by numba
    newitem = heap[pos]
    while pos > startpos:
        parentpos = (pos - 1) >> 1
        parent = heap[parentpos]
        if weight[newitem] < weight[parent]:
            heap[pos] = parent
            pos = parentpos
            continue
        break
    heap[pos] = newitem


def _siftup(heap, weight, endpos, pos):  # pragma: no cover - compiled by numba
    startpos = pos
    newitem = heap[pos]
    childpos = 2 * pos + 1
    while childpos < endpos:
        rightpos = childpos + 1
        if rightpos < endpos and not weight[heap[childpos]] < weight[heap[rightpos]]:
            childpos = rightpos
        heap[pos] = heap[childpos]
        pos = childpos
        childpos = 2 * pos + 1
    heap[pos] = newitem
    _siftdown(heap, weight, startpos, pos)


@functools.lru_cache(maxsize=1)
def _merge_order_kernel() -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The compiled :func:`_merge_order` (numba), or the ``heapq`` version without numba."""
    if importlib.util.find_spec("numba") is None:
        return _merge_order_heapq
    from vectab._jit import njit

    global _siftup, _siftdown
    _siftdown = njit(cache=False, inline="always")(_siftdown)
    _siftup = njit(cache=False, inline="always")(_siftup)
    return njit()(_merge_order)


def huffman_codes(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Build the Huffman tree of hierarchical softmax from word counts (gensim's
    ``_build_heap`` / ``_assign_binary_codes``); return ``(codes, points, offsets)``.

    Word ``i``'s code is ``codes[offsets[i]:offsets[i + 1]]`` (uint8 bits, root first; frequent
    words get short codes) and ``points[offsets[i]:offsets[i + 1]]`` (int32) the inner node,
    a row of ``syn1`` in ``0..vocab-2``, each bit is decided at. For the same counts both
    equal gensim's ``wv.expandos["code"]`` / ``["point"]`` (equal counts are merged in the
    order of gensim's ``heapq`` heap). A single word gets an empty code.

    Shape:
        counts: ``(vocab,)``; codes, points: ``(total code length,)``; offsets: ``(vocab + 1,)``.

    Example:
        >>> codes, points, offsets = huffman_codes(np.array([5, 3, 1, 1]))
        >>> [codes[offsets[i]:offsets[i + 1]].tolist() for i in range(4)]
        [[0], [1, 1], [1, 0, 0], [1, 0, 1]]
        >>> points[offsets[2]:offsets[3]].tolist()
        [2, 1, 0]
    """
    v = len(counts)
    offsets = np.zeros(v + 1, dtype=np.int64)
    if v < 2:
        return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int32), offsets
    left, right = _merge_order_kernel()(np.ascontiguousarray(counts, dtype=np.int64))
    parent = np.empty(2 * v - 1, dtype=np.int64)  # each node's parent (an inner node's row)
    bit = np.empty(2 * v - 1, dtype=np.uint8)  # and the code bit leading to it
    parent[left], bit[left] = np.arange(v - 1), 0
    parent[right], bit[right] = np.arange(v - 1), 1
    root = 2 * v - 2
    node = np.arange(v)
    lengths = np.zeros(v, dtype=np.int64)
    while (live := node != root).any():  # climb from every leaf to the root together
        node = np.where(live, parent[node] + v, node)
        lengths += live
    offsets[1:] = np.cumsum(lengths)
    codes = np.empty(int(offsets[-1]), dtype=np.uint8)
    points = np.empty(int(offsets[-1]), dtype=np.int32)
    node, pos = np.arange(v), offsets[1:] - 1  # fill each path from its last bit upwards
    while (live := node != root).any():
        n, p = node[live], pos[live]
        codes[p], points[p] = bit[n], parent[n]
        node[live], pos[live] = parent[n] + v, p - 1
    return codes, points, offsets
