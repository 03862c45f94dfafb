"""One vector file, opened once: `Source` (path, compression, sizes, format, the open file).

``load_vectors`` opens the file once and hands the same `Source` to detection, the cache
(identity and content hash) and the reader: nothing opens, stats or classifies the path again,
so all of them see the same file even if the path is renamed over during the load. The
readers report how far they are through `Source.advance`; the `Source` turns that into the one
progress event type (`vectab._progress.ProgressEvent`, in bytes of the file on disk).

Example:
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.txt.gz"
    >>> _ = p.write_bytes(gzip.compress(b"a 1.0 2.0\\n"))
    >>> with Source(p) as source:
    ...     source.compression, source.length, source.head()
    ('gzip', None, b'a 1.0 2.0\\n')
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from vectab._progress import ProgressEvent
from vectab.vectors.formats._compress import compression_of_head, decompressing

__all__ = ["Source", "opened"]

_BUFFER = 1 << 20
_HEAD = 1 << 20
_MAGIC_BYTES = 10


class Source:
    """A vector file opened once for a whole load.

    Attributes:
        path: the path as the caller gave it (errors name it).
        stat: ``os.fstat`` of the open file (the cache's identity: device, inode, times).
        size: bytes on disk (the compressed size of a compressed file).
        compression: ``"gzip"``, ``"bz2"``, ``"xz"``, ``"zip"`` (from the first bytes), or None.
        length: the uncompressed size when known without reading it all (an uncompressed file:
            ``size``), else None.
        format: the format (one of ``FORMATS``) once detected or given, else None.
        file: the open binary file itself (for memory maps; its position is the readers').
        done: bytes of the file on disk read so far, as last reported.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        progress: Callable[[ProgressEvent], None] | None = None,
        task: str | None = None,
    ) -> None:
        self.path = Path(os.fspath(path))
        if not self.path.is_file():
            raise FileNotFoundError(f"`path`: no vector file at {str(self.path)!r}")
        self.file: IO[bytes] = open(self.path, "rb", buffering=_BUFFER)  # noqa: SIM115
        try:
            self.stat = os.fstat(self.file.fileno())
            self.compression = compression_of_head(self.file.read(_MAGIC_BYTES))
            self.file.seek(0)
        except BaseException:
            self.file.close()
            raise
        self.size = self.stat.st_size
        self.length = self.size if self.compression is None else None
        self.format: str | None = None
        self.done = 0
        self._head: bytes | None = None
        self._streams: list[IO[bytes]] = []
        self._emit = progress
        self._task = task or f"load {self.path.name}"

    # ------------------------------------------------------------------ lifetime
    def __enter__(self) -> Source:
        self._event("start", 0)
        return self

    def __exit__(self, kind: Any, error: Any, tb: Any) -> None:
        try:
            self.close()
        finally:
            aborted = kind is not None
            self._event("end", self.done if aborted else self.size, aborted=aborted)

    def close(self) -> None:
        """Close the streams made by `stream`, then the file."""
        while self._streams:
            with contextlib.suppress(Exception):
                self._streams.pop().close()
        self.file.close()

    # ------------------------------------------------------------------ reading
    def stream(self) -> IO[bytes]:
        """A binary stream of the (decompressed) content from its first byte.

        Uncompressed: the open file itself, rewound. Compressed: a decompressor over the open
        file, whose errors are `VectorFormatError` naming the path. The `Source` closes it.
        """
        self.file.seek(0)
        if self.compression is None:
            return self.file
        stream = decompressing(self.file, self.path, self.compression)
        self._streams.append(stream)
        return stream

    def head(self) -> bytes:
        """The first MiB of the content (decompressed), read once."""
        if self._head is None:
            stream = self.stream()
            self._head = stream.read(_HEAD)
            if stream is not self.file:
                self._streams.remove(stream)
                stream.close()
        return self._head

    def chunks(self, size: int = 16 << 20) -> Iterator[bytes]:
        """The bytes on disk (compressed as they are), ``size`` at a time, from the open file;
        its position is put back after each chunk, so a reader's stream does not move."""
        offset = 0
        while True:
            where = self.file.tell()
            self.file.seek(offset)
            chunk = self.file.read(size)
            self.file.seek(where)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    # ------------------------------------------------------------------ progress
    def advance(self, position: int, *, words: int | None = None) -> None:
        """Report progress: ``position`` is the offset reached in the content (for a compressed
        file the bytes consumed on disk are reported instead). Done never moves back."""
        if self._emit is None:
            return
        if self.compression is not None:
            with contextlib.suppress(OSError, ValueError):
                position = self.file.tell()
        self.done = max(self.done, min(int(position), self.size))
        self._event("update", self.done, words=words)

    def _event(self, kind: str, done: int, *, words: int | None = None, aborted=False) -> None:
        if self._emit is None:
            return
        self._emit(
            ProgressEvent(
                self._task,
                kind,  # type: ignore[arg-type]
                done=done,
                total=self.size,
                unit="bytes",
                metrics={} if words is None else {"words": words},
                aborted=aborted,
            )
        )

    def __repr__(self) -> str:
        return (
            f"Source({str(self.path)!r}, compression={self.compression!r}, size={self.size}, "
            f"format={self.format!r})"
        )


@contextlib.contextmanager
def opened(source: Source | str | os.PathLike[str]) -> Iterator[Source]:
    """``source`` itself when it is a `Source` (its owner closes it), else a new one for the
    call (a reader called with a path)."""
    if isinstance(source, Source):
        yield source
        return
    with Source(source) as new:
        yield new
