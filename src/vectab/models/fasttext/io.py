"""FastText files: vectab's model file (to continue training) and fastText's ``.bin``.

The model file is one safetensors file with every table and a JSON header (settings, state,
vocabulary), checked as strictly as :mod:`vectab.models.word2vec.io`'s; no pickle. The
``.bin`` is Facebook fastText's format version 12, written field for field as gensim's
``_fasttext_bin.save`` (``Args::save``, ``Dictionary::save``, the input matrix = word rows then
n-gram rows, the output matrix), so fastText, gensim and vectab's reader all load it.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

import numpy as np

from vectab._fileio import atomic_path
from vectab._modelfile import (
    check_finite,
    found,
    parse_json,
    safetensors_header,
    want_int,
    want_list,
    want_number,
    want_object,
    want_str,
)
from vectab.errors import ModelFormatError
from vectab.models.word2vec import vocab
from vectab.models.word2vec.io import _SETTING_CHECKS, _STATE, _STATE_CHECKS, _exact_keys
from vectab.vectors.formats.fasttext import FASTTEXT_MAGIC, FASTTEXT_VERSION

__all__ = ["save_model", "load_model", "write_facebook_bin"]

_FORMAT = "vectab.fasttext/1"
_SETTINGS = (
    "vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
    "min_alpha", "sg", "negative", "ns_exponent", "cbow_mean", "epochs", "sorted_vocab",
    "batch_words", "max_final_vocab", "shrink_windows", "min_n", "max_n", "bucket",
)
_CHECKS = _SETTING_CHECKS | {
    "min_n": lambda p, f, v: want_int(p, f, v, 1),
    "max_n": lambda p, f, v: want_int(p, f, v, 0),
    "bucket": lambda p, f, v: want_int(p, f, v, 0),
}
_DTYPES = {"vectors_vocab": "F32", "vectors_ngrams": "F32", "syn1neg": "F32", "counts": "I64",
           "sample_int": "U32"}
_NOT_A_MODEL = "not a vectab FastText model file (written by FastText.save)"


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model``'s tables, counts, vocabulary, settings and training state to ``path``."""
    from safetensors.numpy import save_file

    meta = {
        "format": _FORMAT,
        "settings": {k: getattr(model, k) for k in _SETTINGS},
        "state": {k: getattr(model, k) for k in _STATE},
        "index_to_key": model.wv.index_to_key,
    }
    tensors = {
        "vectors_vocab": np.ascontiguousarray(model.vectors_vocab, dtype=np.float32),
        "vectors_ngrams": np.ascontiguousarray(model.vectors_ngrams, dtype=np.float32),
        "syn1neg": np.ascontiguousarray(model.syn1neg, dtype=np.float32),
        "counts": model.counts.astype(np.int64),
        "sample_int": model.sample_int.astype(np.uint32),
    }
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"vectab": json.dumps(meta)})


def _check_meta(path: str, metadata: dict, header: dict) -> dict:
    """The JSON header and the tensor shapes, checked before any tensor is read."""
    if "vectab" not in metadata:
        raise ModelFormatError(path, None, f"{_NOT_A_MODEL}: expected vectab metadata, found a "
                               "safetensors file without it")
    meta = want_object(path, None, parse_json(path, metadata["vectab"]))
    if meta.get("format") != _FORMAT:
        raise ModelFormatError(path, "format", f"{_NOT_A_MODEL}: expected {found(_FORMAT)}, found "
                               f"{found(meta.get('format'))}")
    _exact_keys(path, None, meta, ("format", "settings", "state", "index_to_key"))
    settings = _exact_keys(path, "settings", meta["settings"], _SETTINGS)
    for name in _SETTINGS:
        _CHECKS[name](path, f"settings.{name}", settings[name])
    state = _exact_keys(path, "state", meta["state"], _STATE)
    for name, check in _STATE_CHECKS.items():
        check(path, f"state.{name}", state[name])
    for i, loss in enumerate(want_list(path, "state.epoch_losses", state["epoch_losses"])):
        want_number(path, f"state.epoch_losses[{i}]", loss)
    words = want_list(path, "index_to_key", meta["index_to_key"])
    for i, word in enumerate(words):
        want_str(path, f"index_to_key[{i}]", word)
    if len(set(words)) != len(words):
        raise ModelFormatError(path, "index_to_key", "expected distinct words, found duplicates")
    if set(header) != set(_DTYPES):
        raise ModelFormatError(path, None, f"expected the tensors {sorted(_DTYPES)}, found "
                               f"{sorted(header)}")
    rows, dim = len(words), settings["vector_size"]
    bucket = settings["bucket"] if settings["max_n"] >= settings["min_n"] else 0
    shapes = {"vectors_vocab": (rows, dim), "vectors_ngrams": (bucket, dim),
              "syn1neg": (rows, dim), "counts": (rows,), "sample_int": (rows,)}
    for name, dtype in _DTYPES.items():
        if header[name] != (dtype, shapes[name]):
            raise ModelFormatError(path, name, f"expected {dtype} {shapes[name]} ({rows} words, "
                                   f"bucket {bucket}, vector_size {dim}), found "
                                   f"{header[name][0]} {header[name][1]}")
    return meta


def load_model(cls: Any, path: str | os.PathLike[str]) -> Any:
    """Rebuild a FastText model of class ``cls`` from a file written by :func:`save_model`.

    Every problem is a ``ModelFormatError`` naming the file and the field; only the known
    settings and state names are ever set on the model.
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
        raise ModelFormatError(path, exc.field, f"{_NOT_A_MODEL}: {detail}") from None
    meta = _check_meta(path, metadata, header)
    try:
        with safe_open(path, framework="numpy") as f:
            arrays = {k: f.get_tensor(k) for k in _DTYPES}
    except Exception as exc:  # safetensors raises its own error type on a damaged file
        raise ModelFormatError(path, None, f"expected readable tensors, found: {exc}") from exc
    check_finite(path, arrays)
    if arrays["counts"].size and int(arrays["counts"].min()) < 0:
        raise ModelFormatError(
            path, "counts", f"expected word counts >= 0, found {int(arrays['counts'].min())}"
        )
    try:
        model = cls(**meta["settings"])
    except (TypeError, ValueError) as exc:
        raise ModelFormatError(path, "settings", str(exc)) from None
    model.counts = arrays["counts"]
    model.sample_int = arrays["sample_int"]
    model.cum_table = vocab.cum_table(model.counts, model.ns_exponent)
    model.vectors_ngrams = arrays["vectors_ngrams"].copy()
    model.vectors_vocab = arrays["vectors_vocab"].copy()
    model._set_tables(meta["index_to_key"], model.vectors_vocab, arrays["syn1neg"])
    for name in _STATE:  # known names only, each checked above: a file cannot replace a method
        setattr(model, name, meta["state"][name])
    return model


def write_facebook_bin(
    model: Any, path: str | os.PathLike[str], *, encoding: str = "utf-8"
) -> None:
    """Write ``model`` as a fastText ``.bin`` (version 12), atomically.

    The header holds gensim's values: ``loss=2`` (negative sampling), ``model`` 1 (CBOW) or 2
    (skip-gram), ``word_ngrams=1``, ``lr_update_rate=100``, ``t=sample``; the dictionary holds
    every word with its count (``ntokens`` = the corpus' raw words), no labels, no pruning.
    """
    words = [w.encode(encoding) for w in model.wv.index_to_key]
    vocab_rows = np.ascontiguousarray(model.vectors_vocab, dtype="<f4")
    ngram_rows = np.ascontiguousarray(model.vectors_ngrams, dtype="<f4")
    output = np.ascontiguousarray(model.syn1neg, dtype="<f4")
    dim = model.vector_size
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(struct.pack("<2i", FASTTEXT_MAGIC, FASTTEXT_VERSION))
        f.write(struct.pack(
            "<12id", dim, model.window, model.epochs, model.min_count, model.negative, 1, 2,
            2 if model.sg else 1, model.bucket, model.min_n, model.max_n, 100, model.sample,
        ))
        f.write(struct.pack("<3iqq", len(words), len(words), 0, model.corpus_total_words, -1))
        entry = struct.Struct("<qb")
        for word, count in zip(words, model.counts.tolist()):
            f.write(word + b"\0" + entry.pack(count, 0))
        f.write(b"\0")  # quant_: not quantized
        f.write(struct.pack("<2q", len(words) + model.bucket, dim))
        f.write(vocab_rows.tobytes())
        f.write(ngram_rows.tobytes())
        f.write(b"\0")  # qout_
        f.write(struct.pack("<2q", *output.shape))
        f.write(output.tobytes())
