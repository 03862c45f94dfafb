"""`load_vectors` and `save_vectors`: every word-vector format, one pair of functions.

``save_vectors`` is written in :mod:`vectab.vectors._save` (below the store, which uses it
for ``Vectors.save``) and imported from here.

gensim's equivalents are ``KeyedVectors.load_word2vec_format`` / ``save_word2vec_format``
and ``load_facebook_vectors``; torchtext's were ``GloVe``/``FastText``/``Vectors``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vectab.vectors._save import save_vectors
from vectab.vectors.cache import CacheEntry
from vectab.vectors.formats._report import Decoder, Problems, wanted_words
from vectab.vectors.formats.binary import read_binary
from vectab.vectors.formats.detect import READ_FORMATS, detect_format
from vectab.vectors.formats.fasttext import FastTextSubwords, read_fasttext_bin
from vectab.vectors.formats.native import read_native
from vectab.vectors.formats.text import read_text
from vectab.vectors.store import Vectors

__all__ = ["load_vectors", "save_vectors"]

_DTYPES = (np.float16, np.float32, np.float64)
ProgressArg = bool | Callable[[int, int | None], None]


def _check_options(format: str, limit: Any, dtype: Any, cache: Any, progress: Any) -> np.dtype:
    if format not in READ_FORMATS:
        raise ValueError(f"`format` must be one of {READ_FORMATS}, got {format!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"`limit` must be None or an int >= 0 (rows to read), got {limit!r}")
    try:
        ok = dtype is not None and np.dtype(dtype) in [np.dtype(d) for d in _DTYPES]
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"`dtype` must be float16, float32 or float64, got {dtype!r}")
    dtype = np.dtype(dtype)
    if not isinstance(cache, bool):
        raise TypeError(f"`cache` must be True or False, got {cache!r}")
    if not (isinstance(progress, bool) or callable(progress)):
        raise TypeError(f"`progress` must be a bool or a callable(done, total), got {progress!r}")
    return dtype


class _Bar:
    """``progress=True``: a rich progress bar on stderr (only when the caller asks for it)."""

    def __init__(self, path: Path) -> None:
        from rich.progress import Progress

        self._progress = Progress(transient=True)
        self._task = self._progress.add_task(f"loading {path.name}", total=None)
        self._progress.start()

    def __call__(self, done: int, total: int | None) -> None:
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        self._progress.stop()


def _select(words: list[str], matrix: np.ndarray, limit: int | None, keep: set[str] | None):
    """Apply ``limit`` and the vocabulary filter to an already-open table."""
    if limit is not None:
        words, matrix = words[:limit], matrix[:limit]
    if keep is not None:
        idx = [i for i, w in enumerate(words) if w in keep]
        words, matrix = [words[i] for i in idx], np.asarray(matrix[idx])
    return words, matrix


def _parse(path: Path, fmt: str, *, limit, keep, dtype, problems, progress, decoder):
    kwargs = dict(
        limit=limit, keep=keep, dtype=dtype, problems=problems, progress=progress, decoder=decoder
    )
    if fmt == "word2vec-binary":
        return read_binary(path, **kwargs)
    return read_text(path, header=fmt != "glove", **kwargs)


def load_vectors(
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
) -> Vectors:
    """Load word vectors from any common format (gensim's ``load_word2vec_format``).

    Args:
        path: the file: word2vec text or binary, GloVe, fastText ``.vec`` or ``.bin``, or a
            vectab file; ``.gz``, ``.bz2``, ``.xz`` and one-file ``.zip`` are read directly.
        format: ``"auto"`` (from the content, not the name) or one of ``FORMATS``.
        limit: read only the first ``limit`` rows of the file.
        vocab: keep only these words, while streaming (a Tokenizer, a word_index dict or any
            iterable of words); memory then grows with the words kept.
        dtype: float16, float32 or float64.
        cache: parse a text or binary file once and memory-map the cached copy afterwards.
        on_error: ``"raise"`` a `VectorFormatError` (``path:line: expected ..., found ...``)
            at the first bad row, or ``"skip"`` bad rows and report them: the counts per
            reason are in ``vectors.load_report`` and in a warning.
        progress: True for a progress bar, or a callable ``(bytes_done, bytes_total)``.
        encoding: the words' encoding (gensim's ``encoding``): UTF-8, or any encoding that
            keeps ASCII bytes as ASCII (``"latin-1"``, ``"cp1252"``, ...). With UTF-8 a leading
            byte-order mark is skipped.
        unicode_errors: a word that does not decode: ``"strict"`` raises a `VectorFormatError`
            naming ``path:line`` (or skips it with ``on_error="skip"``), ``"replace"`` puts
            U+FFFD in its place, ``"ignore"`` drops the bad bytes (gensim's ``unicode_errors``).

    Returns:
        `Vectors`, with ``load_report`` (a `LoadReport`); for fastText ``.bin`` models,
        ``subwords`` builds vectors for unknown words.

    Shape:
        ``vectors.vectors``: ``(vocab, dim)``.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "glove.txt"
        >>> _ = p.write_text('the 0.1 0.2\\n" 0.3 0.4\\n# 0.5 0.6\\n')
        >>> v = load_vectors(p, cache=False)
        >>> v.index_to_key, v.vectors.shape
        (['the', '"', '#'], (3, 2))
        >>> load_vectors(p, vocab=["#", "cat"], cache=False).index_to_key
        ['#']
    """
    dtype = _check_options(format, limit, dtype, cache, progress)
    decoder = Decoder(encoding, unicode_errors)
    problems = Problems(path, on_error)
    keep = wanted_words(vocab)
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"`path`: no vector file at {str(path)!r}")
    fmt = detect_format(path) if format == "auto" else format
    bar = _Bar(path) if progress is True else None
    callback = bar if bar is not None else (progress or None)
    try:
        vectors = _load(
            path,
            fmt,
            limit=limit,
            keep=keep,
            dtype=dtype,
            cache=cache,
            problems=problems,
            progress=callback,
            decoder=decoder,
        )
    finally:
        if bar is not None:
            bar.close()
    report = vectors.load_report
    if report.skipped:
        lines = [report.summary()] + [e for ex in report.examples.values() for e in ex[:1]]
        warnings.warn("\n  ".join(lines), stacklevel=2)
    return vectors


def _cache_entry(path: Path, fmt: str, dtype: np.dtype, problems: Problems, decoder: Decoder):
    """The cache slot for these options (the decoding options are part of its key)."""
    return CacheEntry(
        path, format=fmt, dtype=dtype, on_error="skip" if problems.skip else "raise",
        encoding=decoder.encoding, unicode_errors=decoder.errors,
    )


def _load(
    path: Path, fmt: str, *, limit, keep, dtype, cache, problems, progress, decoder
) -> Vectors:
    subwords = None
    report = problems.report
    parse = dict(
        limit=limit, keep=keep, dtype=dtype, problems=problems, progress=progress, decoder=decoder
    )
    entry = (
        _cache_entry(path, fmt, dtype, problems, decoder)
        if cache and fmt not in ("vectab", "fasttext-bin")
        else None
    )
    if fmt == "vectab":
        words, matrix, ngrams, meta = read_native(path)
        words, matrix = _select(words, matrix, limit, keep)
        if matrix.dtype != dtype:
            matrix = matrix.astype(dtype)
        if ngrams is not None:
            subwords = FastTextSubwords(ngrams, min_n=int(meta["min_n"]), max_n=int(meta["max_n"]))
        report.rows_read = report.rows_kept = len(words)
    elif fmt == "fasttext-bin":
        words, matrix, subwords = read_fasttext_bin(
            path, limit=limit, keep=keep, dtype=dtype, problems=problems, progress=progress,
            encoding=decoder.encoding, unicode_errors=decoder.errors,
        )
    elif entry is None:
        words, matrix = _parse(path, fmt, **parse)
    else:
        cached = entry.load()
        if cached is not None:
            words, matrix, report = cached
            words, matrix = _select(words, matrix, limit, keep)
        elif limit is not None or keep is not None:  # a partial read: parse it, cache nothing
            words, matrix = _parse(path, fmt, **parse)
        else:
            words, matrix = _parse(path, fmt, **{**parse, "limit": None, "keep": None})
            entry.store(words, matrix, report)
    vectors = Vectors(words, matrix, subwords=subwords)
    vectors.load_report = report
    return vectors
