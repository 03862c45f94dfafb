"""The reading core of ``load_vectors``: a file in, ``(words, matrix, subwords, report)`` out.

It sits below the store, as :mod:`vectab.vectors._save` does, so that both
:func:`vectab.vectors.io.load_vectors` and the gensim-signature classmethod
``Vectors.load_word2vec_format`` read through it without importing each other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from vectab._checks import check_bool, check_int
from vectab._progress import ProgressArg, emitter
from vectab.vectors.cache import CacheEntry
from vectab.vectors.formats._kernels import warm_up_readers
from vectab.vectors.formats._report import Decoder, LoadReport, Problems, wanted_words
from vectab.vectors.formats._source import Source
from vectab.vectors.formats.binary import read_binary
from vectab.vectors.formats.detect import READ_FORMATS, detect_format
from vectab.vectors.formats.fasttext import FastTextSubwords, read_fasttext_bin
from vectab.vectors.formats.native import read_native
from vectab.vectors.formats.text import read_text

__all__ = ["read_vectors", "report_warning"]

# the readers' compiled kernels load beside the program's other imports, before its first read
warm_up_readers()

BINARY_FORMATS = ("word2vec-binary", "fasttext-bin", "vectab")

_DTYPES = (np.float16, np.float32, np.float64)


def _check_options(format: str, limit: Any, dtype: Any, cache: Any) -> np.dtype:
    if format not in READ_FORMATS:
        raise ValueError(f"`format` must be one of {READ_FORMATS}, got {format!r}")
    check_int(limit, "limit", minimum=0, allow_none=True, fix=" It is the number of rows to read.")
    try:
        ok = dtype is not None and np.dtype(dtype) in [np.dtype(d) for d in _DTYPES]
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"`dtype` must be float16, float32 or float64, got {dtype!r}")
    dtype = np.dtype(dtype)
    check_bool(cache, "cache")
    return dtype


def _select(words: list[str], matrix: np.ndarray, limit: int | None, keep: set[str] | None):
    """Apply ``limit`` and the vocabulary filter to an already-open table."""
    if limit is not None:
        words, matrix = words[:limit], matrix[:limit]
    if keep is not None:
        idx = [i for i, w in enumerate(words) if w in keep]
        words, matrix = [words[i] for i in idx], np.asarray(matrix[idx])
    return words, matrix


def _parse(source: Source, *, limit, keep, dtype, problems, decoder):
    kwargs = dict(limit=limit, keep=keep, dtype=dtype, problems=problems, decoder=decoder)
    if source.format == "word2vec-binary":
        return read_binary(source, **kwargs)
    return read_text(source, header=source.format != "glove", **kwargs)


def report_warning(report: LoadReport) -> str:
    """The warning text for a load that skipped rows: the summary and one example per reason."""
    lines = [report.summary()] + [e for ex in report.examples.values() for e in ex[:1]]
    return "\n  ".join(lines)


def _check_binary_hint(path: Path, binary: Any, fmt: str) -> None:
    if binary is None or (fmt in BINARY_FORMATS) == binary:
        return
    kind = "binary" if fmt in BINARY_FORMATS else "text"
    raise ValueError(
        f"`binary` is {binary} but {path.name} holds {kind} vectors (format {fmt!r}); pass "
        f"binary={not binary} or leave `binary` out to read the format from the file"
    )


def read_vectors(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    limit: int | None = None,
    vocab: Any = None,
    dtype: Any = np.float32,
    cache: bool = True,
    on_error: str = "raise",
    progress: ProgressArg = False,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
    binary: bool | None = None,
) -> tuple[list[str], np.ndarray, FastTextSubwords | None, LoadReport]:
    """Read a vector file (arguments as :func:`vectab.vectors.io.load_vectors`)."""
    dtype = _check_options(format, limit, dtype, cache)
    check_bool(binary, "binary", allow_none=True)
    emit = emitter(progress)
    decoder = Decoder(encoding, unicode_errors)
    problems = Problems(path, on_error)
    keep = wanted_words(vocab)
    path = Path(os.fspath(path))
    # opened once: detection, the cache identity and the reader all read this one open file
    with Source(path, progress=emit, task=f"load {path.name}") as source:
        source.format = detect_format(source) if format == "auto" else format
        _check_binary_hint(path, binary, str(source.format))
        return _load(
            source, limit=limit, keep=keep, dtype=dtype, cache=cache, problems=problems,
            decoder=decoder,
        )


def _cache_entry(source: Source, dtype: np.dtype, problems: Problems, decoder: Decoder):
    """The cache slot for these options (the decoding options are part of its key)."""
    return CacheEntry(
        source, format=str(source.format), dtype=dtype,
        on_error="skip" if problems.skip else "raise",
        encoding=decoder.encoding, unicode_errors=decoder.errors,
    )


def _load(source: Source, *, limit, keep, dtype, cache, problems, decoder):
    subwords = None
    report = problems.report
    fmt = source.format
    parse = dict(limit=limit, keep=keep, dtype=dtype, problems=problems, decoder=decoder)
    entry = (
        _cache_entry(source, dtype, problems, decoder)
        if cache and fmt not in ("vectab", "fasttext-bin")
        else None
    )
    if fmt == "vectab":
        words, matrix, ngrams, meta = read_native(source)
        words, matrix = _select(words, matrix, limit, keep)
        if matrix.dtype != dtype:
            matrix = matrix.astype(dtype)
        if ngrams is not None:
            subwords = FastTextSubwords(ngrams, min_n=int(meta["min_n"]), max_n=int(meta["max_n"]))
        report.rows_read = report.rows_kept = len(words)
    elif fmt == "fasttext-bin":
        words, matrix, subwords = read_fasttext_bin(
            source, limit=limit, keep=keep, dtype=dtype, problems=problems,
            encoding=decoder.encoding, unicode_errors=decoder.errors,
        )
    elif entry is None:
        words, matrix = _parse(source, **parse)
    else:
        cached = entry.load()
        if cached is not None:
            words, matrix, report = cached
            words, matrix = _select(words, matrix, limit, keep)
        elif limit is not None or keep is not None:  # a partial read: parse it, cache nothing
            words, matrix = _parse(source, **parse)
        else:
            words, matrix = _parse(source, **{**parse, "limit": None, "keep": None})
            entry.store(words, matrix, report)
    return words, matrix, subwords, report
