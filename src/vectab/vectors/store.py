"""`Vectors`: words and their vectors, with search and evaluation on top.

The container holds a numpy matrix (a memory map stays a memory map); searches run on torch,
on the device chosen with :meth:`Vectors.to`, against a cached unit-normalized copy.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral
from typing import Any, cast, overload

import numpy as np
import torch

from vectab._checks import check_bool, check_int
from vectab.errors import OutOfVocabularyError
from vectab.vectors._keyed import KEY_TYPES, KeyedVectorsAPI, cosine
from vectab.vectors._save import save_vectors
from vectab.vectors.align import CoverageReport, OovInit, build_embedding_matrix
from vectab.vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs
from vectab.vectors.similarity import FAST_MIN_ELEMENTS, FastIndex, normalize_rows, search_unit

__all__ = ["Vectors", "KeyedVectors"]

Term = Any  # a word, a row index, a 1-D vector, or a (word or vector, weight) pair


def _ensure_list(value: Any, name: str) -> list:
    """gensim's ``_ensure_list``: one key or 1-D vector -> [it]; a 2-D array -> its rows."""
    if value is None:
        return []
    if isinstance(value, KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(
        f"`{name}` must be a word, a vector or a list of them, got {type(value).__name__}: "
        f"{value!r}"
    )


def _check_search(topn: int, restrict_vocab: Any = None) -> None:
    check_int(topn, "topn", minimum=0)
    check_int(restrict_vocab, "restrict_vocab", minimum=0, allow_none=True)


def _is_term_key(term: Any) -> bool:
    return isinstance(term, KEY_TYPES) and not isinstance(term, (bool, np.bool_))


class Vectors(KeyedVectorsAPI):
    """A vocabulary and one vector per word, as a float matrix (gensim's ``KeyedVectors``).

    gensim 4's ``KeyedVectors`` API is here under the same names (``docs/gensim.md`` lists
    each one), so gensim code ports by changing the import: ``Vectors(100)`` (or
    ``Vectors(vector_size=100)``) is an empty table of 100 dims, as ``KeyedVectors(100)``.

    Args:
        index_to_key: the words, in row order (or, as gensim, the vector size of an empty
            table).
        vectors: ``(vocab, dim)`` matrix; kept as given (a memory map stays a memory map).
        subwords: optional object with ``word_vector(word) -> np.ndarray`` that builds vectors
            for out-of-vocabulary words (fastText character n-grams).
        vector_size: gensim's constructor: the dims of an empty table (without words).

    Assigning ``vectors`` a new matrix resets the cached norms; after editing the matrix in
    place, call :meth:`fill_norms` with ``force=True``.

    Example:
        >>> kv = Vectors(["cat", "dog", "car"], np.array([[1, 0.1], [1, 0.2], [0, 1]], "float32"))
        >>> [(w, round(s, 3)) for w, s in kv.most_similar("cat", topn=1)]
        [('dog', 0.995)]
        >>> "dog" in kv, len(kv), kv.vector_size
        (True, 3, 2)
    """

    def __init__(
        self,
        index_to_key: Sequence[str] | int | None = None,
        vectors: np.ndarray | None = None,
        *,
        subwords: Any | None = None,
        vector_size: int | None = None,
    ) -> None:
        if isinstance(index_to_key, Integral) and not isinstance(index_to_key, bool):
            check_int(index_to_key, "index_to_key", minimum=0,
                      fix=" An int is the vector size of an empty table, as KeyedVectors(100).")
            index_to_key, vector_size = None, int(index_to_key)  # gensim's KeyedVectors(size)
        if index_to_key is None and vectors is None:
            check_int(vector_size, "vector_size", minimum=0,
                      fix=" Pass the words and their matrix, or the size of an empty table.")
            index_to_key, vectors = [], np.zeros((0, int(vector_size or 0)), dtype=np.float32)
        elif index_to_key is None or vectors is None:
            raise TypeError("pass both `index_to_key` and `vectors` (or only `vector_size`)")
        elif vector_size is not None:
            raise TypeError("`vector_size` is for an empty table; drop it when passing `vectors`")
        keys = cast(  # an int was turned into an empty table above
            Sequence[str],
            index_to_key.tolist() if isinstance(index_to_key, np.ndarray) else index_to_key,
        )  # an array of words -> plain str keys, not np.str_
        vectors = np.asarray(vectors)
        if vectors.ndim != 2:
            raise ValueError(
                f"`vectors` must be a 2-D (vocab, dim) matrix, got shape {vectors.shape}"
            )
        if len(keys) != vectors.shape[0]:
            raise ValueError(
                f"`index_to_key` has {len(keys)} words but `vectors` has "
                f"{vectors.shape[0]} rows; they must match"
            )
        self.index_to_key: list[str] = list(keys)
        self.key_to_index: dict[str, int] = dict(
            zip(self.index_to_key, range(len(self.index_to_key)))
        )
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("`index_to_key` contains duplicate words; each word must appear once")
        self.device = torch.device("cpu")
        self.vectors = vectors
        self.subwords = subwords
        self.expandos: dict[str, np.ndarray] = {}  # per-key attributes (gensim's vecattrs)

    # ----- container ---------------------------------------------------------------------
    @property
    def vectors(self) -> np.ndarray:
        """The ``(vocab, dim)`` numpy matrix."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        self._vectors = value
        self._norms: np.ndarray | None = None
        self._unit: torch.Tensor | None = None
        self._fast: FastIndex | None = None

    def __len__(self) -> int:
        return len(self.index_to_key)

    @property
    def vector_size(self) -> int:
        return int(self.vectors.shape[1])

    def __contains__(self, word: object) -> bool:
        """Whether ``word`` has a vector, as gensim: a key (or row index) of the table, or, for
        fastText vectors with n-grams, any word they can build (see :meth:`has_index_for` for
        the table's own keys)."""
        if self.has_index_for(word):
            return True
        return isinstance(word, str) and self.subwords is not None and self.has_vector(word)

    def __getitem__(self, key_or_keys: Any) -> np.ndarray:
        """``kv["word"]``: its vector; ``kv[["a", "b"]]``: the ``(2, dim)`` stacked vectors."""
        if _is_term_key(key_or_keys):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(key) for key in key_or_keys])

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """Return the vector of ``word`` (unit length with ``norm=True``), as gensim's
        ``get_vector``; an int is a row index, as in gensim.

        Out-of-vocabulary words get their subword vector when the vectors have subwords
        (fastText) and the word has character n-grams; otherwise
        :class:`~vectab.errors.OutOfVocabularyError` (a ``KeyError``), never a zero vector.
        """
        check_bool(norm, "norm")
        i = self.key_to_index.get(word) if isinstance(word, str) else self.get_index(word, -1)
        if i is not None and i >= 0:
            vec = self.vectors[i]
            return vec / self.norms[i] if norm else vec
        if self.subwords is not None and isinstance(word, str):  # raises when it has no n-grams
            vec = np.asarray(self.subwords.word_vector(word))
            return vec / np.linalg.norm(vec) if norm and np.any(vec) else vec
        raise OutOfVocabularyError(word, hint="check the spelling or the case")

    def has_vector(self, word: str) -> bool:
        """Whether ``word`` has a vector: in the vocabulary, or built from its subwords.

        ``word in vectors`` asks the same, as gensim; :meth:`has_index_for` asks only for the
        vocabulary. A fastText model without character n-grams (``bucket=0``, supervised
        models) has no vector for an unknown word.
        """
        if word in self.key_to_index:
            return True
        if self.subwords is None:
            return False
        try:
            self.subwords.word_vector(word)
        except KeyError:
            return False
        return True

    def get(self, word: str, default: Any = None) -> Any:
        """Return the vector of ``word``, or ``default`` when it has none (like ``dict.get``)."""
        try:
            return self.get_vector(word)
        except KeyError:
            return default

    def __repr__(self) -> str:
        sub = ", subwords" if self.subwords is not None else ""
        return (
            f"Vectors({len(self)} words x {self.vector_size} dims, dtype={self.vectors.dtype}"
            f"{sub}, device={self.device})"
        )

    def tensor(self) -> torch.Tensor:
        """The matrix as a CPU torch tensor sharing memory with ``vectors`` (no copy).

        A read-only matrix (a memory map) is shared too: do not modify the tensor in place.
        """
        arr = self.vectors
        if not arr.flags.c_contiguous:
            return torch.from_numpy(np.ascontiguousarray(arr))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # non-writable arrays
            return torch.from_numpy(arr)

    def save(self, path: Any, *, format: str = "word2vec") -> Any:
        """Write the vectors to ``path`` atomically; returns the path written.

        ``format``: ``"word2vec"``, ``"word2vec-binary"``, ``"glove"``, ``"fasttext"`` or
        ``"vectab"`` (see :func:`vectab.vectors.io.save_vectors`).
        """
        return save_vectors(self, path, format=format)

    def embedding_matrix(
        self,
        word_index: Any,
        *,
        num_words: int | None = None,
        fallbacks: Sequence[str] | None = None,
        oov_init: OovInit = "random",
        seed: int = 0,
    ) -> tuple[np.ndarray, np.ndarray, CoverageReport]:
        """The table of an Embedding layer for ``word_index``: ``(matrix, found, report)``.

        The protocol :meth:`vectab.nn.Embedding.from_vectors` calls (so that ``nn`` needs no
        import of ``vectors``): ``found`` is the bool row mask of the rows taken from these
        vectors (``report.pretrained_mask``). Arguments and lookups as in
        :func:`vectab.vectors.align.build_embedding_matrix`.

        Shape:
            ``matrix``: ``(rows, dim)`` float32; ``found``: ``(rows,)`` bool.

        Example:
            >>> kv = Vectors(["the", "cat"], np.ones((2, 3), "float32"))
            >>> matrix, found, report = kv.embedding_matrix({"the": 1, "dog": 2})
            >>> matrix.shape, found.tolist(), report.missing
            ((3, 3), [False, True, False], ['dog'])
        """
        matrix, report = build_embedding_matrix(
            word_index, self, num_words=num_words, fallbacks=fallbacks, oov_init=oov_init, seed=seed
        )
        return matrix, report.pretrained_mask, report

    # ----- caches -----------------------------------------------------------------------
    @property
    def norms(self) -> np.ndarray:
        """L2 norm of every row, float32 ``(vocab,)`` (gensim's ``norms``), cached."""
        if self._norms is None:
            self.fill_norms()
        return self._norms  # type: ignore[return-value]

    def fill_norms(self, force: bool = False) -> None:
        """Compute the row norms (again with ``force=True`` after editing ``vectors`` in place).

        As gensim's ``fill_norms``; ``force=True`` also drops the cached unit matrix and search
        index, so that searches see the edit.
        """
        check_bool(force, "force")
        if self._norms is None or force:
            self._norms = np.linalg.norm(self.vectors, axis=1)
            self._unit = None
            self._fast = None

    def unit_matrix(self) -> torch.Tensor:
        """Unit-normalized float32 rows on ``self.device`` (cached; zero rows stay zero)."""
        if self._unit is None:
            self._unit = normalize_rows(self.tensor().to(self.device))
        return self._unit

    def to(self, device: str | torch.device) -> Vectors:
        """Run searches on ``device`` (``"cuda"``, ``"cpu"``); ``vectors`` stays numpy. Returns
        self."""
        device = torch.device(device)
        if device != self.device:
            self.device = device
            self._unit = None if self._unit is None else self._unit.to(device)
            self._fast = None
        return self

    def _fast_index(self) -> FastIndex:
        if self._fast is None:
            self._fast = FastIndex(self.unit_matrix())
        return self._fast

    # ----- similarity -------------------------------------------------------------------
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words (gensim's ``similarity``), computed in float64 as
        ``n_similarity`` is, so ``n_similarity([w1], [w2]) == similarity(w1, w2)``."""
        return cosine(self.get_vector(w1), self.get_vector(w2))

    def _terms(self, positive: Any, negative: Any) -> tuple[list, np.ndarray, set[int]]:
        """Split analogy terms into items, weights (+1 / -1 by default) and in-vocab row ids."""
        positive = _ensure_list(positive, "positive")
        negative = _ensure_list(negative, "negative")
        items, weights = [], []
        for sign, group in ((1.0, positive), (-1.0, negative)):
            for term in group:
                if isinstance(term, tuple):
                    if len(term) != 2:
                        raise ValueError(f"a weighted term must be (word, weight), got {term!r}")
                    term, weight = term
                else:
                    weight = sign
                if not (_is_term_key(term) or isinstance(term, np.ndarray)):
                    raise TypeError(
                        f"terms must be words, row indices or 1-D vectors, got "
                        f"{type(term).__name__}: {term!r}"
                    )
                items.append(term)
                weights.append(float(weight))
        ids = {self.get_index(t) for t in items if _is_term_key(t) and self.has_index_for(t)}
        return items, np.asarray(weights), ids

    def _search(self, query: np.ndarray, topn: int, exclude: set[int], restrict_vocab: Any):
        unit = self.unit_matrix()
        if restrict_vocab:
            unit = unit[: int(restrict_vocab)]
        exclude = {i for i in exclude if i < unit.shape[0]}
        q = torch.as_tensor(np.asarray(query, dtype=np.float32), device=self.device)
        k = min(topn + len(exclude), unit.shape[0])
        ex = torch.tensor(sorted(exclude), dtype=torch.long, device=self.device).view(1, -1)
        scores, ids = search_unit(q.view(1, -1), unit, k, exclude=ex if exclude else None)
        pairs = zip(ids[0].tolist(), scores[0].tolist())
        return [(self.index_to_key[i], s) for i, s in pairs if i not in exclude][:topn]

    @overload
    def most_similar(
        self,
        positive: Term | list[Term] | None = None,
        negative: Term | list[Term] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]: ...

    @overload
    def most_similar(
        self,
        positive: Term | list[Term] | None = None,
        negative: Term | list[Term] | None = None,
        *,
        topn: None,
        restrict_vocab: int | None = None,
    ) -> np.ndarray: ...

    def most_similar(
        self,
        positive: Term | list[Term] | None = None,
        negative: Term | list[Term] | None = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """Find the words closest to the weighted mean of the unit vectors of the terms (3CosAdd).

        Same results as gensim's ``KeyedVectors.most_similar``: input words are never returned;
        ``restrict_vocab`` searches only the first rows. As gensim, ``topn=None`` returns the
        cosine of every key (a numpy array in key order, input words included) instead of a
        list, so that gensim code ports; ask :meth:`cosine_similarities` for that array when
        writing new code.

        Args:
            positive: words, row indices, 1-D vectors (a 2-D array: its rows) or
                ``(term, weight)`` pairs that pull (weight 1).
            negative: terms that push (weight -1).
            topn: how many words to return (numpy ints too); None: every similarity.
            restrict_vocab: search only the first ``restrict_vocab`` rows.

        Returns:
            ``[(word, cosine), ...]``, best first (``word`` a plain ``str``).
        """
        if topn is not None:
            _check_search(topn, restrict_vocab)
        else:
            _check_search(0, restrict_vocab)
        items, weights, exclude = self._terms(positive, negative)
        if not items:
            raise ValueError("`positive` and `negative` are both empty; pass at least one word")
        if topn == 0:
            return []
        mean = np.zeros(self.vector_size, dtype=np.float64)
        for item, weight in zip(items, weights):
            vec = item if isinstance(item, np.ndarray) else self.get_vector(item, norm=True)
            mean += weight * np.asarray(vec, dtype=np.float64)
        mean /= np.abs(weights).sum()
        norm = np.linalg.norm(mean)
        mean = mean / norm if norm > 0 else mean
        if topn is None:
            unit = self.unit_matrix()[: restrict_vocab or None]
            q = torch.as_tensor(mean, dtype=unit.dtype, device=unit.device)
            return (unit @ q).cpu().numpy()
        return self._search(mean, int(topn), exclude, restrict_vocab)

    def similar_by_word(
        self, word: str, topn: int = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest to ``word`` (itself excluded)."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_key(
        self, key: str, topn: int = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``topn`` keys closest to ``key`` (gensim's name for :meth:`similar_by_word`)."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(
        self, vector: np.ndarray, topn: int = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest to ``vector`` (gensim's ``similar_by_vector``)."""
        vector = np.asarray(vector)
        if vector.shape != (self.vector_size,):
            raise ValueError(f"`vector` must have shape ({self.vector_size},), got {vector.shape}")
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    @overload
    def most_similar_cosmul(
        self,
        positive: Term | list[Term] | None = None,
        negative: Term | list[Term] | None = None,
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]: ...

    @overload
    def most_similar_cosmul(
        self,
        positive: Term | list[Term] | None = None,
        negative: Term | list[Term] | None = None,
        *,
        topn: None,
        restrict_vocab: int | None = None,
    ) -> np.ndarray: ...

    def most_similar_cosmul(
        self,
        positive: Term | list[Term] | None = None,
        negative: Term | list[Term] | None = None,
        topn: int | None = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]] | np.ndarray:
        """Find words by the multiplicative objective 3CosMul (Levy & Goldberg 2014).

        gensim's ``most_similar_cosmul``: the product of ``(1 + cos) / 2`` over the positive
        terms divided by that over the negative ones (+1e-6). Vectors given as terms are used
        as they are (not normalized), as in gensim. ``restrict_vocab`` limits the search here
        (gensim accepts it but searches everything). ``topn=None`` returns every key's score
        (a numpy array in key order, input words included), as gensim.
        """
        _check_search(0 if topn is None else topn, restrict_vocab)
        positive = _ensure_list(positive, "positive")
        negative = _ensure_list(negative, "negative")
        if not positive:
            raise ValueError("`positive` is empty; 3CosMul needs at least one positive word")
        if topn == 0:
            return []
        exclude = {
            self.get_index(w) for w in positive + negative
            if _is_term_key(w) and self.has_index_for(w)
        }

        def terms(group: list) -> torch.Tensor:
            rows = [
                w if isinstance(w, np.ndarray) else self.get_vector(w, norm=True) for w in group
            ]
            return torch.as_tensor(np.asarray(rows, np.float32), device=self.device).view(
                -1, self.vector_size
            )

        unit = self.unit_matrix()
        if restrict_vocab:
            unit = unit[: int(restrict_vocab)]
        dists = ((1 + unit @ terms(positive).T) / 2).prod(dim=1)
        if negative:
            dists = dists / (((1 + unit @ terms(negative).T) / 2).prod(dim=1) + 1e-6)
        if topn is None:
            return dists.cpu().numpy()
        if exclude:
            dists[
                torch.tensor(sorted(e for e in exclude if e < len(dists)), dtype=torch.long)
            ] = -np.inf
        scores, ids = torch.topk(dists, min(topn, len(dists) - len(exclude)))
        return [(self.index_to_key[i], s) for i, s in zip(ids.tolist(), scores.tolist())]

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest from the mean of the others (gensim's ``doesnt_match``).

        Words without a vector are ignored (with a warning), as in gensim.
        """
        used = [w for w in words if self.has_vector(w)]
        if len(used) != len(words):
            missing = sorted(set(words) - set(used))
            warnings.warn(f"ignoring words without vectors: {missing}", stacklevel=2)
        if not used:
            raise ValueError(f"`words` has no word with a vector: {list(words)!r}")
        unit = np.asarray([self.get_vector(w, norm=True) for w in used], dtype=np.float64)
        mean = unit.mean(axis=0)
        mean /= np.linalg.norm(mean) or 1.0
        dists = unit @ mean
        return min(zip(dists.tolist(), used))[1]

    # ----- batched ----------------------------------------------------------------------
    def topk_cosine(
        self,
        queries: torch.Tensor | np.ndarray,
        k: int,
        *,
        exclude: torch.Tensor | None = None,
        fast: bool = False,
        chunk_size: int | None = None,
        nprobe: int | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Batched nearest rows for query vectors, on ``self.device`` (see ``topk_cosine``).

        Shape:
            queries: ``(B, D)``; returns scores and ids ``(B, k)``.
        """
        q = torch.as_tensor(
            np.asarray(queries) if not isinstance(queries, torch.Tensor) else queries
        )
        if q.ndim != 2 or q.shape[1] != self.vector_size:
            raise ValueError(
                f"`queries` must have shape (batch, {self.vector_size}), got {tuple(q.shape)}"
            )
        q = normalize_rows(q.to(self.device))
        if exclude is not None:
            exclude = torch.as_tensor(exclude, dtype=torch.long, device=self.device).view(
                q.shape[0], -1
            )
        check_bool(fast, "fast")
        check_int(chunk_size, "chunk_size", allow_none=True)
        check_int(nprobe, "nprobe", allow_none=True)
        index = self._fast_index() if fast and self.vectors.size >= FAST_MIN_ELEMENTS else None
        return search_unit(
            q,
            self.unit_matrix(),
            k,
            exclude=exclude,
            chunk_size=chunk_size,
            fast_index=index,
            nprobe=nprobe,
        )

    def most_similar_batch(
        self,
        words: Sequence[str],
        topn: int = 10,
        *,
        fast: bool = False,
        nprobe: int | None = None,
    ) -> list[list[tuple[str, float]]]:
        """``most_similar(word, topn=topn)`` for many words at once, as a few matrix products.

        Args:
            words: the query words (each one is left out of its own results).
            topn: neighbours per word.
            fast: search an inverted-file index of the vectors (k-means cells, built on the
                first fast call and cached): only the rows of the cells nearest to each query
                are scored, exactly, so scores stay exact and a rare neighbour in an unprobed
                cell is missed. The number of cells is calibrated on the table itself when the
                index is built (the exact top-10 of 99.5% of a sample of words found in full;
                see :class:`~vectab.vectors.similarity.FastIndex`); a table with no cluster
                structure is searched exactly. Tables under ``FAST_MIN_ELEMENTS`` values are
                searched exactly.
            nprobe: cells searched per query in fast mode, instead of the calibrated number
                (more cells, fewer misses).

        Example:
            >>> kv = Vectors(["a", "b", "c"], np.array([[1, 0], [1, 0.1], [0, 1]], "float32"))
            >>> [[w for w, _ in row] for row in kv.most_similar_batch(["a", "c"], topn=1)]
            [['b'], ['b']]
        """
        if isinstance(words, str):
            raise TypeError("`words` must be a list of words, got a single str; wrap it in a list")
        _check_search(topn)
        check_bool(fast, "fast")
        rows = [self.get_vector(w) for w in words]
        ids = [self.key_to_index.get(w, -1) for w in words]
        if not rows or topn == 0:
            return [[] for _ in words]
        k = min(topn, len(self) - 1)
        scores, top = self.topk_cosine(
            np.asarray(rows, np.float32), k, exclude=torch.tensor(ids), fast=fast, nprobe=nprobe
        )
        keys = self.index_to_key
        return [
            [(keys[i], s) for i, s in zip(r_ids, r_s)]
            for r_ids, r_s in zip(top.tolist(), scores.tolist())
        ]

    def evaluate_word_pairs(
        self,
        pairs: Any,
        delimiter: str = "\t",
        encoding: str = "utf8",
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
    ) -> Any:
        """Correlation with human similarity scores (gensim's method of the same name).

        ``pearson, spearman, oov_ratio = kv.evaluate_word_pairs(path)`` as in gensim; see
        :func:`vectab.vectors.evaluate.evaluate_word_pairs`.
        """
        return evaluate_word_pairs(
            self,
            pairs,
            delimiter=delimiter,
            encoding=encoding,
            restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
            dummy4unknown=dummy4unknown,
        )

    def evaluate_word_analogies(
        self,
        analogies: Any,
        restrict_vocab: int = 300000,
        case_insensitive: bool = True,
        dummy4unknown: bool = False,
        similarity_function: str = "most_similar",
    ) -> Any:
        """3CosAdd and 3CosMul analogy accuracy (gensim's method of the same name).

        ``score, sections = kv.evaluate_word_analogies(path)`` as in gensim (``score`` is the
        3CosAdd accuracy; ``result.accuracy_cosmul`` is 3CosMul's). ``similarity_function``:
        gensim's argument; both methods are always scored, so only ``"most_similar"`` is
        accepted. See :func:`vectab.vectors.evaluate.evaluate_word_analogies`.
        """
        if similarity_function != "most_similar":
            raise ValueError(
                f"`similarity_function` must be 'most_similar', got {similarity_function!r}; "
                "3CosMul accuracy is always computed: read `result.accuracy_cosmul`"
            )
        return evaluate_word_analogies(
            self,
            analogies,
            restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
            dummy4unknown=dummy4unknown,
        )


KeyedVectors = Vectors  # gensim's name: `from vectab.vectors import KeyedVectors` ports gensim code
