"""numba's ``njit`` for vectab's kernels, with the on-disk cache under the user's cache folder.

``numba.njit(cache=True)`` writes its compiled files into a ``__pycache__`` folder beside the
source, i.e. inside the installed package; when that folder is read-only numba falls back to
its own user-wide folder, or recompiles on every run. :func:`njit` here keeps vectab's kernels
in ``kernel_cache_dir()`` (``<vectab cache>/numba``, beside the vector cache; see
`vectab._cachedir`), whatever the package's folder allows, and leaves numba's settings for the
program's own functions alone.

How (numba 0.5x-0.6x): the cache of a function gets its folder from the first "locator" class
that accepts it; the first one tried, ``UserProvidedCacheLocator``, reads
``numba.config.CACHE_DIR`` (``$NUMBA_CACHE_DIR``) once, when the decorator builds the cache.
:func:`njit` sets that value for the duration of the decoration only, under a lock.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vectab._cachedir import cache_root

__all__ = ["kernel_cache_dir", "njit"]

_LOCK = threading.Lock()


def kernel_cache_dir() -> Path:
    """Where vectab's compiled kernels are cached: ``<vectab cache folder>/numba``.

    ``$NUMBA_CACHE_DIR``, when set, wins: it is numba's own setting for where compiled code
    goes, and a user (or a test run sharing one compiled copy among its processes) who sets it
    means every kernel.

    Example:
        >>> import os, tempfile
        >>> os.environ["VECTAB_CACHE_DIR"] = folder = tempfile.mkdtemp()
        >>> numba_dir = os.environ.pop("NUMBA_CACHE_DIR", None)
        >>> kernel_cache_dir() == Path(folder) / "numba"
        True
        >>> os.environ["NUMBA_CACHE_DIR"] = numba_dir or folder
    """
    override = os.environ.get("NUMBA_CACHE_DIR")
    if override:
        return Path(override)
    return cache_root() / "numba"


def njit(*, cache: bool = True, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(**options)``; with ``cache=True`` the cache lives in :func:`kernel_cache_dir`.

    Requires numba (callers check that it is installed). ``cache=False``: no on-disk cache
    (e.g. a helper that is only inlined into a cached kernel).
    """
    import numba
    from numba.core import config

    def decorate(func: Callable[..., Any]) -> Any:
        if not cache:
            return numba.njit(**options)(func)
        folder = kernel_cache_dir()
        with _LOCK:
            previous = config.CACHE_DIR
            config.CACHE_DIR = os.fspath(folder)
            try:
                return numba.njit(cache=True, **options)(func)
            finally:
                config.CACHE_DIR = previous

    return decorate
