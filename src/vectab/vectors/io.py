"""`load_vectors` and `save_vectors`: every word-vector format, one pair of functions.

``save_vectors`` is written in :mod:`vectab.vectors._save` (below the store, which uses it
for ``Vectors.save``) and imported from here.

gensim's equivalents are ``KeyedVectors.load_word2vec_format`` / ``save_word2vec_format``
and ``load_facebook_vectors``; torchtext's were ``GloVe``/``FastText``/``Vectors``.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from vectab._progress import ProgressArg
from vectab.vectors._load import read_vectors, report_warning
from vectab.vectors._save import save_vectors
from vectab.vectors.store import Vectors

__all__ = ["load_vectors", "save_vectors"]

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
    binary: bool | None = None,
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
        binary: gensim's format hint: True says the file is binary (word2vec ``.bin``, fastText
            ``.bin``), False that it is text; the format is still read from the content, and a
            file that contradicts the hint is refused. None (default): no hint.

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
    words, matrix, subwords, report = read_vectors(
        path, format=format, limit=limit, vocab=vocab, dtype=dtype, cache=cache,
        on_error=on_error, progress=progress, encoding=encoding, unicode_errors=unicode_errors,
        binary=binary,
    )
    vectors = Vectors(words, matrix, subwords=subwords)
    vectors.load_report = report
    if report.skipped:
        warnings.warn(report_warning(report), stacklevel=2)
    return vectors
