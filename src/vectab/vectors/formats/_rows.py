"""Collect parsed rows: vocabulary filter, ``limit``, duplicate words, a growing matrix."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from vectab.vectors.formats._report import Problems

__all__ = ["RowSink"]


class RowSink:
    """Receive parsed rows block by block and keep the ones the load asked for.

    Memory grows with the rows kept: the matrix starts at a capacity hint (bounded by the file
    size, the vocabulary and ``limit``, never by a header's claim) and doubles when full.
    """

    def __init__(
        self,
        dim: int,
        dtype: np.dtype,
        *,
        keep: set[str] | None,
        limit: int | None,
        problems: Problems,
    ) -> None:
        self.dim = dim
        self.dtype = np.dtype(dtype)
        self.keep = keep
        # first space-separated token of each wanted word, to skip unwanted lines unparsed
        self.keep_first = None if keep is None else {w.split(" ", 1)[0] for w in keep}
        self.limit = limit
        self.problems = problems
        self.rows_read = 0  # rows parsed (bad rows excluded, duplicates included)
        self.full = limit is not None and limit <= 0
        self._line_starts: list[int] = []  # row where each committed block starts
        self._lines: list[Sequence[int]] = []  # each block's line numbers, to name them in errors
        self.words: list[str] = []
        self._matrix = np.empty((0, dim), dtype=self.dtype)
        self._bound: int | None = None

    def start(self, dim: int, capacity: int, *, bound: int | None = None) -> None:
        """Allocate ``capacity`` rows; ``bound``: the most rows the input can hold (its size
        over the smallest record), when known. Past ``capacity`` the matrix grows by doubling,
        or by 4x up to ``bound`` when it is known (fewer copies of a large matrix)."""
        self.dim = dim
        self._bound = bound
        self._matrix = np.empty((max(capacity, 0), dim), dtype=self.dtype)

    @property
    def rows_total(self) -> int:
        """Rows met in the file so far, unreadable ones included."""
        return self.rows_read + self.problems.bad_rows

    def count_rows(self, n: int) -> int:
        """Count ``n`` rows met in the file; return how many of them fit under ``limit``."""
        if self.full:
            return 0
        if self.limit is not None and self.rows_read + n >= self.limit:
            n = self.limit - self.rows_read
            self.full = True
        self.rows_read += n
        return n

    def reserve(self, n: int) -> np.ndarray:
        """A writable ``(n, dim)`` view where the next rows go; `commit` then keeps them."""
        have = len(self.words)
        if have + n > self._matrix.shape[0]:
            rows = 2 * self._matrix.shape[0]
            if self._bound is not None:
                rows = min(4 * self._matrix.shape[0], self._bound)
            grown = np.empty((max(rows, have + n), self.dim), self.dtype)
            grown[:have] = self._matrix[:have]
            self._matrix = grown
        return self._matrix[have : have + n]

    def commit(
        self, words: list[str], lines: Sequence[int], good: np.ndarray | None = None
    ) -> None:
        """Keep the rows written into `reserve`'s view, minus bad ones (``good`` False).

        Duplicate words are found once, in `finish` (a set over all words), not per block.
        """
        region = self._matrix[len(self.words) : len(self.words) + len(words)]
        if good is not None:
            idx = np.flatnonzero(good).tolist()
            words, lines = [words[i] for i in idx], [lines[i] for i in idx]
            if len(idx) != region.shape[0]:
                region[: len(idx)] = region[idx]
        self._line_starts.append(len(self.words))
        self._lines.append(lines)
        self.words.extend(words)

    def _line_of(self, row: int) -> int:
        chunk = bisect.bisect_right(self._line_starts, row) - 1
        return self._lines[chunk][row - self._line_starts[chunk]]

    def _drop_duplicates(self) -> None:
        """Keep each word's first row; report the others (raise, or count and drop)."""
        if len(set(self.words)) == len(self.words):
            return
        first: dict[str, int] = {}
        drop = []
        for i, w in enumerate(self.words):
            j = first.setdefault(w, i)
            if j != i:
                self.problems.bad(
                    self._line_of(i),
                    "duplicate word",
                    f"the word {w!r} already appeared on line {self._line_of(j)}",
                    row=False,
                )
                drop.append(i)
        keep = np.ones(len(self.words), dtype=bool)
        keep[drop] = False
        rows = np.flatnonzero(keep)
        self._matrix = self._matrix[rows]
        self.words = [self.words[i] for i in rows.tolist()]

    def add(self, words: list[str], matrix: np.ndarray, lines: Sequence[int]) -> None:
        """Take the rows of one block (``lines`` gives each row's 1-based line number)."""
        n = self.count_rows(len(words))
        if n < len(words):
            words, matrix, lines = words[:n], matrix[:n], lines[:n]
        if self.keep is not None:
            keep = self.keep
            idx = [i for i, w in enumerate(words) if w in keep]
            if len(idx) < len(words):
                words = [words[i] for i in idx]
                matrix = matrix[idx]
                lines = [lines[i] for i in idx]
        if words:
            self.reserve(len(words))[:] = matrix
            self.commit(words, lines)

    def finish(self) -> tuple[list[str], np.ndarray]:
        """The kept words and their ``(rows, dim)`` matrix (trimmed in place, no copy)."""
        self._drop_duplicates()
        n = len(self.words)
        matrix = self._matrix
        if matrix.shape[0] != n:
            try:
                matrix.resize((n, self.dim), refcheck=False)
            except ValueError:
                matrix = matrix[:n].copy()
        self.problems.report.rows_read = self.rows_total
        self.problems.report.rows_kept = n
        return self.words, matrix
