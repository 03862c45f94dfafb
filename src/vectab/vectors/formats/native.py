"""vectab's own format: one safetensors file that opens by memory map.

Tensors: ``vectors`` ``(vocab, dim)`` (F32, F16 or F64), ``vocab`` (U8: the words, UTF-8,
joined by ``\\n``; when a word holds a newline, ``vocab_offsets`` (I64, ``vocab + 1``) gives
the byte ranges instead), and for fastText models ``ngrams`` ``(bucket, dim)``. The
``__metadata__`` says ``format: vectab-vectors``, the version, a checksum, and anything the
writer adds (the cache stores its source file's identity there). Any safetensors reader can
open the file; vectab maps ``vectors`` without copying it.

The checksum covers the header fields, the whole vocabulary and a sample of the vector bytes
(64 pages spread over the matrix plus its last page), so checking it costs a few
milliseconds even for a 1 GB matrix, yet a truncated or overwritten file is caught.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Sequence
from typing import IO, Any

import numpy as np

from vectab.errors import VectorFormatError

__all__ = ["write_native", "read_native", "read_native_header", "MAGIC_FORMAT"]

MAGIC_FORMAT = "vectab-vectors"
VERSION = "1"
_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "U8": np.uint8, "I64": np.int64}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
_SAMPLES = 64
_PAGE = 4096
_MAX_HEADER = 100 << 20


def _encode_vocab(words: Sequence[str]) -> tuple[bytes, np.ndarray | None]:
    if any("\n" in w for w in words):
        encoded = [w.encode("utf-8") for w in words]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return b"".join(encoded), offsets
    return "\n".join(words).encode("utf-8"), None


def _sample(data: Any, nbytes: int) -> bytes:
    """Up to 64 pages spread over ``data`` (bytes-like of ``nbytes``) plus its last page."""
    if nbytes <= (_SAMPLES + 1) * _PAGE:
        return bytes(data[:nbytes])
    step = nbytes // _SAMPLES
    parts = [bytes(data[i * step : i * step + _PAGE]) for i in range(_SAMPLES)]
    parts.append(bytes(data[nbytes - _PAGE : nbytes]))
    return b"".join(parts)


def _checksum(header: dict[str, Any], vocab: bytes, sample: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    fields = {k: v for k, v in header.items() if k != "__metadata__"}
    h.update(json.dumps(fields, sort_keys=True).encode())
    h.update(vocab)
    h.update(sample)
    return h.hexdigest()


def write_native(
    f: IO[bytes],
    words: Sequence[str],
    matrix: np.ndarray,
    *,
    ngrams: np.ndarray | None = None,
    metadata: dict[str, str] | None = None,
) -> None:
    """Write ``words`` and ``matrix`` (and fastText ``ngrams``) as one safetensors file."""
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
    meta = {"format": MAGIC_FORMAT, "version": VERSION, **(metadata or {})}
    matrix_bytes = np.ascontiguousarray(matrix).reshape(-1).view(np.uint8)
    meta["checksum"] = _checksum(header, vocab, _sample(matrix_bytes, matrix_bytes.size))
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(len(text) + 8) % 8)  # data starts 8-byte aligned
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for _, data, _, _ in tensors:
        if isinstance(data, np.ndarray):
            flat = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
            for i in range(0, flat.size, 64 << 20):
                f.write(flat[i : i + (64 << 20)].data)
        else:
            f.write(data)


def read_native_header(path: str | os.PathLike[str]) -> tuple[dict[str, Any], int]:
    """The safetensors header (validated) and the byte offset where the data starts."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise VectorFormatError(path, None, f"expected a vectab file, found only {size} bytes")
        (length,) = struct.unpack("<Q", raw)
        if not 2 <= length <= min(_MAX_HEADER, size - 8):
            raise VectorFormatError(
                path, None, f"expected a safetensors header length, found {length} (file is {size} bytes)"
            )
        try:
            header = json.loads(f.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise VectorFormatError(path, None, f"the safetensors header is not valid JSON ({e})") from None
    meta = header.get("__metadata__") or {}
    if meta.get("format") != MAGIC_FORMAT or "vectors" not in header or "vocab" not in header:
        raise VectorFormatError(
            path,
            None,
            f"a safetensors file without vectab vectors (tensors {sorted(k for k in header if k != '__metadata__')}); "
            "expected tensors 'vectors' and 'vocab' and metadata format='vectab-vectors'",
        )
    end = 0
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(spec.get("dtype"))
        begin, stop = spec.get("data_offsets", [0, -1])
        if dtype is None or stop - begin != int(np.prod(spec["shape"])) * np.dtype(dtype).itemsize:
            raise VectorFormatError(path, None, f"tensor {name!r} has an inconsistent header entry {spec}")
        end = max(end, stop)
    if 8 + length + end != size:
        raise VectorFormatError(
            path, None, f"expected {8 + length + end} bytes from the header, found {size} (truncated?)"
        )
    return header, 8 + length


def _tensor(path: str | os.PathLike[str], header: dict[str, Any], base: int, name: str, mmap: bool) -> np.ndarray:
    spec = header[name]
    dtype = np.dtype(_DTYPES[spec["dtype"]])
    shape = tuple(spec["shape"])
    begin, stop = spec["data_offsets"]
    if stop == begin:
        return np.zeros(shape, dtype=dtype)
    if mmap:
        return np.memmap(path, dtype=dtype, mode="c", offset=base + begin, shape=shape)
    with open(path, "rb") as f:
        f.seek(base + begin)
        return np.frombuffer(f.read(stop - begin), dtype=dtype).reshape(shape).copy()


def read_native(
    path: str | os.PathLike[str], *, mmap: bool = True, verify: bool = True
) -> tuple[list[str], np.ndarray, np.ndarray | None, dict[str, str]]:
    """Open a vectab file: words, vectors (a copy-on-write memory map), ngrams, metadata.

    Example:
        >>> import io, tempfile, pathlib, numpy as np
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "v.vectab"
        >>> with open(p, "wb") as f:
        ...     write_native(f, ["a", "b"], np.eye(2, dtype=np.float32))
        >>> words, vectors, ngrams, meta = read_native(p)
        >>> words, vectors.tolist(), meta["format"]
        (['a', 'b'], [[1.0, 0.0], [0.0, 1.0]], 'vectab-vectors')
    """
    header, base = read_native_header(path)
    meta = header["__metadata__"]
    vocab = _tensor(path, header, base, "vocab", mmap=False).tobytes()
    vectors = _tensor(path, header, base, "vectors", mmap=mmap)
    if verify:
        flat = np.asarray(vectors).reshape(-1).view(np.uint8) if vectors.size else np.zeros(0, np.uint8)
        if _checksum(header, vocab, _sample(flat, flat.size)) != meta.get("checksum"):
            raise VectorFormatError(path, None, "checksum mismatch: the file is damaged (rewrite it)")
    if "vocab_offsets" in header:
        offsets = _tensor(path, header, base, "vocab_offsets", mmap=False).tolist()
        words = [vocab[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
    else:
        words = vocab.decode("utf-8").split("\n") if vocab else []
        if len(words) == 1 and vectors.shape[0] == 0:
            words = []
    if len(words) != vectors.shape[0]:
        raise VectorFormatError(path, None, f"expected {vectors.shape[0]} words, found {len(words)}")
    ngrams = _tensor(path, header, base, "ngrams", mmap=mmap) if "ngrams" in header else None
    return words, vectors, ngrams, meta
