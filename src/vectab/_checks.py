"""The one set of argument checks: wrong type -> ``TypeError``, wrong value -> ``ValueError``.

Every message names the argument, states the rule and shows what it got, then the fix:
``` `num_words` must be an int >= 1 or None, got str: '10'. ```
(``got <type>: <repr>`` for a wrong type, ``got <value>`` for a wrong value).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_bool", "check_choice", "check_float", "check_int", "check_rate", "check_seed",
    "shown",
]


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _got_type(rule: str, value: Any, fix: str = "") -> TypeError:
    return TypeError(f"{rule}, got {type(value).__name__}: {shown(value)}.{fix}")


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = 1,
    maximum: int | None = None,
    allow_none: bool = False,
    fix: str = "",
) -> None:
    """Raise unless ``value`` is an int in [``minimum``, ``maximum``] (or None when ``allow_none``).

    ``True`` is not an int here, numpy integers are. ``minimum=None`` takes any int.

    Example:
        >>> check_int("10", "num_words", allow_none=True)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: `num_words` must be an int >= 1 or None, got str: '10'. Pass a whole number ...
    """
    if value is None and allow_none:
        return
    if minimum is not None and maximum is not None:
        bound = f" in [{minimum}, {maximum}]"
    elif minimum is not None:
        bound = f" >= {minimum}"
    elif maximum is not None:
        bound = f" <= {maximum}"
    else:
        bound = ""
    rule = f"`{name}` must be an int{bound}{' or None' if allow_none else ''}"
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        raise _got_type(rule, value, " Pass a whole number such as 10, not a str or float.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        fix = fix or (" Pass None for no limit." if allow_none else "")
        raise ValueError(f"{rule}, got {value}.{fix}")


def check_seed(value: Any, name: str = "seed", *, allow_none: bool = False) -> None:
    """Raise unless ``value`` is a random seed: an int >= 0 (or None when ``allow_none``)."""
    check_int(value, name, minimum=0, allow_none=allow_none)


def check_bool(value: Any, name: str, *, allow_none: bool = False) -> None:
    """Raise ``TypeError`` unless ``value`` is a bool (``'no'`` or ``0`` is not a flag).

    Example:
        >>> check_bool("no", "lower")
        Traceback (most recent call last):
        ...
        TypeError: `lower` must be True or False, got str: 'no'.
    """
    if _is_bool(value) or (value is None and allow_none):
        return
    rule = f"`{name}` must be {'None, ' if allow_none else ''}True or False"
    raise _got_type(rule, value)


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_open: bool = False,
    max_open: bool = False,
    finite: bool = False,
    allow_none: bool = False,
    fix: str = "",
) -> None:
    """Raise unless ``value`` is a real number (ints count) within the bounds; NaN never is.

    ``min_open`` / ``max_open`` exclude the bound itself: ``minimum=0, min_open=True`` is > 0;
    ``finite`` refuses infinities too.

    Example:
        >>> check_float(float("nan"), "lr", minimum=0, min_open=True)
        Traceback (most recent call last):
        ...
        ValueError: `lr` must be a number > 0, got nan.
    """
    if value is None and allow_none:
        return
    if minimum is not None and maximum is not None:
        bound = f" in {'(' if min_open else '['}{minimum}, {maximum}{')' if max_open else ']'}"
    elif minimum is not None:
        bound = f" {'>' if min_open else '>='} {minimum}"
    elif maximum is not None:
        bound = f" {'<' if max_open else '<='} {maximum}"
    else:
        bound = " (not NaN)"
    kind = "a finite number" if finite else "a number"
    if finite and bound == " (not NaN)":
        bound = ""
    rule = f"`{name}` must be {kind}{bound}{' or None' if allow_none else ''}"
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise _got_type(rule, value, f" Pass a number such as 0.5, not a {type(value).__name__}.")
    number = float(value)
    low_ok = minimum is None or (number > minimum if min_open else number >= minimum)
    high_ok = maximum is None or (number < maximum if max_open else number <= maximum)
    if math.isnan(number) or (finite and math.isinf(number)) or not (low_ok and high_ok):
        raise ValueError(f"{rule}, got {value!r}.{fix}")


def check_rate(value: Any, name: str) -> None:
    """Raise unless ``value`` is a number in [0, 1) (a dropout rate)."""
    check_float(value, name, minimum=0, maximum=1, max_open=True)


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> None:
    """Raise unless ``value`` is one of ``choices`` (str options: a non-str is a ``TypeError``).

    Example:
        >>> check_choice("max", "pooling", ("mean", "last"))
        Traceback (most recent call last):
        ...
        ValueError: `pooling` must be one of 'mean', 'last', got 'max'.
    """
    options = ", ".join(repr(c) for c in choices)
    rule = f"`{name}` must be one of {options}"
    strings = all(isinstance(c, str) for c in choices if c is not None)
    if strings and not (isinstance(value, str) or (value is None and None in choices)):
        raise _got_type(rule, value)
    if value not in choices:
        raise ValueError(f"{rule}, got {shown(value)}.")
