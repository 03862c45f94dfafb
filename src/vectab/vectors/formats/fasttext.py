"""fastText ``.bin`` models: word vectors plus character n-gram vectors for unknown words.

The reader follows fastText's own ``Args::save``, ``Dictionary::save`` and ``Matrix::save``
layouts (no gensim at run time). A word's vector is, as in fastText's ``getWordVector`` and
gensim's ``load_facebook_vectors``, the mean of its own row and the rows of its character
n-grams (``<word>`` cut into ``minn``..``maxn`` characters, hashed with 32-bit FNV-1a into
``bucket`` rows); an unknown word gets the mean of its n-gram rows.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from typing import IO

import numpy as np

from vectab.errors import VectorFormatError
from vectab.vectors.formats._compress import compression_of, open_binary
from vectab.vectors.formats._report import Problems

__all__ = ["FastTextSubwords", "read_fasttext_bin", "ngram_hashes", "FASTTEXT_MAGIC"]

FASTTEXT_MAGIC = 793712314
_NEW_ARGS = "<12id"  # dim ws epoch min_count neg word_ngrams loss model bucket minn maxn lr_update_rate t
_OLD_ARGS = "<10id"  # epoch min_count neg word_ngrams loss model bucket minn maxn lr_update_rate t


def _utf8_ngrams(word: str, min_n: int, max_n: int) -> list[bytes]:
    """fastText's ``computeSubwords``: n-grams of ``<word>`` in characters, as UTF-8 bytes."""
    data = f"<{word}>".encode()
    size = len(data)
    out = []
    for i in range(size):
        if data[i] & 0xC0 == 0x80:
            continue
        j, n = i, 1
        while j < size and n <= max_n:
            j += 1
            while j < size and data[j] & 0xC0 == 0x80:
                j += 1
            if n >= min_n and not (n == 1 and (i == 0 or j == size)):
                out.append(data[i:j])
            n += 1
    return out


def _fnv1a(grams: list[bytes]) -> np.ndarray:
    """fastText's hash of each n-gram (bytes are sign-extended, as fastText's ``char`` is)."""
    if not grams:
        return np.zeros(0, dtype=np.uint32)
    width = max(len(g) for g in grams)
    table = np.zeros((len(grams), width), dtype=np.uint8)
    lengths = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
    flat = np.frombuffer(b"".join(grams), dtype=np.uint8)
    rows = np.repeat(np.arange(len(grams)), lengths)
    cols = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    table[rows, cols] = flat
    h = np.full(len(grams), 2166136261, dtype=np.uint32)
    signed = table.view(np.int8).astype(np.int32).view(np.uint32)
    for k in range(width):
        live = lengths > k
        h[live] = (h[live] ^ signed[live, k]) * np.uint32(16777619)
    return h


def ngram_hashes(word: str, min_n: int, max_n: int, bucket: int) -> np.ndarray:
    """Bucket rows of ``word``'s n-grams (gensim's ``ft_ngram_hashes``).

    Example:
        >>> ngram_hashes("a", 3, 3, 2_000_000).tolist()  # the one 3-gram of "<a>"
        [1087600]
    """
    return (_fnv1a(_utf8_ngrams(word, min_n, max_n)) % np.uint32(bucket)).astype(np.int64)


class FastTextSubwords:
    """Vectors for any word from its character n-grams (``Vectors.subwords`` of a fastText model).

    Args:
        ngram_vectors: ``(bucket, dim)`` n-gram rows.
        min_n: shortest n-gram, in characters.
        max_n: longest n-gram.

    Example:
        >>> import numpy as np
        >>> sub = FastTextSubwords(np.ones((10, 4), np.float32), min_n=3, max_n=4)
        >>> sub.word_vector("cat").tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, ngram_vectors: np.ndarray, *, min_n: int, max_n: int) -> None:
        self.ngram_vectors = ngram_vectors
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        self.bucket = int(ngram_vectors.shape[0])

    def hashes(self, word: str) -> np.ndarray:
        """The bucket rows summed for ``word``."""
        return ngram_hashes(word, self.min_n, self.max_n, self.bucket)

    def word_vector(self, word: str) -> np.ndarray:
        """The mean of ``word``'s n-gram vectors (zeros when it has none, as in fastText)."""
        rows = self.hashes(word) if self.bucket else np.zeros(0, np.int64)
        out = np.zeros(self.ngram_vectors.shape[1], dtype=np.float32)
        if rows.size == 0:
            return out
        for r in rows:  # sequential float32 sums: the same rounding as gensim and fastText
            out += self.ngram_vectors[r]
        return out / np.float32(rows.size)

    def __repr__(self) -> str:
        return f"FastTextSubwords(bucket={self.bucket}, dim={self.ngram_vectors.shape[1]}, min_n={self.min_n}, max_n={self.max_n})"


def _unpack(f: IO[bytes], fmt: str, path: object) -> tuple:
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise VectorFormatError(path, None, f"the fastText file ends early (expected {size} more bytes)")
    return struct.unpack(fmt, data)


def _read_word(f: IO[bytes], path: object) -> bytes:
    out = bytearray()
    while True:
        chunk = f.peek(256)[:256] if hasattr(f, "peek") else f.read(0)
        end = chunk.find(b"\0")
        if end >= 0:
            out += f.read(end + 1)[:-1]
            return bytes(out)
        if not chunk:
            byte = f.read(1)
            if not byte:
                raise VectorFormatError(path, None, "the fastText file ends inside its vocabulary")
            if byte == b"\0":
                return bytes(out)
            out += byte
        else:
            out += f.read(len(chunk))


def read_fasttext_bin(
    path: str | os.PathLike[str],
    *,
    limit: int | None,
    keep: set[str] | None,
    dtype: np.dtype,
    problems: Problems,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[list[str], np.ndarray, FastTextSubwords]:
    """Read a fastText ``.bin`` model: in-vocabulary words, their vectors, and the n-gram model."""
    with open_binary(path) as f:
        magic, version = _unpack(f, "<2i", path)
        new = magic == FASTTEXT_MAGIC
        if new:
            dim, _ws, *_, bucket, minn, maxn, _lr, _t = _unpack(f, _NEW_ARGS, path)
        else:
            dim = magic
            *_, bucket, minn, maxn, _lr, _t = _unpack(f, _OLD_ARGS, path)
        size, nwords, _nlabels = _unpack(f, "<3i", path)
        (_ntokens,) = _unpack(f, "<q", path)
        pruneidx = _unpack(f, "<q", path)[0] if new else 0
        if not (0 < dim <= 100_000 and 0 <= nwords <= size):
            raise VectorFormatError(path, None, f"not a fastText model (dim={dim}, words={nwords}/{size})")
        raw_words = []
        for _ in range(size):
            raw_words.append(_read_word(f, path))
            _unpack(f, "<qb", path)  # count, entry type
        if pruneidx > 0:
            f.read(8 * pruneidx)
        if new and _unpack(f, "<?", path)[0]:
            raise VectorFormatError(
                path, None, "quantized fastText models (.ftz) are not supported; use the full .bin"
            )
        rows, cols = _unpack(f, "<2q", path)
        if cols != dim or rows != nwords + bucket:
            raise VectorFormatError(
                path, None, f"expected an input matrix of {nwords + bucket} x {dim}, found {rows} x {cols}"
            )
        offset = f.tell()
        if compression_of(path) is None:
            matrix = np.memmap(path, dtype="<f4", mode="c", offset=offset, shape=(rows, cols))
        else:
            data = f.read(rows * cols * 4)
            if len(data) != rows * cols * 4:
                raise VectorFormatError(path, None, "the fastText file ends inside its input matrix")
            matrix = np.frombuffer(data, dtype="<f4").reshape(rows, cols)
    if progress is not None:
        progress(1, 1)
    subwords = FastTextSubwords(matrix[nwords:], min_n=minn, max_n=maxn)
    chosen = [
        (i, raw.decode("utf-8", errors="backslashreplace"))
        for i, raw in enumerate(raw_words[: nwords if limit is None else min(nwords, limit)])
    ]
    if keep is not None:
        chosen = [(i, w) for i, w in chosen if w in keep]
    vectors = np.empty((len(chosen), dim), dtype=dtype)
    use_ngrams = bucket > 0 and maxn > 0
    for start in range(0, len(chosen), 4096):
        batch = chosen[start : start + 4096]
        vectors[start : start + len(batch)] = _word_vectors(matrix, nwords, batch, subwords, use_ngrams)
    problems.report.rows_read = problems.report.rows_kept = len(chosen)
    return [w for _, w in chosen], vectors, subwords


def _word_vectors(
    matrix: np.ndarray, nwords: int, batch: list[tuple[int, str]], subwords: FastTextSubwords, use_ngrams: bool
) -> np.ndarray:
    """Mean of each word's row and its n-gram rows, summed in fastText's (and gensim's) order."""
    grams = [_utf8_ngrams(w, subwords.min_n, subwords.max_n) if use_ngrams else [] for _, w in batch]
    counts = np.array([len(g) for g in grams], dtype=np.int64)
    hashes = _fnv1a([g for gs in grams for g in gs]).astype(np.int64) % max(subwords.bucket, 1)
    acc = np.array(matrix[[i for i, _ in batch]], dtype=np.float32)
    table = np.zeros((len(batch), int(counts.max(initial=0))), dtype=np.int64)
    live = np.arange(table.shape[1]) < counts[:, None]
    table[live] = hashes + nwords
    for k in range(table.shape[1]):  # add n-gram k of every word: fastText's summation order
        rows = np.flatnonzero(live[:, k])
        acc[rows] += matrix[table[rows, k]]
    return acc / (counts + 1).astype(np.float32)[:, None]
