"""vectab's own format: one safetensors file that opens by memory map.

Tensors: ``vectors`` ``(vocab, dim)`` (F32, F16 or F64), ``vocab`` (U8: the words, UTF-8,
joined by ``\\n``; when a word holds a newline, ``vocab_offsets`` (I64, ``vocab + 1``) gives
the byte ranges instead), and for fastText models ``ngrams`` ``(bucket, dim)``. The
``__metadata__`` says ``format: vectab-vectors``, the version, anything the writer adds (the
cache stores its source file's identity there) and, last, a ``checksum``. Any safetensors
reader can open the file; vectab maps ``vectors`` without copying it.

The checksum (version 2) is xxh3-128 of every byte of the file, the length prefix, the header
JSON with its padding, every tensor whole, with only the 32 hex digits of the checksum itself
read as ``0``. So any change to the stored bytes, one flipped bit anywhere, a run of zeros,
a truncation or appended bytes, is a `VectorFormatError` naming the file. xxh3 hashes 15 GB/s
in memory; over a memory map (64 MB windows, so the check adds no resident memory) it takes
40-50 ms for a 400,000 x 300 float32 matrix (480 MB) in the page cache, of a cached reload
of about 0.17 s (CRC32 would take 170 ms, blake2b 700 ms). The trade-off, taken on purpose:
``verify=True`` (the default, also for every cached reload) reads the whole file once at
open, instead of paging in only the rows that are used; on a cold page cache that is the
disk's read time of the file. A check done once and remembered would miss a byte that goes
bad later, so there is no such shortcut. ``verify=False`` skips the hash (the header and the
file length are still checked). Bytes changed in place by another process after the check
go undetected and can show through the map (copy-on-write for this process, not a snapshot);
vectab itself only ever replaces files by rename.

Files of version 1 (vectab before the full checksum) hashed the header, the words and only
~0.8% of the vector bytes. They still load: that partial checksum is verified, and a warning
says that damage elsewhere in the matrix cannot be detected and how to rewrite the file
(``legacy="raise"`` refuses them instead; the cache uses it and simply rebuilds such entries).
"""

from __future__ import annotations

import hashlib
import json
import mmap as _mmap
import os
import struct
import warnings
from collections.abc import Sequence
from typing import IO, Any

import numpy as np
import xxhash

from vectab.errors import VectorFormatError
from vectab.vectors.formats._source import Source, opened

__all__ = ["write_native", "read_native", "read_native_header", "MAGIC_FORMAT"]

MAGIC_FORMAT = "vectab-vectors"
VERSION = "2"
_LEGACY = "1"
_ALGORITHM = "xxh3_128 of the whole file, these 32 digits read as 0"
_DIGITS = 32
_HOLE = b"0" * _DIGITS
_RESERVED = ("format", "version", "checksum_algorithm", "checksum")
_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "U8": np.uint8, "I64": np.int64}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
_SAMPLES = 64
_PAGE = 4096
_MAX_HEADER = 100 << 20
_WINDOW = 64 << 20  # bytes mapped at once by the checksum (a multiple of any mmap granularity)
_REWRITE = "rewrite it with save_vectors(load_vectors(path), path, format='vectab')"
_DAMAGED = "re-create it from its source (or restore a good copy)"


def _encode_vocab(words: Sequence[str]) -> tuple[bytes, np.ndarray | None]:
    if any("\n" in w for w in words):
        encoded = [w.encode("utf-8") for w in words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return b"".join(encoded), offsets
    return "\n".join(words).encode("utf-8"), None


def _as_bytes(data: np.ndarray | bytes) -> memoryview | bytes:
    if isinstance(data, np.ndarray):
        return memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
    return data


# -- version 1 (read only): header fields, vocab and a sample of the matrix ------------------


def _sample(data: Any, nbytes: int) -> bytes:
    """Up to 64 pages spread over ``data`` (bytes-like of ``nbytes``) plus its last page."""
    if nbytes <= (_SAMPLES + 1) * _PAGE:
        return bytes(data[:nbytes])
    step = nbytes // _SAMPLES
    parts = [bytes(data[i * step : i * step + _PAGE]) for i in range(_SAMPLES)]
    parts.append(bytes(data[nbytes - _PAGE : nbytes]))
    return b"".join(parts)


def _legacy_checksum(header: dict[str, Any], vocab: bytes, sample: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    fields = {k: v for k, v in header.items() if k != "__metadata__"}
    h.update(json.dumps(fields, sort_keys=True).encode())
    h.update(vocab)
    h.update(sample)
    return h.hexdigest()


# -- writing ----------------------------------------------------------------------------------


def write_native(
    f: IO[bytes],
    words: Sequence[str],
    matrix: np.ndarray,
    *,
    ngrams: np.ndarray | None = None,
    metadata: dict[str, str] | None = None,
) -> None:
    """Write ``words`` and ``matrix`` (and fastText ``ngrams``) as one safetensors file.

    The checksum is computed in memory while the header is built, so ``f`` is written once,
    front to back (it need not be seekable).
    """
    clash = sorted(set(metadata or {}) & set(_RESERVED))
    if clash:
        raise ValueError(f"`metadata` must not set {clash}: vectab writes {list(_RESERVED)} itself")
    matrix = np.asarray(matrix)
    if matrix.dtype not in (np.float16, np.float32, np.float64):
        matrix = matrix.astype(np.float32)
    vocab, offsets = _encode_vocab(words)
    tensors: list[tuple[str, np.ndarray | bytes, str, list[int]]] = [
        ("vectors", matrix, _CODES[matrix.dtype], list(matrix.shape))
    ]
    if ngrams is not None:
        ngrams = np.asarray(ngrams, dtype=matrix.dtype)
        tensors.append(("ngrams", ngrams, _CODES[ngrams.dtype], list(ngrams.shape)))
    if offsets is not None:
        tensors.append(("vocab_offsets", offsets, "I64", [len(offsets)]))
    tensors.append(("vocab", vocab, "U8", [len(vocab)]))
    header: dict[str, Any] = {}
    start = 0
    for name, data, code, shape in tensors:
        nbytes = data.nbytes if isinstance(data, np.ndarray) else len(data)
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [start, start + nbytes]}
        start += nbytes
    meta = {
        "format": MAGIC_FORMAT,
        "version": VERSION,
        **(metadata or {}),
        "checksum_algorithm": _ALGORITHM,
    }
    meta["checksum"] = _HOLE.decode()  # last key: its digits sit at a fixed place at the end
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(len(text) + 8) % 8)  # data starts 8-byte aligned
    prefix = struct.pack("<Q", len(text))
    hole = len(text.rstrip(b" ")) - len(b'"}}') - _DIGITS
    h = xxhash.xxh3_128()
    h.update(prefix)
    h.update(text)
    for _, data, _, _ in tensors:
        h.update(_as_bytes(data))
    text = text[:hole] + h.hexdigest().encode() + text[hole + _DIGITS :]
    f.write(prefix)
    f.write(text)
    for _, data, _, _ in tensors:
        view = _as_bytes(data)
        for i in range(0, len(view), 64 << 20):
            f.write(view[i : i + (64 << 20)])


# -- reading ----------------------------------------------------------------------------------


def _read_header(
    f: IO[bytes], path: str | os.PathLike[str], size: int
) -> tuple[dict[str, Any], bytes]:
    """The parsed header (a dict with vectab's metadata) and its raw bytes; entries unchecked."""
    raw = f.read(8)
    if len(raw) < 8:
        raise VectorFormatError(path, None, f"expected a vectab file, found only {size} bytes")
    (length,) = struct.unpack("<Q", raw)
    if not 2 <= length <= min(_MAX_HEADER, size - 8):
        raise VectorFormatError(
            path,
            None,
            f"expected a safetensors header length, found {length} (file is {size} bytes)",
        )
    text = f.read(length)
    try:
        header = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise VectorFormatError(
            path, None, f"the safetensors header is not valid JSON ({e})"
        ) from None
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    if (
        not isinstance(meta, dict)
        or meta.get("format") != MAGIC_FORMAT
        or "vectors" not in header
        or "vocab" not in header
    ):
        names = (
            sorted(k for k in header if k != "__metadata__")
            if isinstance(header, dict)
            else type(header).__name__
        )
        raise VectorFormatError(
            path,
            None,
            f"a safetensors file without vectab vectors (tensors {names}); "
            "expected tensors 'vectors' and 'vocab' and metadata format='vectab-vectors'",
        )
    return header, text


def _check_entries(
    path: str | os.PathLike[str], header: dict[str, Any], base: int, size: int
) -> None:
    end = 0
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        ok = isinstance(spec, dict) and spec.get("dtype") in _DTYPES
        shape, offsets = (spec.get("shape"), spec.get("data_offsets")) if ok else (None, None)
        ok = ok and isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)
        ok = (
            ok
            and isinstance(offsets, list)
            and len(offsets) == 2
            and all(type(o) is int for o in offsets)
        )
        if ok:
            begin, stop = offsets
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(_DTYPES[spec["dtype"]]).itemsize
            ok = 0 <= begin <= stop and stop - begin == nbytes
        if not ok:
            raise VectorFormatError(
                path, None, f"tensor {name!r} has an inconsistent header entry {spec}"
            )
        end = max(end, stop)
    if base + end != size:
        raise VectorFormatError(
            path, None, f"expected {base + end} bytes from the header, found {size} (truncated?)"
        )


def read_native_header(path: str | os.PathLike[str]) -> tuple[dict[str, Any], int]:
    """The safetensors header (validated, checksum not checked) and the offset where data starts."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header, text = _read_header(f, path, size)
    _check_entries(path, header, 8 + len(text), size)
    return header, 8 + len(text)


def _data_digest(h: Any, f: IO[bytes], base: int, size: int) -> None:
    """Feed bytes ``base:size`` of the open file ``f`` to ``h``, mapped 64 MB at a time.

    A window at a time keeps the address space and the resident pages of the check small,
    whatever the file's size; the pages stay in the page cache for the memory map that follows.
    """
    start = base - base % _mmap.ALLOCATIONGRANULARITY
    while start < size:
        length = min(_WINDOW, size - start)
        with (
            _mmap.mmap(f.fileno(), length, access=_mmap.ACCESS_READ, offset=start) as mm,
            memoryview(mm) as view,
        ):
            h.update(view[max(base - start, 0) :])
        start += length


def _verify(
    f: IO[bytes], path: str | os.PathLike[str], meta: dict[str, Any], text: bytes, size: int
) -> None:
    """Check the version-2 checksum: every byte of the file, its own 32 digits read as ``0``."""
    stored = meta.get("checksum")
    body = text.rstrip(b" ")
    hole = len(body) - len(b'"}}') - _DIGITS
    tail = b'"checksum":"' + str(stored).encode() + b'"}}'
    if not (isinstance(stored, str) and len(stored) == _DIGITS and body.endswith(tail)):
        raise VectorFormatError(
            path, None, f"checksum mismatch: the header's checksum field is damaged; {_DAMAGED}"
        )
    h = xxhash.xxh3_128()
    h.update(struct.pack("<Q", len(text)))
    h.update(text[:hole])
    h.update(_HOLE)
    h.update(text[hole + _DIGITS :])
    _data_digest(h, f, 8 + len(text), size)
    if h.hexdigest() != stored:
        raise VectorFormatError(
            path,
            None,
            "checksum mismatch: the file is damaged or was changed after it was "
            f"written; {_DAMAGED}",
        )


def _tensor(f: IO[bytes], header: dict[str, Any], base: int, name: str, mmap: bool) -> np.ndarray:
    spec = header[name]
    dtype = np.dtype(_DTYPES[spec["dtype"]])
    shape = tuple(spec["shape"])
    begin, stop = spec["data_offsets"]
    if stop == begin:
        return np.zeros(shape, dtype=dtype)
    if mmap:
        return np.memmap(f, dtype=dtype, mode="c", offset=base + begin, shape=shape)
    f.seek(base + begin)
    return np.frombuffer(f.read(stop - begin), dtype=dtype).reshape(shape).copy()


def read_native(
    source: str | os.PathLike[str] | Source,
    *,
    mmap: bool = True,
    verify: bool = True,
    legacy: str = "warn",
) -> tuple[list[str], np.ndarray, np.ndarray | None, dict[str, str]]:
    """Open a vectab file: words, vectors (a copy-on-write memory map), ngrams, metadata.

    Args:
        source: the ``.vectab`` file: a path, or the load's open `Source`.
        mmap: map ``vectors`` and ``ngrams`` instead of reading them into memory.
        verify: check the checksum of the whole file (a `VectorFormatError` if any stored byte
            changed); False checks only the header and the file's length.
        legacy: a version-1 file (partial checksum): ``"warn"`` loads it after checking what
            its checksum covers, with a warning; ``"raise"`` refuses it.

    Example:
        >>> import io, tempfile, pathlib, numpy as np
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vectab"
        >>> with open(p, "wb") as f:
        ...     write_native(f, ["a", "b"], np.eye(2, dtype=np.float32))
        >>> words, vectors, ngrams, meta = read_native(p)
        >>> words, vectors.tolist(), meta["format"]
        (['a', 'b'], [[1.0, 0.0], [0.0, 1.0]], 'vectab-vectors')
    """
    if legacy not in ("warn", "raise"):
        raise ValueError(f"`legacy` must be 'warn' or 'raise', got {legacy!r}")
    # one open file for header, checksum and map: a rename can't swap it
    with opened(source) as src:
        path, f, size = src.path, src.file, src.size
        f.seek(0)
        header, text = _read_header(f, path, size)
        meta = header["__metadata__"]
        base = 8 + len(text)
        version = meta.get("version")
        if version == _LEGACY:
            if legacy == "raise":
                raise VectorFormatError(
                    path, None, f"format version 1 (partial checksum); {_REWRITE}"
                )
        elif version != VERSION:
            raise VectorFormatError(
                path,
                None,
                f"expected format version {VERSION}, found {version!r}: written by a newer vectab "
                f"(upgrade) or damaged ({_DAMAGED})",
            )
        _check_entries(path, header, base, size)
        if version == VERSION and verify:
            _verify(f, path, meta, text, size)
        vocab = _tensor(f, header, base, "vocab", mmap=False).tobytes()
        vectors = _tensor(f, header, base, "vectors", mmap=mmap)
        if version == _LEGACY and verify:
            flat = (
                np.asarray(vectors).reshape(-1).view(np.uint8)
                if vectors.size
                else np.zeros(0, np.uint8)
            )
            if _legacy_checksum(header, vocab, _sample(flat, flat.size)) != meta.get("checksum"):
                raise VectorFormatError(
                    path, None, f"checksum mismatch: the file is damaged; {_DAMAGED}"
                )
        if version == _LEGACY:
            warnings.warn(
                f"{path}: written by an earlier vectab (format version 1), whose checksum covers "
                "the header, the words and only ~0.8% of the vector bytes, so damage elsewhere in "
                f"the matrix goes unseen; {_REWRITE} to get a checksum of the whole file",
                stacklevel=2,
            )
        try:
            if "vocab_offsets" in header:
                offsets = _tensor(f, header, base, "vocab_offsets", mmap=False).tolist()
                words = [vocab[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
            else:
                words = vocab.decode("utf-8").split("\n") if vocab else []
                if len(words) == 1 and vectors.shape[0] == 0:
                    words = []
        except UnicodeDecodeError as e:
            raise VectorFormatError(
                path, None, f"the vocabulary is not valid UTF-8 ({e})"
            ) from None
        if len(words) != vectors.shape[0]:
            raise VectorFormatError(
                path, None, f"expected {vectors.shape[0]} words, found {len(words)}"
            )
        ngrams = _tensor(f, header, base, "ngrams", mmap=mmap) if "ngrams" in header else None
    return words, vectors, ngrams, meta
