"""Exceptions raised by vectab.

Every error a user can cause names the argument (or file and line), states the rule, shows
what it got and suggests the fix.
"""

from __future__ import annotations

__all__ = ["VectabError", "VectorFormatError", "ModelFormatError", "OutOfVocabularyError"]


class VectabError(Exception):
    """Base class of every error vectab raises on purpose."""


class VectorFormatError(VectabError, ValueError):
    """A word-vector file does not follow its format.

    The message reads ``path:line: expected ..., found ...``; ``path`` and ``line`` (1-based, or
    ``None`` when the problem is not tied to one line) are kept as attributes.
    """

    def __init__(self, path: object, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class ModelFormatError(VectabError, ValueError):
    """A saved model (a model directory or a model file) is missing, damaged or inconsistent.

    The message reads ``path: field: expected ..., found ...``; ``path`` and ``field`` (or
    ``None`` when the problem is the whole file) are kept as attributes.
    """

    def __init__(self, path: object, field: str | None, message: str) -> None:
        self.path = str(path)
        self.field = field
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {message}")


class OutOfVocabularyError(VectabError, KeyError):
    """A word is not in the vocabulary (and no subword model can build a vector for it)."""

    def __init__(self, word: str, hint: str = "") -> None:
        self.word = word
        msg = f"word {word!r} is not in the vocabulary"
        if hint:
            msg += f"; {hint}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])
