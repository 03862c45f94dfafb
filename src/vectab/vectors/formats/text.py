"""word2vec text, GloVe and fastText ``.vec``: one space-separated reader and one writer.

A line is ``word v1 v2 ... vD``; word2vec and fastText files start with a ``count dim`` header
line, GloVe files do not. The reader streams the file in blocks of whole lines. Each block goes
first through pyarrow's multithreaded CSV parser (no quoting, no comments, no null markers, so
the GloVe words ``"``, ``#``, ``'``, ``\\`` and ``NA`` stay words); a block the fast parser
rejects is parsed again line by line by an exact parser that knows the rules (a word may hold
spaces: it is everything before the last ``dim`` numbers) and names ``path:line`` for every
problem.

Rules every path (compiled, pyarrow, exact) follows, so that a file gives the same words and
bits, or the same error, whichever parses it:

- Fields are separated by single spaces (gensim's ``line.rstrip().split(" ")``); trailing
  spaces and a ``\\r`` before the newline are ignored. A tab inside the word
  (``word\\t0.1 0.2``) is a `VectorFormatError` naming ``path:line`` ("tab"), never the word
  ``'word\\t0.1'`` with one number fewer.
- A value must be finite in the output dtype: ``nan``, ``inf``, ``1e400`` and values that
  overflow it (3.5e38 in float32, 70000 in float16) are errors naming ``path:line``.
- Words are decoded with ``encoding`` (default UTF-8) and ``unicode_errors`` (``"strict"``:
  an undecodable word is an error; ``"replace"``, ``"ignore"``: as ``bytes.decode``). A UTF-8
  byte-order mark at the start of the file is skipped (as Python's ``utf-8-sig`` does).
- Memory: no line may be longer than ``64 * dim + 64 KiB`` bytes (at most 64 MiB; before the
  first line gives ``dim``, 64 MiB): a longer line (a file without newlines, a binary file read
  as text) is a `VectorFormatError` naming its line, found after reading at most that many
  bytes of it. A header whose ``dim`` no line could hold is refused before anything is read.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
from collections.abc import Callable, Iterator, Sequence
from typing import IO

import numpy as np

from vectab.errors import VectorFormatError
from vectab.vectors.formats._kernels import kernels_ready
from vectab.vectors.formats._report import UTF8, Decoder, Problems
from vectab.vectors.formats._rows import RowSink
from vectab.vectors.formats._source import Source, opened
from vectab.vectors.formats._textparse import (
    arrow_block,
    compiled_block,
    exact_block,
    guess_dim,
    wanted_lines,
)

__all__ = ["read_text", "write_text", "parse_header", "max_line_bytes", "MAX_LINE"]

_BLOCK = 16 << 20
_MAX_HEADER = 1 << 10
MAX_LINE = 64 << 20  # no text line (and no binary record) may be longer than this
_MAX_WORD = 1 << 16


def max_line_bytes(dim: int) -> int:
    """The longest text line accepted for ``dim`` numbers: 64 bytes a number plus 64 KiB of
    word, at most `MAX_LINE` (64 MiB); ``dim=0`` (not known yet): `MAX_LINE`."""
    return MAX_LINE if dim <= 0 else min(64 * dim + _MAX_WORD, MAX_LINE)


class _LineTooLong(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


def _too_long(path: object, line: int, limit: int, dim: int) -> VectorFormatError:
    rule = (
        f"{dim} numbers allow at most {limit} bytes a line"
        if dim > 0
        else f"at most {limit} bytes a line"
    )
    return VectorFormatError(
        path,
        line,
        f"the line has no newline within {limit} bytes ({rule}): not a word-vector text file, "
        "or a damaged one (a binary file read as text? then use format='word2vec-binary')",
    )


def parse_header(path: object, line: bytes) -> tuple[int, int]:
    """Parse a word2vec ``count dim`` header line; raise `VectorFormatError` if it is not one."""
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[1]) > 0:
        return int(parts[0]), int(parts[1])
    raise VectorFormatError(
        path,
        1,
        f"expected a header line 'count dim' (word2vec / fastText text), found {line[:60]!r}; "
        "for a file without a header use format='glove' (or format='auto')",
    )


def _line_blocks(f: IO[bytes], head: bytes, max_line: Callable[[], int]) -> Iterator[bytes]:
    """Yield blocks of whole lines, each ending with ``\\n``; a line longer than
    ``max_line()`` raises `_LineTooLong` once that many of its bytes are read."""
    rest = head
    while True:
        limit = max_line()
        if len(rest) > limit:
            raise _LineTooLong(limit)
        chunk = f.read(_BLOCK)
        if not chunk:
            if rest:
                yield rest if rest.endswith(b"\n") else rest + b"\n"
            return
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut + 1]
        rest = data[cut + 1 :]


def read_text(
    source: str | os.PathLike[str] | Source,
    *,
    header: bool,
    limit: int | None,
    keep: set[str] | None,
    dtype: np.dtype,
    problems: Problems,
    decoder: Decoder = UTF8,
) -> tuple[list[str], np.ndarray]:
    """Read a word2vec text (``header=True``) or GloVe (``header=False``) file.

    ``source``: a path, or the `Source` of the load (opened once; progress goes through it).
    Returns the words and a ``(rows, dim)`` matrix of ``dtype``; memory grows with the rows
    kept, not with the file. Problems are raised or counted by ``problems``; words are decoded
    by ``decoder`` (see the module's rules).
    """
    with opened(source) as src:
        path, total, f = src.path, src.length, src.stream()
        first = f.readline(_MAX_HEADER if header else MAX_LINE + 1)
        skip = decoder.bom_length(first)
        first = first[skip:]
        if not first.strip():
            raise VectorFormatError(path, None, "the file is empty (expected word vectors)")
        expected_rows = None
        if header:
            expected_rows, dim = parse_header(path, first)
            if max_line_bytes(dim) < 2 * dim:  # each number takes a digit and a space
                raise VectorFormatError(
                    path,
                    1,
                    f"the header says {dim} numbers a line, more than any line can hold (at most "
                    f"{MAX_LINE} bytes a line); a damaged header, or not a word-vector file",
                )
            head, next_line = b"", 2
        else:
            if not first.endswith(b"\n") and len(first) > MAX_LINE:
                raise _too_long(path, 1, MAX_LINE, 0)
            head, dim, next_line = first, 0, 1
        sink = RowSink(0, dtype, keep=keep, limit=limit, problems=problems)
        mapped = _map(f) if total is not None and kernels_ready() else None
        if mapped is not None:  # uncompressed: parse the page cache in place, no copies
            blocks = _mapped_blocks(
                mapped, skip + (len(first) if header else 0), lambda: max_line_bytes(dim)
            )
        else:
            blocks = (
                (block, 0, len(block))
                for block in _line_blocks(f, head, lambda: max_line_bytes(dim))
            )
        done = skip + len(first) if header else skip
        try:
            for buf, lo, hi in blocks:
                done = hi if mapped is not None else done + hi - lo
                if dim == 0:
                    dim = guess_dim(bytes(buf[lo : min(hi, lo + (1 << 20))]))
                    if dim <= 0:
                        raise VectorFormatError(
                            path,
                            next_line,
                            "expected a word and numbers, found no numbers after the word",
                        )
                if sink.dim == 0:
                    sample = bytes(buf[lo : min(hi, lo + (4 << 20))])
                    sink.start(
                        dim,
                        _capacity_hint(
                            total, sample if mapped is not None else buf, dim, keep, limit
                        ),
                    )
                    first_data = sample.split(b"\n", 1)[0].rstrip(b"\r")
                    trailing_space = first_data.endswith(b" ")
                    if not header and next_line == 1:
                        _check_not_header(path, first_data, dim)
                _check_lengths(path, buf, lo, hi, dim, next_line)
                next_line += _parse_block(
                    buf, lo, hi, dim, next_line, trailing_space, sink, problems, decoder
                )
                src.advance(done, words=sink.rows_read)
                if sink.full:
                    break
        except _LineTooLong as error:
            raise _too_long(path, next_line, error.limit, dim) from None
        del blocks
        if mapped is not None:
            with contextlib.suppress(BufferError):  # a view still alive: the GC closes it
                mapped.close()
        if sink.dim == 0:
            sink.start(max(dim, 1), 0)
    if expected_rows is not None and not sink.full and sink.rows_total != expected_rows:
        problems.bad(
            1,
            "header count",
            f"the header says {expected_rows} words but the file has {sink.rows_total} vector rows",
        )
    return sink.finish()


def _check_lengths(path: object, buf, lo: int, hi: int, dim: int, first_line: int) -> None:
    """Refuse a block holding a line longer than `max_line_bytes` (a block's lines were cut
    before ``dim`` was known, or by the 16 MiB block size)."""
    limit = max_line_bytes(dim)
    if hi - lo <= limit:
        return
    data = np.frombuffer(buf, dtype=np.uint8)[lo:hi]
    ends = np.flatnonzero(data == 10)
    lengths = np.diff(ends, prepend=-1)
    long = np.flatnonzero(lengths > limit + 1)
    del data
    if long.size:
        raise _too_long(path, first_line + int(long[0]), limit, dim)


def _parse_block(
    buf,
    lo: int,
    hi: int,
    dim: int,
    first_line: int,
    trailing_space: bool,
    sink: RowSink,
    problems: Problems,
    decoder: Decoder = UTF8,
) -> int:
    """Parse the lines in ``buf[lo:hi]`` into ``sink``; return the number of lines."""
    if kernels_ready() and 2 * dim < hi - lo:
        n_lines = int(np.count_nonzero(np.frombuffer(buf, dtype=np.uint8)[lo:hi] == 10))
        if sink.keep is None and sink.limit is None and sink.dtype in (np.float32, np.float64):
            # parse straight into the output matrix
            out = sink.reserve(n_lines)
            words, _, good, lines = compiled_block(
                buf, lo, hi, dim, first_line, sink.dtype, problems, out, decoder=decoder
            )
            sink.count_rows(len(words) if good is None else int(good.sum()))
            sink.commit(words, lines, good)  # type: ignore[arg-type]
            return n_lines
        keep_first = sink.keep_first if sink.limit is None else None  # limit counts every row
        words, matrix, good, lines = compiled_block(
            buf,
            lo,
            hi,
            dim,
            first_line,
            sink.dtype,
            problems,
            keep_first=keep_first,
            decoder=decoder,
        )
        sink.rows_read += n_lines - len(lines)  # rows skipped unparsed: not wanted
        if good is not None:
            idx = np.flatnonzero(good).tolist()
            words, matrix, lines = [words[i] for i in idx], matrix[idx], [lines[i] for i in idx]
        sink.add(words, matrix, lines)  # type: ignore[arg-type]
        return n_lines
    block = buf if (lo, hi) == (0, len(buf)) else bytes(buf[lo:hi])
    n_lines = block.count(b"\n")
    numbers: Sequence[int] = range(first_line, first_line + n_lines)
    if sink.keep_first is not None and sink.limit is None:  # unwanted lines skipped unparsed
        block, numbers = wanted_lines(block, sink.keep_first, first_line, decoder)
        sink.rows_read += n_lines - len(numbers)
    use_arrow = decoder.utf8 and 2 * dim < len(block)  # arrow decodes words as UTF-8 only
    fast = arrow_block(block, dim, trailing_space, sink.dtype) if use_arrow else None
    if fast is not None and _fits(fast[1], sink.dtype):
        sink.add(fast[0], fast[1], numbers)
    else:
        sink.add(*exact_block(block, dim, first_line, problems, sink.dtype, decoder, numbers))
    return n_lines


def _fits(matrix: np.ndarray, dtype: np.dtype) -> bool:
    """Every value finite, also once cast to ``dtype`` (70000 overflows float16)."""
    if not np.isfinite(matrix).all():
        return False
    if matrix.dtype == dtype:
        return True
    with np.errstate(over="ignore"):
        return bool(np.isfinite(matrix.astype(dtype)).all())


def _release(mapped: mmap.mmap, released: int, upto: int) -> int:
    """Drop the pages before ``upto`` from this process (they stay in the page cache), so the
    resident memory of a load is its output, not the file."""
    upto -= upto % mmap.PAGESIZE
    if upto > released and hasattr(mapped, "madvise"):
        mapped.madvise(mmap.MADV_DONTNEED, released, upto - released)
        return upto
    return released


def _map(f: IO[bytes]) -> mmap.mmap | None:
    try:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _mapped_blocks(
    mapped: mmap.mmap, start: int, max_line: Callable[[], int]
) -> Iterator[tuple[object, int, int]]:
    """Windows of whole lines over a memory-mapped file; a last line without newline gets one.

    A line longer than ``max_line()`` raises `_LineTooLong` after looking at that many bytes.
    """
    size = len(mapped)
    pos = start
    released = 0
    while pos < size:
        limit = max_line()
        cut = mapped.rfind(b"\n", pos, min(pos + _BLOCK, size))
        if cut < 0:
            cut = mapped.find(b"\n", pos, min(pos + limit + 1, size))
        if cut < 0:
            if size - pos > limit:
                raise _LineTooLong(limit)
            yield mapped[pos:size] + b"\n", 0, size - pos + 1
            return
        yield mapped, pos, cut + 1
        pos = cut + 1
        released = _release(mapped, released, pos)


def _capacity_hint(
    total: int | None, block: bytes, dim: int, keep: set[str] | None, limit: int | None
) -> int:
    """Rows to allocate up front: the file's rows estimated from the first block's line length.

    Never more than the bytes seen can hold (each number takes at least 2 bytes), whatever a
    header claims.
    """
    rows = block.count(b"\n")
    if total is not None and rows:
        # the file's rows estimated from the first block, but at most 128x the rows it shows:
        # the rest grows (doubling) with the rows found, not with the bytes of a broken file
        rows = min(int(total / (len(block) / rows) * 1.02) + 16, 128 * rows)
    rows = min(rows, (total or len(block)) // (2 * dim))
    if keep is not None:
        rows = min(rows, len(keep))
    if limit is not None:
        rows = min(rows, limit)
    return max(rows, 0)


def _check_not_header(path: object, first_data: bytes, dim: int) -> None:
    """A GloVe read whose first line is ``count dim``: say so instead of a row-size error."""
    parts = first_data.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts) and dim != 1:
        raise VectorFormatError(
            path,
            1,
            f"expected {dim} numbers after the word, found 1: line 1 looks like a word2vec header "
            f"{first_data.decode(errors='replace')!r}; use format='word2vec' or format='auto'",
        )


def _format_rows(block: np.ndarray, precision: int | None) -> list[str]:
    """Each row as ``v1 v2 ... vD``: shortest round-trip decimals, or ``precision`` decimals."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if precision is None:
        block = block.astype(np.float64 if block.dtype == np.float64 else np.float32)
    else:
        block = np.round(block.astype(np.float64), precision)
    columns = [
        pc.cast(pa.array(np.ascontiguousarray(block[:, j])), pa.string())
        for j in range(block.shape[1])
    ]
    return pc.binary_join_element_wise(*columns, " ").to_pylist()


def check_text_words(words: Sequence[str]) -> None:
    """Text formats separate fields by spaces and lines by newlines: a word may hold neither."""
    for w in words:
        if not w or " " in w or "\n" in w or "\r" in w:
            raise ValueError(
                f"cannot write the word {w!r} to a text vector file: words must be non-empty and "
                "hold no space or newline; save with format='vectab' to keep such words"
            )


def write_text(
    f: IO[bytes],
    words: Sequence[str],
    matrix: np.ndarray,
    *,
    header: bool,
    precision: int | None = None,
) -> None:
    """Write ``words`` and ``matrix`` as word2vec text (``header=True``) or GloVe text."""
    check_text_words(words)
    if header:
        f.write(f"{len(words)} {matrix.shape[1]}\n".encode())
    step = 8192
    for start in range(0, len(words), step):
        block = np.asarray(matrix[start : start + step])
        if not np.isfinite(block).all():
            row = start + int(np.argmin(np.isfinite(block).all(axis=1)))
            raise ValueError(
                f"cannot write the vector of {words[row]!r} (row {row}): it holds NaN or infinity, "
                "which no reader accepts; fix or drop that row first"
            )
        texts = _format_rows(block, precision)
        lines = [f"{w} {t}\n" for w, t in zip(words[start : start + step], texts)]
        f.write("".join(lines).encode("utf-8"))
