"""Reading saved-model files without trusting them: regular files only, strict JSON, headers first.

Every problem is a :class:`vectab.errors.ModelFormatError` naming the file, the field, what was
expected and what was found, e.g. ``model/config.json: model_config.mask_zero: expected true
or false, found "no"``. Shared by model directories (``vectab.train.saving``) and word2vec
model files (``vectab.models.Word2Vec.load``).
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vectab.errors import ModelFormatError

__all__ = [
    "read_regular", "read_json", "safetensors_header", "check_finite", "found",
    "want_object", "want_list", "want_bool", "want_int", "want_number", "want_str",
]

MAX_HEADER_BYTES = 100 * 2**20  # safetensors' own limit
# safetensors dtype -> bytes per element
DTYPE_SIZES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2,
    "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}
FLOAT_DTYPES = ("F16", "BF16", "F32", "F64")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO (named pipe)"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _open_regular(path: Path) -> int:
    """An fd of ``path`` after checking, before and after opening, that it is a regular file."""
    st = os.stat(path)  # FileNotFoundError passes through: the caller words "missing"
    if not stat.S_ISREG(st.st_mode):
        raise ModelFormatError(path, None, f"expected a regular file, found a {_kind(st.st_mode)}; "
                               "replace it with the file the model was saved with")
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open still returns at once
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ModelFormatError(path, None, f"expected a regular file, found a {_kind(st.st_mode)}")
    return fd


def read_regular(path: str | os.PathLike[str], *, limit: int | None = None) -> bytes:
    """The bytes of ``path`` (at most ``limit``), refusing anything but a regular file."""
    path = Path(path)
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as f:
        return f.read() if limit is None else f.read(limit)


def found(value: Any) -> str:
    """``value`` as it reads in JSON, shortened: ``"no"``, ``3.5``, ``[1, 2]``."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _no_duplicates(path: Path) -> Callable[[list[tuple[str, Any]]], dict]:
    def hook(pairs: list[tuple[str, Any]]) -> dict:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ModelFormatError(path, key, "expected each key once, found it twice")
            out[key] = value
        return out
    return hook


def _no_constants(path: Path) -> Callable[[str], Any]:
    def hook(name: str) -> Any:
        raise ModelFormatError(path, None, f"expected finite JSON numbers, found {name}")
    return hook


def parse_json(path: str | os.PathLike[str], data: bytes | str, *, allow_nan: bool = False) -> Any:
    """Parse ``data`` (the content of ``path``): UTF-8, no duplicate keys, NaN/Infinity refused."""
    path = Path(path)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelFormatError(
                path,
                None,
                f"expected UTF-8 JSON, found byte {data[exc.start]:#04x} at offset {exc.start}",
            ) from None
    kwargs: dict[str, Any] = {"object_pairs_hook": _no_duplicates(path)}
    if not allow_nan:
        kwargs["parse_constant"] = _no_constants(path)
    try:
        return json.loads(data, **kwargs)
    except json.JSONDecodeError as exc:
        raise ModelFormatError(
            path, None, f"not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except RecursionError:
        raise ModelFormatError(
            path, None, "expected JSON, found nesting too deep to read"
        ) from None


def read_json(path: str | os.PathLike[str], *, allow_nan: bool = False) -> Any:
    """Read a JSON file of a saved model strictly (see :func:`parse_json`); regular files only."""
    return parse_json(path, read_regular(path), allow_nan=allow_nan)


def safetensors_header(
    path: str | os.PathLike[str],
) -> tuple[dict[str, tuple[str, tuple[int, ...]]], dict]:
    """``({name: (dtype, shape)}, metadata)`` from a safetensors file's header, tensors unread.

    The header is an 8-byte little-endian length and that many bytes of JSON; every tensor's
    ``data_offsets`` must cover exactly ``prod(shape) * itemsize`` bytes inside the file, so a
    header cannot claim more data than the file holds.
    """
    path = Path(path)
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(8)
        if len(head) < 8:
            raise ModelFormatError(
                path,
                None,
                f"expected a safetensors file (8-byte header length), found {size} bytes",
            )
        n = int.from_bytes(head, "little")
        if n > min(size - 8, MAX_HEADER_BYTES):
            raise ModelFormatError(
                path,
                None,
                f"expected a safetensors header of at most "
                f"{min(size - 8, MAX_HEADER_BYTES)} bytes, found a length of {n}",
            )
        header = parse_json(path, f.read(n))
    if not isinstance(header, dict):
        raise ModelFormatError(
            path, None, f"expected a JSON object as safetensors header, found {found(header)}"
        )
    data_size = size - 8 - n
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ModelFormatError(
            path, "__metadata__", f"expected an object of strings, found {found(metadata)}"
        )
    tensors: dict[str, tuple[str, tuple[int, ...]]] = {}
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise ModelFormatError(
                path, name, f"expected {{dtype, shape, data_offsets}}, found {found(info)}"
            )
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_SIZES:
            raise ModelFormatError(
                path,
                f"{name}.dtype",
                f"expected one of {sorted(DTYPE_SIZES)}, found {found(dtype)}",
            )
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            raise ModelFormatError(
                path, f"{name}.shape", f"expected a list of sizes >= 0, found {found(shape)}"
            )
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(_is_int(o) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_size
        ):
            raise ModelFormatError(
                path,
                f"{name}.data_offsets",
                f"expected [start, end] within the {data_size} data bytes, found {found(offsets)}",
            )
        nbytes = math.prod(shape) * DTYPE_SIZES[dtype]
        if offsets[1] - offsets[0] != nbytes:
            raise ModelFormatError(
                path,
                f"{name}.data_offsets",
                f"expected {nbytes} bytes for shape "
                f"{tuple(shape)} {dtype}, found {offsets[1] - offsets[0]}",
            )
        tensors[name] = (dtype, tuple(shape))
    return tensors, metadata


def check_finite(path: str | os.PathLike[str], tensors: dict[str, Any]) -> None:
    """Refuse NaN or infinite values in any floating tensor (torch or numpy) of ``tensors``."""
    import numpy as np
    import torch

    for name, t in tensors.items():
        if isinstance(t, torch.Tensor):
            if t.is_floating_point() and t.numel() and not bool(torch.isfinite(t).all()):
                bad = int((~torch.isfinite(t)).sum())
                where = tuple(int(i) for i in (~torch.isfinite(t)).nonzero()[0].tolist())
                raise ModelFormatError(path, name, f"expected finite numbers, found {bad} NaN/inf "
                                       f"value(s), the first at index {where}")
        elif isinstance(t, np.ndarray) and np.issubdtype(t.dtype, np.floating) and t.size:
            ok = np.isfinite(t)
            if not ok.all():
                where = tuple(int(i) for i in np.argwhere(~ok)[0])
                raise ModelFormatError(
                    path,
                    name,
                    f"expected finite numbers, found {int((~ok).sum())} "
                    f"NaN/inf value(s), the first at index {where}",
                )


# ----------------------------------------------------------------- field checks
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def want_object(path: Any, field: str | None, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ModelFormatError(path, field, f"expected a JSON object, found {found(value)}")
    return value


def want_list(path: Any, field: str, value: Any) -> list:
    if not isinstance(value, list):
        raise ModelFormatError(path, field, f"expected a list, found {found(value)}")
    return value


def want_bool(path: Any, field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ModelFormatError(path, field, f"expected true or false, found {found(value)}")
    return value


def want_int(path: Any, field: str, value: Any, minimum: int | None = None, *,
             maximum: int | None = None, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    rule = "an integer" + (f" >= {minimum}" if minimum is not None else "")
    rule += f" <= {maximum}" if maximum is not None else ""
    rule += " or null" if optional else ""
    if not _is_int(value) or (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum):
        raise ModelFormatError(path, field, f"expected {rule}, found {found(value)}")
    return value


def want_number(path: Any, field: str, value: Any, ok: Callable[[float], bool] = lambda x: True,
                rule: str = "a finite number") -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value) or not ok(value)):
        raise ModelFormatError(path, field, f"expected {rule}, found {found(value)}")
    return value


def want_str(path: Any, field: str, value: Any, *, optional: bool = False,
             choices: tuple[str, ...] | None = None) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or (choices is not None and value not in choices):
        rule = f"one of {', '.join(map(found, choices))}" if choices else "a string"
        raise ModelFormatError(path, field, f"expected {rule}{' or null' if optional else ''}, "
                               f"found {found(value)}")
    return value
