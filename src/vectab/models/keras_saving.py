"""``model.save(dir)`` / ``load_model(dir)`` for :class:`~vectab.models.Sequential` and
:class:`~vectab.models.Model`: the architecture as JSON, the weights as safetensors, no pickle.

The directory holds ``model.json`` (``{"format": "vectab.keras_model", "version": 1,
"class_name": "Sequential" | "Functional", "config": ...}``: each layer's ``get_config``, the
input shape a lazy stack was built for, a functional model's graph as a list of nodes) and
``model.safetensors`` (the state dict). It is written beside its target and swapped in whole
(:func:`vectab._fileio.atomic_dir`), so a killed save leaves the old model or the new one.

Example:
    >>> import tempfile, numpy as np
    >>> from vectab.layers import Dense, Embedding, Flatten
    >>> from vectab.models import Sequential, load_model
    >>> model = Sequential([Embedding(10, 2, input_length=3), Flatten(), Dense(1)])
    >>> path = tempfile.mkdtemp() + "/model"
    >>> model.save(path)
    >>> x = np.array([[1, 2, 3]])
    >>> bool(np.allclose(load_model(path).predict(x, verbose=0), model.predict(x, verbose=0)))
    True
"""

from __future__ import annotations

import json
import os
from typing import Any

from vectab._fileio import atomic_dir, atomic_write, committed_dir, verify_manifest
from vectab._modelfile import read_json
from vectab.engine.checkpoint import load_weights, save_weights
from vectab.errors import ModelFormatError
from vectab.layers import _graph
from vectab.layers._base import deserialize, serialize

__all__ = ["load_model", "save_model"]

FORMAT = "vectab.keras_model"
FILES = ("model.json", "model.safetensors")


def _functional_config(model: Any) -> dict[str, Any]:
    index = {id(node): i for i, node in enumerate(model._nodes)}
    layers: dict[str, Any] = {}
    nodes = []
    for node in model._nodes:
        if isinstance(node, _graph.Input):
            nodes.append({"input": node.get_config()})
            continue
        layers.setdefault(node.layer.name, serialize(node.layer))
        nodes.append({"layer": node.layer.name, "inputs": [index[id(p)] for p in node.inputs],
                      "index": node.index})
    return {"name": model.name, "layers": layers, "nodes": nodes,
            "inputs": [index[id(n)] for n in model.inputs],
            "outputs": [index[id(n)] for n in model.outputs],
            "multi_in": model._multi_in, "multi_out": model._multi_out}


def model_config(model: Any) -> dict[str, Any]:
    """The JSON-ready architecture of ``model`` (no weights)."""
    if hasattr(model, "_stack"):  # a Sequential
        shape = model._build_shape
        return {"class_name": "Sequential", "config": {
            "name": model.name, "layers": [serialize(layer) for layer in model.layers],
            "build_input_shape": list(shape) if shape is not None else None,
            "input_dtype": getattr(model._input, "dtype", None)}}
    return {"class_name": "Functional", "config": _functional_config(model)}


def model_from_config(spec: dict[str, Any], sequential: type, functional: type) -> Any:
    """Rebuild a model (fresh weights) from :func:`model_config`'s dict, with the classes
    ``sequential`` and ``functional`` (:mod:`vectab.models.sequential` passes its own)."""
    config = spec["config"]
    if spec["class_name"] == "Sequential":
        model = sequential(name=config["name"])
        shape = config.get("build_input_shape")
        if shape is not None:
            model.add(_graph.Input(shape=tuple(shape[1:]), dtype=config.get("input_dtype")))
        for layer in config["layers"]:
            model.add(deserialize(layer))
        return model
    layers = {name: deserialize(s) for name, s in config["layers"].items()}
    built: list[Any] = []
    calls: dict[tuple, Any] = {}
    for node in config["nodes"]:
        if "input" in node:
            cfg = node["input"]
            built.append(_graph.Input(shape=tuple(cfg["shape"]), batch_size=cfg["batch_size"],
                                      dtype=cfg["dtype"], name=cfg["name"]))
            continue
        parents = [built[i] for i in node["inputs"]]
        key = (node["layer"], *node["inputs"])
        if key not in calls:
            layer = layers[node["layer"]]
            calls[key] = layer(parents if len(parents) > 1 or _is_merge(layer) else parents[0])
        out = calls[key]
        built.append(out[node["index"]] if isinstance(out, list) else out)
    ins = [built[i] for i in config["inputs"]]
    outs = [built[i] for i in config["outputs"]]
    return functional(ins if config["multi_in"] else ins[0],
                      outs if config["multi_out"] else outs[0], name=config["name"])


def _is_merge(layer: Any) -> bool:
    from vectab.layers.wrappers import Add, Concatenate

    return isinstance(layer, (Add, Concatenate))


def save_model(model: Any, directory: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``directory`` (replaced atomically); see the module docstring."""
    spec = {"format": FORMAT, "version": 1, **model_config(model)}
    with atomic_dir(directory, owned=FILES) as tmp:
        with atomic_write(tmp / "model.json") as f:
            f.write(json.dumps(spec, indent=2))
        save_weights(model, tmp / "model.safetensors")


def load_model(directory: str | os.PathLike[str], sequential: type, functional: type) -> Any:
    """Read a model written by ``save_model`` (weights included, not compiled), rebuilt with
    the classes ``sequential``/``functional`` (use :func:`vectab.models.load_model`)."""
    path = committed_dir(directory)
    verify_manifest(path, required=FILES)
    spec = read_json(path / "model.json")
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ModelFormatError(f"{path / 'model.json'}: not a vectab Keras-style model "
                               f"(expected format {FORMAT!r})")
    model = model_from_config(spec, sequential, functional)
    load_weights(model, path / "model.safetensors")
    return model
