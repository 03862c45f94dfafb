"""The rest of gensim's ``KeyedVectors`` API, mixed into :class:`vectab.vectors.Vectors`.

``store.py`` holds the container and the searches; the methods here exist so that gensim 4 code
ports by changing its import (issue #13): distances and ranks, mean vectors, adding and
replacing rows, per-key attributes (gensim's "vecattrs", such as ``count``), and the word2vec
loaders and writers with gensim's signatures. ``docs/gensim.md`` lists every gensim name and
where it went. Each method follows gensim 4.4's code; where vectab differs, the docstring says.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vectab._checks import check_bool, check_int
from vectab._fileio import atomic_path
from vectab.vectors._save import save_vectors

__all__ = ["KeyedVectorsAPI", "KEY_TYPES"]

KEY_TYPES = (str, int, np.integer)  # gensim's _KEY_TYPES: a word, or a row index


def _is_key(value: Any) -> bool:
    return isinstance(value, KEY_TYPES) and not isinstance(value, (bool, np.bool_))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors in float64 (0.0 when either is all zeros)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def _unitvec(vec: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vec)
    return vec / norm if norm > 0 else vec


def _read_counts(fvocab: Any, encoding: str, unicode_errors: str) -> dict[str, int]:
    """gensim's vocabulary file: ``word count`` per line (``fvocab`` of the word2vec loaders)."""
    counts: dict[str, int] = {}
    with open(fvocab, "rb") as fin:
        for line_no, line in enumerate(fin, 1):
            parts = line.decode(encoding, errors=unicode_errors).strip().split()
            if len(parts) != 2:
                raise ValueError(f"{fvocab}:{line_no}: expected 'word count', found {line!r}")
            counts[parts[0]] = int(parts[1])
    return counts


class _Table:
    """What ``save_vectors`` writes: words and rows (a reordered, prefixed view of a table)."""

    def __init__(self, index_to_key: list[str], vectors: np.ndarray) -> None:
        self.index_to_key = index_to_key
        self.vectors = vectors


class KeyedVectorsAPI:
    """gensim ``KeyedVectors`` methods of :class:`~vectab.vectors.Vectors` (see the module)."""

    # provided by Vectors
    index_to_key: list[str]
    key_to_index: dict[str, int]
    vectors: np.ndarray
    expandos: dict[str, np.ndarray]
    load_report: Any

    if TYPE_CHECKING:

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...
        def __contains__(self, key: object) -> bool: ...
        def __getitem__(self, key: Any) -> np.ndarray: ...
        def get_vector(self, word: Any, norm: bool = False) -> np.ndarray: ...
        def similarity(self, w1: str, w2: str) -> float: ...
        def similar_by_word(self, word: str, topn: int = 10) -> list[tuple[str, float]]: ...
        def fill_norms(self, force: bool = False) -> None: ...
        @property
        def norms(self) -> np.ndarray: ...

    # ----- keys --------------------------------------------------------------------------
    def get_index(self, key: Any, default: int | None = None) -> int:
        """The row of ``key`` (a word, or an int that is already a row), as gensim's
        ``get_index``; ``default`` when absent, else ``KeyError``."""
        val = self.key_to_index.get(key, -1) if isinstance(key, str) else -1
        if val >= 0:
            return val
        if _is_key(key) and not isinstance(key, str) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def has_index_for(self, key: Any) -> bool:
        """Whether ``key`` has a row of its own (fastText words built from n-grams have none)."""
        return self.get_index(key, -1) >= 0

    # ----- per-key attributes (gensim's expandos) ---------------------------------------
    def allocate_vecattrs(self, attrs: Any = None, types: Any = None) -> None:
        """Make room for per-key attributes ``attrs`` of numpy ``types`` (gensim's method)."""
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[a].dtype for a in attrs]
        size = len(self.index_to_key)
        for attr, t in zip(attrs, types):
            t = np.int64 if t is int else object if t is str else t
            old = self.expandos.get(attr)
            if old is None:
                self.expandos[attr] = np.zeros(size, dtype=t)
                continue
            if not np.issubdtype(t, old.dtype):
                raise TypeError(
                    f"`{attr}` holds {old.dtype} values; it cannot take {t}: convert the value"
                )
            if len(old) != size:
                new = np.zeros(size, dtype=old.dtype)
                new[: min(len(old), size)] = old[: min(len(old), size)]
                self.expandos[attr] = new

    def get_vecattr(self, key: Any, attr: str) -> Any:
        """The attribute ``attr`` of ``key`` (``"count"`` after ``load_word2vec_format``)."""
        return self.expandos[attr][self.get_index(key)]

    def set_vecattr(self, key: Any, attr: str, val: Any) -> None:
        """Set the attribute ``attr`` of ``key``."""
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def sort_by_descending_frequency(self) -> None:
        """Reorder the rows by descending ``count`` attribute (ties keep their order)."""
        if not len(self.index_to_key):
            return
        if "count" not in self.expandos:
            raise ValueError("these vectors have no `count` attribute to sort by; set_vecattr it")
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((np.arange(len(counts)), -counts))
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.expandos = {k: v[order] for k, v in self.expandos.items()}
        self.vectors = np.asarray(self.vectors)[order]
        self.key_to_index = {w: i for i, w in enumerate(self.index_to_key)}

    # ----- adding rows ------------------------------------------------------------------
    def add_vectors(
        self, keys: Any, weights: Any, extras: dict[str, Any] | None = None, replace: bool = False
    ) -> None:
        """Append ``keys`` with their ``weights`` rows; with ``replace=True`` also overwrite the
        rows of keys already present (gensim's ``add_vectors``).

        The matrix is copied (a memory map becomes an in-memory array), in the table's dtype.
        """
        check_bool(replace, "replace")
        if isinstance(keys, str):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        keys = [str(k) for k in keys]
        weights = np.asarray(weights)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vectors.shape[1]):
            raise ValueError(
                f"`weights` must have shape ({len(keys)}, {self.vectors.shape[1]}) for "
                f"{len(keys)} keys, got {weights.shape}"
            )
        extras = dict(extras or {})
        self.allocate_vecattrs(list(extras), [np.asarray(v).dtype for v in extras.values()])
        present = np.array([k in self.key_to_index for k in keys], dtype=bool)
        new_ids = np.flatnonzero(~present)
        added = {}
        for j in new_ids:
            if keys[j] not in added and keys[j] not in self.key_to_index:
                added[keys[j]] = j
        start = len(self.index_to_key)
        self.index_to_key.extend(added)
        self.key_to_index.update({k: start + n for n, k in enumerate(added)})
        take = np.fromiter(added.values(), dtype=np.int64, count=len(added))
        matrix = np.concatenate([self.vectors, weights[take].astype(self.vectors.dtype)])
        if replace and present.any():
            rows = [self.key_to_index[keys[j]] for j in np.flatnonzero(present)]
            matrix[rows] = weights[present]
        self.allocate_vecattrs()
        for attr, values in extras.items():
            values = np.asarray(values)
            self.expandos[attr][start:] = values[take]
            if replace and present.any():
                self.expandos[attr][rows] = values[present]
        self.vectors = matrix  # resets the cached norms and search index

    def add_vector(self, key: str, vector: Any) -> int:
        """Add one key (gensim's ``add_vector``); returns its row. Adding rows one by one copies
        the matrix each time: prefer :meth:`add_vectors` for many keys."""
        if key in self.key_to_index:
            return self.key_to_index[key]
        self.add_vectors([key], np.asarray(vector).reshape(1, -1))
        return len(self.index_to_key) - 1

    def __setitem__(self, keys: Any, weights: Any) -> None:
        """``kv["word"] = vector`` or ``kv[["a", "b"]] = rows``: add or replace (gensim's)."""
        if not isinstance(keys, list):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def vectors_for_all(
        self, keys: Iterable[str], allow_inference: bool = True, copy_vecattrs: bool = False
    ) -> Any:
        """A new table of the given keys that have vectors (fastText words built from n-grams
        too, unless ``allow_inference=False``), duplicates dropped, in the given order."""
        check_bool(allow_inference, "allow_inference")
        check_bool(copy_vecattrs, "copy_vecattrs")
        vocab, seen = [], set()
        for key in keys:
            if key not in seen:
                seen.add(key)
                if key in (self if allow_inference else self.key_to_index):
                    vocab.append(key)
        rows = np.asarray([self[k] for k in vocab], dtype=self.vectors.dtype)
        kv = type(self)(vocab, rows.reshape(len(vocab), self.vectors.shape[1]))
        kv.expandos["count"] = np.arange(len(vocab), 0, -1, dtype=np.int64)  # as gensim's
        if copy_vecattrs:
            for attr, values in self.expandos.items():
                kv.expandos[attr] = np.zeros(len(vocab), dtype=values.dtype)
                for i, key in enumerate(vocab):
                    j = self.key_to_index.get(key)
                    if j is not None:
                        kv.expandos[attr][i] = values[j]
        return kv

    # ----- distances and ranks ---------------------------------------------------------
    @staticmethod
    def cosine_similarities(vector_1: np.ndarray, vectors_all: np.ndarray) -> np.ndarray:
        """Cosine of ``vector_1`` with every row of ``vectors_all``.

        Shape:
            ``vector_1``: ``(dim,)``; ``vectors_all``: ``(n, dim)``; returns ``(n,)``.
        """
        vector_1, vectors_all = np.asarray(vector_1), np.asarray(vectors_all)
        norm = np.linalg.norm(vector_1)
        return vectors_all @ vector_1 / (norm * np.linalg.norm(vectors_all, axis=1))

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - similarity(w1, w2)``."""
        return 1 - self.similarity(w1, w2)

    def distances(self, word_or_vector: Any, other_words: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances from a word or vector to ``other_words`` (to every key when
        empty), as a numpy array in their order."""
        vec = self.get_vector(word_or_vector) if _is_key(word_or_vector) else word_or_vector
        if not other_words:
            others = self.vectors
        else:
            others = self.vectors[[self.get_index(w) for w in other_words]]
        return 1 - self.cosine_similarities(vec, others)

    def closer_than(self, key1: str, key2: str) -> list[str]:
        """The keys closer to ``key1`` than ``key2`` is (``key1`` itself left out)."""
        dists = self.distances(key1)
        i1, i2 = self.get_index(key1), self.get_index(key2)
        return [self.index_to_key[i] for i in np.flatnonzero(dists < dists[i2]) if i != i1]

    def words_closer_than(self, word1: str, word2: str) -> list[str]:
        """:meth:`closer_than` under its older name (deprecated in gensim)."""
        return self.closer_than(word1, word2)

    def rank(self, key1: str, key2: str) -> int:
        """Rank of ``key2`` among the neighbours of ``key1`` (1 = the nearest)."""
        return len(self.closer_than(key1, key2)) + 1

    def n_similarity(self, ws1: Sequence[str], ws2: Sequence[str]) -> float:
        """Cosine between the mean vectors of two sets of keys."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        mean1 = self.get_mean_vector(ws1, pre_normalize=False)
        mean2 = self.get_mean_vector(ws2, pre_normalize=False)
        return cosine(mean1, mean2)

    def most_similar_to_given(self, key1: str, keys_list: Sequence[str]) -> str:
        """The key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa: str, wb: str, topn: int = 10) -> float:
        """similarity(wa, wb) / the summed similarities of ``wa``'s ``topn`` neighbours
        (Leeuwenberg et al. 2016)."""
        sims = self.similar_by_word(wa, topn)
        if not len(sims):
            raise ValueError(
                "Cannot calculate relative cosine similarity without any similar words."
            )
        return float(self.similarity(wa, wb)) / sum(s for _, s in sims)

    def rank_by_centrality(self, words: Sequence[str], use_norm: bool = True) -> list:
        """``(cosine to the mean, word)`` pairs, most central first; words without a vector
        are ignored with a warning."""
        used = [w for w in words if w in self]
        if len(used) != len(words):
            warnings.warn(f"ignoring words without vectors: {sorted(set(words) - set(used))}",
                          stacklevel=2)
        if not used:
            raise ValueError("cannot select a word from an empty list")
        vecs = np.vstack([self.get_vector(w, norm=use_norm) for w in used]).astype(np.float32)
        mean = self.get_mean_vector(vecs, post_normalize=True)
        return sorted(zip((vecs @ mean).tolist(), used), reverse=True)

    # ----- means and norms --------------------------------------------------------------
    def get_mean_vector(
        self,
        keys: Any,
        weights: Any = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """Weighted mean of the vectors of ``keys`` (words, rows or 1-D vectors), each unit
        length first with ``pre_normalize``; the mean unit length with ``post_normalize``.
        Keys without a vector are skipped (``KeyError`` with ``ignore_missing=False``).
        The total weight divides by the absolute weights of the keys used, as gensim."""
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        dtype = self.vectors.dtype
        weights = np.ones(len(keys), dtype) if weights is None else np.asarray(weights, dtype)
        if len(keys) != weights.shape[0]:
            raise ValueError("keys and weights array must have same number of elements")
        mean = np.zeros(self.vectors.shape[1], dtype)
        total = 0.0
        for key, w in zip(keys, weights):
            if isinstance(key, np.ndarray):
                mean += w * key
                total += abs(w)
            elif key in self:
                mean += w * self.get_vector(key, norm=pre_normalize)
                total += abs(w)
            elif not ignore_missing:
                raise KeyError(f"Key '{key}' not present in vocabulary")
        if total > 0:
            mean = mean / total
        if post_normalize:
            mean = _unitvec(mean).astype(np.float32)
        return mean

    def get_normed_vectors(self) -> np.ndarray:
        """A unit-length copy of ``vectors`` (numpy), as gensim's ``get_normed_vectors``."""
        return self.vectors / self.norms[..., np.newaxis]

    def init_sims(self, replace: bool = False) -> None:
        """gensim 3's name (deprecated in gensim 4): :meth:`fill_norms`, then with
        ``replace=True`` :meth:`unit_normalize_all`."""
        check_bool(replace, "replace")
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    def word_vec(self, word: str, norm: bool = False) -> np.ndarray:
        """gensim 3's name (deprecated in gensim 4) for ``get_vector``."""
        return self.get_vector(word, norm=norm)

    def unit_normalize_all(self) -> None:
        """Scale every row of ``vectors`` to unit length, in place (gensim's method)."""
        vectors = self.vectors if self.vectors.flags.writeable else np.array(self.vectors)
        vectors /= np.linalg.norm(vectors, axis=1)[..., np.newaxis]
        self.vectors = vectors

    # ----- word2vec files with gensim's signatures --------------------------------------
    @classmethod
    def load_word2vec_format(
        cls,
        fname: str | os.PathLike[str],
        fvocab: str | os.PathLike[str] | None = None,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
        limit: int | None = None,
        datatype: Any = np.float32,
        no_header: bool = False,
    ) -> Any:
        """Load word2vec text or binary vectors with gensim's signature (``KeyedVectors
        .load_word2vec_format``), so gensim code ports unchanged.

        ``fvocab`` is gensim's vocabulary file (``word count`` lines): the counts become the
        ``count`` attribute (:meth:`get_vecattr`); without it the counts are ``len - row``, as
        gensim. ``no_header=True`` reads GloVe-style text (no count line). Parsed as
        :func:`vectab.vectors.load_vectors` does (and cached the same way).
        """
        check_bool(binary, "binary")
        check_bool(no_header, "no_header")
        if binary and no_header:
            raise ValueError("`no_header=True` is for text files; a binary word2vec file has one")
        counts = None if fvocab is None else _read_counts(fvocab, encoding, unicode_errors)
        fmt = "word2vec-binary" if binary else ("glove" if no_header else "word2vec")
        from vectab.vectors._load import read_vectors, report_warning

        words, matrix, subwords, report = read_vectors(
            fname, format=fmt, limit=limit, dtype=datatype, encoding=encoding,
            unicode_errors=unicode_errors,
        )
        if report.skipped:
            warnings.warn(report_warning(report), stacklevel=2)
        kv = cls(words, matrix, subwords=subwords)
        kv.load_report = report
        if counts is None:
            kv.expandos["count"] = np.arange(len(words), 0, -1, dtype=np.int64)
        else:
            missing = [w for w in words if w not in counts]
            if missing:
                warnings.warn(
                    f"the vocabulary file {fvocab} has no count for {len(missing)} words (such as "
                    f"{missing[0]!r}); their count is 0", stacklevel=2,
                )
            kv.expandos["count"] = np.array([counts.get(w, 0) for w in words], dtype=np.int64)
        return kv

    @classmethod
    def load(cls, fname: str | os.PathLike[str], mmap: str | None = None) -> Any:
        """Load a file written by :meth:`save` (any format, read from its content).

        gensim's ``load`` unpickles; vectab never pickles, and its ``save`` writes a vector
        format, so ``kv.save(path)`` then ``Vectors.load(path)`` round-trips. ``mmap``: None or
        ``"r"`` (a ``format="vectab"`` file is memory-mapped either way).
        """
        if mmap not in (None, "r"):
            raise ValueError(f"`mmap` must be None or 'r', got {mmap!r}; vectab reads files only")
        from vectab.vectors._load import read_vectors

        words, matrix, subwords, report = read_vectors(fname)
        kv = cls(words, matrix, subwords=subwords)
        kv.load_report = report
        return kv

    def save_word2vec_format(
        self,
        fname: str | os.PathLike[str],
        fvocab: str | os.PathLike[str] | None = None,
        binary: bool = False,
        total_vec: int | None = None,
        write_header: bool = True,
        prefix: str = "",
        append: bool = False,
        sort_attr: str = "count",
    ) -> Path:
        """Write word2vec text or binary with gensim's signature; atomic, returns the path.

        Rows are written by descending ``sort_attr`` when the table has that attribute, in row
        order otherwise; ``fvocab`` writes the ``word count`` file beside it; ``prefix`` goes
        before every word; ``write_header=False`` writes GloVe-style text. Refused, because an
        atomic write replaces a whole file: ``append=True`` and a ``total_vec`` that is not the
        number of rows written (a header that miscounts its rows is not readable).
        """
        check_bool(binary, "binary")
        check_bool(write_header, "write_header")
        check_bool(append, "append")
        if not isinstance(prefix, str):
            raise TypeError(f"`prefix` must be a str, got {type(prefix).__name__}: {prefix!r}")
        if append:
            raise ValueError(
                "`append=True` is not supported: writes are atomic (a whole file at once); "
                "add the rows with add_vectors() and save the table once"
            )
        check_int(total_vec, "total_vec", minimum=0, allow_none=True)
        if total_vec is not None and total_vec != len(self.index_to_key):
            raise ValueError(
                f"`total_vec` must be the number of rows written ({len(self.index_to_key)}) or "
                f"None, got {total_vec}"
            )
        if binary and not write_header:
            raise ValueError("`write_header=False` is for text files; word2vec binary has one")
        if sort_attr in self.expandos:
            attr = self.expandos[sort_attr]
            order = sorted(range(len(self.index_to_key)), key=lambda i: -attr[i])
        elif fvocab is not None:
            raise ValueError(
                f"Cannot store vocabulary with '{sort_attr}' because that attribute does not exist"
            )
        else:
            order = list(range(len(self.index_to_key)))
        words = [prefix + self.index_to_key[i] for i in order]
        if fvocab is not None:
            with atomic_path(fvocab) as tmp, open(tmp, "wb") as vout:
                vout.write("".join(f"{w} {attr[i]}\n" for w, i in zip(words, order)).encode())
        if order != list(range(len(order))):
            table = _Table(words, np.asarray(self.vectors)[order])
        else:
            table = _Table(words, self.vectors)
        fmt = "word2vec-binary" if binary else ("word2vec" if write_header else "glove")
        return save_vectors(table, fname, format=fmt)

    def intersect_word2vec_format(
        self,
        fname: str | os.PathLike[str],
        lockf: float = 0.0,
        binary: bool = False,
        encoding: str = "utf8",
        unicode_errors: str = "strict",
    ) -> int:
        """Overwrite the rows of the words that ``fname`` (word2vec text or binary) also has;
        words not already present are not added. Returns how many rows were merged.

        ``lockf`` is stored per merged row in ``vectors_lockf`` (1.0 elsewhere), as gensim does
        for a model to be trained further (0.0 = frozen).
        """
        check_bool(binary, "binary")
        from vectab.vectors._load import read_vectors

        words, matrix, _, _ = read_vectors(
            fname, format="word2vec-binary" if binary else "word2vec", encoding=encoding,
            unicode_errors=unicode_errors, cache=False,
        )
        if matrix.shape[1] != self.vectors.shape[1]:
            raise ValueError(f"incompatible vector size {matrix.shape[1]} in file {fname}")
        pairs = [(self.key_to_index[w], j) for j, w in enumerate(words) if w in self.key_to_index]
        vectors = self.vectors if self.vectors.flags.writeable else np.array(self.vectors)
        lock = getattr(self, "vectors_lockf", None)
        if lock is None or len(lock) != len(vectors):
            lock = np.ones(len(vectors), dtype=np.float32)
        if pairs:
            rows, src = (np.asarray(x) for x in zip(*pairs))
            vectors[rows] = matrix[src]
            lock[rows] = lockf
        self.vectors = vectors  # resets the cached norms
        self.vectors_lockf = lock
        return len(pairs)

