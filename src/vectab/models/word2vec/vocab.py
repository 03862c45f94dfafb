"""word2vec vocabulary: counting, pruning, sorting, downsampling and the negative-sampling table.

Every rule here reproduces gensim 4 (``Word2Vec.scan_vocab`` / ``prepare_vocab`` /
``make_cum_table``) exactly, so a vocabulary built by vectab has the same words, order,
counts, ``sample_int`` thresholds and ``cum_table`` as gensim's on the same corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["VocabState", "scan_corpus", "select_words", "sample_ints", "cum_table"]

CUM_TABLE_DOMAIN = 2**31 - 1


@dataclass
class VocabState:
    """The trained vocabulary: words in row order with their corpus counts."""

    index_to_key: list[str] = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sample_int: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))


def scan_corpus(
    sentences: Iterable[Sequence[str]], *, max_vocab_size: int | None
) -> tuple[Counter[str], int, int]:
    """Count every word of ``sentences``; return ``(raw_counts, total_words, sentence_count)``.

    When ``max_vocab_size`` is set and the table grows past it, words seen fewer than
    ``min_reduce`` times are dropped and ``min_reduce`` grows by one, as gensim does (its first
    pruning pass uses ``min_reduce=1`` and so removes nothing).
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
            for word in [w for w, c in counts.items() if c < min_reduce]:
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
    raw: Counter[str], min_count: int, *, sort: bool
) -> tuple[list[str], np.ndarray]:
    """Keep words seen at least ``min_count`` times; sort by count, ties latest-first (gensim)."""
    words = [w for w, c in raw.items() if c >= min_count]
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
