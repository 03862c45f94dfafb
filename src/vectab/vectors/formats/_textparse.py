"""Parsers for one block of whole text lines (``word v1 .. vD\\n`` each).

Three parsers give the same rows: a compiled kernel (numba, when installed), pyarrow's
multithreaded CSV reader, and an exact line-by-line parser. The first two handle the common
case fast and hand anything unusual back; the exact parser knows every rule (a word may hold
spaces: it is everything before the last ``dim`` numbers) and reports each problem with its
line number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from vectab.vectors.formats._kernels import parse_text_lines
from vectab.vectors.formats._report import UTF8, Decoder, Problems

__all__ = ["guess_dim", "arrow_block", "compiled_block", "exact_block"]


def guess_dim(block: bytes) -> int:
    """The most common number of values per line in the first lines of ``block``."""
    counts = Counter(
        len(line.rstrip(b"\r ").split(b" ")) - 1 for line in block.split(b"\n", 200)[:200] if line
    )
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else 0


_F64 = np.dtype(np.float64)


def _looks_numeric(tokens: Sequence[bytes]) -> bool:
    try:
        np.array(tokens, dtype=np.float64)
    except ValueError:
        return False
    return True


def _overflow_message(word: str, token: bytes, dtype: np.dtype) -> str:
    info = np.finfo(dtype)
    wider = "float64" if dtype != np.float64 else None
    fix = f"load with dtype={wider!r} or fix the value" if wider else "fix the value"
    return (
        f"the vector of {word!r} holds {token.decode(errors='replace')!r}, which overflows "
        f"{dtype.name} (largest finite value {float(info.max):.8g}); {fix}"
    )


def exact_block(
    block: bytes,
    dim: int,
    first_line: int,
    problems: Problems,
    dtype: np.dtype = _F64,
    decoder: Decoder = UTF8,
    numbers: Sequence[int] | None = None,
) -> tuple[list[str], np.ndarray, list[int]]:
    """Parse a block line by line, reporting each bad line through ``problems``.

    A value must be finite once cast to ``dtype`` (3.5e38 overflows float32); a word may not
    hold a tab (``word\\t0.1 0.2`` is a tab-separated file, not the word ``'word\\t0.1'``).
    ``numbers`` gives each line's number when the block's lines are not consecutive (a
    filtered load, see `wanted_lines`); otherwise they count from ``first_line``.
    """
    dtype = np.dtype(dtype)
    words: list[str] = []
    rows: list[np.ndarray] = []
    lines: list[int] = []
    for k, raw in enumerate(block.split(b"\n")[:-1]):
        line = first_line + k if numbers is None else numbers[k]
        text = raw.rstrip(b"\r").rstrip(b" ")
        if not text:
            problems.bad(
                line, "empty line", f"expected a word and {dim} numbers, found an empty line"
            )
            continue
        parts = text.split(b" ")
        found = len(parts) - 1
        if found > dim and not _looks_numeric(parts[1:-dim]):
            word_bytes = b" ".join(parts[:-dim])  # a word with spaces (GloVe 840B has them)
        elif found != dim:
            if b"\t" in parts[0]:
                problems.bad(line, "tab", _tab_message(parts[0], dim))
                continue
            problems.bad(
                line,
                "wrong number of values",
                f"expected {dim} numbers after the word, found {found}",
            )
            continue
        else:
            word_bytes = parts[0]
        if not word_bytes:
            problems.bad(line, "empty word", "the line starts with a space; expected a word first")
            continue
        if b"\t" in word_bytes:
            problems.bad(line, "tab", _tab_message(word_bytes, dim))
            continue
        try:
            word = decoder.decode(word_bytes)
        except UnicodeDecodeError as e:
            problems.bad(
                line,
                "not UTF-8" if decoder.utf8 else "not decodable",
                decoder.problem(word_bytes, e),
            )
            continue
        if not word:
            problems.bad(
                line,
                "empty word",
                f"the word {word_bytes!r} is empty once decoded with unicode_errors='ignore'",
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
        if dtype != np.float64:
            with np.errstate(over="ignore"):
                fits = np.isfinite(values.astype(dtype))
            if not fits.all():
                token = values_text[int(np.argmin(fits))]
                problems.bad(line, "overflow", _overflow_message(word, token, dtype))
                continue
        words.append(word)
        rows.append(values)
        lines.append(line)
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), dim)
    return words, matrix, lines


def _tab_message(word: bytes, dim: int) -> str:
    return (
        f"the word {word[:60]!r} holds a tab: fields must be separated by single spaces (word "
        f"then {dim} numbers); replace the tabs with spaces, e.g. `tr '\\t' ' '`"
    )


def arrow_block(
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
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=True, block_size=1 << 22
            ),
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
    import pyarrow.compute as pc

    if pc.any(pc.match_substring(table.column(0), "\t")).as_py():  # the exact parser names it
        return None
    words = table.column(0).to_pylist()
    if not all(words):  # an empty word: the line started with a space
        return None
    matrix = np.empty(
        (table.num_rows, dim), dtype=np.float64 if dtype == np.float64 else np.float32
    )
    for j, column in enumerate(table.columns[1 : dim + 1]):
        matrix[:, j] = column.to_numpy()
    return words, matrix


def wanted_lines(
    block: bytes, keep_first: set[str], first_line: int, decoder: Decoder
) -> tuple[bytes, list[int]]:
    """The lines of ``block`` whose first space-separated token is in ``keep_first``, and their
    numbers: a filtered load skips the other lines unparsed, as `compiled_block` does."""
    raw = block.split(b"\n")[:-1]
    firsts = b"\n".join([r.split(b" ", 1)[0] for r in raw])
    tokens = firsts.decode(
        decoder.encoding, errors="replace" if decoder.strict else decoder.errors
    ).split("\n")
    chosen = [i for i, w in enumerate(tokens) if w in keep_first]
    kept = b"".join([raw[i] + b"\n" for i in chosen])
    return kept, [first_line + i for i in chosen]


def _first_tokens(buf, starts: np.ndarray, word_end: np.ndarray, decoder: Decoder) -> list[str]:
    spans = zip(starts.tolist(), word_end.tolist())
    blob = b"\n".join([buf[a:b] for a, b in spans])
    return blob.decode(
        decoder.encoding, errors="replace" if decoder.strict else decoder.errors
    ).split("\n")


def compiled_block(
    buf,
    lo: int,
    hi: int,
    dim: int,
    first_line: int,
    dtype: np.dtype,
    problems: Problems,
    out: np.ndarray | None = None,
    keep_first: set[str] | None = None,
    decoder: Decoder = UTF8,
) -> tuple[list[str | None], np.ndarray, np.ndarray | None, Sequence[int]]:
    """Parse the lines in ``buf[lo:hi]`` (bytes or a memory map) with the compiled kernel.

    With ``keep_first`` (the first space-separated token of each wanted word), lines whose
    first token is not in it are skipped unparsed. Lines the kernel flags go through
    `exact_block`. Returns the words (None for a bad line), the matrix (``out`` when given:
    one row per line; float32 for ``dtype`` float32, else float64, checked to fit ``dtype``), a
    mask of good lines (None: all good) and the lines' numbers.
    """
    dtype = np.dtype(dtype)
    data = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(data[lo:hi] == 10) + lo
    starts = np.empty_like(ends)
    starts[:1] = lo
    starts[1:] = ends[:-1] + 1
    lines: Sequence[int] = range(first_line, first_line + ends.size)
    if keep_first is not None:
        word_end, _ = parse_text_lines(data, starts, ends, 0, np.empty((ends.size, 0), np.float32))
        chosen = [
            i
            for i, w in enumerate(_first_tokens(buf, starts, word_end, decoder))
            if w in keep_first
        ]
        starts, ends = starts[chosen], ends[chosen]
        lines = [first_line + i for i in chosen]
    if out is None:
        out = np.empty((ends.size, dim), dtype=np.float32 if dtype == np.float32 else np.float64)
    word_end, status = parse_text_lines(data, starts, ends, dim, out)
    del data
    good = status == 0
    if out.dtype != dtype:  # float16: a value may fit the parse but overflow the output
        with np.errstate(over="ignore"):
            good &= np.isfinite(out.astype(dtype)).all(axis=1)
    words: list[str | None]
    if good.all():
        try:
            spans = zip(starts.tolist(), word_end.tolist())
            blob = b"\n".join([buf[a:b] for a, b in spans])
            words = blob.decode(decoder.encoding).split("\n")  # type: ignore[assignment]
            return words, out, None, lines
        except UnicodeDecodeError:
            pass
    words = [None] * ends.size
    for i in np.flatnonzero(good).tolist():
        try:
            words[i] = buf[starts[i] : word_end[i]].decode(decoder.encoding)
        except UnicodeDecodeError:
            good[i] = False  # strict: an error; otherwise decoded (and checked) by exact_block
    for i in np.flatnonzero(~good).tolist():
        fixed, row, _ = exact_block(
            bytes(buf[starts[i] : ends[i] + 1]), dim, lines[i], problems, dtype, decoder
        )
        if fixed:
            words[i] = fixed[0]
            out[i] = row[0]
            good[i] = True
    return words, out, None if good.all() else good, lines
