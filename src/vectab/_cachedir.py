"""The user's cache folder for vectab: parsed vectors and compiled kernels live under it.

``$VECTAB_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/vectab``, else ``~/.cache/vectab``.
Nothing is ever cached inside the installed package (it may be read-only, and shared).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root() -> Path:
    """Return vectab's cache folder (not created here).

    Example:
        >>> import os, tempfile
        >>> os.environ["VECTAB_CACHE_DIR"] = folder = tempfile.mkdtemp()
        >>> cache_root() == Path(folder)
        True
    """
    env = os.environ.get("VECTAB_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vectab"
