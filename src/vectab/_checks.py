"""The one set of argument checks: wrong type -> ``TypeError``, wrong value -> ``ValueError``.

Every message names the argument, states the rule and shows what was received:
``` `num_words` must be an int >= 1 or None, got str: '10'. ```
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["check_bool", "check_int", "check_rate", "shown"]


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(value: Any, name: str, *, minimum: int = 1, allow_none: bool = False) -> None:
    """Raise unless ``value`` is an int >= ``minimum`` (or None when ``allow_none``).

    ``True`` is not an int here, numpy integers are.

    Example:
        >>> check_int("10", "num_words", allow_none=True)
        Traceback (most recent call last):
        ...
        TypeError: `num_words` must be an int >= 1 or None, got str: '10'.
    """
    if value is None and allow_none:
        return
    rule = f"`{name}` must be an int >= {minimum}{' or None' if allow_none else ''}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{rule}, got {type(value).__name__}: {shown(value)}.")
    if value < minimum:
        fix = " Pass None for no limit." if allow_none else ""
        raise ValueError(f"{rule}, got {value}.{fix}")


def check_bool(value: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``value`` is a bool (``'no'`` or ``0`` is not a flag)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"`{name}` must be True or False, got {type(value).__name__}: {shown(value)}."
        )


def check_rate(value: Any, name: str) -> None:
    """Raise unless ``value`` is a number in [0, 1) (a dropout rate)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a float in [0, 1), got {type(value).__name__}: {shown(value)}."
        )
    if not 0.0 <= value < 1.0:
        raise ValueError(f"`{name}` must be a float in [0, 1), got {value!r}.")
