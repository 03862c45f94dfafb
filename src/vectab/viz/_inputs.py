"""What every drawing function shares: optional imports, word selection, groups."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from vectab.errors import OutOfVocabularyError

__all__ = [
    "require",
    "select",
    "words_for",
    "normalize_groups",
    "stopword_set",
    "is_stopword",
    "importance",
    "kmeans",
    "auto_clusters",
    "WordsArg",
    "GroupsArg",
    "StopwordsArg",
    "STOPWORDS",
]

VIZ_HINT = 'pip install "vectab[viz]"'

WordsArg = Sequence[str] | int | None
GroupsArg = Mapping[str, str] | Mapping[str, Sequence[str]] | Sequence[Sequence[str]] | None
StopwordsArg = Iterable[str] | bool | None

# English function words: the most frequent words of any corpus (GloVe's top 100 are mostly
# these), useless as labels. Tokens without a letter or digit ("," "--" "``") count too.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    's 't 'd 'll 're 've 'm n't mr mrs ms""".split()
)


def require(module: str, *, package: str | None = None, purpose: str) -> Any:
    """Import ``module`` or raise an ImportError that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = package or module
        raise ImportError(
            f"{purpose} needs the optional package {package!r}, which is not installed. "
            f"Install the pictures extra: {VIZ_HINT} (or `pip install {package}`)."
        ) from exc


def _as_words_and_matrix(vectors: Any) -> tuple[list[str], np.ndarray, Any]:
    """Accept a `Vectors` (anything with ``index_to_key`` and ``vectors``) or a (words, matrix)
    pair."""
    if hasattr(vectors, "index_to_key") and hasattr(vectors, "vectors"):
        return list(vectors.index_to_key), np.asarray(vectors.vectors), vectors
    if isinstance(vectors, tuple) and len(vectors) == 2:
        words, matrix = vectors
        matrix = np.asarray(matrix)
        if matrix.ndim != 2:
            raise ValueError(
                f"`vectors` as a (words, matrix) pair needs a 2-D (vocab, dim) matrix, "
                f"got shape {matrix.shape}"
            )
        words = [str(w) for w in words]
        if len(words) != matrix.shape[0]:
            raise ValueError(
                f"`vectors` pair has {len(words)} words but the matrix has {matrix.shape[0]} "
                f"rows; they must match"
            )
        return words, matrix, None
    raise TypeError(
        "`vectors` must be a vectab Vectors (or anything with .index_to_key and .vectors) or a "
        f"(words, matrix) pair, got {type(vectors).__name__}"
    )


def select(vectors: Any, words: WordsArg = None) -> tuple[list[str], np.ndarray]:
    """Return the chosen words and their rows as a float64 ``(n, dim)`` matrix.

    ``words`` is a list of words, an int N (the first N rows, i.e. the N most frequent words of a
    frequency-sorted file) or None (every word). Duplicates are dropped, order kept.
    """
    keys, matrix, store = _as_words_and_matrix(vectors)
    if words is None:
        return keys, matrix.astype(np.float64)
    if isinstance(words, bool) or isinstance(words, (int, np.integer)):
        if words < 1:
            raise ValueError(f"`words` as a count must be >= 1, got {words}")
        n = min(int(words), len(keys))
        return keys[:n], matrix[:n].astype(np.float64)
    if isinstance(words, str):
        raise TypeError(
            f"`words` must be a list of words, not one string ({words!r}); pass [{words!r}]"
        )
    chosen = list(dict.fromkeys(str(w) for w in words))
    index = store.key_to_index if store is not None else {w: i for i, w in enumerate(keys)}
    rows: list[np.ndarray] = []
    missing: list[str] = []
    for w in chosen:
        i = index.get(w)
        if i is not None:
            rows.append(matrix[i])
        elif store is not None and getattr(store, "subwords", None) is not None:
            rows.append(np.asarray(store[w]))
        else:
            missing.append(w)
    if missing:
        shown = ", ".join(repr(w) for w in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise OutOfVocabularyError(
            missing[0],
            hint=f"{len(missing)} of the requested words are not in the vectors: {shown}; "
            "remove them or check their case",
        )
    if not rows:
        raise ValueError("`words` is empty; give at least two words to draw")
    return chosen, np.stack(rows).astype(np.float64)


def words_for(
    vectors: Any,
    words: WordsArg,
    *,
    default: Sequence[str],
    required: Sequence[str],
    default_top: int,
    stop: frozenset[str] | None = None,
) -> WordsArg:
    """The words a picture draws.

    ``words=None`` gives ``default`` (e.g. the words of the groups) when not empty, else the
    first ``default_top`` words; ``required`` words (e.g. of analogy arrows) are always added.
    A count (``words=N`` or ``default_top``) skips the ``stop`` words: the N first other words.
    """
    if words is None:
        wanted = [*default, *required]
        if wanted:
            return list(dict.fromkeys(wanted))
        words = default_top
    if isinstance(words, bool) or isinstance(words, str):
        return words  # `select` checks it
    if isinstance(words, (int, np.integer)):
        if words < 1 or (stop is None and not required):
            return words
        words = top_words(vectors, int(words), stop)
    elif not required:
        return words
    return list(dict.fromkeys([*words, *required]))


def stopword_set(stopwords: StopwordsArg) -> frozenset[str] | None:
    """``stopwords`` as a set of lower-case words: None or True -> `STOPWORDS`, False or ``[]`` ->
    None (keep every word), any other list of words -> those words."""
    if stopwords is None or stopwords is True:
        return STOPWORDS
    if stopwords is False:
        return None
    if isinstance(stopwords, str) or not isinstance(stopwords, Iterable):
        raise TypeError(
            "`stopwords` must be None (the built-in English list), False (keep every word) or a "
            f"list of words, got {type(stopwords).__name__}: {stopwords!r}"
        )
    words = frozenset(str(w).lower() for w in stopwords)
    return words or None


def is_stopword(word: str, stop: frozenset[str] | None) -> bool:
    """True when ``word`` is in ``stop`` (case-insensitive) or, with any list, has no letter or
    digit (punctuation tokens such as ``,`` or ``--``)."""
    if stop is None:
        return False
    return word.lower() in stop or not any(ch.isalnum() for ch in word)


def top_words(vectors: Any, n: int, stop: frozenset[str] | None) -> list[str]:
    """The ``n`` first (most frequent) words of ``vectors`` that are not stop words."""
    keys = _as_words_and_matrix(vectors)[0]
    if stop is None:
        return keys[:n]
    out = []
    for w in keys:
        if not is_stopword(w, stop):
            out.append(w)
            if len(out) == n:
                break
    return out


def importance(vectors: Any, words: Sequence[str]) -> np.ndarray:
    """Each word's frequency rank: its row in ``vectors`` (GloVe, word2vec and fastText files are
    sorted by frequency); words not in the rows (fastText subwords) come last, in order."""
    keys, _, store = _as_words_and_matrix(vectors)
    index = store.key_to_index if store is not None else {w: i for i, w in enumerate(keys)}
    big = len(keys)
    return np.array([index.get(w, big + k) for k, w in enumerate(words)], dtype=np.int64)


def kmeans(points: np.ndarray, k: int, *, seed: int = 0, iterations: int = 100) -> np.ndarray:
    """Cluster the rows of ``points`` into ``k`` groups (k-means++ start, Lloyd steps).

    Deterministic for a given ``seed``. Returns one cluster id per row, in ``range(k)``,
    numbered by first appearance (the first row is in cluster 0).

    Example:
        >>> import numpy as np
        >>> pts = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5], [0, 0.1]])
        >>> kmeans(pts, 2).tolist()
        [0, 0, 1, 1, 0]
    """
    points = np.asarray(points, dtype=np.float64)
    n = len(points)
    k = max(1, min(int(k), n))
    rng = np.random.default_rng(seed)
    centres = [points[rng.integers(n)]]
    d2 = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        pick = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        centres.append(points[pick])
        d2 = np.minimum(d2, ((points - points[pick]) ** 2).sum(axis=1))
    c = np.stack(centres)
    labels = np.full(n, -1)
    for _ in range(iterations):
        dist = (points**2).sum(axis=1)[:, None] - 2 * points @ c.T + (c**2).sum(axis=1)[None]
        new = dist.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = points[labels == j]
            if len(members):
                c[j] = members.mean(axis=0)
    _, first = np.unique(labels, return_index=True)
    renumber = np.empty(labels.max() + 1, dtype=np.int64)
    renumber[labels[np.sort(first)]] = np.arange(len(first))
    return renumber[labels]


def auto_clusters(
    matrix: np.ndarray, order: np.ndarray, clusters: int | None, *, seed: int
) -> np.ndarray | None:
    """Cluster ids of the words (cosine k-means on the original vectors) or None for none.

    ``clusters=None`` picks ``k = sqrt(n / 10)`` (2 to 12) from 50 words on, none below;
    0 or 1 means none. ``order`` is the words' importance: cluster 0 holds the most important
    word, and so on.
    """
    n = len(matrix)
    if clusters is None:
        if n < 50:
            return None
        clusters = int(np.clip(round(np.sqrt(n / 10)), 2, 12))
    if clusters <= 1:
        return None
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.where(norms > 0, norms, 1.0)
    ranked = np.argsort(order, kind="stable")
    labels = np.empty(n, dtype=np.int64)
    labels[ranked] = kmeans(unit[ranked], clusters, seed=seed)
    return labels


def normalize_groups(groups: GroupsArg) -> tuple[dict[str, str], list[str]]:
    """Turn any accepted ``groups`` form into (word -> group name, group names in order).

    Accepted: ``{word: group}``, ``{group: [words]}``, or ``[[words], [words], ...]`` (named
    "group 1", "group 2", ...). A word in several groups keeps its first.
    """
    if groups is None:
        return {}, []
    pairs: Iterable[tuple[str, Iterable[str]]]
    if isinstance(groups, Mapping):
        values = list(groups.values())
        if all(isinstance(v, str) for v in values):
            word_to_group = {str(w): str(g) for w, g in groups.items()}
            return word_to_group, list(dict.fromkeys(word_to_group.values()))
        if any(isinstance(v, str) or not isinstance(v, Iterable) for v in values):
            raise TypeError(
                "`groups` as a dict must map every word to a group name ({'paris': 'capital'}) "
                "or every group name to a list of words ({'capital': ['paris', 'rome']}), "
                "not a mix"
            )
        pairs = ((str(g), ws) for g, ws in groups.items())
    elif isinstance(groups, Sequence) and not isinstance(groups, str):
        if any(isinstance(ws, str) or not isinstance(ws, Iterable) for ws in groups):
            raise TypeError(
                "`groups` as a list must be a list of word lists ([['paris', 'rome'], "
                "['one', 'two']]), got an element that is not a list"
            )
        pairs = ((f"group {i + 1}", ws) for i, ws in enumerate(groups))
    else:
        raise TypeError(
            "`groups` must be a dict {word: group}, a dict {group: [words]} or a list of word "
            f"lists, got {type(groups).__name__}"
        )
    word_to_group: dict[str, str] = {}
    names: list[str] = []
    for name, ws in pairs:
        names.append(name)
        for w in ws:
            word_to_group.setdefault(str(w), name)
    return word_to_group, names
