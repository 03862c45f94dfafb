"""`load_vectors` and `save_vectors`: every word-vector format, one pair of functions.

``save_vectors`` is written in :mod:`vectab.vectors._save` (below the store, which uses it
for ``Vectors.save``) and imported from here.

gensim's equivalents are ``KeyedVectors.load_word2vec_format`` / ``save_word2vec_format``
and ``load_facebook_vectors``; torchtext's were ``GloVe``/``FastText``/``Vectors``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from vectab._checks import check_bool, check_int
from vectab._progress import ProgressArg, emitter
from vectab.vectors._save import save_vectors
from vectab.vectors.cache import CacheEntry
from vectab.vectors.formats._report import Decoder, Problems, wanted_words
from vectab.vectors.formats._source import Source
from vectab.vectors.formats.binary import read_binary
from vectab.vectors.formats.detect import READ_FORMATS, detect_format
from vectab.vectors.formats.fasttext import FastTextSubwords, read_fasttext_bin
from vectab.vectors.formats.native import read_native
from vectab.vectors.formats.text import read_text
from vectab.vectors.store import Vectors

__all__ = ["load_vectors", "save_vectors"]

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
        progress: True for the progress bar of the ``vectab`` command, or a callable that
            receives `vectab._progress.ProgressEvent` values (task ``"load <name>"``, done and
            total in bytes of the file on disk, metrics ``{"words": rows read}``).
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
    dtype = _check_options(format, limit, dtype, cache)
    emit = emitter(progress)
    decoder = Decoder(encoding, unicode_errors)
    problems = Problems(path, on_error)
    keep = wanted_words(vocab)
    path = Path(os.fspath(path))
    # opened once: detection, the cache identity and the reader all read this one open file
    with Source(path, progress=emit, task=f"load {path.name}") as source:
        source.format = detect_format(source) if format == "auto" else format
        vectors = _load(
            source, limit=limit, keep=keep, dtype=dtype, cache=cache, problems=problems,
            decoder=decoder,
        )
    report = vectors.load_report
    if report.skipped:
        lines = [report.summary()] + [e for ex in report.examples.values() for e in ex[:1]]
        warnings.warn("\n  ".join(lines), stacklevel=2)
    return vectors


def _cache_entry(source: Source, dtype: np.dtype, problems: Problems, decoder: Decoder):
    """The cache slot for these options (the decoding options are part of its key)."""
    return CacheEntry(
        source, format=str(source.format), dtype=dtype,
        on_error="skip" if problems.skip else "raise",
        encoding=decoder.encoding, unicode_errors=decoder.errors,
    )


def _load(source: Source, *, limit, keep, dtype, cache, problems, decoder) -> Vectors:
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
    vectors = Vectors(words, matrix, subwords=subwords)
    vectors.load_report = report
    return vectors
