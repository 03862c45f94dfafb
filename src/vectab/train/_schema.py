"""The schema of a model directory, checked before anything is allocated from it.

``config.json``, ``labels.json``, ``tokenizer.json`` and ``run.json`` are checked field by
field (JSON types exactly: ``"no"`` is not a bool, ``3.5`` not an id), and the config is
checked against the tensor shapes in ``model.safetensors``' header (read alone, tensors
unread) by building the model on the ``meta`` device. Only then is the model built for real,
so its size is bounded by the weights the file actually holds. Every problem is a
:class:`vectab.errors.ModelFormatError` naming the file and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import torch
from torch import nn

from vectab._modelfile import FLOAT_DTYPES, found, want_int, want_list, want_object, want_str
from vectab.errors import ModelFormatError

__all__ = ["check_config", "check_weights_header", "check_labels", "check_tokenizer", "check_run"]

_CONFIG_KEYS = ("vectab_version", "model_type", "task", "model_config", "trainer_config",
                "preprocessing")
def _task(cls: type, config: Any) -> str | None:
    if cls.model_type == "TabularEmbeddings":
        return "classification" if config.num_classes is not None else "regression"
    return getattr(cls, "task", None)


def check_config(path: Path, data: Any) -> tuple[type, Any]:
    """Check ``config.json``; return the model class and its config object (nothing allocated)."""
    from vectab.models._config import type_problem
    from vectab.models.registry import MODEL_TYPES

    data = want_object(path, None, data)
    unknown = sorted(set(data) - set(_CONFIG_KEYS))
    if unknown:
        raise ModelFormatError(path, unknown[0], f"expected only the keys {list(_CONFIG_KEYS)}, "
                               f"found unknown keys {unknown}")
    model_type = data.get("model_type")
    cls = MODEL_TYPES.get(model_type) if isinstance(model_type, str) else None
    if cls is None:
        raise ModelFormatError(
            path,
            "model_type",
            f"unknown model_type {model_type!r}; expected one of {sorted(MODEL_TYPES)}",
        )
    if "vectab_version" in data:
        want_str(path, "vectab_version", data["vectab_version"])
    for key in ("trainer_config", "preprocessing"):
        want_object(path, key, data.get(key, {}))
    preprocessing = data.get("preprocessing") or {}
    if "max_len" in preprocessing:
        want_int(path, "preprocessing.max_len", preprocessing["max_len"], 1, optional=True)
    if "model_config" not in data:
        raise ModelFormatError(
            path, "model_config", "expected the model's config object, found none"
        )
    model_config = want_object(path, "model_config", data["model_config"])
    config_cls = cls.config_class
    problem = type_problem(config_cls, model_config)
    if problem is not None:
        name, expected, value = problem
        raise ModelFormatError(
            path, f"model_config.{name}", f"expected {expected}, found {found(value)}"
        )
    try:
        config = config_cls.from_dict(model_config)
    except (TypeError, ValueError) as exc:
        names = re.findall(r"`([A-Za-z_]\w*(?:\[\d+\])?)`", str(exc))
        field = "model_config" + (
            f".{names[0]}" if names and names[0].split("[")[0] in model_config else ""
        )
        raise ModelFormatError(path, field, str(exc).rstrip(".")) from None
    task = data.get("task")
    if task is not None and task != _task(cls, config):
        raise ModelFormatError(path, "task", f"expected {_task(cls, config)!r} for a {model_type}, "
                               f"found {found(task)}")
    return cls, config


def expected_tensors(cls: type, config: Any) -> dict[str, tuple[int, ...]]:
    """``{name: shape}`` of the state dict the model would have, computed without allocating."""
    if cls.model_type == "TabularEmbeddings":
        shapes: dict[str, tuple[int, ...]] = {}
        tables = sorted(set(config.tables), key=config.tables.index)
        for k, table in enumerate(tables):
            col = config.tables.index(table)
            shapes[f"embeddings.{k}.weight"] = (
                config.cardinalities[col] + 1,
                config.embedding_dims[col],
            )
        width = sum(config.embedding_dims) + config.num_numeric
        sizes = [*config.hidden_sizes,
                 config.num_classes if config.num_classes is not None else config.num_targets]
        for i, size in enumerate(sizes):
            shapes[f"mlp.{3 * i}.weight"], shapes[f"mlp.{3 * i}.bias"] = (size, width), (size,)
            width = size
        return shapes
    # the task models accept a ready table; a torch one on the meta device allocates nothing
    with torch.device("meta"):
        table = nn.Embedding(config.vocab_size, config.embedding_dim)
        model = cls(config, embedding=table)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def _optional_tensors(expected: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """A partly frozen ``vectab.nn.Embedding`` also saves ``trainable_rows`` (bool, one per row)."""
    return {name.removesuffix("weight") + "trainable_rows": (shape[0],)
            for name, shape in expected.items()
            if name in _WORD_TABLES or re.fullmatch(r"embeddings\.\d+\.weight", name)}


# the word table of a task model: alone, or inside WordFeatures (with chars/casing features)
_WORD_TABLES = ("embedding.weight", "features.word_embedding.weight")
# which config field a tensor's dimension comes from, to name it in the error
_DIM_FIELDS = {
    "embedding.weight": ("vocab_size", "embedding_dim"),
    "features.word_embedding.weight": ("vocab_size", "embedding_dim"),
    "features.chars.embedding.weight": ("num_chars", "char_dim"),
    "output.weight": ("num_classes",), "output.bias": ("num_classes",),
    "emissions.weight": ("tags",), "emissions.bias": ("tags",),
}


def check_weights_header(config_path: Path, weights_path: Path, cls: type, config: Any,
                         header: dict[str, tuple[str, tuple[int, ...]]]) -> None:
    """The tensors named in ``model.safetensors``' header are exactly those the config builds."""
    expected = expected_tensors(cls, config)
    optional = _optional_tensors(expected)
    missing = [k for k in expected if k not in header]
    if missing:
        raise ModelFormatError(
            weights_path,
            missing[0],
            f"expected the tensors {list(expected)[:6]}... "
            f"of a {cls.model_type}, found no {missing[:3]}; the weights come "
            "from a different model",
        )
    extra = [k for k in header if k not in expected and k not in optional]
    if extra:
        raise ModelFormatError(
            weights_path,
            extra[0],
            f"expected only the tensors of a "
            f"{cls.model_type} with this config, found extra tensors {extra[:3]}",
        )
    for name, want in optional.items():
        if name in header and header[name] != ("BOOL", want):
            raise ModelFormatError(
                weights_path,
                name,
                f"expected a BOOL tensor of shape {want}, found "
                f"{header[name][0]} {header[name][1]}",
            )
    for name, want in expected.items():
        dtype, have = header[name]
        if dtype not in FLOAT_DTYPES:
            raise ModelFormatError(weights_path, f"{name}.dtype", f"expected a float dtype "
                                   f"{FLOAT_DTYPES}, found {dtype}")
        if have == want:
            continue
        fields = _DIM_FIELDS.get(name, ())
        if name.startswith("crf."):
            fields = ("tags",)
        if name.startswith("embeddings."):
            fields = ("cardinalities", "embedding_dims")
        for dim, field in enumerate(fields):
            if dim < len(have) and dim < len(want) and have[dim] != want[dim]:
                value = getattr(config, field)
                raise ModelFormatError(
                    config_path,
                    f"model_config.{field}",
                    f"expected a config that "
                    f"fits {name} {have} in {weights_path.name}, found "
                    f"{found(value)} (which makes it {want})",
                )
        raise ModelFormatError(config_path, "model_config", f"expected a config that fits {name} "
                               f"{have} in {weights_path.name}, found one that makes it {want}")


def table_rows(cls: type, config: Any) -> int:
    """Rows of the model's word table (0 for a model without one)."""
    return int(getattr(config, "vocab_size", 0) or 0)


def check_tokenizer(path: Path, text: bytes, rows: int) -> Any:
    """Rebuild ``tokenizer.json`` after checking it field by field and against the table's rows."""
    from vectab.text.serialization import read_tokenizer_json

    tokenizer = read_tokenizer_json(text, str(path), rows=rows)
    return tokenizer


def _label_list(path: Path, field: str, value: Any, *, strings_only: bool) -> list:
    value = want_list(path, field, value)
    for i, item in enumerate(value):
        ok = isinstance(item, str) and item != "" if strings_only else (
            isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool)))
        if not ok:
            rule = "non-empty strings" if strings_only else "strings or integers"
            raise ModelFormatError(path, f"{field}[{i}]", f"expected {rule}, found {found(item)}")
    if len(set(value)) != len(value):
        dup = next(v for i, v in enumerate(value) if v in value[:i])
        raise ModelFormatError(path, field, f"expected distinct labels, found {found(dup)} twice")
    if not value:
        raise ModelFormatError(path, field, "expected at least one label, found []")
    return value


def check_labels(path: Path, data: Any, cls: type, config: Any) -> list:
    """Check ``labels.json`` against the model: label types, uniqueness and count."""
    data = want_object(path, None, data)
    keys = sorted(data)
    if len(keys) != 1 or keys[0] not in ("labels", "tags"):
        raise ModelFormatError(
            path, None, f'expected {{"labels": [...]}} or {{"tags": [...]}}, found the keys {keys}'
        )
    key = keys[0]
    tags = getattr(config, "tags", None)
    task = _task(cls, config)
    if tags is not None:  # a tagger: tag names, the same as in the config
        labels = _label_list(path, key, data[key], strings_only=True)
        if len(labels) != len(tags) or (key == "tags" and labels != list(tags)):
            raise ModelFormatError(
                path,
                key,
                f"expected the model's {len(tags)} tags {found(list(tags))}, found {found(labels)}",
            )
        return labels
    if key != "labels" or task != "classification":
        raise ModelFormatError(
            path,
            key,
            f"expected {'no labels' if task == 'regression' else 'labels'} "
            f"for a {task} {cls.model_type}, found {found(data)}",
        )
    labels = _label_list(path, "labels", data["labels"], strings_only=False)
    classes = config.num_classes
    wanted = 2 if classes == 1 and not getattr(config, "multi_label", False) else classes
    if len(labels) != wanted:
        raise ModelFormatError(
            path,
            "labels",
            f"expected {wanted} labels (the model has {classes} "
            f"output{'s' if classes != 1 else ''}), found {len(labels)}: {found(labels)}",
        )
    return labels


def _check_history(path: Path, where: str, history: Any) -> None:
    for key, values in want_object(path, where, history).items():
        for i, v in enumerate(want_list(path, f"{where}.{key}", values)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ModelFormatError(
                    path, f"{where}.{key}[{i}]", f"expected a number, found {found(v)}"
                )


def check_run(path: Path, data: Any) -> None:
    """Check ``run.json`` (the record of a training run written by ``vectab train``)."""
    data = want_object(path, None, data)
    known = ("options", "history", "best_epoch", "metrics", "refit")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ModelFormatError(
            path, unknown[0], f"expected only the keys {list(known)}, found {unknown}"
        )
    want_object(path, "options", data.get("options", {}))
    _check_history(path, "history", data.get("history", {}))
    if "refit" in data:  # the run on train + valid that made the saved model
        refit = want_object(path, "refit", data["refit"])
        want_int(path, "refit.epochs", refit.get("epochs"), 1)
        _check_history(path, "refit.history", refit.get("history", {}))
    want_int(path, "best_epoch", data.get("best_epoch"), 0, optional=True)
    for key, v in want_object(path, "metrics", data.get("metrics", {})).items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ModelFormatError(path, f"metrics.{key}", f"expected a number, found {found(v)}")
