"""Read labelled text and CoNLL files: texts, labels and tags exactly as the file has them.

- :func:`read_table` -- CSV, TSV, JSONL and Parquet; text and label columns chosen by name.
- :func:`read_lines` -- one text per line.
- :func:`read_conll` -- CoNLL/BIO column files (token and tag columns, a blank line between
  sentences, ``-DOCSTART-`` lines ignored).

Labels keep the type they have in the file: integer labels in a CSV (``0``/``1``) come back as
Python ints, strings as strings. :class:`~vectab.train.data.LabelEncoder` maps them to class
ids, and the datasets of :mod:`vectab.train.data` turn the encoded texts into batches.
A file that cannot be read is a ``VectorFormatError`` naming the file and the 1-based line.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vectab.errors import VectorFormatError

__all__ = ["TABLE_FORMATS", "read_table", "read_conll", "read_lines"]

TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
                 ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

_INT = re.compile(r"^[+-]?\d+$")


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in set(TABLE_FORMATS.values()):
            raise ValueError(
                f"`format` must be one of {sorted(set(TABLE_FORMATS.values()))}, got {format!r}"
            )
        return format
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; use one of "
            f"{sorted(TABLE_FORMATS)} or pass format='csv'|'tsv'|'jsonl'|'parquet'"
        )
    return fmt


def _missing(path: Path, role: str, name: str, present: Sequence[str]) -> ValueError:
    return ValueError(
        f"{path}: {role} column {name!r} not found; columns present: {list(present)}. "
        f"Pass the right name as {role}_col"
    )


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> VectorFormatError:
    """A VectorFormatError naming the first line of ``path`` that is not UTF-8."""
    line_no = None
    with open(path, "rb") as f:
        for i, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                line_no = i
                break
    bad = exc.object[exc.start:exc.start + 1].hex() if exc.object else "?"
    return VectorFormatError(
        str(path), line_no,
        f"not UTF-8 text (byte 0x{bad}: {exc.reason}); save the file as UTF-8 "
        "(e.g. `iconv -f latin1 -t utf-8`)",
    )


def _rows_delimited(path: Path, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    kind = "TSV" if delimiter == "\t" else "CSV"
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, quoting=quoting)
        try:
            header = next(reader, None)
            if header is None:
                raise VectorFormatError(
                    str(path), 1, "empty file: expected a header row with column names"
                )
            # a blank line is no row, except in a one-column file where it is an empty value
            one_column = len(header) == 1
            rows = []
            end = reader.line_num
            for row in reader:  # a row's line is where it starts (a quoted field may span lines)
                start, end = end + 1, reader.line_num
                if row or one_column:
                    rows.append((start, row or [""]))
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, exc) from None
        except csv.Error as exc:  # NUL bytes, a field over the size limit, ...
            raise VectorFormatError(
                str(path), reader.line_num + 1,
                f"not a readable {kind} file ({exc}); check that it is {kind} text (the "
                "extension picks the format)"
            ) from None
    for line, row in rows:
        if len(row) != len(header):
            raise VectorFormatError(
                str(path), line, f"expected {len(header)} fields like the header, found {len(row)}"
            )
    return header, rows


def _utf8_lines(f: Any, path: Path) -> Any:
    """The lines of text file ``f``; a byte that is not UTF-8 is a VectorFormatError (its line)."""
    try:
        yield from f
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None


def _read_columns(
    path: Path, fmt: str, wanted: list[str]
) -> tuple[list[str], dict[str, list], list[int] | None]:
    """(header, wanted columns, 1-based file line of each row or None for Parquet)."""
    if fmt in ("csv", "tsv"):
        header, rows = _rows_delimited(path, "," if fmt == "csv" else "\t")
        idx = {name: i for i, name in enumerate(header)}
        lines = [line for line, _ in rows]
        return header, {w: [r[idx[w]] for _, r in rows] for w in wanted if w in idx}, lines
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises its own ArrowException types
            raise VectorFormatError(
                str(path), None, f"not a readable Parquet file ({exc})"
            ) from None
        header = table.column_names
        return header, {w: table.column(w).to_pylist() for w in wanted if w in header}, None
    records: list[dict] = []
    record_lines: list[int] = []
    header: list[str] = []
    with open(path, encoding="utf-8-sig") as f:
        lines = _utf8_lines(f, path)
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise VectorFormatError(str(path), line_no, f"invalid JSON: {exc.msg}") from None
            if not isinstance(rec, dict):
                raise VectorFormatError(str(path), line_no, "expected a JSON object per line")
            if not header:
                header = list(rec)
            for w in wanted:
                if w in header and w not in rec:
                    raise VectorFormatError(str(path), line_no, f"field {w!r} is missing")
            records.append(rec)
            record_lines.append(line_no)
    return header, {w: [r[w] for r in records] for w in wanted if w in header}, record_lines


def _normalise_labels(values: list, path: Path, label_col: str, lines: list[int] | None) -> list:
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and not v.strip()):
            where = (lines[i], "") if lines is not None else (None, f"row {i + 1}: ")
            raise VectorFormatError(
                str(path), where[0],
                f"{where[1]}empty label in column {label_col!r}; every row needs a label: fill "
                "it in or drop the row",
            )
    if values and all(isinstance(v, str) and _INT.match(v.strip()) for v in values):
        return [int(v) for v in values]
    return [v.item() if hasattr(v, "item") else v for v in values]


def read_table(
    path: str | os.PathLike[str],
    *,
    text_col: str = "text",
    label_col: str | None = "label",
    format: str | None = None,
) -> tuple[list[str], list | None]:
    """Read texts (and labels) from a CSV, TSV, JSONL or Parquet file.

    TSV files are read without quote handling (a ``"`` is an ordinary character), CSV files
    with standard quoting. Labels that are all integers in a CSV/TSV come back as ``int``.

    Args:
        path: the file; its extension picks the format unless ``format`` is given.
        text_col: name of the text column.
        label_col: name of the label column, or None to read texts only.
        format: ``"csv"``, ``"tsv"``, ``"jsonl"`` or ``"parquet"``.

    Returns:
        ``(texts, labels)``; ``labels`` is None when ``label_col`` is None.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "train.tsv"
        >>> _ = p.write_text("sentence\\tlabel\\ngood film\\t1\\nbad\\t0\\n")
        >>> read_table(p, text_col="sentence")
        (['good film', 'bad'], [1, 0])
    """
    texts, labels, _ = read_table_lines(path, text_col=text_col, label_col=label_col,
                                        format=format)
    return texts, labels


def read_table_lines(
    path: str | os.PathLike[str],
    *,
    text_col: str = "text",
    label_col: str | None = "label",
    format: str | None = None,
) -> tuple[list[str], list | None, list[int] | None]:
    """:func:`read_table` plus the 1-based file line of each row (None for Parquet).

    A row's line is the one where it starts (a quoted CSV field may span lines); blank
    lines hold no row (except in a one-column CSV/TSV, where they are empty texts).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "texts.jsonl"
        >>> _ = p.write_text('{"text": "good"}\\n\\n{"text": "bad"}\\n')
        >>> read_table_lines(p, label_col=None)
        (['good', 'bad'], None, [1, 3])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    fmt = _format_of(path, format)
    wanted = [text_col] + ([label_col] if label_col is not None else [])
    header, columns, lines = _read_columns(path, fmt, wanted)
    if text_col not in columns:
        raise _missing(path, "text", text_col, header)
    texts = ["" if t is None else str(t) for t in columns[text_col]]
    if label_col is None:
        return texts, None, lines
    if label_col not in columns:
        raise _missing(path, "label", label_col, header)
    return texts, _normalise_labels(columns[label_col], path, label_col, lines), lines


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Read one text per line: line ``i`` of the file is text ``i``, an empty line an empty text.

    Only ``\\n`` ends a line (a ``\\r`` before it is dropped, so CRLF files read the same); a
    final newline does not start another text. Bytes that are not UTF-8 are a
    ``VectorFormatError`` naming the line.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "texts.txt"
        >>> _ = p.write_bytes(b"good film\\r\\n\\nbad\\n")
        >>> read_lines(p)
        ['good film', '', 'bad']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start a new one
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_conll(
    path: str | os.PathLike[str],
    *,
    token_col: int = 0,
    tag_col: int | None = -1,
    sep: str | None = None,
) -> tuple[list[list[str]], list[list[str]] | None]:
    """Read a CoNLL / BIO column file: one token per line, a blank line between sentences.

    Lines starting with ``-DOCSTART-`` are skipped. Columns are split on ``sep`` (default: any
    whitespace). A line with too few columns raises ``VectorFormatError`` with file and line.

    Returns:
        ``(sentences, tags)``: lists of token lists and of tag lists (None when ``tag_col`` is
        None).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "ner.conll"
        >>> _ = p.write_text("-DOCSTART- O\\n\\nJohn B-PER\\nruns O\\n\\nParis B-LOC\\n")
        >>> read_conll(p)
        ([['John', 'runs'], ['Paris']], [['B-PER', 'O'], ['B-LOC']])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    def required(col: int | None) -> int:
        return 0 if col is None else (col + 1 if col >= 0 else -col)

    needed = max(required(token_col), required(tag_col), 1 if tag_col is None else 2)
    sentences, tags, words, labels = [], [], [], []
    with open(path, encoding="utf-8-sig") as f:
        for line_no, line in enumerate(_utf8_lines(f, path), start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if words:
                    sentences.append(words)
                    tags.append(labels)
                words, labels = [], []
                continue
            if line.startswith("-DOCSTART-"):
                continue
            cols = line.split(sep)
            if len(cols) < needed:
                raise VectorFormatError(
                    str(path), line_no,
                    f"expected at least {needed} columns (token and tag), found {len(cols)}: "
                    f"{line!r}",
                )
            if tag_col is not None:
                if token_col % len(cols) == tag_col % len(cols):
                    raise VectorFormatError(
                        str(path), line_no,
                        f"token_col={token_col} and tag_col={tag_col} are the same column of "
                        f"{len(cols)}; pass the tags' column as tag_col (e.g. -1, the last)",
                    )
                if not cols[tag_col].strip():
                    raise VectorFormatError(
                        str(path), line_no, f"empty tag in column {tag_col}: {line!r}; every "
                        "token needs a tag"
                    )
                labels.append(cols[tag_col])
            words.append(cols[token_col])
    if words:
        sentences.append(words)
        tags.append(labels)
    return sentences, (tags if tag_col is not None else None)
