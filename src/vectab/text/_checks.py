"""Argument checks shared by the text module: each error names the argument, the rule, the
value it got and the fix (option checks are vectab._checks')."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_texts(texts: Any, name: str = "texts") -> list:
    """Return ``texts`` as a list of str (or lists of str tokens), or raise ``TypeError``."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"`{name}` must be a list of strings, got a single {type(texts).__name__}: "
            f"{short(texts)}. Wrap it in a list: [{name[:-1] or 'text'}] (a bare string would be "
            "read character by character)."
        )
    if not isinstance(texts, Iterable):
        raise TypeError(
            f"`{name}` must be a list of strings, got {type(texts).__name__}: {short(texts)}."
        )
    texts = list(texts)
    if set(map(type, texts)) <= {str}:
        return texts
    for i, text in enumerate(texts):
        check_text(text, f"{name}[{i}]")
    return texts


def check_text(text: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``text`` is a str or a list of str tokens."""
    if isinstance(text, str):
        return
    if isinstance(text, list):
        for j, token in enumerate(text):
            if not isinstance(token, str):
                raise TypeError(
                    f"`{name}` is a list of tokens, so every token must be a str; token {j} is "
                    f"{type(token).__name__}: {short(token)}. Convert the tokens with str()."
                )
        return
    raise TypeError(
        f"`{name}` must be a str (or a list of str tokens), got {type(text).__name__}: "
        f"{short(text)}. Convert values with str() and drop missing ones (None, NaN) first."
    )


def check_ids(values: np.ndarray, name: str) -> np.ndarray:
    """Raise unless ``values`` (a flat array of ids) is integer-valued and >= 0."""
    if values.size == 0:
        return values.astype(np.int64)
    if values.dtype.kind not in "iu":
        raise TypeError(
            f"`{name}` must hold integer ids, got values of dtype {values.dtype} "
            f"(e.g. {short(values.ravel()[0])}). Convert the ids with int() first."
        )
    if values.dtype.kind == "i" and values.min() < 0:
        raise ValueError(
            f"`{name}` must hold ids >= 0, got {int(values.min())}. Ids are row numbers of the "
            "vocabulary; negative values are not ids."
        )
    return values.astype(np.int64, copy=False)


def flatten_ids(sequences: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Flatten a list of id sequences into ``(ids, lengths)``; raise on bad input."""
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Iterable):
        raise TypeError(
            f"`{name}` must be a list of id sequences (lists of ints), got "
            f"{type(sequences).__name__}: {short(sequences)}."
        )
    sequences = list(sequences)
    lengths = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise TypeError(
                f"`{name}[{i}]` must be a sequence of int ids, got {type(seq).__name__}: "
                f"{short(seq)}. For a single sequence, wrap it in a list: [ids]."
            )
        lengths.append(len(seq))
    flat: list = []
    for seq in sequences:
        flat.extend(seq.tolist() if isinstance(seq, np.ndarray) else seq)
    try:
        values = np.asarray(flat)
    except ValueError as exc:
        raise ValueError(
            f"`{name}` must be lists of int ids; nested or ragged items: {exc}"
        ) from None
    if values.ndim != 1:
        raise ValueError(
            f"`{name}` must be lists of int ids, but its items are themselves sequences "
            f"(item shape {values.shape[1:]}). Pass one flat list of ids per sequence."
        )
    return check_ids(values, name), np.asarray(lengths, dtype=np.int64)
