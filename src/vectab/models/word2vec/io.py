"""word2vec model files: one safetensors file with the tables and a JSON header (no pickle).

Tensors: ``vectors``, ``syn1neg`` (no rows with ``negative=0``), ``syn1`` (hierarchical
softmax; no rows with ``hs=0``), ``counts``, ``sample_int``. The Huffman tree and the noise
table are rebuilt from the counts on load. Files written before ``hs`` existed (no ``hs``
setting, no ``syn1`` tensor) load as ``hs=0`` models.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from vectab._fileio import atomic_path
from vectab._modelfile import (
    check_finite,
    found,
    parse_json,
    safetensors_header,
    want_bool,
    want_int,
    want_list,
    want_number,
    want_object,
    want_str,
)
from vectab.errors import ModelFormatError
from vectab.models.word2vec import vocab
from vectab.vectors.store import Vectors

# What vectab.models.fasttext.io shares with this module (an internal interface, kept stable:
# SETTING_CHECKS, STATE, STATE_CHECKS, exact_keys, check_common_meta, read_model_file, new_model,
# write_model_file).
__all__ = [
    "SETTING_CHECKS", "STATE", "STATE_CHECKS", "check_common_meta", "exact_keys", "load_model",
    "new_model", "read_model_file", "save_model", "write_model_file",
]

_FORMAT = "vectab.word2vec/1"
_SETTINGS = (
    "vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
    "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "epochs", "sorted_vocab",
    "batch_words", "compute_loss", "max_final_vocab", "shrink_windows", "device",
)
STATE = ("corpus_count", "corpus_total_words", "train_count", "effective_min_count",
          "running_training_loss", "min_alpha_yet_reached", "epoch_losses")


def write_model_file(
    model: Any, path: str | os.PathLike[str], *, fmt: str, names: tuple[str, ...],
    tables: dict[str, np.ndarray],
) -> None:
    """Write one model file atomically: ``tables`` (float32) plus ``counts`` / ``sample_int``
    as tensors, the settings ``names``, the state (:data:`STATE`) and the vocabulary as the
    JSON header (``format`` = ``fmt``)."""
    from safetensors.numpy import save_file

    meta = {
        "format": fmt,
        "settings": {k: getattr(model, k) for k in names},
        "state": {k: getattr(model, k) for k in STATE},
        "index_to_key": model.wv.index_to_key,
    }
    tensors = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tables.items()}
    tensors["counts"] = model.counts.astype(np.int64)
    tensors["sample_int"] = model.sample_int.astype(np.uint32)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"vectab": json.dumps(meta)})


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model``'s tables, counts, vocabulary, settings and training state to ``path``."""
    write_model_file(model, path, fmt=_FORMAT, names=_SETTINGS, tables={
        "vectors": model.wv.vectors, "syn1neg": model.syn1neg, "syn1": model.syn1,
    })


_NOT_A_MODEL = "not a vectab Word2Vec model file (written by Word2Vec.save)"
_TENSOR_DTYPES = {
    "vectors": "F32", "syn1neg": "F32", "syn1": "F32", "counts": "I64", "sample_int": "U32",
}
_OLD_FILE_DEFAULTS = {"hs": 0}  # settings a file from before they existed may lack


def _positive(minimum: int) -> Any:
    return lambda p, f, v: want_int(p, f, v, minimum)


def _optional_positive(p: str, f: str, v: Any) -> Any:
    return want_int(p, f, v, 1, optional=True)


def _binary(p: str, f: str, v: Any) -> Any:
    return want_int(p, f, v, 0, maximum=1)


def _rate(ok: Any, rule: str) -> Any:
    return lambda p, f, v: want_number(p, f, v, ok, rule)


def _device(p: str, f: str, v: Any) -> Any:
    want_str(p, f, v)
    if v not in ("cpu", "cuda", "auto") and not (v.startswith("cuda:") and v[5:].isdigit()):
        raise ModelFormatError(
            p, f, f'expected "cpu", "cuda", "cuda:N" or "auto", found {found(v)}'
        )
    return v


SETTING_CHECKS = {
    "vector_size": _positive(1),
    "alpha": _rate(lambda x: x > 0, "a number > 0"),
    "window": _positive(1),
    "min_count": _positive(0),
    "max_vocab_size": _optional_positive,
    "sample": _rate(lambda x: x >= 0, "a number >= 0"),
    "seed": _positive(0),
    "workers": _positive(1),
    "min_alpha": _rate(lambda x: x >= 0, "a number >= 0"),
    "sg": _binary,
    "hs": _binary,
    "negative": _positive(0),
    "ns_exponent": _rate(lambda x: True, "a finite number"),
    "cbow_mean": _binary,
    "epochs": _positive(1),
    "sorted_vocab": _binary,
    "batch_words": _positive(1),
    "compute_loss": want_bool,
    "max_final_vocab": _optional_positive,
    "shrink_windows": want_bool,
    "device": _device,
}
STATE_CHECKS = {
    "corpus_count": _positive(0), "corpus_total_words": _positive(0), "train_count": _positive(0),
    "effective_min_count": _positive(0),
    "running_training_loss": _rate(lambda x: True, "a finite number"),
    "min_alpha_yet_reached": _rate(lambda x: x >= 0, "a number >= 0"),
}


def exact_keys(path: str, field: str, value: Any, names: tuple[str, ...]) -> dict:
    value = want_object(path, field, value)
    if set(value) != set(names):
        extra, missing = sorted(set(value) - set(names)), sorted(set(names) - set(value))
        raise ModelFormatError(path, field, f"expected exactly the keys {list(names)}, found "
                               f"{'unknown keys ' + str(extra) if extra else ''}"
                               f"{'; ' if extra and missing else ''}"
                               f"{'no ' + str(missing) if missing else ''}")
    return value


def check_common_meta(
    path: str, metadata: dict, *, fmt: str, not_a_model: str, names: tuple[str, ...],
    checks: dict[str, Any], defaults: dict[str, Any] | None = None,
) -> dict:
    """Check the JSON header every vectab word2vec-family model file has; return it.

    ``fmt`` is the file's ``format`` value, ``names`` its settings (each checked by
    ``checks[name]``; ``defaults`` fill settings an older file lacks); the state
    (:data:`STATE`) and the vocabulary (``index_to_key``: distinct words) are the same for all.
    """
    if "vectab" not in metadata:
        raise ModelFormatError(path, None, f"{not_a_model}: expected vectab metadata, found a "
                               "safetensors file without it")
    meta = want_object(path, None, parse_json(path, metadata["vectab"]))
    if meta.get("format") != fmt:
        raise ModelFormatError(path, "format", f"{not_a_model}: expected {found(fmt)}, found "
                               f"{found(meta.get('format'))}")
    exact_keys(path, None, meta, ("format", "settings", "state", "index_to_key"))
    settings = want_object(path, "settings", meta["settings"])
    settings = exact_keys(path, "settings", (defaults or {}) | settings, names)
    meta["settings"] = settings
    for name in names:
        checks[name](path, f"settings.{name}", settings[name])
    state = exact_keys(path, "state", meta["state"], STATE)
    for name, check in STATE_CHECKS.items():
        check(path, f"state.{name}", state[name])
    for i, loss in enumerate(want_list(path, "state.epoch_losses", state["epoch_losses"])):
        want_number(path, f"state.epoch_losses[{i}]", loss)
    words = want_list(path, "index_to_key", meta["index_to_key"])
    for i, word in enumerate(words):
        want_str(path, f"index_to_key[{i}]", word)
    if len(set(words)) != len(words):
        seen: set[str] = set()
        dup = next(w for w in words if w in seen or seen.add(w))
        raise ModelFormatError(
            path, "index_to_key", f"expected distinct words, found {found(dup)} twice"
        )
    return meta


def _check_meta(path: str, metadata: dict, header: dict) -> dict:
    """The JSON in the file's header and the tensor shapes, checked before any tensor is read."""
    meta = check_common_meta(path, metadata, fmt=_FORMAT, not_a_model=_NOT_A_MODEL,
                             names=_SETTINGS, checks=SETTING_CHECKS, defaults=_OLD_FILE_DEFAULTS)
    settings = meta["settings"]
    if settings["min_alpha"] > settings["alpha"]:
        raise ModelFormatError(path, "settings.min_alpha", f"expected a number <= alpha "
                               f"({settings['alpha']}), found {found(settings['min_alpha'])}")
    if not settings["hs"] and not settings["negative"]:
        raise ModelFormatError(path, "settings.negative", "expected an integer >= 1 when hs is 0 "
                               "(nothing would be trained), found 0")
    expected = set(_TENSOR_DTYPES) - ({"syn1"} if "syn1" not in header and not settings["hs"]
                                      else set())  # an hs=0 file from before syn1 existed
    if set(header) != expected:
        raise ModelFormatError(path, None, f"expected the tensors {sorted(expected)}, found "
                               f"{sorted(header)}")
    rows, dim = len(meta["index_to_key"]), settings["vector_size"]
    shapes = {
        "vectors": (rows, dim),
        "syn1neg": (rows if settings["negative"] else 0, dim),
        "syn1": (rows if settings["hs"] else 0, dim),
        "counts": (rows,),
        "sample_int": (rows,),
    }
    for name in sorted(expected, key=list(_TENSOR_DTYPES).index):
        dtype = _TENSOR_DTYPES[name]
        if header[name] != (dtype, shapes[name]):
            raise ModelFormatError(path, name, f"expected {dtype} {shapes[name]} ({rows} words of "
                                   f"vector_size {dim}), found {header[name][0]} {header[name][1]}")
    return meta


def read_model_file(
    path: str | os.PathLike[str], *, not_a_model: str,
    check_meta: Callable[[str, dict, dict], dict],
) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a model file: ``(meta, tensors)``, every problem a ``ModelFormatError``.

    ``check_meta(path, metadata, header)`` checks the JSON header and the tensor shapes and
    dtypes before any tensor is read; then the tables must be finite and ``counts`` >= 0.
    """
    from safetensors import safe_open

    if not os.path.lexists(path):
        raise FileNotFoundError(f"model file {str(path)!r} does not exist")
    path = str(path)
    try:
        header, metadata = safetensors_header(path)
    except ModelFormatError as exc:
        detail = (
            str(exc).removeprefix(f"{path}: ").removeprefix(f"{exc.field}: " if exc.field else "")
        )
        raise ModelFormatError(path, exc.field, f"{not_a_model}: {detail}") from None
    meta = check_meta(path, metadata, header)
    try:
        with safe_open(path, framework="numpy") as f:
            arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (checked above)
    except Exception as exc:  # safetensors raises its own error type on a damaged file
        raise ModelFormatError(path, None, f"expected readable tensors, found: {exc}") from exc
    check_finite(path, arrays)
    if arrays["counts"].size and int(arrays["counts"].min()) < 0:
        raise ModelFormatError(
            path, "counts", f"expected word counts >= 0, found {int(arrays['counts'].min())}"
        )
    return meta, arrays


def new_model(cls: Any, path: str | os.PathLike[str], meta: dict) -> Any:
    """``cls(**settings)``; settings the class refuses are a ``ModelFormatError``."""
    try:
        return cls(**meta["settings"])
    except (TypeError, ValueError) as exc:
        raise ModelFormatError(str(path), "settings", str(exc)) from None


def load_model(cls: Any, path: str | os.PathLike[str]) -> Any:
    """Rebuild a model of class ``cls`` from a file written by :func:`save_model`.

    The header (settings, state, vocabulary, tensor shapes and dtypes) is checked before any
    tensor is read, the tables must be finite and the counts >= 0; every problem is a
    ``ModelFormatError`` naming the file and the field. Only the known settings and state
    names are ever set on the model.
    """
    meta, arrays = read_model_file(path, not_a_model=_NOT_A_MODEL, check_meta=_check_meta)
    model = new_model(cls, path, meta)
    model.wv = Vectors(meta["index_to_key"], arrays["vectors"].copy())
    model.syn1neg = arrays["syn1neg"].copy()
    dim = meta["settings"]["vector_size"]
    model.syn1 = arrays["syn1"].copy() if "syn1" in arrays else np.zeros((0, dim), np.float32)
    model.counts = arrays["counts"]
    model.sample_int = arrays["sample_int"]
    model.cum_table = vocab.cum_table(model.counts, model.ns_exponent)
    model.wv.expandos["count"], model.wv.expandos["sample_int"] = model.counts, model.sample_int
    if model.hs:
        model.codes, model.points, model.code_offsets = vocab.huffman_codes(model.counts)
    for name in STATE:  # known names only, each checked above: a file cannot replace a method
        setattr(model, name, meta["state"][name])
    return model
