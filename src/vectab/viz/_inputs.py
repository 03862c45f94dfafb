"""What every drawing function shares: optional imports, word selection, groups."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from vectab.errors import OutOfVocabularyError

__all__ = ["require", "select", "words_for", "normalize_groups", "WordsArg", "GroupsArg"]

VIZ_HINT = 'pip install "vectab[viz]"'

WordsArg = Sequence[str] | int | None
GroupsArg = Mapping[str, str] | Mapping[str, Sequence[str]] | Sequence[Sequence[str]] | None


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
) -> WordsArg:
    """The words a picture draws.

    ``words=None`` gives ``default`` (e.g. the words of the groups) when not empty, else the
    first ``default_top`` words; ``required`` words (e.g. of analogy arrows) are always added.
    """
    if words is None:
        wanted = [*default, *required]
        return list(dict.fromkeys(wanted)) if wanted else default_top
    if isinstance(words, bool) or isinstance(words, str) or not required:
        return words  # `select` checks it
    if isinstance(words, (int, np.integer)):
        if words < 1:
            return words
        words = _as_words_and_matrix(vectors)[0][: int(words)]
    return list(dict.fromkeys([*words, *required]))


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
