"""Collect parsed rows: vocabulary filter, ``limit``, duplicate words, a growing matrix."""

from __future__ import annotations

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
        self, dim: int, dtype: np.dtype, *, keep: set[str] | None, limit: int | None, problems: Problems
    ) -> None:
        self.dim = dim
        self.dtype = np.dtype(dtype)
        self.keep = keep
        self.limit = limit
        self.problems = problems
        self.rows_read = 0  # rows parsed (bad rows excluded, duplicates included)
        self.full = limit is not None and limit <= 0
        self.seen: dict[str, int] = {}
        self.words: list[str] = []
        self._matrix = np.empty((0, dim), dtype=self.dtype)

    def start(self, dim: int, capacity: int) -> None:
        self.dim = dim
        self._matrix = np.empty((max(capacity, 0), dim), dtype=self.dtype)

    @property
    def rows_total(self) -> int:
        """Rows met in the file so far, unreadable ones included."""
        return self.rows_read + self.problems.bad_rows

    def add(self, words: list[str], matrix: np.ndarray, lines: Sequence[int]) -> None:
        """Take the rows of one block (``lines`` gives each row's 1-based line number)."""
        if self.full:
            return
        if self.limit is not None and self.rows_read + len(words) >= self.limit:
            room = self.limit - self.rows_read
            words, matrix, lines = words[:room], matrix[:room], lines[:room]
            self.full = True
        self.rows_read += len(words)
        if self.keep is not None:
            keep = self.keep
            idx = [i for i, w in enumerate(words) if w in keep]
            if len(idx) < len(words):
                words = [words[i] for i in idx]
                matrix = matrix[idx]
                lines = [lines[i] for i in idx]
        if not words:
            return
        if len(set(words)) == len(words) and self.seen.keys().isdisjoint(words):
            self.seen.update(zip(words, lines))
            self._append(words, matrix)
            return
        idx = []
        for i, w in enumerate(words):
            first = self.seen.get(w)
            if first is not None:
                self.problems.bad(
                    lines[i], "duplicate word", f"the word {w!r} already appeared on line {first}", row=False
                )
                continue
            self.seen[w] = lines[i]
            idx.append(i)
        self._append([words[i] for i in idx], matrix[idx])

    def _append(self, words: list[str], matrix: np.ndarray) -> None:
        n, have = len(words), len(self.words)
        if have + n > self._matrix.shape[0]:
            grown = np.empty((max(2 * self._matrix.shape[0], have + n, 16), self.dim), self.dtype)
            grown[:have] = self._matrix[:have]
            self._matrix = grown
        self._matrix[have : have + n] = matrix
        self.words.extend(words)

    def finish(self) -> tuple[list[str], np.ndarray]:
        """The kept words and their ``(rows, dim)`` matrix (trimmed in place, no copy)."""
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
