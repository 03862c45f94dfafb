"""The vector cache: parse a text or binary file once, memory-map it ever after.

The first load of a word2vec/GloVe/fastText text or word2vec binary file writes vectab's
format (`vectab.vectors.formats.native`) under ``$VECTAB_CACHE_DIR`` (default
``~/.cache/vectab``). The cache file is named by a hash of the resolved path and the load
options; inside, its metadata records the source's identity. A later load uses it only if
that identity still matches and the file passes its header, length and whole-file checksum
checks; anything else (source edited, cache damaged, truncated, overwritten, or written by an
earlier vectab) is rebuilt, never trusted. Writes go to a temporary file renamed into place,
so two processes loading the same file at once both succeed, and a reader never sees half a
file.

The identity of a source is what no ordinary copy or edit keeps by accident: device, inode,
size, ``mtime_ns`` and ``ctime_ns``. ``touch -r``, ``cp -p``, ``rsync -t`` and ``tar`` can set
the old mtime back, but not the ctime, which the kernel sets on every write and metadata change;
a file replaced by a rename (what editors, ``rsync`` and ``tar`` do) gets a new inode. Two
cases add a content hash of the source (xxh3-128 of its bytes, taken before the parse):

- the filesystem gives no inode or no change time (``st_ino == 0``, ``st_ctime_ns == 0``, or
  Windows, where ``st_ctime`` is the creation time): every load hashes the source;
- the source was changed less than 2 s before its identity was taken ("racy", as git calls
  it): on filesystems whose timestamps tick coarsely, an edit in the same tick could keep
  every stat field, so the entry also records the content hash. The first load after the
  window has passed checks it once more and rewrites the entry without it.

Clock skew on network filesystems (a server clock behind the client's) can hide a racy
source; the stat identity is then all that protects the entry.

A ctime that moves without an edit (``chmod``, a new hard link) only costs a rebuild.
Every cached reload verifies the whole cache file's checksum (40-50 ms per 480 MB in the
page cache); see `vectab.vectors.formats.native` for that trade-off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import xxhash

from vectab._cachedir import cache_root
from vectab._fileio import atomic_path
from vectab.errors import VectorFormatError
from vectab.vectors.formats._report import LoadReport
from vectab.vectors.formats._source import Source
from vectab.vectors.formats.native import read_native, write_native

__all__ = ["cache_dir", "clear_cache", "CacheEntry"]

_SUFFIX = ".vectab"
_RACY_NS = 2_000_000_000  # a source changed this recently may share a timestamp tick with an edit


def cache_dir() -> Path:
    """Where cached vectors live: ``$VECTAB_CACHE_DIR``, else ``~/.cache/vectab``.

    ``$XDG_CACHE_HOME`` replaces ``~/.cache`` when set (`vectab._cachedir.cache_root`); the
    compiled kernels are cached in its ``numba`` folder (`vectab._jit`).

    Example:
        >>> import os, tempfile
        >>> os.environ["VECTAB_CACHE_DIR"] = folder = tempfile.mkdtemp()
        >>> cache_dir() == Path(folder)
        True
    """
    return cache_root()


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


def _stat(path: Path, opened: Source | None = None) -> os.stat_result:
    """``os.stat(path)``; of the load's open file (``os.fstat``, the same fields) when given."""
    return opened.stat if opened is not None else os.stat(path)


def _content_hash(path: Path | Source) -> str:
    """xxh3-128 of the file's bytes, read in 16 MB pieces (from the open `Source` when given)."""
    h = xxhash.xxh3_128()
    if isinstance(path, Source):
        for chunk in path.chunks():
            h.update(chunk)
        return h.hexdigest()
    buffer = bytearray(16 << 20)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buffer):
            h.update(view[:n])
    return h.hexdigest()


def _source_identity(path: Path, opened: Source | None = None) -> tuple[dict[str, object], bool]:
    """The stat identity of ``path`` (of its open `Source` when given) and whether it needs a
    content hash besides."""
    stat = _stat(path, opened)
    identity: dict[str, object] = {
        "dev": stat.st_dev,
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
    }
    # Windows' st_ctime is the creation time, which an edit does not change
    weak = stat.st_ino == 0 or stat.st_ctime_ns == 0 or os.name == "nt"
    racy = time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < _RACY_NS
    return identity, weak or racy


class CacheEntry:
    """The cache slot of one source file under one set of load options.

    The source's identity (device, inode, size, mtime, ctime; and a content hash when those
    can't be trusted) is taken when the entry is made, before parsing: if the file changes
    during the parse, the cache records the old identity and the next load rebuilds it.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | Source,
        *,
        format: str,
        dtype: np.dtype,
        on_error: str,
        encoding: str = "utf-8",
        unicode_errors: str = "strict",
    ) -> None:
        opened = source if isinstance(source, Source) else None
        # an open file's path needs no Path.resolve (which stats it again to find symlink loops)
        resolved = (
            Path(os.path.realpath(source.path)) if opened is not None else Path(source).resolve()
        )
        options = {"format": format, "dtype": np.dtype(dtype).name, "on_error": on_error}
        if (encoding, unicode_errors) != ("utf-8", "strict"):  # words decoded another way
            options.update(encoding=encoding, unicode_errors=unicode_errors)
        key = json.dumps({"path": str(resolved), **options}, sort_keys=True)
        name = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        self.source = resolved
        self.path = cache_dir() / f"{resolved.name[:40]}.{name}{_SUFFIX}"
        self._opened = opened  # the load's open file: identity and hash come from it
        stat_identity, self._needs_hash = _source_identity(resolved, opened)
        self.identity = json.dumps(
            {"path": str(resolved), **stat_identity, **options}, sort_keys=True
        )
        # taken before the parse, like the stat: a change during the parse means a rebuild next time
        self._content = _content_hash(opened or resolved) if self._needs_hash else None

    def _source_hash(self) -> str:
        if self._content is None:
            usable = self._opened is not None and not self._opened.file.closed
            self._content = _content_hash(self._opened if usable else self.source)
        return self._content

    def load(self) -> tuple[list[str], np.ndarray, LoadReport] | None:
        """The cached words, memory-mapped vectors and load report; None if absent or unusable."""
        if not self.path.is_file():
            return None
        try:
            words, vectors, _, meta = read_native(self.path, mmap=True, verify=True, legacy="raise")
            if meta.get("source") != self.identity:
                return None  # the source changed: rebuild (the new write replaces this file)
            recorded = meta.get("source_hash")
            if (self._needs_hash or recorded is not None) and recorded != self._source_hash():
                return None  # same stat fields, other content: rebuild
            report = LoadReport.from_json(meta["load_report"])
        except (VectorFormatError, OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                self.path.unlink()
            return None
        if recorded is not None and not self._needs_hash:
            # written while the source was racy, and the content still matches: the stat identity
            # is trustworthy now, so drop the content check (it would cost a read of the source
            # on every later load). The returned map keeps the old file's inode alive.
            self.store(words, vectors, report)
        return words, vectors, report

    def store(self, words: list[str], vectors: np.ndarray, report: LoadReport) -> None:
        """Write the cache atomically; a failure (read-only disk, full disk) only warns."""
        meta = {"source": self.identity, "load_report": report.to_json()}
        try:
            if self._needs_hash:  # then taken in __init__, before the parse
                meta["source_hash"] = self._source_hash()
            with atomic_path(self.path) as tmp, open(tmp, "wb") as f:
                write_native(f, words, vectors, metadata=meta)
        except OSError as e:
            warnings.warn(
                f"could not write the vector cache {self.path} ({e}); loading works, but the "
                "next load will parse the file again. Set VECTAB_CACHE_DIR to a writable folder "
                "or pass cache=False",
                stacklevel=3,
            )
