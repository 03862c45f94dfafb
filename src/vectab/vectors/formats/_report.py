"""What a load skipped and why: `LoadReport`, and the raise-or-count policy readers share."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vectab.errors import VectorFormatError

__all__ = ["LoadReport", "Problems", "wanted_words", "ON_ERROR"]

ON_ERROR = ("raise", "skip")
_EXAMPLES_PER_REASON = 3


@dataclass
class LoadReport:
    """Counts of what a load read, kept and skipped (``Vectors.load_report``).

    Attributes:
        path: the file that was read.
        rows_read: vector rows met in the file (bad ones included).
        rows_kept: rows in the returned `Vectors`.
        skipped: reason -> number of rows (or problems) skipped for that reason.
        examples: reason -> the first few messages, ``path:line: ...``.

    Example:
        >>> r = LoadReport("v.txt", rows_read=3, rows_kept=2, skipped={"duplicate word": 1})
        >>> print(r.summary())
        v.txt: kept 2 of 3 rows; skipped 1: duplicate word 1
    """

    path: str
    rows_read: int = 0
    rows_kept: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def num_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        """One line: rows kept, rows read, and the skip count per reason."""
        text = f"{self.path}: kept {self.rows_kept} of {self.rows_read} rows"
        if self.skipped:
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items()))
            text += f"; skipped {self.num_skipped}: {reasons}"
        return text

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LoadReport:
        return cls(**json.loads(text))


class Problems:
    """Raise a `VectorFormatError` for a bad row, or count it (``on_error="skip"``)."""

    def __init__(self, path: object, on_error: str) -> None:
        if on_error not in ON_ERROR:
            raise ValueError(
                f"`on_error` must be one of {ON_ERROR}, got {on_error!r}: 'raise' stops at the "
                "first bad row, 'skip' loads the rest and reports what it skipped"
            )
        self.skip = on_error == "skip"
        self.report = LoadReport(str(path))
        self.bad_rows = 0

    def bad(self, line: int | None, reason: str, message: str, *, row: bool = True) -> None:
        """Handle one problem: raise it, or count it under ``reason`` and go on.

        ``row=False`` marks a problem that is not an unreadable row (a duplicate, a header).
        """
        error = VectorFormatError(self.report.path, line, message)
        if not self.skip:
            raise error
        self.bad_rows += row
        self.report.skipped[reason] = self.report.skipped.get(reason, 0) + 1
        examples = self.report.examples.setdefault(reason, [])
        if len(examples) < _EXAMPLES_PER_REASON:
            examples.append(str(error))


def wanted_words(vocab: Any) -> set[str] | None:
    """Normalise ``vocab=`` (a Tokenizer, a word_index dict, or an iterable of words) to a set.

    Example:
        >>> sorted(wanted_words({"the": 1, "cat": 2}))
        ['cat', 'the']
        >>> wanted_words(None) is None
        True
    """
    if vocab is None:
        return None
    if hasattr(vocab, "word_index"):
        vocab = vocab.word_index
    if isinstance(vocab, (str, bytes)):
        raise TypeError(
            f"`vocab` must be a Tokenizer, a word_index dict or an iterable of words, got the "
            f"string {vocab[:40]!r}; wrap a single word in a list: vocab=[{vocab[:40]!r}]"
        )
    if not isinstance(vocab, Iterable):
        raise TypeError(
            "`vocab` must be a Tokenizer, a word_index dict or an iterable of words, got "
            f"{type(vocab).__name__}"
        )
    words = set(vocab)
    bad = next((w for w in words if not isinstance(w, str)), None)
    if bad is not None:
        raise TypeError(f"`vocab` must contain only str words, found {bad!r} ({type(bad).__name__})")
    return words
