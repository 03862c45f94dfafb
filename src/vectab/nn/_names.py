"""Resolving Keras-style names (``"glorot_uniform"``, ``"l2"``, ``"max_norm"``) to objects."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any


def from_name(table: Mapping[str, Callable[[], Any]], name: str, *, arg: str, expected: str) -> Any:
    """Build ``table[name]()``; an unknown name raises a ValueError that suggests the closest.

    Example:
        >>> from_name({"l2": dict}, "l22", arg="embeddings_regularizer", expected="'l2'")
        Traceback (most recent call last):
        ...
        ValueError: `embeddings_regularizer` must be 'l2'; got 'l22'. Did you mean 'l2'?
    """
    if name in table:
        return table[name]()
    close = difflib.get_close_matches(name, list(table), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"`{arg}` must be {expected}; got {name!r}.{hint}")
