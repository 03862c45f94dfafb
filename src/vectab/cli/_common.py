"""What every command shares: user errors as one line on stderr and exit code 1."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from vectab.errors import VectabError

F = TypeVar("F", bound=Callable[..., Any])

# Exceptions that mean "the user gave something wrong", not "vectab has a bug".
USER_ERRORS: tuple[type[BaseException], ...] = (
    VectabError,
    ValueError,
    TypeError,
    KeyError,
    FileNotFoundError,
    IsADirectoryError,
    PermissionError,
)


def verbose_enabled() -> bool:
    """True when --verbose was given to `vectab` (or VECTAB_VERBOSE=1)."""
    return os.environ.get("VECTAB_VERBOSE", "") not in ("", "0")


def user_errors(fn: F) -> F:
    """Turn user errors raised by ``fn`` into one line on stderr and exit code 1.

    With ``vectab --verbose`` the traceback is shown too.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            if verbose_enabled():
                raise
            msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            typer.echo(f"error: {msg}", err=True)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def stderr_console() -> Any:
    """A rich console on stderr, for progress bars and tables that are not the command's output."""
    from rich.console import Console

    return Console(stderr=True)


def is_main_process() -> bool:
    """False on the non-zero ranks of a torchrun job (they stay quiet)."""
    return os.environ.get("RANK", "0") == "0"


__all__ = ["USER_ERRORS", "user_errors", "verbose_enabled", "stderr_console", "is_main_process"]
