"""fastText ``.bin`` models: word vectors plus character n-gram vectors for unknown words.

The reader follows fastText's own ``Args::save``, ``Dictionary::save`` and ``Matrix::save``
layouts (no gensim at run time). A word's vector is, as in fastText's ``getWordVector`` and
gensim's ``load_facebook_vectors``, the mean of its own row and the rows of its character
n-grams (``<word>`` cut into ``minn``..``maxn`` characters, hashed with 32-bit FNV-1a into
``bucket`` rows); an unknown word gets the mean of its n-gram rows. A model without n-grams
(``bucket=0`` or ``maxn=0``, such as a supervised model) has no vector for an unknown word: the
reader returns no subword model for it, and lookups of unknown words raise
:class:`~vectab.errors.OutOfVocabularyError` as for any other table.

Every size in the header is checked against the bytes the file really has before anything is
read or allocated from it (compressed streams are read in bounded chunks), the input matrix is
refused if it holds NaN or infinity, and words follow ``encoding=`` / ``unicode_errors=`` as in
the text readers.
"""

from __future__ import annotations

import lzma
import os
import struct
import zlib
from collections.abc import Callable
from typing import IO

import numpy as np

from vectab.errors import OutOfVocabularyError, VectorFormatError
from vectab.vectors.formats._report import Decoder, Problems
from vectab.vectors.formats._source import Source, opened

__all__ = [
    "FastTextSubwords", "read_fasttext_bin", "ngram_hashes", "ngram_buckets", "FASTTEXT_MAGIC",
]

FASTTEXT_MAGIC = 793712314
FASTTEXT_VERSION = 12  # the newest file version fastText writes (src/fasttext.h)
MAX_DIM = 100_000
MAX_WORD_BYTES = 1 << 20  # one vocabulary entry; fastText words are never near this
_CHUNK = 1 << 24  # the most read at once from a region whose size comes from the header
_MIN_ENTRY = 11  # a vocabulary entry: >= 1 byte of word, its NUL, int64 count, int8 type
_NEW_ARGS = (
    "<12id"  # dim ws epoch min_count neg word_ngrams loss model bucket minn maxn lr_update_rate t
)
_OLD_ARGS = "<10id"  # epoch min_count neg word_ngrams loss model bucket minn maxn lr_update_rate t
# the header fields _OLD_ARGS / _NEW_ARGS hold, in order (lr_update_rate and t are not kept)
_OLD_NAMES = ("epoch", "min_count", "neg", "word_ngrams", "loss", "model", "bucket", "minn", "maxn")
_NEW_NAMES = ("dim", "ws", *_OLD_NAMES)


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


def ngram_buckets(
    words: list[str], min_n: int, max_n: int, bucket: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every word's n-gram bucket rows at once, as CSR arrays ``(ptr, rows)``.

    Word ``i``'s rows are ``rows[ptr[i]:ptr[i + 1]]``, equal to ``ngram_hashes(word, min_n,
    max_n, bucket)`` (gensim's ``buckets_word``); ``bucket=0`` or ``max_n < min_n`` gives no
    rows.

    Example:
        >>> ptr, rows = ngram_buckets(["a", "ab"], 3, 3, 2_000_000)
        >>> ptr.tolist(), rows[:1].tolist() == ngram_hashes("a", 3, 3, 2_000_000).tolist()
        ([0, 1, 3], True)
    """
    ptr = np.zeros(len(words) + 1, dtype=np.int64)
    if bucket <= 0 or max_n <= 0 or max_n < min_n:
        return ptr, np.zeros(0, dtype=np.int32)
    parts = []
    for start in range(0, len(words), 8192):
        grams = [_utf8_ngrams(w, min_n, max_n) for w in words[start : start + 8192]]
        ptr[start + 1 : start + 1 + len(grams)] = [len(g) for g in grams]
        parts.append(_fnv1a([g for gs in grams for g in gs]) % np.uint32(bucket))
    np.cumsum(ptr, out=ptr)
    return ptr, np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)


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

    @property
    def has_ngrams(self) -> bool:
        """Whether any word can have n-grams (False for ``bucket=0`` or ``max_n=0`` models)."""
        return self.bucket > 0 and self.max_n > 0 and self.max_n >= self.min_n

    def word_vector(self, word: str) -> np.ndarray:
        """The mean of ``word``'s n-gram vectors.

        Raises:
            OutOfVocabularyError: ``word`` has no n-gram (a model without n-grams, or a word
                shorter than ``min_n`` characters with its ``<`` ``>``). fastText and gensim
                return a zero vector there, which searches would rank as if it meant something.
        """
        rows = self.hashes(word) if self.has_ngrams else np.zeros(0, np.int64)
        if rows.size == 0:
            why = (
                f"this fastText model has no character n-grams (bucket={self.bucket}, "
                f"maxn={self.max_n}), so it has no vector for a word outside its vocabulary"
                if not self.has_ngrams
                else f"it has no character n-gram of {self.min_n}..{self.max_n} characters to "
                "build a vector from"
            )
            raise OutOfVocabularyError(word, hint=why)
        out = np.zeros(self.ngram_vectors.shape[1], dtype=np.float32)
        for r in rows:  # sequential float32 sums: the same rounding as gensim and fastText
            out += self.ngram_vectors[r]
        return out / np.float32(rows.size)

    def __repr__(self) -> str:
        return (
            f"FastTextSubwords(bucket={self.bucket}, dim={self.ngram_vectors.shape[1]}, "
            f"min_n={self.min_n}, max_n={self.max_n})"
        )


class _Stream:
    """Bounded reads from the model file, knowing how many bytes remain when the file is plain.

    All reads go through one small buffer, so a word is found without copying the reader's
    buffer per word; a region whose size the header gives is read in chunks of at most
    ``_CHUNK`` bytes, so a false size fails when the data ends, not at allocation.
    """

    def __init__(self, f: IO[bytes], path: object, size: int | None) -> None:
        self._f = f
        self.path = path
        self.compressed = size is None
        self._size = size
        self._buf = b""
        self._pos = 0
        self._entry = struct.Struct("<qb")

    def error(self, message: str) -> VectorFormatError:
        return VectorFormatError(self.path, None, message)

    def _raw(self, call: Callable, *args):
        try:
            return call(*args)
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as e:
            if not self.compressed:
                raise
            raise self.error(
                f"the compressed stream is damaged or cut short ({type(e).__name__}: {e}); "
                "download or decompress the file again"
            ) from None

    def tell(self) -> int:
        return self._f.tell() - (len(self._buf) - self._pos)

    def remaining(self) -> int | None:
        """Bytes left in a plain file (None for a compressed stream: unknown until read)."""
        return None if self._size is None else self._size - self.tell()

    def _fill(self) -> bool:
        data = self._raw(self._f.read, 1 << 16)
        if not data:
            return False
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        return True

    def read(self, n: int, where: str) -> bytes:
        """Exactly ``n`` (a few) bytes, or an error naming ``where`` the file ends."""
        while len(self._buf) - self._pos < n:
            if not self._fill():
                found = len(self._buf) - self._pos
                raise self.error(
                    f"the file ends inside {where} (expected {n} more bytes, found {found})"
                )
        out = self._buf[self._pos : self._pos + n]
        self._pos += n
        return out

    def unpack(self, fmt: str, where: str) -> tuple:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt), where))

    def entry(self, index: int, total: int) -> tuple[bytes, int, int]:
        """Vocabulary entry ``index``: the word's bytes (up to its NUL), its count and type."""
        while True:
            end = self._buf.find(b"\0", self._pos)
            if end >= 0 and len(self._buf) - end > 9:
                word = self._buf[self._pos : end]
                count, kind = self._entry.unpack_from(self._buf, end + 1)
                self._pos = end + 10
                return word, count, kind
            if end < 0 and len(self._buf) - self._pos > MAX_WORD_BYTES:
                raise self.error(
                    f"vocabulary entry {index + 1} of {total} is longer than {MAX_WORD_BYTES} "
                    "bytes without its NUL terminator; expected a word: the file is damaged "
                    "or not fastText"
                )
            if not self._fill():
                raise self.error(
                    f"the file ends inside its vocabulary, in entry {index + 1} of {total} words "
                    "(the file is truncated)"
                )

    def readinto(self, view: memoryview, where: str) -> None:
        """Fill ``view`` completely (at most ``_CHUNK`` bytes), or an error naming ``where``."""
        n = len(view)
        have = min(len(self._buf) - self._pos, n)
        view[:have] = self._buf[self._pos : self._pos + have]
        self._pos += have
        done = have
        while done < n:
            got = self._raw(self._f.readinto, view[done:])
            if not got:
                raise self.error(f"the file ends inside {where} (the file is truncated)")
            done += got

    def skip(self, n: int, where: str) -> None:
        """Pass over ``n`` bytes: a seek in a plain file (its size was checked), else bounded
        reads."""
        left = self.remaining()
        if left is not None and n <= left:
            self._f.seek(self.tell() + n)
            self._buf, self._pos = b"", 0
            return
        scratch = np.empty(min(n, _CHUNK), dtype=np.uint8)
        with memoryview(scratch) as mv:
            while n > 0:
                step = min(n, len(mv))
                self.readinto(mv[:step], where)
                n -= step


def _bad(
    stream: _Stream, field: str, value: int, expected: str, hint: str = ""
) -> VectorFormatError:
    return stream.error(
        f"header field `{field}` is {value}; expected {expected}" + (f" ({hint})" if hint else "")
    )


def _read_header(s: _Stream) -> dict[str, int]:
    """Args and dictionary header, every count validated against its meaning and the file."""
    magic, version = s.unpack("<2i", "the header")
    new = magic == FASTTEXT_MAGIC
    h = {"new": new, "version": version if new else 0}
    if new:
        if not 1 <= version <= FASTTEXT_VERSION:
            raise _bad(
                s,
                "version",
                version,
                f"1..{FASTTEXT_VERSION}",
                "not a fastText file vectab can read",
            )
        names = _NEW_NAMES
        values = s.unpack(_NEW_ARGS, "the header")
    else:  # fastText before its magic number: the file starts with dim and ws
        names = _OLD_NAMES
        values = s.unpack(_OLD_ARGS, "the header")
        h.update(dim=magic, ws=version)
    h.update(zip(names, values))
    if not 0 < h["dim"] <= MAX_DIM:
        hint = (
            "is this a fastText .bin model?"
            if new
            else (
                f"the file starts with neither fastText's magic number {FASTTEXT_MAGIC} nor a "
                "plausible dim; is this a fastText .bin model?"
            )
        )
        raise _bad(s, "dim", h["dim"], f"1..{MAX_DIM}", hint)
    if h["model"] not in (1, 2, 3):
        raise _bad(s, "model", h["model"], "1 (cbow), 2 (skipgram) or 3 (supervised)")
    for name in ("bucket", "minn", "maxn"):
        if h[name] < 0:
            raise _bad(s, name, h[name], "a count >= 0")
    if new and version == 11 and h["model"] == 3:
        h["maxn"] = 0  # fastText's loadModel: version-11 supervised models used no char n-grams
    size, nwords, nlabels = s.unpack("<3i", "the dictionary header")
    (ntokens,) = s.unpack("<q", "the dictionary header")
    pruneidx = s.unpack("<q", "the dictionary header")[0] if new else -1
    h.update(size=size, nwords=nwords, nlabels=nlabels, ntokens=ntokens, pruneidx_size=pruneidx)
    if size < 0:
        raise _bad(s, "size", size, "a number of entries >= 0")
    if not 0 <= nwords <= size:
        raise _bad(s, "nwords", nwords, f"0..size={size}")
    if nlabels != size - nwords:
        raise _bad(s, "nlabels", nlabels, f"size - nwords = {size - nwords}")
    if pruneidx < -1:
        raise _bad(s, "pruneidx_size", pruneidx, "-1 (not pruned) or a count >= 0")
    left = s.remaining()
    if left is not None:
        vocab = size * _MIN_ENTRY
        if vocab > left:
            raise _bad(
                s,
                "size",
                size,
                f"at most {left // _MIN_ENTRY} entries",
                f"{size} entries need at least {vocab} bytes but only {left} bytes "
                "follow the header",
            )
        prune = 8 * max(pruneidx, 0)
        if vocab + prune > left:
            raise _bad(
                s, "pruneidx_size", pruneidx, f"at most {(left - vocab) // 8}",
                f"{pruneidx} pairs need {prune} bytes but at most {left - vocab} bytes remain",
            )
    return h


def _read_vocab(s: _Stream, h: dict[str, int]) -> list[bytes]:
    """The words' bytes (labels are checked and dropped); entries are read one at a time."""
    size, nwords = h["size"], h["nwords"]
    words = []
    empty = -1  # gensim keeps one empty word (its toy-model-pretrained.bin has one) as the key ''
    for i in range(size):
        raw, _count, kind = s.entry(i, size)
        if not raw:
            if empty >= 0:  # refused at once: a run of zero bytes (holes) is no vocabulary
                raise s.error(
                    f"vocabulary entry {i + 1} of {size} is an empty word, and so was entry "
                    f"{empty + 1}; expected distinct words: the file is damaged or not fastText"
                )
            empty = i
        expected = 0 if i < nwords else 1
        if kind != expected:
            raise s.error(
                f"vocabulary entry {i + 1} of {size} ({raw[:40]!r}) has entry type {kind}; "
                f"expected {expected} ({'word' if expected == 0 else 'label'}: nwords={nwords})"
            )
        if i < nwords:
            words.append(raw)
    return words


def _check_rows(
    block: np.ndarray,
    first: int,
    cols: int,
    nwords: int,
    raw_words: list[bytes],
    s: _Stream,
    bad: set[int],
    problems: Problems,
) -> None:
    """Refuse NaN/inf: a word row is a bad row (raised, or skipped with its word); an n-gram row
    raises."""
    if np.isfinite(block).all():
        return
    rows = np.unique((first + np.flatnonzero(~np.isfinite(block))) // cols).tolist()
    for r in rows:
        if r >= nwords:
            raise s.error(
                f"n-gram row {r - nwords} (input matrix row {r}) holds NaN or infinity; every word "
                "built from it would be wrong: the model is damaged"
            )
        bad.add(r)
        shown = raw_words[r].decode("utf-8", "backslashreplace")
        problems.bad(
            None, "not finite", f"the vector of word {r + 1} ({shown!r}) holds NaN or infinity"
        )


def _read_matrix(
    s: _Stream, h: dict[str, int], file: IO[bytes], raw_words: list[bytes], problems: Problems
) -> tuple[np.ndarray, set[int]]:
    """The input matrix, checked to be finite in bounded chunks before it is used.

    A plain file is scanned, then memory-mapped; a compressed stream is read into an array that
    grows (by doubling) only as the data arrives, so its size never runs ahead of the data.
    """
    rows, cols = s.unpack("<2q", "the input matrix header")
    nwords, bucket, dim = h["nwords"], h["bucket"], h["dim"]
    if cols != dim or rows != nwords + bucket:
        raise s.error(
            f"the input matrix header says {rows} x {cols}; expected nwords + bucket = "
            f"{nwords + bucket} rows x dim = {dim} columns (the file is damaged)"
        )
    nbytes = rows * cols * 4
    left = s.remaining()
    if left is not None and nbytes > left:
        raise s.error(
            f"the input matrix needs {nbytes} bytes ({rows} x {cols} float32) but only {left} "
            "bytes remain: the file is truncated"
        )
    bad: set[int] = set()
    where = f"its input matrix ({rows} x {cols})"
    if s.compressed:
        data = np.empty(min(nbytes, _CHUNK), dtype=np.uint8)
        done = 0
        while done < nbytes:
            step = min(_CHUNK, nbytes - done)
            if done + step > data.size:
                data.resize(min(nbytes, max(2 * data.size, done + step)), refcheck=False)
            with memoryview(data) as mv:
                s.readinto(mv[done : done + step], where)
            _check_rows(
                data[done : done + step].view("<f4"),
                done // 4,
                cols,
                nwords,
                raw_words,
                s,
                bad,
                problems,
            )
            done += step
        return data.view("<f4").reshape(rows, cols), bad
    offset = s.tell()
    scratch = np.empty(min(nbytes, _CHUNK), dtype=np.uint8)
    done = 0
    with memoryview(scratch) as mv:
        while done < nbytes:
            step = min(_CHUNK, nbytes - done)
            s.readinto(mv[:step], where)
            _check_rows(
                scratch[:step].view("<f4"), done // 4, cols, nwords, raw_words, s, bad, problems
            )
            done += step
    del scratch
    if nbytes == 0:
        return np.zeros((rows, cols), dtype=np.float32), bad
    # mapped from the file already open (not the path again: a rename can't swap it)
    return np.memmap(file, dtype="<f4", mode="c", offset=offset, shape=(rows, cols)), bad


def _decode_words(
    raw_words: list[bytes], encoding: str, unicode_errors: str, bad: set[int], problems: Problems
) -> list[tuple[int, str]]:
    """(row, word) for each word that decodes and is not a duplicate of an earlier one."""
    out, first = [], {}
    for i, raw in enumerate(raw_words):
        if i in bad:
            continue
        try:
            word = raw.decode(encoding, unicode_errors)
        except UnicodeDecodeError as e:
            problems.bad(
                None,
                "not UTF-8" if encoding == "utf-8" else f"not {encoding}",
                f"word {i + 1} ({raw!r}) is not valid {encoding} ({e.reason} at byte {e.start}); "
                "pass unicode_errors='replace' (or 'ignore') to load it anyway, or encoding= the "
                "file's encoding",
            )
            continue
        j = first.setdefault(word, i)
        if j != i:
            problems.bad(
                None,
                "duplicate word",
                f"word {i + 1} ({raw!r}) reads as {word!r}, already word {j + 1} "
                f"({raw_words[j]!r}) under encoding={encoding!r}, "
                f"unicode_errors={unicode_errors!r}; the first is kept",
                row=False,
            )
            continue
        out.append((i, word))
    return out


def read_fasttext_bin(
    source: str | os.PathLike[str] | Source,
    *,
    limit: int | None,
    keep: set[str] | None,
    dtype: np.dtype,
    problems: Problems,
    encoding: str = "utf-8",
    unicode_errors: str = "strict",
) -> tuple[list[str], np.ndarray, FastTextSubwords | None]:
    """Read a fastText ``.bin`` model: in-vocabulary words, their vectors, and the n-gram model.

    Args:
        source: the model, plain or compressed: a path, or the load's `Source`.
        limit: read only the first ``limit`` words.
        keep: keep only these words.
        dtype: of the word vectors (the n-gram rows stay float32).
        problems: raise or count bad words (NaN rows, words that do not decode, duplicates).
        encoding: of the words' bytes (gensim's ``encoding``).
        unicode_errors: ``"strict"`` (a word that does not decode is a bad row), ``"replace"``
            or ``"ignore"``, as ``bytes.decode``.

    Returns:
        ``(words, vectors, subwords)``; ``subwords`` is None for a model without character
        n-grams (``bucket=0`` or ``maxn=0``): it has no vector for an unknown word.

    Raises:
        VectorFormatError: a header field out of range or larger than the file, a truncated or
            damaged file, a quantized model, a NaN/inf n-gram row; and, unless ``problems``
            skips them, NaN/inf word rows, words that do not decode and duplicate words.
    """
    encoding = Decoder(encoding, unicode_errors).encoding
    with opened(source) as src:
        s = _Stream(src.stream(), src.path, src.length)
        h = _read_header(s)
        raw_words = _read_vocab(s, h)
        if h["pruneidx_size"] > 0:
            s.skip(8 * h["pruneidx_size"], f"its pruned n-gram index ({h['pruneidx_size']} pairs)")
        if h["new"]:
            (quant,) = s.unpack("<B", "the input matrix header")
            if quant > 1:
                raise s.error(
                    f"the quantization flag of the input matrix is {quant}; expected 0 or 1"
                )
            if quant:
                raise s.error(
                    "quantized fastText models (.ftz) are not supported; use the full .bin"
                )
        matrix, bad = _read_matrix(s, h, src.file, raw_words, problems)
        src.advance(s.tell(), words=h["nwords"])
    nwords, minn, maxn = h["nwords"], h["minn"], h["maxn"]
    subwords = FastTextSubwords(matrix[nwords:], min_n=minn, max_n=maxn)
    chosen = _decode_words(
        raw_words[: nwords if limit is None else min(nwords, limit)],
        encoding,
        unicode_errors,
        bad,
        problems,
    )
    if keep is not None:
        chosen = [(i, w) for i, w in chosen if w in keep]
    vectors = np.empty((len(chosen), h["dim"]), dtype=dtype)
    use_ngrams = subwords.has_ngrams
    for start in range(0, len(chosen), 4096):
        batch = chosen[start : start + 4096]
        vectors[start : start + len(batch)] = _word_vectors(
            matrix, nwords, batch, subwords, use_ngrams
        )
    problems.report.rows_read = min(nwords, nwords if limit is None else limit)
    problems.report.rows_kept = len(chosen)
    return [w for _, w in chosen], vectors, subwords if use_ngrams else None


def _word_vectors(
    matrix: np.ndarray,
    nwords: int,
    batch: list[tuple[int, str]],
    subwords: FastTextSubwords,
    use_ngrams: bool,
) -> np.ndarray:
    """Mean of each word's row and its n-gram rows, summed in fastText's (and gensim's) order."""
    grams = [
        _utf8_ngrams(w, subwords.min_n, subwords.max_n) if use_ngrams else [] for _, w in batch
    ]
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
