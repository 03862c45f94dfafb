"""Open a vector file for streaming, whatever its compression (.gz, .bz2, .xz, .zip).

The compression is recognised from the first bytes of the file, not from its name, so a
renamed or extension-less archive still opens. Writing picks the compressor from the name.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zipfile
from pathlib import Path
from typing import IO

from vectab.errors import VectorFormatError

__all__ = ["open_binary", "compression_of", "open_for_write", "file_size"]

_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
}
_SUFFIX = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip"}
_BUFFER = 1 << 20


def compression_of(path: str | os.PathLike[str]) -> str | None:
    """Name the compression of ``path`` from its first bytes (None when uncompressed).

    Example:
        >>> import gzip, tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt"  # no .gz in the name
        >>> _ = p.write_bytes(gzip.compress(b"a 1.0\\n"))
        >>> compression_of(p)
        'gzip'
    """
    with open(path, "rb") as f:
        head = f.read(6)
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    return None


def _zip_member(path: Path, archive: zipfile.ZipFile) -> str:
    names = [
        n for n in archive.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")
    ]
    if len(names) == 1:
        return names[0]
    raise VectorFormatError(
        path,
        None,
        f"the zip archive holds {len(names)} files {names[:10]}; expected exactly one vector "
        "file. Extract the one you want (e.g. `unzip archive.zip member.txt`) and load that",
    )


def open_binary(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing on the fly.

    Example:
        >>> import bz2, tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt.bz2"
        >>> _ = p.write_bytes(bz2.compress(b"a 1.0\\n"))
        >>> with open_binary(p) as f:
        ...     f.read()
        b'a 1.0\\n'
    """
    path = Path(path)
    kind = compression_of(path)
    if kind is None:
        return open(path, "rb", buffering=_BUFFER)
    if kind == "gzip":
        return io.BufferedReader(gzip.GzipFile(path, "rb"), buffer_size=_BUFFER)
    if kind == "bz2":
        return io.BufferedReader(bz2.BZ2File(path, "rb"), buffer_size=_BUFFER)
    if kind == "xz":
        return io.BufferedReader(lzma.LZMAFile(path, "rb"), buffer_size=_BUFFER)
    archive = zipfile.ZipFile(path)
    member = archive.open(_zip_member(path, archive))
    reader = io.BufferedReader(member, buffer_size=_BUFFER)  # type: ignore[arg-type]
    return reader


def file_size(path: str | os.PathLike[str]) -> int | None:
    """Uncompressed size of ``path`` in bytes when known cheaply, else None."""
    if compression_of(path) is None:
        return os.path.getsize(path)
    return None


def open_for_write(tmp_path: str | os.PathLike[str], final_name: str) -> IO[bytes]:
    """Open ``tmp_path`` for writing bytes, compressed as the suffix of ``final_name`` says."""
    kind = _SUFFIX.get(Path(final_name).suffix.lower())
    if kind == "gzip":
        return gzip.open(tmp_path, "wb", compresslevel=6)  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.open(tmp_path, "wb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.open(tmp_path, "wb")  # type: ignore[return-value]
    if kind == "zip":
        raise ValueError(
            f"cannot write {final_name!r}: writing .zip archives is not supported; "
            "use .gz, .bz2 or .xz, or no compression"
        )
    return open(tmp_path, "wb", buffering=_BUFFER)
