"""From a vocabulary to an embedding matrix: look every word up, fill the rest, report coverage.

``build_embedding_matrix`` is the loop every Keras tutorial writes by hand
(``embedding_matrix[i] = embeddings_index.get(word)``), with case fallbacks, fastText subwords,
a chosen policy for missing rows and a :class:`CoverageReport` that says what was found.

The layer itself is built by :meth:`vectab.nn.Embedding.from_vectors`, which asks the object it
is given for the matrix (``Vectors.embedding_matrix`` calls :func:`build_embedding_matrix`), so
neither package imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vectab._checks import check_int, check_seed

__all__ = ["build_embedding_matrix", "CoverageReport"]

_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "exact": lambda w: w,
    "lower": str.lower,
    "title": str.title,
    "upper": str.upper,
}
FALLBACKS = (*_TRANSFORMS, "subword")
OovInit = str | Callable[[int, int], Any]


@dataclass
class CoverageReport:
    """What :func:`build_embedding_matrix` found in the vectors.

    Attributes:
        num_rows: rows of the matrix, padding row 0 included.
        found: words found per fallback, in fallback order (``{"exact": 9120, "lower": 35}``);
            ``found["subword"]`` (also ``num_subword``) counts rows built from fastText n-grams.
        missing: words without a vector, most frequent first when counts are known.
        missing_counts: their counts (0 when unknown), aligned with ``missing``.
        type_coverage: found words / words with a row (0..1). A Tokenizer's ``oov_token``
            has a row but is not counted, found or missing.
        token_coverage: found tokens / tokens, weighted by the word counts (None without counts).
        pretrained_mask: bool ``(num_rows,)``, True where the row came from the vectors; pass
            ``trainable=~report.pretrained_mask`` to train only the missing rows.
    """

    num_rows: int
    found: dict[str, int]
    missing: list[str]
    missing_counts: list[int]
    type_coverage: float
    token_coverage: float | None
    pretrained_mask: np.ndarray = field(repr=False)

    @property
    def num_words(self) -> int:
        """Words that have a row (padding excluded)."""
        return self.num_rows - 1

    @property
    def num_found(self) -> int:
        return int(sum(self.found.values()))

    @property
    def num_subword(self) -> int:
        """Words whose row was built from fastText character n-grams (the ``"subword"``
        fallback): found, but not as rows of the vectors file."""
        return int(self.found.get("subword", 0))

    def most_frequent_missing(self, n: int = 20) -> list[tuple[str, int]]:
        """The ``n`` most frequent words without a vector, with their counts."""
        check_int(n, "n", minimum=0)
        return list(zip(self.missing[:n], self.missing_counts[:n]))

    def summary(self, n_missing: int = 10) -> str:
        """A few readable lines: coverage, hits per fallback, the most frequent missing words."""
        check_int(n_missing, "n_missing", minimum=0)
        lines = [
            f"vocabulary: {self.num_words} words ({self.num_rows} rows with padding)",
            f"found: {self.num_found} words = {self.type_coverage:.1%} of types"
            + ("" if self.token_coverage is None else f", {self.token_coverage:.1%} of tokens"),
            "by fallback: " + ", ".join(f"{k} {v}" for k, v in self.found.items()),
        ]
        if "subword" in self.found:
            lines.append(f"built from subwords (fastText n-grams): {self.num_subword} words")
        lines.append(f"missing: {len(self.missing)} words")
        if self.missing:
            top = self.most_frequent_missing(n_missing)
            shown = ", ".join(
                f"{w} ({c})" if self.token_coverage is not None else w for w, c in top
            )
            lines.append(f"most frequent missing: {shown}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready content (the mask as the list of pretrained row ids)."""
        return {
            "num_rows": self.num_rows,
            "num_words": self.num_words,
            "found": dict(self.found),
            "num_subword": self.num_subword,
            "type_coverage": self.type_coverage,
            "token_coverage": self.token_coverage,
            "missing": list(self.missing),
            "missing_counts": list(self.missing_counts),
            "pretrained_rows": np.flatnonzero(self.pretrained_mask).tolist(),
        }


def _vocabulary(word_index: Any, num_words: int | None, word_counts: Any):
    """(word_index dict, num_words, counts, special tokens) from a Tokenizer or a dict."""
    special: set[str] = set()
    if hasattr(word_index, "word_index") and not isinstance(word_index, Mapping):
        tokenizer = word_index
        if getattr(tokenizer, "oov_token", None) is not None:
            special.add(tokenizer.oov_token)
        word_index = tokenizer.word_index
        if num_words is None:
            num_words = getattr(tokenizer, "num_words", None)
        if word_counts is None:
            word_counts = getattr(tokenizer, "word_counts", None)
    if not isinstance(word_index, Mapping):
        raise TypeError(
            "`word_index` must be a dict {word: id} or a Tokenizer, got "
            f"{type(word_index).__name__}"
        )
    for word, i in word_index.items():
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 1:
            raise ValueError(
                f"`word_index` maps {word!r} to {i!r}; ids must be ints >= 1 (0 is the padding row)"
            )
    check_int(num_words, "num_words", allow_none=True)
    return word_index, num_words, word_counts, special


def _fill_missing(oov_init: OovInit, found_rows: np.ndarray, n: int, dim: int, seed: int):
    if callable(oov_init):
        values = np.asarray(oov_init(n, dim), dtype=np.float32)
        if values.shape != (n, dim):
            raise ValueError(
                f"`oov_init` returned shape {values.shape}; it must return ({n}, {dim}) for "
                f"{n} missing rows of dim {dim}"
            )
        return values
    if oov_init == "zeros":
        return np.zeros((n, dim), dtype=np.float32)
    if oov_init == "mean":
        mean = found_rows.mean(axis=0) if len(found_rows) else np.zeros(dim)
        return np.broadcast_to(mean, (n, dim)).astype(np.float32)
    if oov_init == "random":
        rng = np.random.default_rng(seed)
        if len(found_rows) == 0:  # nothing to imitate: Keras' default uniform(-0.05, 0.05)
            return rng.uniform(-0.05, 0.05, size=(n, dim)).astype(np.float32)
        mean, std = float(found_rows.mean()), float(found_rows.std())
        return rng.normal(mean, std, size=(n, dim)).astype(np.float32)
    raise ValueError(
        f'`oov_init` must be "random", "zeros", "mean" or a callable(n, dim), got {oov_init!r}'
    )


def build_embedding_matrix(
    word_index: Mapping[str, int] | Any,
    vectors: Any,
    *,
    num_words: int | None = None,
    fallbacks: Sequence[str] | None = None,
    oov_init: OovInit = "random",
    seed: int = 0,
    word_counts: Mapping[str, int] | None = None,
) -> tuple[np.ndarray, CoverageReport]:
    """Build the ``weights`` matrix of an Embedding layer for a vocabulary from word vectors.

    Row ``i`` holds the vector of the word with id ``i``; row 0 is the padding row (zeros).
    With ``num_words`` (Keras' Tokenizer cap) only ids below it get a row.

    Args:
        word_index: ``{word: id}`` with ids from 1, or a Tokenizer (its ``word_index``,
            ``num_words`` and ``word_counts`` are used).
        vectors: a :class:`~vectab.vectors.Vectors`.
        num_words: number of rows, padding included (Keras' ``num_words``).
        fallbacks: lookups tried in order: ``"exact"``, ``"lower"``, ``"title"``, ``"upper"``
            and, for vectors with subwords (fastText), ``"subword"``. Default: the four case
            variants, plus ``"subword"`` when the vectors have subwords.
        oov_init: rows without a vector: ``"random"`` (normal with the mean and std of the
            found vectors), ``"zeros"``, ``"mean"`` (their mean vector) or
            ``callable(num_missing, dim) -> array``.
        seed: seed of ``"random"``.
        word_counts: ``{word: count}`` for token coverage (taken from a Tokenizer otherwise).

    Returns:
        ``(matrix, report)``: float32 ``(rows, dim)`` and a :class:`CoverageReport`.

    Example:
        >>> from vectab.vectors import Vectors
        >>> kv = Vectors(["the", "cat"], np.ones((2, 3), "float32"))
        >>> matrix, report = build_embedding_matrix({"the": 1, "Cat": 2, "zzz": 3}, kv)
        >>> matrix.shape, report.found, report.missing
        ((4, 3), {'exact': 1, 'lower': 1, 'title': 0, 'upper': 0}, ['zzz'])
        >>> report.pretrained_mask.tolist()
        [False, True, True, False]
    """
    check_seed(seed)
    word_index, num_words, word_counts, special = _vocabulary(word_index, num_words, word_counts)
    has_subwords = getattr(vectors, "subwords", None) is not None
    if fallbacks is None:
        fallbacks = (*_TRANSFORMS, "subword") if has_subwords else tuple(_TRANSFORMS)
    if isinstance(fallbacks, str):
        raise TypeError(f"`fallbacks` must be a sequence of names, got the string {fallbacks!r}")
    for name in fallbacks:
        if name not in FALLBACKS:
            raise ValueError(f"unknown fallback {name!r} in `fallbacks`; choose from {FALLBACKS}")
        if name == "subword" and not has_subwords:
            raise ValueError(
                '`fallbacks` has "subword" but these vectors have no subword model; load a '
                "fastText .bin file or drop it"
            )
    full_rows = max(word_index.values(), default=0) + 1
    n_rows = full_rows if num_words is None else min(num_words, full_rows)
    dim = vectors.vector_size
    matrix = np.zeros((n_rows, dim), dtype=np.float32)
    mask = np.zeros(n_rows, dtype=bool)
    found = dict.fromkeys(fallbacks, 0)
    rows, src, subword_rows = [], [], []
    key_to_index = vectors.key_to_index
    missing: list[tuple[str, int]] = []
    for word, i in word_index.items():
        if i >= n_rows:
            continue
        for name in fallbacks:
            if name == "subword":
                try:  # a model without n-grams has no vector for the word: it stays missing
                    subword_rows.append((i, vectors.subwords.word_vector(word)))
                except KeyError:
                    continue
                found[name] += 1
                break
            j = key_to_index.get(_TRANSFORMS[name](word))
            if j is not None:
                rows.append(i)
                src.append(j)
                found[name] += word not in special
                break
        else:
            missing.append((word, i))
    if rows:
        matrix[rows] = np.asarray(vectors.vectors[np.asarray(src)], dtype=np.float32)
    for i, vec in subword_rows:
        matrix[i] = vec
    hit = rows + [i for i, _ in subword_rows]
    mask[hit] = True
    if missing:
        matrix[[i for _, i in missing]] = _fill_missing(
            oov_init, matrix[mask], len(missing), dim, seed
        )
    counts = dict(word_counts) if word_counts is not None else None
    # a Tokenizer's oov_token gets its row like any word, but it is no word of the vocabulary:
    # the report neither counts it nor lists it as missing
    missing = [(w, i) for w, i in missing if w not in special]
    if counts is not None:
        missing.sort(key=lambda wi: (-counts.get(wi[0], 0), wi[1]))
    else:
        missing.sort(key=lambda wi: wi[1])
    n_words = sum(1 for w, i in word_index.items() if i < n_rows and w not in special)
    token_coverage = None
    if counts is not None:
        total = sum(counts.get(w, 0) for w, i in word_index.items() if i < n_rows)
        lost = sum(counts.get(w, 0) for w, _ in missing)
        token_coverage = (total - lost) / total if total else 0.0
    report = CoverageReport(
        num_rows=n_rows,
        found=found,
        missing=[w for w, _ in missing],
        missing_counts=[int(counts.get(w, 0)) if counts else 0 for w, _ in missing],
        type_coverage=sum(found.values()) / n_words if n_words else 0.0,
        token_coverage=token_coverage,
        pretrained_mask=mask,
    )
    return matrix, report
