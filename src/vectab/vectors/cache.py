"""The vector cache: parse a text or binary file once, memory-map it ever after.

The first load of a word2vec/GloVe/fastText text or word2vec binary file writes vectab's
format (`vectab.vectors.formats.native`) under ``$VECTAB_CACHE_DIR`` (default
``~/.cache/vectab``). The cache file is named by a hash of the resolved path and the load
options; inside, its metadata records the source's size and ``mtime_ns``. A later load uses
it only if that identity still matches and the file passes its header, length and checksum
checks; anything else (source edited, cache truncated or overwritten) is rebuilt, never
trusted. Writes go to a temporary file renamed into place, so two processes loading the same
file at once both succeed, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np

from vectab._fileio import atomic_path
from vectab.errors import VectorFormatError
from vectab.vectors.formats._report import LoadReport
from vectab.vectors.formats.native import read_native, write_native

__all__ = ["cache_dir", "clear_cache", "CacheEntry"]

_SUFFIX = ".vectab"


def cache_dir() -> Path:
    """Where cached vectors live: ``$VECTAB_CACHE_DIR``, else ``~/.cache/vectab``.

    Example:
        >>> import os, tempfile
        >>> os.environ["VECTAB_CACHE_DIR"] = folder = tempfile.mkdtemp()
        >>> cache_dir() == Path(folder)
        True
    """
    env = os.environ.get("VECTAB_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vectab"


def clear_cache() -> int:
    """Delete every cached vector file; return how many were removed.

    Example:
        >>> import os, tempfile
        >>> os.environ["VECTAB_CACHE_DIR"] = tempfile.mkdtemp()  # an empty cache folder
        >>> clear_cache()
        0
    """
    folder = cache_dir()
    if not folder.is_dir():
        return 0
    removed = 0
    for item in folder.iterdir():
        is_temp = item.name.startswith(".") and item.name.endswith(".tmp") and _SUFFIX in item.name
        if item.is_file() and (item.suffix == _SUFFIX or is_temp):
            with contextlib.suppress(FileNotFoundError):
                item.unlink()
                removed += 1
    return removed


class CacheEntry:
    """The cache slot of one source file under one set of load options.

    The source's identity (size, mtime) is taken when the entry is made, before parsing: if
    the file changes during the parse, the cache records the old identity and the next load
    rebuilds it.
    """

    def __init__(self, source: str | os.PathLike[str], *, format: str, dtype: np.dtype, on_error: str) -> None:
        resolved = Path(source).resolve()
        stat = resolved.stat()
        options = {"format": format, "dtype": np.dtype(dtype).name, "on_error": on_error}
        key = json.dumps({"path": str(resolved), **options}, sort_keys=True)
        name = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        self.path = cache_dir() / f"{resolved.name[:40]}.{name}{_SUFFIX}"
        self.identity = json.dumps(
            {"path": str(resolved), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, **options},
            sort_keys=True,
        )

    def load(self) -> tuple[list[str], np.ndarray, LoadReport] | None:
        """The cached words, memory-mapped vectors and load report; None if absent or unusable."""
        if not self.path.is_file():
            return None
        try:
            words, vectors, _, meta = read_native(self.path, mmap=True, verify=True)
            if meta.get("source") != self.identity:
                return None  # the source changed: rebuild (the new write replaces this file)
            report = LoadReport.from_json(meta["load_report"])
        except (VectorFormatError, OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                self.path.unlink()
            return None
        return words, vectors, report

    def store(self, words: list[str], vectors: np.ndarray, report: LoadReport) -> None:
        """Write the cache atomically; a failure (read-only disk, full disk) only warns."""
        meta = {"source": self.identity, "load_report": report.to_json()}
        try:
            with atomic_path(self.path) as tmp, open(tmp, "wb") as f:
                write_native(f, words, vectors, metadata=meta)
        except OSError as e:
            warnings.warn(
                f"could not write the vector cache {self.path} ({e}); loading works, but the "
                "next load will parse the file again. Set VECTAB_CACHE_DIR to a writable folder "
                "or pass cache=False",
                stacklevel=3,
            )
