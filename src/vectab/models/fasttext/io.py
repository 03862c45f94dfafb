"""FastText files: vectab's model file (to continue training) and fastText's ``.bin``.

The model file is one safetensors file with every table and a JSON header (settings, state,
vocabulary), checked as strictly as :mod:`vectab.models.word2vec.io`'s; no pickle. The
``.bin`` is Facebook fastText's format version 12, written field for field as gensim's
``_fasttext_bin.save`` (``Args::save``, ``Dictionary::save``, the input matrix = word rows then
n-gram rows, the output matrix), so fastText, gensim and vectab's reader all load it.
"""

from __future__ import annotations

import os
import struct
from typing import Any

import numpy as np

from vectab._fileio import atomic_path
from vectab._modelfile import (
    want_int,
)
from vectab.errors import ModelFormatError
from vectab.models.word2vec import vocab
from vectab.models.word2vec.io import (
    SETTING_CHECKS,
    STATE,
    check_common_meta,
    new_model,
    read_model_file,
    write_model_file,
)
from vectab.vectors.formats.fasttext import FASTTEXT_MAGIC, FASTTEXT_VERSION

__all__ = ["save_model", "load_model", "write_facebook_bin"]

_FORMAT = "vectab.fasttext/1"
_SETTINGS = (
    "vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
    "min_alpha", "sg", "negative", "ns_exponent", "cbow_mean", "epochs", "sorted_vocab",
    "batch_words", "max_final_vocab", "shrink_windows", "min_n", "max_n", "bucket",
)
_CHECKS = SETTING_CHECKS | {
    "min_n": lambda p, f, v: want_int(p, f, v, 1),
    "max_n": lambda p, f, v: want_int(p, f, v, 0),
    "bucket": lambda p, f, v: want_int(p, f, v, 0),
}
_DTYPES = {"vectors_vocab": "F32", "vectors_ngrams": "F32", "syn1neg": "F32", "counts": "I64",
           "sample_int": "U32"}
_NOT_A_MODEL = "not a vectab FastText model file (written by FastText.save)"


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model``'s tables, counts, vocabulary, settings and training state to ``path``."""
    write_model_file(model, path, fmt=_FORMAT, names=_SETTINGS, tables={
        "vectors_vocab": model.vectors_vocab, "vectors_ngrams": model.vectors_ngrams,
        "syn1neg": model.syn1neg,
    })


def _check_meta(path: str, metadata: dict, header: dict) -> dict:
    """The JSON header and the tensor shapes, checked before any tensor is read."""
    meta = check_common_meta(path, metadata, fmt=_FORMAT, not_a_model=_NOT_A_MODEL,
                             names=_SETTINGS, checks=_CHECKS)
    settings = meta["settings"]
    if set(header) != set(_DTYPES):
        raise ModelFormatError(path, None, f"expected the tensors {sorted(_DTYPES)}, found "
                               f"{sorted(header)}")
    rows, dim = len(meta["index_to_key"]), settings["vector_size"]
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
    meta, arrays = read_model_file(path, not_a_model=_NOT_A_MODEL, check_meta=_check_meta)
    model = new_model(cls, path, meta)
    model.counts = arrays["counts"]
    model.sample_int = arrays["sample_int"]
    model.cum_table = vocab.cum_table(model.counts, model.ns_exponent)
    model.vectors_ngrams = arrays["vectors_ngrams"].copy()
    model.vectors_vocab = arrays["vectors_vocab"].copy()
    model._set_tables(meta["index_to_key"], model.vectors_vocab, arrays["syn1neg"])
    for name in STATE:  # known names only, each checked above: a file cannot replace a method
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
