"""word2vec model files: one safetensors file with the tables and a JSON header (no pickle)."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from vectab._fileio import atomic_path
from vectab.models import _w2v_vocab
from vectab.vectors.store import Vectors

__all__ = ["save_model", "load_model"]

_FORMAT = "vectab.word2vec/1"
_SETTINGS = (
    "vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
    "min_alpha", "sg", "negative", "ns_exponent", "cbow_mean", "epochs", "sorted_vocab",
    "batch_words", "compute_loss", "max_final_vocab", "shrink_windows", "device",
)
_STATE = ("corpus_count", "corpus_total_words", "train_count", "effective_min_count",
          "running_training_loss", "min_alpha_yet_reached", "epoch_losses")


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
        "vectors": np.ascontiguousarray(model.wv.vectors, dtype=np.float32),
        "syn1neg": np.ascontiguousarray(model.syn1neg, dtype=np.float32),
        "counts": model.counts.astype(np.int64),
        "sample_int": model.sample_int.astype(np.uint32),
    }
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"vectab": json.dumps(meta)})


def load_model(cls: Any, path: str | os.PathLike[str]) -> Any:
    """Rebuild a model of class ``cls`` from a file written by :func:`save_model`."""
    from safetensors import safe_open

    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file {str(path)!r} does not exist")
    not_a_model = ValueError(f"{str(path)!r} is not a vectab Word2Vec model file (written by Word2Vec.save)")
    try:
        with safe_open(str(path), framework="numpy") as f:
            header = (f.metadata() or {}).get("vectab")
            arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    except Exception as exc:  # safetensors raises its own error type on a foreign file
        raise not_a_model from exc
    meta = json.loads(header) if header else {}
    if meta.get("format") != _FORMAT:
        raise not_a_model
    model = cls(**meta["settings"])
    model.wv = Vectors(meta["index_to_key"], arrays["vectors"].copy())
    model.syn1neg = arrays["syn1neg"].copy()
    model.counts = arrays["counts"]
    model.sample_int = arrays["sample_int"]
    model.cum_table = _w2v_vocab.cum_table(model.counts, model.ns_exponent)
    for key, value in meta["state"].items():
        setattr(model, key, value)
    return model
