"""Open a vector file for streaming, whatever its compression (.gz, .bz2, .xz, .zip).

The compression is recognised from the first bytes of the file, not from its name, so a
renamed or extension-less archive still opens. Writing picks the compressor from the name.

A damaged archive (bad CRC, a stream cut short, garbage after the magic bytes, a zip without
its directory) is a `VectorFormatError` naming the file, whenever the damage is met: the
decompressors' own errors (``zlib.error``, ``EOFError``, ``BadGzipFile``, ``LZMAError``,
``BadZipFile``) never reach the caller.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import zipfile
import zlib
from pathlib import Path
from typing import IO

from vectab.errors import VectorFormatError

__all__ = [
    "open_binary", "compression_of", "compression_of_head", "decompressing", "open_for_write"
]

_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
}
# bz2: 'BZh', the block size digit, then a block (pi) or the end of stream (sqrt(pi)); a text
# file whose first word starts with 'BZh' is not bz2
_BZ2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")
_DAMAGE = (zlib.error, EOFError, OSError, lzma.LZMAError, zipfile.BadZipFile, zipfile.LargeZipFile,
           NotImplementedError)
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
        return compression_of_head(f.read(10))


def compression_of_head(head: bytes) -> str | None:
    """Name the compression whose magic bytes start ``head`` (a file's first 10 bytes)."""
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    if (
        head[:3] == b"BZh"
        and head[3:4] in b"123456789"
        and len(head) >= 4
        and head[4:10] in _BZ2_BLOCKS
    ):
        return "bz2"
    return None


def _damaged(path: Path, kind: str, error: BaseException) -> VectorFormatError:
    if isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)):
        raise error  # not damage: the caller's own problem, as it is
    detail = str(error) or type(error).__name__
    return VectorFormatError(
        path,
        None,
        f"the {kind} data is damaged ({type(error).__name__}: {detail}): a truncated download or "
        f"a corrupt archive; fetch the file again, or test it with `{_TOOL[kind]}`",
    )


_TOOL = {"gzip": "gzip -t", "bz2": "bzip2 -t", "xz": "xz -t", "zip": "unzip -t"}


class _Guarded(io.RawIOBase):
    """A decompressing stream whose errors are `VectorFormatError` naming the file."""

    def __init__(self, inner: IO[bytes], path: Path, kind: str, owner: object = None) -> None:
        self._inner = inner
        self._path = path
        self._kind = kind
        self._owner = owner  # the ZipFile to close with the member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except _DAMAGE as error:
            raise _damaged(self._path, self._kind, error) from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(*_DAMAGE):
                self._inner.close()
            if self._owner is not None:
                self._owner.close()  # type: ignore[attr-defined]
        super().close()


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
    """Open ``path`` for reading bytes, decompressing on the fly (closing it closes the file).

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
    return decompressing(path, path, kind)


def decompressing(file: str | os.PathLike[str] | IO[bytes], path: Path, kind: str) -> IO[bytes]:
    """A stream of the data ``file`` (a path, or an open binary file at the start of the
    archive, which stays open when the stream is closed) holds compressed with ``kind``.

    Its errors are `VectorFormatError` naming ``path``.
    """
    owner = None
    try:
        if kind == "gzip":
            if isinstance(file, (str, os.PathLike)):
                inner: IO[bytes] = gzip.GzipFile(file, "rb")  # type: ignore[assignment]
            else:
                inner = gzip.GzipFile(fileobj=file, mode="rb")  # type: ignore[assignment]
        elif kind == "bz2":
            inner = bz2.BZ2File(file, "rb")  # type: ignore[assignment]
        elif kind == "xz":
            inner = lzma.LZMAFile(file, "rb")  # type: ignore[assignment]
        else:
            owner = zipfile.ZipFile(file)
            try:
                inner = owner.open(_zip_member(path, owner))
            except BaseException:
                owner.close()
                raise
    except _DAMAGE as error:
        raise _damaged(path, kind, error) from None
    return io.BufferedReader(_Guarded(inner, path, kind, owner), buffer_size=_BUFFER)


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
