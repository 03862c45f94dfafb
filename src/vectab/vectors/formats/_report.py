"""What a load skipped and why: `LoadReport`, the raise-or-count policy readers share, and
how words are decoded (`Decoder`: ``encoding=``, ``unicode_errors=``)."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vectab.errors import VectorFormatError

__all__ = [
    "LoadReport",
    "Problems",
    "Decoder",
    "UTF8",
    "wanted_words",
    "ON_ERROR",
    "UNICODE_ERRORS",
]

ON_ERROR = ("raise", "skip")
UNICODE_ERRORS = ("strict", "replace", "ignore")
_ASCII_PROBE = " \n\r\t0123456789.-+eE".encode("ascii")
BOM = codecs.BOM_UTF8
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


class Decoder:
    """How a reader turns a word's bytes into a str (gensim's ``encoding``/``unicode_errors``).

    ``encoding`` must keep ASCII bytes as ASCII (UTF-8, Latin-1, cp1252, cp852, ...): the readers
    find spaces, newlines and numbers as bytes. ``unicode_errors="strict"`` makes an invalid
    word a `VectorFormatError` (``path:line``); ``"replace"`` puts U+FFFD in its place and
    ``"ignore"`` drops the bad bytes, as ``bytes.decode`` does. With a UTF-8 encoding a leading
    byte-order mark (``EF BB BF``) is not part of the first word (like Python's ``utf-8-sig``).

    Example:
        >>> Decoder("latin-1", "strict").decode(b"caf\\xe9")
        'café'
        >>> Decoder("utf-8", "replace").decode(b"caf\\xe9")
        'caf\ufffd'
        >>> Decoder("utf-16", "strict")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: `encoding` must be an ASCII-compatible encoding (...), got 'utf-16'; ...
    """

    def __init__(self, encoding: str = "utf-8", unicode_errors: str = "strict") -> None:
        if not isinstance(encoding, str):
            raise TypeError(f"`encoding` must be a str such as 'utf-8', got {encoding!r}")
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise ValueError(
                f"`encoding` must be a codec Python knows, got {encoding!r}; use 'utf-8' (the "
                "default), 'latin-1', 'cp1252', ..."
            ) from None
        try:
            ascii_ok = _ASCII_PROBE.decode(name) == _ASCII_PROBE.decode("ascii")
        except (UnicodeDecodeError, ValueError):
            ascii_ok = False
        if not ascii_ok:
            raise ValueError(
                "`encoding` must be an ASCII-compatible encoding (the readers find spaces, "
                f"newlines and digits as single bytes), got {encoding!r}; vector files are UTF-8 "
                "(the default) or a single-byte code page such as 'latin-1'"
            )
        if unicode_errors not in UNICODE_ERRORS:
            raise ValueError(
                f"`unicode_errors` must be one of {UNICODE_ERRORS}, got {unicode_errors!r}: "
                "'strict' refuses a word that is not valid in `encoding`, 'replace' puts U+FFFD "
                "for each bad byte sequence, 'ignore' drops them"
            )
        self.utf8 = name in ("utf-8", "utf-8-sig")
        self.encoding = "utf-8" if self.utf8 else name
        self.errors = unicode_errors
        self.strict = unicode_errors == "strict"
        self.default = self.utf8 and self.strict

    def decode(self, data: bytes) -> str:
        """``data`` as str; raises UnicodeDecodeError only when ``unicode_errors="strict"``."""
        return data.decode(self.encoding, self.errors)

    def bom_length(self, head: bytes) -> int:
        """Bytes of byte-order mark at the start of ``head`` (the file's first bytes) to skip."""
        return len(BOM) if self.utf8 and head.startswith(BOM) else 0

    def problem(self, word: bytes, error: UnicodeDecodeError) -> str:
        """The message for a word that does not decode under ``strict``."""
        return (
            f"the word {word!r} is not valid {'UTF-8' if self.utf8 else self.encoding} "
            f"({error.reason} at byte {error.start}); pass unicode_errors='replace' (or 'ignore') "
            "to load it anyway, or encoding= the file's encoding"
        )

    def __repr__(self) -> str:
        return f"Decoder({self.encoding!r}, {self.errors!r})"


UTF8 = Decoder()


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
        raise TypeError(
            f"`vocab` must contain only str words, found {bad!r} ({type(bad).__name__})"
        )
    return words
