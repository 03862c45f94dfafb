"""`save_vectors`: write vectors in any writable format, atomically.

It sits below both its callers: :mod:`vectab.vectors.io` (which pairs it with ``load_vectors``
and is where users import it from) and ``Vectors.save`` in :mod:`vectab.vectors.store`, so that
neither imports the other's module (io builds a ``Vectors``; the store writes itself here).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from vectab._checks import check_int
from vectab._fileio import atomic_path
from vectab.vectors.formats._compress import open_for_write
from vectab.vectors.formats.binary import write_binary
from vectab.vectors.formats.detect import FORMATS, WRITE_FORMATS
from vectab.vectors.formats.fasttext import FastTextSubwords
from vectab.vectors.formats.native import write_native
from vectab.vectors.formats.text import write_text

__all__ = ["save_vectors"]


def save_vectors(
    vectors: Any,
    path: str | os.PathLike[str],
    *,
    format: str = "word2vec",
    precision: int | None = None,
) -> Path:
    """Write vectors to ``path`` atomically (gensim's ``save_word2vec_format``).

    Args:
        vectors: a `Vectors` (or anything with ``index_to_key`` and ``vectors``, such as a
            gensim ``KeyedVectors``).
        path: the file to write; a ``.gz``, ``.bz2`` or ``.xz`` name compresses text and
            binary formats.
        format: ``"word2vec"`` (text with header), ``"word2vec-binary"``, ``"glove"``,
            ``"fasttext"`` (``.vec``) or ``"vectab"`` (memory-mappable; keeps fastText
            n-grams).
        precision: text formats only: decimals to write; None writes the shortest text that
            reads back to the exact same float32 (round trip exact).

    Returns:
        The path written.

    Example:
        >>> import tempfile, pathlib, numpy as np
        >>> from vectab.vectors import Vectors, load_vectors
        >>> v = Vectors(["a", "b"], np.array([[0.5, 1.0], [0.25, -2.0]], np.float32))
        >>> p = save_vectors(v, pathlib.Path(tempfile.mkdtemp()) / "v.txt")
        >>> p.read_text()
        '2 2\\na 0.5 1\\nb 0.25 -2\\n'
        >>> load_vectors(p, cache=False).vectors.tolist() == v.vectors.tolist()
        True
    """
    if format not in WRITE_FORMATS:
        raise ValueError(
            f"`format` must be one of {WRITE_FORMATS}, got {format!r} "
            f"({FORMATS.get(format, 'unknown')})"
        )
    check_int(precision, "precision", minimum=0, maximum=17, allow_none=True,
              fix=" It is the number of decimals written.")
    if precision is not None and format not in ("word2vec", "glove", "fasttext"):
        raise ValueError(
            f"`precision` applies to text formats only; format={format!r} stores exact values"
        )
    if not (hasattr(vectors, "index_to_key") and hasattr(vectors, "vectors")):
        raise TypeError(
            f"`vectors` must be a Vectors (index_to_key + vectors), got {type(vectors).__name__}"
        )
    words = list(vectors.index_to_key)
    matrix = np.asarray(vectors.vectors)
    path = Path(os.fspath(path))
    if format == "vectab":
        if path.suffix.lower() in (".gz", ".bz2", ".xz", ".zip"):
            raise ValueError(
                f"format='vectab' is memory-mapped and cannot be compressed; drop {path.suffix!r}"
            )
        subwords = getattr(vectors, "subwords", None)
        ngrams, meta = None, {}
        if isinstance(subwords, FastTextSubwords):
            ngrams = subwords.ngram_vectors
            meta = {"min_n": str(subwords.min_n), "max_n": str(subwords.max_n)}
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            write_native(f, words, matrix, ngrams=ngrams, metadata=meta)
        return path
    with atomic_path(path) as tmp, open_for_write(tmp, path.name) as f:
        if format == "word2vec-binary":
            write_binary(f, words, matrix)
        else:
            write_text(f, words, matrix, header=format != "glove", precision=precision)
    return path
