"""Tell a vector file's format from its first bytes (after decompression), not its name."""

from __future__ import annotations

import codecs
import json
import os
import struct

from vectab.errors import VectorFormatError
from vectab.vectors.formats._source import Source, opened

__all__ = ["detect_format", "FORMATS", "READ_FORMATS", "WRITE_FORMATS"]

#: every format name ``load_vectors``/``save_vectors`` accept, and what it means
FORMATS = {
    "word2vec": "word2vec text: a 'count dim' header line, then 'word v1 ... vD' per line",
    "fasttext": "fastText .vec: the same layout as word2vec text",
    "glove": "GloVe text: 'word v1 ... vD' per line, no header",
    "word2vec-binary": "word2vec.c binary: header line, then word, space, D float32 per word",
    "fasttext-bin": "fastText .bin model: word vectors plus character n-gram vectors",
    "vectab": "vectab's single-file format (safetensors): opens by memory map",
}
READ_FORMATS = ("auto", *FORMATS)
WRITE_FORMATS = ("word2vec", "word2vec-binary", "glove", "fasttext", "vectab")


def _is_number(token: bytes) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _is_text_row(line: bytes, dim: int | None) -> bool:
    parts = line.rstrip(b"\r ").split(b" ")
    if len(parts) < 2 or (dim is not None and len(parts) < dim + 1):
        return False
    return all(_is_number(p) for p in parts[-(dim or len(parts) - 1) :])


def _is_old_fasttext(head: bytes) -> bool:
    """fastText before 0.9 wrote no magic number: check its 'Args' block for sane values."""
    if len(head) < 56:
        return False
    dim, ws, epoch, min_count, neg, _ngrams, loss, model, bucket, minn, maxn, _lr, t = (
        struct.unpack("<12id", head[:56])
    )
    return (
        0 < dim <= 100_000 and 0 < ws <= 1000 and 0 < epoch <= 100_000 and min_count >= 0
        and neg >= 0 and 1 <= loss <= 4 and 1 <= model <= 3 and bucket >= 0
        and 0 <= minn <= maxn <= 1000 and 0 < t < 1
    )


def detect_format(path: str | os.PathLike[str] | Source) -> str:
    """Name the format of a vector file from its content (one of `FORMATS`).

    Compressed files (.gz, .bz2, .xz, one-member .zip) are looked into. ``path`` may be an
    open `Source` (its first MiB is read once, and kept for the reader).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.bin").write_text("2 2\\nx 0.5 1\\ny 1 2\\n")  # text, whatever the name
        >>> detect_format(d / "a.bin")
        'word2vec'
        >>> _ = (d / "b.txt").write_text("x 0.5 1\\n")
        >>> detect_format(d / "b.txt")
        'glove'
    """
    with opened(path) as source:
        head = source.head()
        path = source.path
    if not head.strip():
        raise VectorFormatError(path, None, "the file is empty (expected word vectors)")
    if len(head) >= 4 and struct.unpack("<i", head[:4])[0] == 793712314:
        return "fasttext-bin"
    if _is_old_fasttext(head):
        return "fasttext-bin"
    if len(head) > 9 and head[8:9] == b"{":
        (length,) = struct.unpack("<Q", head[:8])
        try:
            meta = json.loads(head[8 : 8 + length]).get("__metadata__") or {}
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            meta = {}
        if meta.get("format") == "vectab-vectors":
            return "vectab"
    if head.startswith(codecs.BOM_UTF8):  # a UTF-8 text file's byte-order mark: not content
        head = head[len(codecs.BOM_UTF8) :]
    first, _, rest = head.partition(b"\n")
    parts = first.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        dim = int(parts[1])
        space = rest.find(b" ", 0, 1 << 16)
        if space < 0:
            return "word2vec"  # only a header (an empty body): text is the safe answer
        vector = rest[space + 1 : space + 1 + 4 * dim]
        next_line = rest.split(b"\n", 1)[0]
        if _is_text_row(next_line, dim):
            return "word2vec"
        if set(vector) - set(b"0123456789.-+eE \n\r"):
            return "word2vec-binary"
        return "word2vec"
    tokens = first.rstrip(b"\r ").split(b" ")
    if len(tokens) >= 2 and _is_number(tokens[-1]):
        return "glove"
    raise VectorFormatError(
        path,
        1,
        f"not a recognised word-vector file: the first line is {first[:60]!r}; expected "
        f"'count dim' (word2vec/fastText), 'word v1 ... vD' (GloVe), a fastText .bin or a "
        f"vectab file. Formats: {', '.join(FORMATS)}",
    )
