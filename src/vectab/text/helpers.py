"""Keras' small text helpers: hashed word ids and skip-gram pairs, exact to keras-preprocessing.

:func:`hashing_trick` and :func:`one_hot` map each word of a text to a bucket in
``[1, n - 1]`` (0 stays free for padding) without a vocabulary. :func:`skipgrams` turns a
sequence of ids into (word, context) pairs labelled 1 and (word, random word) pairs labelled 0,
and :func:`make_sampling_table` gives the word2vec down-sampling probabilities by rank.

Every output equals ``keras_preprocessing.text`` / ``keras_preprocessing.sequence`` (Keras 2's
``tf.keras.preprocessing``; Keras 3 keeps them in ``keras.src.legacy.preprocessing``):
:func:`skipgrams` draws from its generator with exactly Keras' calls, in Keras' order, so the
same generator state and ``seed`` give the same pairs. Differences, all on input Keras
mishandles: bad arguments raise ``TypeError`` / ``ValueError`` naming the argument (Keras fails
deep inside with ``ZeroDivisionError``, ``IndexError`` or not at all), ids outside
``[0, vocabulary_size)`` raise, and ids come back as Python ints whatever the input's type.
"""

from __future__ import annotations

import hashlib
import numbers
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from vectab._checks import check_bool, check_float, check_int, shown
from vectab.text.tokenizer import DEFAULT_FILTERS, text_to_word_sequence

__all__ = ["hashing_trick", "one_hot", "skipgrams", "make_sampling_table"]


def _md5(word: str) -> int:
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


def _hasher(hash_function: Any) -> Callable[[str], int]:
    rule = "`hash_function` must be None (Python's hash), 'md5' or a callable str -> int"
    if hash_function is None:
        return hash
    if isinstance(hash_function, str):
        if hash_function != "md5":
            raise ValueError(f"{rule}, got {hash_function!r}. Pass 'md5' for stable ids.")
        return _md5
    if not callable(hash_function):
        raise TypeError(f"{rule}, got {type(hash_function).__name__}: {shown(hash_function)}.")
    return hash_function


def _check_split(filters: Any, split: Any) -> None:
    if not isinstance(split, str) or not split:
        kind = "''" if split == "" else f"{type(split).__name__}: {shown(split)}"
        error = ValueError if isinstance(split, str) else TypeError
        raise error(f"`split` must be a non-empty str, got {kind}. The default is ' '.")
    if not isinstance(filters, str):
        raise TypeError(
            f"`filters` must be a str of the characters to remove, got "
            f"{type(filters).__name__}: {shown(filters)}. Join a list of characters with ''.join."
        )


def hashing_trick(
    text: str,
    n: int,
    hash_function: str | Callable[[str], int] | None = None,
    filters: str = DEFAULT_FILTERS,
    lower: bool = True,
    split: str = " ",
) -> list[int]:
    """Split ``text`` into words and hash each word to an id in ``[1, n - 1]``.

    The id of word ``w`` is ``hash_function(w) % (n - 1) + 1``; 0 is never given, so it can pad.
    ``hash_function`` is Python's ``hash`` when None (salted per process unless
    ``PYTHONHASHSEED`` is set: ids change between runs), ``'md5'`` for ids that never change
    (``int(md5(w.encode()).hexdigest(), 16)``), or any callable from str to int. Different
    words may share an id. The words are those of :func:`~vectab.text.text_to_word_sequence`.

    Keras equivalent: ``keras.preprocessing.text.hashing_trick`` (same arguments, same ids).

    Example:
        >>> hashing_trick("The cat, the hat.", 10, hash_function="md5")
        [6, 3, 6, 6]
        >>> ids = hashing_trick("the cat", 1000)  # Python's hash: same words, same ids
        >>> ids == hashing_trick("THE CAT!", 1000) and all(1 <= i < 1000 for i in ids)
        True
    """
    check_int(n, "n", minimum=2)
    hasher = _hasher(hash_function)
    _check_split(filters, split)
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    buckets = int(n) - 1
    if hasher is _md5:  # the slow hash: each distinct word once
        ids = {word: _md5(word) % buckets + 1 for word in dict.fromkeys(words)}
        return [ids[word] for word in words]
    return [hasher(word) % buckets + 1 for word in words]


def one_hot(
    text: str, n: int, filters: str = DEFAULT_FILTERS, lower: bool = True, split: str = " "
) -> list[int]:
    """Hash each word to an id in ``[1, n - 1]`` with Python's ``hash`` (ids, not one-hot vectors).

    Keras equivalent: ``keras.preprocessing.text.one_hot`` (the name is Keras').

    Example:
        >>> one_hot("to be or not to be", 50) == hashing_trick("to be or not to be", 50, hash)
        True
    """
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower, split=split)


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Probability of keeping the word of rank ``i`` (word2vec's down-sampling, Zipf ranks).

    ``p(i) = min(1, sqrt(f(i)))`` with ``f(i) = sampling_factor * (i * (log i + gamma) + 1/2 -
    1/(12 i))`` (rank 0 counts as rank 1): frequent (low-rank) words are kept less often.

    Keras equivalent: ``keras.preprocessing.sequence.make_sampling_table`` (bit for bit).

    Shape:
        Returns a float64 array of shape ``(size,)``.

    Example:
        >>> make_sampling_table(5, sampling_factor=0.1).round(4).tolist()
        [0.3152, 0.3152, 0.5476, 0.7416, 0.9128]
    """
    check_int(size, "size", minimum=1)
    check_float(sampling_factor, "sampling_factor", minimum=0, min_open=True, finite=True,
                fix=" Keras' default is 1e-5.")
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def _checked_ids(sequence: Any, vocabulary_size: int) -> list[int]:
    """``sequence`` as a list of Python ints in ``[0, vocabulary_size)``, or raise."""
    if isinstance(sequence, (str, bytes)) or not isinstance(sequence, (Sequence, np.ndarray)):
        raise TypeError(
            f"`sequence` must be a list of int word ids, got {type(sequence).__name__}: "
            f"{shown(sequence)}."
        )
    if isinstance(sequence, np.ndarray):
        if sequence.ndim != 1 or sequence.dtype.kind not in "iu":
            raise TypeError(
                "`sequence` must be a 1-D array of int word ids, got an array of shape "
                f"{sequence.shape} and dtype {sequence.dtype}."
            )
        ids = sequence.tolist()
    else:
        ids = list(sequence)
        if not set(map(type, ids)) <= {int}:
            for x in ids:
                if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
                    raise TypeError(
                        f"`sequence` must be a flat list of int word ids, got "
                        f"{type(x).__name__}: {shown(x)}. Convert the ids with int() first."
                    )
            ids = [int(x) for x in ids]
    if ids and (min(ids) < 0 or max(ids) >= vocabulary_size):
        worst = min(ids) if min(ids) < 0 else max(ids)
        raise ValueError(
            f"`sequence` ids must lie in [0, vocabulary_size) = [0, {vocabulary_size}), got "
            f"{worst}. Pass vocabulary_size = the largest id + 1."
        )
    return ids


def _check_skipgram_options(
    negative_samples: Any, sampling_table: Any, seed: Any, vocabulary_size: int
) -> list[float] | None:
    check_float(negative_samples, "negative_samples", minimum=0, finite=True,
                fix=" 1.0 draws one per positive pair.")
    check_int(seed, "seed", minimum=None, allow_none=True)
    if sampling_table is None:
        return None
    table = np.asarray(sampling_table)
    if table.ndim != 1 or table.dtype.kind not in "iuf":
        raise TypeError(
            "`sampling_table` must be a 1-D array of probabilities (make_sampling_table), got "
            f"{type(sampling_table).__name__}: {shown(sampling_table)}."
        )
    if len(table) < vocabulary_size:
        raise ValueError(
            f"`sampling_table` must hold a probability for each of the {vocabulary_size} ids, got "
            f"{len(table)}. Build it with make_sampling_table(vocabulary_size)."
        )
    return table.astype(np.float64).tolist()


def skipgrams(
    sequence: Sequence[int],
    vocabulary_size: int,
    window_size: int = 4,
    negative_samples: float = 1.0,
    shuffle: bool = True,
    categorical: bool = False,
    sampling_table: Sequence[float] | np.ndarray | None = None,
    seed: int | None = None,
    *,
    rng: random.Random | None = None,
) -> tuple[list[list[int]], list[int] | list[list[int]]]:
    """Skip-gram pairs of a sequence of word ids: ``(couples, labels)``.

    Each nonzero id (0 is padding) pairs with every nonzero id at most ``window_size``
    positions away, label 1. With a ``sampling_table``, the word of id ``w`` is a centre word
    only with probability ``sampling_table[w]``. Then ``int(positives * negative_samples)``
    pairs ``(a centre word, a random id in [1, vocabulary_size - 1])`` follow, label 0.
    ``categorical=True`` gives labels ``[0, 1]`` / ``[1, 0]`` instead of 1 / 0. ``shuffle``
    shuffles couples and labels alike.

    Randomness, exactly Keras': the draws come from Python's global ``random`` generator (or
    from ``rng``), and ``seed`` reseeds it before the shuffle only; so the table and the
    negatives depend on the generator's state. Seed it (``random.seed(0)``) or pass
    ``rng=random.Random(0)`` for pairs that repeat. ``seed=None`` with ``shuffle`` draws a
    seed from the generator, as Keras does.

    Keras equivalent: ``keras.preprocessing.sequence.skipgrams`` (same generator state and seed,
    same pairs and labels).

    Example:
        >>> skipgrams([1, 2, 0, 3], 4, window_size=1, negative_samples=0, shuffle=False)
        ([[1, 2], [2, 1]], [1, 1])
        >>> couples, labels = skipgrams([1, 2, 3], 10, rng=random.Random(0), seed=1)
        >>> couples == skipgrams([1, 2, 3], 10, rng=random.Random(0), seed=1)[0]
        True
        >>> sorted(labels)
        [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    """
    check_int(vocabulary_size, "vocabulary_size", minimum=2)
    vocabulary_size = int(vocabulary_size)
    ids = _checked_ids(sequence, vocabulary_size)
    check_int(window_size, "window_size", minimum=0)
    check_bool(shuffle, "shuffle")
    check_bool(categorical, "categorical")
    table = _check_skipgram_options(negative_samples, sampling_table, seed, vocabulary_size)
    if rng is not None and not isinstance(rng, random.Random):
        raise TypeError(f"`rng` must be a random.Random or None, got {type(rng).__name__}.")
    draw = random if rng is None else rng

    window, length = int(window_size), len(ids)
    centres = [i for i, word in enumerate(ids) if word]
    if table is not None:  # one draw per nonzero word, in order, as Keras
        centres = [i for i in centres if not table[ids[i]] < draw.random()]
    couples = [
        [ids[i], ids[j]]
        for i in centres
        for j in range(max(0, i - window), min(length, i + window + 1))
        if j != i and ids[j]
    ]
    positives = len(couples)

    negatives = int(positives * negative_samples) if negative_samples > 0 else 0
    if negative_samples > 0:
        words = [pair[0] for pair in couples]
        draw.shuffle(words)
        couples += [
            [words[i % len(words)], draw.randint(1, vocabulary_size - 1)] for i in range(negatives)
        ]
    if categorical:
        labels: list = [[0, 1] for _ in range(positives)] + [[1, 0] for _ in range(negatives)]
    else:
        labels = [1] * positives + [0] * negatives

    if shuffle:
        seed = draw.randint(0, 10_000_000) if seed is None else int(seed)  # Keras' randint(0, 10e6)
        draw.seed(seed)
        draw.shuffle(couples)
        draw.seed(seed)
        draw.shuffle(labels)
    return couples, labels
