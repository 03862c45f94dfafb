"""word2vec text, GloVe and fastText ``.vec``: one space-separated reader and one writer.

A line is ``word v1 v2 ... vD``; word2vec and fastText files start with a ``count dim`` header
line, GloVe files do not. The reader streams the file in blocks of whole lines. Each block goes
first through pyarrow's multithreaded CSV parser (no quoting, no comments, no null markers, so
the GloVe words ``"``, ``#``, ``'``, ``\\`` and ``NA`` stay words); a block the fast parser
rejects is parsed again line by line by an exact parser that knows the rules (a word may hold
spaces: it is everything before the last ``dim`` numbers) and names ``path:line`` for every
problem.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import IO

import numpy as np

from vectab.errors import VectorFormatError
from vectab.vectors.formats._compress import file_size, open_binary
from vectab.vectors.formats._report import Problems
from vectab.vectors.formats._rows import RowSink

__all__ = ["read_text", "write_text", "parse_header"]

_BLOCK = 16 << 20
_MAX_HEADER = 1 << 10


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


def _line_blocks(f: IO[bytes], head: bytes) -> Iterator[bytes]:
    """Yield blocks of whole lines, each ending with ``\\n``."""
    rest = head
    while True:
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


def _guess_dim(block: bytes) -> int:
    """The most common number of values per line in the first lines of ``block``."""
    counts = Counter(
        len(line.rstrip(b"\r ").split(b" ")) - 1 for line in block.split(b"\n", 200)[:200] if line
    )
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else 0


def _fast_block(
    block: bytes, dim: int, trailing_space: bool, dtype: np.dtype
) -> tuple[list[str], np.ndarray] | None:
    """Parse a block with pyarrow; None when any line breaks the simple layout."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = ["w"] + [f"v{i}" for i in range(dim)] + (["_"] if trailing_space else [])
    float_type = pa.float64() if dtype == np.float64 else pa.float32()
    types = {n: float_type for n in names[1 : dim + 1]}
    types["w"] = pa.string()
    if trailing_space:
        types["_"] = pa.string()
    try:
        table = pacsv.read_csv(
            pa.py_buffer(block),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=" ", quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[],
                strings_can_be_null=False,
                include_columns=names[: dim + 1],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if table.num_rows != block.count(b"\n"):
        return None
    words = table.column(0).to_pylist()
    if not all(words):  # an empty word: the line started with a space
        return None
    matrix = np.empty((table.num_rows, dim), dtype=np.float64 if dtype == np.float64 else np.float32)
    for j, column in enumerate(table.columns[1 : dim + 1]):
        matrix[:, j] = column.to_numpy()
    return words, matrix


def _looks_numeric(tokens: Sequence[bytes]) -> bool:
    try:
        np.array(tokens, dtype=np.float64)
    except ValueError:
        return False
    return True


def _exact_block(
    block: bytes, dim: int, first_line: int, problems: Problems
) -> tuple[list[str], np.ndarray, list[int]]:
    """Parse a block line by line, reporting each bad line through ``problems``."""
    words: list[str] = []
    rows: list[np.ndarray] = []
    lines: list[int] = []
    for k, raw in enumerate(block.split(b"\n")[:-1]):
        line = first_line + k
        text = raw.rstrip(b"\r").rstrip(b" ")
        if not text:
            problems.bad(line, "empty line", f"expected a word and {dim} numbers, found an empty line")
            continue
        parts = text.split(b" ")
        found = len(parts) - 1
        if found > dim and not _looks_numeric(parts[1:-dim]):
            word_bytes = b" ".join(parts[:-dim])  # a word with spaces (GloVe 840B has them)
        elif found != dim:
            problems.bad(
                line, "wrong number of values", f"expected {dim} numbers after the word, found {found}"
            )
            continue
        else:
            word_bytes = parts[0]
        if not word_bytes:
            problems.bad(line, "empty word", "the line starts with a space; expected a word first")
            continue
        try:
            word = word_bytes.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.bad(
                line, "not UTF-8", f"the word {word_bytes!r} is not valid UTF-8 ({e.reason} at byte {e.start})"
            )
            continue
        values_text = parts[-dim:]
        try:
            values = np.array(values_text, dtype=np.float64)
        except ValueError:
            token = next(t for t in values_text if not _looks_numeric([t]))
            problems.bad(line, "not a number", f"expected a number after {word!r}, found {token!r}")
            continue
        if not np.isfinite(values).all():
            token = values_text[int(np.argmin(np.isfinite(values)))]
            problems.bad(line, "not finite", f"the vector of {word!r} holds {token.decode()!r}")
            continue
        words.append(word)
        rows.append(values)
        lines.append(line)
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), dim)
    return words, matrix, lines


def read_text(
    path: str | os.PathLike[str],
    *,
    header: bool,
    limit: int | None,
    keep: set[str] | None,
    dtype: np.dtype,
    problems: Problems,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Read a word2vec text (``header=True``) or GloVe (``header=False``) file.

    Returns the words and a ``(rows, dim)`` matrix of ``dtype``; memory grows with the rows
    kept, not with the file. Problems are raised or counted by ``problems``.
    """
    total = file_size(path)
    with open_binary(path) as f:
        first = f.readline(_MAX_HEADER if header else _BLOCK)
        if not first.strip():
            raise VectorFormatError(path, None, "the file is empty (expected word vectors)")
        expected_rows = None
        if header:
            expected_rows, dim = parse_header(path, first)
            head, next_line = b"", 2
        else:
            head, dim, next_line = first, 0, 1
        sink = RowSink(0, dtype, keep=keep, limit=limit, problems=problems)
        done = 0
        for block in _line_blocks(f, head):
            done += len(block)
            if dim == 0:
                dim = _guess_dim(block)
                if dim <= 0:
                    raise VectorFormatError(
                        path, next_line, "expected a word and numbers, found no numbers after the word"
                    )
            if sink.dim == 0:
                sink.start(dim, _capacity_hint(total, block, dim, keep, limit))
                first_data = block.split(b"\n", 1)[0].rstrip(b"\r")
                trailing_space = first_data.endswith(b" ")
                if not header and next_line == 1:
                    _check_not_header(path, first_data, block, dim, problems)
            n_lines = block.count(b"\n")
            fast = _fast_block(block, dim, trailing_space, dtype) if 2 * dim < len(block) else None
            if fast is not None and np.isfinite(fast[1]).all():
                sink.add(fast[0], fast[1], range(next_line, next_line + n_lines))
            else:
                words, matrix, lines = _exact_block(block, dim, next_line, problems)
                sink.add(words, matrix, lines)
            next_line += n_lines
            if progress is not None:
                progress(done, total)
            if sink.full:
                break
        if sink.dim == 0:
            sink.start(max(dim, 1), 0)
    if expected_rows is not None and not sink.full and sink.rows_total != expected_rows:
        problems.bad(
            1,
            "header count",
            f"the header says {expected_rows} words but the file has {sink.rows_total} vector rows",
        )
    return sink.finish()


def _capacity_hint(
    total: int | None, block: bytes, dim: int, keep: set[str] | None, limit: int | None
) -> int:
    """Rows to allocate up front: the file's rows estimated from the first block's line length.

    Never more than the bytes seen can hold (each number takes at least 2 bytes), whatever a
    header claims.
    """
    rows = block.count(b"\n")
    if total is not None and rows:
        rows = int(total / (len(block) / rows) * 1.02) + 16
    rows = min(rows, (total or len(block)) // (2 * dim))
    if keep is not None:
        rows = min(rows, len(keep))
    if limit is not None:
        rows = min(rows, limit)
    return max(rows, 0)


def _check_not_header(path: object, first_data: bytes, block: bytes, dim: int, problems: Problems) -> None:
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
    columns = [pc.cast(pa.array(np.ascontiguousarray(block[:, j])), pa.string()) for j in range(block.shape[1])]
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
