"""word2vec binary: the C tool's format (``-binary 1``), as gensim reads and writes it.

A ``count dim\\n`` text header, then per word: the UTF-8 word, one space, ``dim`` little-endian
float32 values, and (word2vec.c; gensim omits it) a newline.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
from collections.abc import Sequence
from typing import IO

import numpy as np

from vectab.errors import VectorFormatError
from vectab.vectors.formats._kernels import kernels_ready, scan_binary
from vectab.vectors.formats._report import UTF8, Decoder, Problems
from vectab.vectors.formats._rows import RowSink
from vectab.vectors.formats._source import Source, opened
from vectab.vectors.formats.text import MAX_LINE, _release, parse_header

__all__ = ["read_binary", "write_binary"]

_BLOCK = 16 << 20
_MAX_WORD = 1 << 16
_STEP_ROWS = 1 << 13
_TEXTY = frozenset(b"0123456789.-+eE \n\r")


def _scan(buf: bytes, pos: int, record: int, max_rows: int) -> tuple[list[int], list[int], int]:
    """Find whole records in ``buf`` from ``pos``: their word starts, space positions, new pos."""
    starts: list[int] = []
    spaces: list[int] = []
    size = len(buf)
    find = buf.find
    while len(starts) < max_rows:
        if pos < size and buf[pos] == 10:  # the newline word2vec.c writes after each vector
            pos += 1
        space = find(b" ", pos, pos + _MAX_WORD)
        if space < 0 or space + 1 + record > size:
            break
        starts.append(pos)
        spaces.append(space)
        pos = space + 1 + record
    return starts, spaces, pos


def read_binary(
    source: str | os.PathLike[str] | Source,
    *,
    limit: int | None,
    keep: set[str] | None,
    dtype: np.dtype,
    problems: Problems,
    decoder: Decoder = UTF8,
) -> tuple[list[str], np.ndarray]:
    """Read a word2vec binary file (a path, or the load's `Source`); returns the words and a
    ``(rows, dim)`` matrix."""
    with opened(source) as src:
        path, total, f = src.path, src.length, src.stream()
        first = f.readline(1 << 10)
        skip = decoder.bom_length(first)
        first = first[skip:]
        if not first.strip():
            raise VectorFormatError(path, None, "the file is empty (expected word vectors)")
        count, dim = parse_header(path, first)
        record = 4 * dim
        if record + _MAX_WORD + 2 > MAX_LINE:
            raise VectorFormatError(
                path,
                1,
                f"the header says {dim} dims: records of {record} bytes, more than the {MAX_LINE} "
                "bytes a record may take; a damaged header, or not a word2vec binary file",
            )
        first_len = skip + len(first)
        capacity = count
        bound = None
        if total is not None:
            body = total - first_len
            if count * (record + 2) > body:
                problems.bad(
                    1,
                    "truncated",
                    f"the header says {count} words of {dim} dims, which needs at least "
                    f"{count * (record + 2)} bytes, but the file has {body} bytes after the header "
                    "(a truncated file, or a wrong header)",
                    row=False,
                )
            # up front at most 128 MiB of rows: the rest grows (doubling) with the records found,
            # so a file of zeros behind a big header allocates nothing near its size
            bound = min(capacity, max(body, 0) // (record + 2))
            capacity = min(bound, (8 * _BLOCK) // (record + 2))
        else:
            capacity = min(capacity, _BLOCK // (record + 2))  # grows with what the stream holds
        if keep is not None:
            capacity = min(capacity, len(keep))
        if limit is not None:
            capacity = min(capacity, limit)
        sink = RowSink(dim, dtype, keep=keep, limit=limit, problems=problems)
        sink.start(dim, capacity, bound=bound)
        mapped = _map(f) if total is not None else None
        if mapped is not None:  # an uncompressed file: scan the page cache in place, no copies
            buf, pos, eof = mapped, first_len, True
        else:
            buf, pos, eof = b"", 0, False
        index, done, released = 0, first_len, 0
        scratch = np.empty((0, record), dtype=np.uint8)
        whole = (
            record + _MAX_WORD + 2
        )  # the most bytes one record (word, space, vector, newline) takes
        while index < count and not sink.full:
            if mapped is None:
                chunk = b"" if eof else f.read(_BLOCK)
                eof = eof or not chunk
                buf = buf[pos:] + chunk
                pos = 0
                done += len(chunk)
            step = min(count - index, _STEP_ROWS) if mapped is not None else count - index
            vectors, blob, in_place = None, None, False
            rows = min(
                step, (len(buf) - pos) // (record + 2)
            )  # complete records the bytes can hold
            if rows == 0:
                found = 0
                starts, spaces = [], []
            elif kernels_ready():
                in_place = keep is None and limit is None and sink.dtype == np.float32
                if in_place:  # the vectors go straight into the output matrix
                    target = sink.reserve(rows).view(np.uint8)
                else:
                    if scratch.shape[0] < rows:
                        scratch = np.empty((rows, record), dtype=np.uint8)
                    target = scratch
                view = np.frombuffer(buf, dtype=np.uint8)
                found, pos, starts_a, spaces_a, blob = scan_binary(
                    view, pos, record, rows, _MAX_WORD, target
                )
                del view
                starts, spaces = starts_a.tolist(), spaces_a.tolist()
                vectors = target[:found].view("<f4")
            else:
                starts, spaces, pos = _scan(buf, pos, record, rows)
                found = len(starts)
            if index == 0 and spaces:
                _check_not_text(path, buf[spaces[0] + 1 : spaces[0] + 1 + record])
            _take(buf, starts, spaces, index, dim, sink, problems, vectors, blob, in_place, decoder)
            if mapped is not None:
                done = pos
                released = _release(mapped, released, pos)
            index += found
            src.advance(done, words=sink.rows_read)
            if found == 0 and len(buf) - pos >= whole:  # a whole record's bytes, and no record
                _no_space(path, index, bytes(buf[pos : pos + whole]))
            if eof and found < step:
                _report_end(bytes(buf[pos : pos + whole]), index, count, record, sink, problems)
                break
        if index >= count and limit is None and keep is None:
            extra = bytes(buf[pos : pos + 64]) + (b"" if mapped is not None else f.read(64))
            extra = extra.strip()
            if extra:
                problems.bad(
                    1,
                    "header count",
                    f"the header says {count} words but the file goes on after record {count}",
                    row=False,
                )
        if mapped is not None:
            del buf
            with contextlib.suppress(BufferError):  # a view still alive: the GC closes it
                mapped.close()
    return sink.finish()


def _no_space(path: object, index: int, rest: bytes) -> None:
    """Record ``index + 1`` has no space ending its word within 64 KiB: no way to go on."""
    rest = rest[1:] if rest[:1] == b"\n" else rest
    raise VectorFormatError(
        path,
        index + 2,
        f"record {index + 1}: no space ends the word within {_MAX_WORD} bytes (found "
        f"{rest[:20]!r}...): not a word2vec binary file, or a damaged one",
    )


def _map(f: IO[bytes]) -> mmap.mmap | None:
    try:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _report_end(
    rest: bytes, index: int, count: int, record: int, sink: RowSink, problems: Problems
) -> None:
    """The data ran out before ``count`` records: a truncated record, or a short file."""
    rest = rest.lstrip(b"\n")
    if rest:
        if b" " not in rest[: _MAX_WORD + 1] and len(rest) > _MAX_WORD:
            _no_space(problems.report.path, index, rest)
        word = rest.split(b" ", 1)[0][:50]
        problems.bad(
            index + 2,
            "truncated",
            f"the file ends inside record {index + 1} of {count} (word {word!r}): expected "
            f"{record} bytes of vector after the word, found {max(len(rest) - len(word) - 1, 0)}",
        )
    elif sink.rows_total < count:
        problems.bad(
            1,
            "header count",
            f"the header says {count} words but the file has {sink.rows_total} records",
            row=False,
        )


def _check_not_text(path: object, first_vector: bytes) -> None:
    """Refuse a text file read as binary (gensim returns garbage keys from it, silently)."""
    if first_vector and set(first_vector) <= _TEXTY:
        raise VectorFormatError(
            path,
            2,
            "this looks like word2vec *text* (digits and spaces where binary float32 values "
            "were expected); load it with format='word2vec' or format='auto'",
        )


def _decode_words(
    buf: bytes,
    starts: list[int],
    spaces: list[int],
    index: int,
    keep: set[str] | None,
    problems: Problems,
    blob: bytes | None = None,
    decoder: Decoder = UTF8,
) -> tuple[list[str], list[int], list[int]]:
    """The records' words, line numbers and record indices, minus bad and unwanted words.

    ``blob``: the words joined by newlines, when the compiled scanner already gathered them.
    """
    n = len(starts)
    try:  # one decode for the whole buffer; per word only when something is wrong
        if blob is None:
            blob = b"\n".join([buf[a:b] for a, b in zip(starts, spaces)])
        words = blob.decode(decoder.encoding).split("\n")
        fast = len(words) == n and all(words)
    except UnicodeDecodeError:
        fast = False
    if fast:
        if keep is None:
            return words, list(range(index + 2, index + 2 + n)), list(range(n))
        idx = [i for i, w in enumerate(words) if w in keep]
        return [words[i] for i in idx], [index + 2 + i for i in idx], idx
    words, lines, idx = [], [], []
    for k, (a, b) in enumerate(zip(starts, spaces)):
        raw = bytes(buf[a:b])
        try:
            word = decoder.decode(raw)
        except UnicodeDecodeError as e:
            problems.bad(
                index + k + 2,
                "not UTF-8" if decoder.utf8 else "not decodable",
                decoder.problem(raw, e),
                row=False,  # counted as a row by the sink already
            )
            continue
        word = word.lstrip("\n")  # more newlines before a word: gensim and word2vec.c skip them
        if not word or "\n" in word:
            problems.bad(
                index + k + 2,
                "empty word",
                f"expected a word before the vector, found {word!r}",
                row=False,
            )
            continue
        if keep is None or word in keep:
            words.append(word)
            lines.append(index + k + 2)
            idx.append(k)
    return words, lines, idx


def _take(
    buf: bytes,
    starts: list[int],
    spaces: list[int],
    index: int,
    dim: int,
    sink: RowSink,
    problems: Problems,
    vectors: np.ndarray | None = None,
    blob: bytes | None = None,
    in_place: bool = False,
    decoder: Decoder = UTF8,
) -> None:
    """Decode the records found in ``buf`` and copy the kept vectors into ``sink``.

    ``vectors`` holds the records' vectors when the compiled scanner already copied them
    (``in_place``: into the sink's own next rows), ``blob`` their words.
    """
    n = sink.count_rows(len(starts))
    if n < len(starts):
        blob = None
    words, lines, idx = _decode_words(
        buf, starts[:n], spaces[:n], index, sink.keep, problems, blob, decoder
    )
    if not words:
        return
    record = 4 * dim
    out = sink.reserve(len(words))
    contiguous = len(idx) == idx[-1] + 1
    if vectors is not None:
        source = vectors[: len(idx)] if contiguous else vectors[idx]
        if not (in_place and contiguous):  # in place and all kept: already where they belong
            with np.errstate(over="ignore", invalid="ignore"):
                out[:] = source
    else:
        view = memoryview(buf)
        raw = b"".join([view[spaces[i] + 1 : spaces[i] + 1 + record] for i in idx])
        source = np.frombuffer(raw, dtype="<f4").reshape(len(idx), dim)
        with np.errstate(over="ignore", invalid="ignore"):
            out[:] = source
    good = np.isfinite(out).all(axis=1)
    if good.all():
        sink.commit(words, lines)
        return
    for i in np.flatnonzero(~good):
        if np.isfinite(source[i]).all():  # finite float32, too large for the output dtype
            value = float(source[i][np.argmin(np.isfinite(out[i]))])
            problems.bad(
                lines[i],
                "overflow",
                f"the vector of {words[i]!r} holds {value:.8g}, which overflows {sink.dtype.name} "
                f"(largest finite value {float(np.finfo(sink.dtype).max):.8g}); load with "
                "dtype='float32' or fix the value",
                row=False,
            )
        else:
            problems.bad(
                lines[i],
                "not finite",
                f"the vector of {words[i]!r} holds NaN or infinity",
                row=False,
            )
    sink.commit(words, lines, good)


def write_binary(f: IO[bytes], words: Sequence[str], matrix: np.ndarray) -> None:
    """Write word2vec binary with a newline after each vector, as word2vec.c does."""
    for w in words:
        if not w or " " in w or "\n" in w:
            raise ValueError(
                f"cannot write the word {w!r} to word2vec binary: words must be non-empty and hold "
                "no space or newline; save with format='vectab' to keep such words"
            )
    f.write(f"{len(words)} {matrix.shape[1]}\n".encode())
    step = 8192
    for start in range(0, len(words), step):
        block = np.ascontiguousarray(matrix[start : start + step], dtype="<f4")
        f.write(
            b"".join(
                [
                    w.encode("utf-8") + b" " + row.tobytes() + b"\n"
                    for w, row in zip(words[start : start + step], block)
                ]
            )
        )
