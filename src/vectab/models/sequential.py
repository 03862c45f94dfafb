"""Keras' ``Sequential`` and functional ``Model`` as plain torch modules, trained by the Trainer.

``Sequential([...])`` / ``model.add(layer)`` and ``Model(inputs, outputs)`` (the functional API:
several :class:`~vectab.layers.Input` s, shared layers) are ``torch.nn.Module`` s: ``model(x)``
runs them, masks propagate from layer to layer as in Keras (``layer.compute_mask``), and the
Keras methods are there: ``compile``, ``fit`` (one loop: :class:`vectab.engine.Trainer`),
``evaluate``, ``predict``, ``train_on_batch``/``test_on_batch``/``predict_on_batch``,
``summary``, ``count_params``, ``get_weights``/``set_weights`` (Keras' order: what
``keras_model.get_weights()`` returns), ``layers``, ``get_layer``, ``save`` (see
:mod:`vectab.models.keras_saving`).

A model runs where its parameters are (``model.to("cuda")``, as any torch module).

Example:
    >>> import numpy as np
    >>> from vectab.layers import Dense, Embedding, Flatten
    >>> model = Sequential([Embedding(50, 8, input_length=4), Flatten(), Dense(1, "sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> x, y = np.random.randint(1, 50, size=(16, 4)), np.arange(16) % 2
    >>> history = model.fit(x, y, epochs=2, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
    >>> model.predict(x[:3], verbose=0).shape
    (3, 1)
    >>> model.count_params()
    433
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from vectab._checks import check_bool, check_float, check_int
from vectab.engine.arrays import ArrayDataset
from vectab.engine.callbacks import History
from vectab.engine.trainer import Trainer
from vectab.layers import _graph
from vectab.layers._base import Layer
from vectab.layers.wrappers import Add, Concatenate
from vectab.models import _keras_graph, keras_optimizers, keras_saving

__all__ = ["Model", "Sequential", "load_model"]


def _numpy_list(weights: Any) -> list[np.ndarray]:
    return [np.asarray(w) for w in weights]


def _check_verbose(verbose: Any) -> bool:
    if verbose == "auto" or (isinstance(verbose, int) and not isinstance(verbose, bool)
                             and verbose in (0, 1, 2)):
        return verbose != 0
    raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2; got {verbose!r}.")


def _batch_size(batch_size: Any) -> int:
    check_int(batch_size, "batch_size", allow_none=True, fix=" None means 32, as in Keras.")
    return 32 if batch_size is None else int(batch_size)


def _rows(x: Any) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (np.ndarray, torch.Tensor)):
        x = x[0]
    return len(x)


def _slice(x: Any, sl: slice) -> Any:
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: _slice(v, sl) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (np.ndarray, torch.Tensor)):
        return [v[sl] for v in x]
    return np.asarray(x)[sl] if not torch.is_tensor(x) else x[sl]


def _to_device(x: Any, device: torch.device) -> Any:
    if isinstance(x, dict):
        return {k: _to_device(v, device) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_to_device(v, device) for v in x]
    return x.to(device) if torch.is_tensor(x) else x


def _with_mask(x: Any, mask: Any) -> Any:
    """The output with its Keras mask attached (``x._keras_mask``, as Keras does): the
    Trainer's losses and metrics then average over the real steps only."""
    if mask is not None and torch.is_tensor(x) and torch.is_tensor(mask):
        x._keras_mask = mask
    return x


def _class_weights(y: Any, class_weight: dict[int, float]) -> np.ndarray:
    labels = np.asarray(y.cpu() if torch.is_tensor(y) else y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(-1)
    labels = labels.reshape(len(labels), -1)[:, 0].astype(np.int64)
    return np.array([float(class_weight.get(int(c), 1.0)) for c in labels], dtype=np.float32)


class Model(nn.Module):
    """A functional model: ``Model(inputs, outputs)`` runs the graph of layer calls between them.

    ``inputs``/``outputs``: an :class:`~vectab.layers.Input` (or output node) or a list. Call
    it with one tensor, or a list of tensors in the order of ``inputs``. Layers used twice
    (shared) have one set of weights. The Keras methods are those of this module's docstring.
    """

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None) -> None:
        super().__init__()
        self.name = name or ("sequential" if isinstance(self, Sequential) else "functional")
        self._compiled: dict[str, Any] | None = None
        self._optimizer: torch.optim.Optimizer | None = None
        self.stop_training = False
        if isinstance(self, Sequential):
            return
        if inputs is None or outputs is None:
            raise TypeError("`inputs` and `outputs` are needed: Model(inputs=Input(...), "
                            "outputs=layer(...)) (or use Sequential).")
        self._multi_in = isinstance(inputs, (list, tuple))
        self._multi_out = isinstance(outputs, (list, tuple))
        self.inputs = list(inputs) if self._multi_in else [inputs]
        self.outputs = list(outputs) if self._multi_out else [outputs]
        for node in self.inputs + self.outputs:
            if not isinstance(node, _graph.Node):
                raise TypeError(f"`inputs`/`outputs` must be Input or layer-output nodes; got "
                                f"{type(node).__name__}: {node!r}.")
        self._nodes = _graph.trace(self.inputs, self.outputs)
        self._order = _keras_graph.keras_layer_order(self._nodes, self.outputs)
        self._graph_layers = nn.ModuleList(
            [la for la in self._order if not isinstance(la, _graph.Input)])

    # ------------------------------------------------------------- running
    @property
    def layers(self) -> list[Any]:
        """The layers in order (a functional model's :class:`Input` s first, as in Keras)."""
        return list(self._order)

    def _weight_layers(self) -> list[Any]:
        return [layer for layer in self.layers if not isinstance(layer, _graph.Input)]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Any:
        """The layer called ``name``, or at position ``index`` of :attr:`layers`."""
        if index is not None:
            n = len(self.layers)
            check_int(index, "index", minimum=-n, maximum=n - 1)
            return self.layers[index]
        for layer in self.layers:
            if getattr(layer, "name", None) == name:
                return layer
        raise ValueError(f"No layer named {name!r}; the layers are "
                         f"{[getattr(la, 'name', None) for la in self.layers]}.")

    def forward(self, x: Any, mask: Any = None) -> Any:  # noqa: D102
        xs = list(x) if self._multi_in else [x]
        if isinstance(x, dict):
            xs = [x[node.name] for node in self.inputs]
        if len(xs) != len(self.inputs):
            raise ValueError(f"the model has {len(self.inputs)} inputs; got {len(xs)} arrays.")
        values: dict[int, tuple[Any, Any]] = {}
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(xs)
        for node, value, m in zip(self.inputs, xs, masks, strict=True):
            values[id(node)] = (torch.as_tensor(value) if isinstance(value, np.ndarray)
                                else value, m)
        calls: dict[tuple[int, ...], tuple[Any, Any]] = {}
        for node in self._nodes:
            if id(node) in values:
                continue
            key = (id(node.layer), *(id(p) for p in node.inputs))
            if key not in calls:
                args = [values[id(p)] for p in node.inputs]
                as_list = len(args) > 1 or isinstance(node.layer, (Add, Concatenate))
                inp = [a[0] for a in args] if as_list else args[0][0]
                in_mask = [a[1] for a in args] if as_list else args[0][1]
                if as_list and all(m is None for m in in_mask):
                    in_mask = None
                out = node.layer(inp, mask=in_mask)
                calls[key] = (out, node.layer.compute_mask(inp, in_mask))
            out, out_mask = calls[key]
            if isinstance(out, (list, tuple)):
                m = out_mask[node.index] if isinstance(out_mask, (list, tuple)) else (
                    out_mask if node.index == 0 else None)
                values[id(node)] = (out[node.index], m)
            else:
                values[id(node)] = (out, out_mask)
        results = [_with_mask(*values[id(n)]) for n in self.outputs]
        return results if self._multi_out else results[0]

    # ------------------------------------------------------------- weights
    def get_weights(self) -> list[np.ndarray]:
        """Every layer's weights in order (Keras' ``model.get_weights()``)."""
        return [w for layer in self._weight_layers() for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Load ``keras_model.get_weights()`` (the same architecture), in order, shape-checked."""
        weights = _numpy_list(weights)
        layers = self._weight_layers()
        need = sum(len(layer.get_weights()) for layer in layers)
        if len(weights) != need:
            raise ValueError(f"`weights` must hold {need} arrays for this model; "
                             f"got {len(weights)}.")
        i = 0
        for layer in layers:
            n = len(layer.get_weights())
            if n:
                layer.set_weights(weights[i:i + n])
            i += n

    def count_params(self) -> int:
        """Number of weight entries of every layer (Keras' ``count_params``)."""
        return sum(layer.count_params() for layer in self._weight_layers())

    # ------------------------------------------------------------- Keras' training API
    def compile(  # type: ignore[override]  # Keras' compile, not torch.nn.Module.compile
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | None = None,
        jit_compile: bool = False,
    ) -> None:
        """Configure training as Keras' ``compile`` (``jit_compile=True``: ``torch.compile``).

        ``optimizer``: a Keras name (:mod:`vectab.models.keras_optimizers`, Keras' defaults
        and update rules), a torch optimizer or a torch optimizer class; ``loss``: a Keras
        loss name (:mod:`vectab.engine.losses`) or a callable ``(y_pred, y_true)``;
        ``metrics``: names (``"accuracy"`` resolved from the loss and output as Keras does)
        or callables.
        """
        from vectab.engine import losses

        keras_optimizers.check_optimizer(optimizer)
        if loss is not None:
            losses.get_loss(loss)
        check_bool(jit_compile, "jit_compile")
        metrics = list(metrics or [])
        out_shape = self._output_shape()
        for m in metrics:
            losses.get_metric(m, loss=loss, output_shape=out_shape)
        self._compiled = {"optimizer": optimizer, "loss": loss, "metrics": metrics,
                          "jit_compile": jit_compile}
        self._optimizer = optimizer if isinstance(optimizer, torch.optim.Optimizer) else None
        self._jit: Any = None

    def _output_shape(self) -> tuple | None:
        out = self.outputs[0] if not isinstance(self, Sequential) else None
        if out is not None:
            return out.shape
        shapes = self._summary_shapes()
        return shapes[-1] if shapes and shapes[-1] is not None else None

    def _require_compiled(self, what: str) -> dict[str, Any]:
        if self._compiled is None:
            raise RuntimeError(f"call model.compile(optimizer, loss) before `{what}`.")
        if self._compiled["loss"] is None and what != "predict":
            raise RuntimeError(f"`{what}` needs a loss: model.compile(optimizer, loss='mse').")
        return self._compiled

    def _device(self) -> torch.device:
        p = next(self.parameters(), None)
        return p.device if p is not None else torch.device("cpu")

    def _build_on(self, data: Any) -> None:
        """Run one example through the model (eval mode, no grad) so lazy layers exist."""
        if isinstance(data, torch.utils.data.DataLoader):
            return  # built by the first batch; the optimizer is made after it
        x = data.x
        first = ([v[:1] for v in x] if isinstance(x, list)
                 else {k: v[:1] for k, v in x.items()} if isinstance(x, dict) else x[:1])
        was = self.training
        self.eval()
        with torch.no_grad():
            self(_to_device(first, self._device()))
        self.train(was)

    def _trainer(self, *, batch_size: int, epochs: int = 1, shuffle: bool = False,
                 callbacks: Sequence[Any] = (), verbose: bool = False,
                 for_training: bool = True) -> Trainer:
        compiled = self._compiled or {"optimizer": "rmsprop", "loss": None, "metrics": []}
        if self._optimizer is None and for_training:
            self._optimizer = keras_optimizers.get_optimizer(compiled["optimizer"],
                                                             self.parameters())
        module: nn.Module = self
        if compiled.get("jit_compile"):
            if self._jit is None:
                self.__dict__["_jit"] = torch.compile(self)  # not a submodule: no cycle
            module = self._jit
        metrics = [(m, compiled["loss"]) for m in compiled["metrics"]]
        from vectab.engine import losses

        trainer = Trainer(
            module, loss=compiled["loss"] or "mse", optimizer=self._optimizer or torch.optim.SGD(
                [torch.zeros(1, requires_grad=True)], lr=0.0),
            batch_size=batch_size, epochs=epochs, shuffle=shuffle, clip_grad_norm=None,
            restore_best=False, callbacks=callbacks, progress=True if verbose else None,
            device=self._device(), mixed_precision=False,
            seed=int(torch.randint(0, 2**31 - 1, ()).item()),
        )
        out_shape = self._output_shape()
        trainer.metric_fns = [losses.get_metric(m, loss=lo, output_shape=out_shape)
                              for m, lo in metrics]
        return trainer

    def _dataset(self, x: Any, y: Any, sample_weight: Any, class_weight: Any) -> Any:
        if isinstance(x, torch.utils.data.DataLoader):
            if y is not None:
                raise ValueError("`y` must be None when `x` is a DataLoader (it yields (x, y)).")
            return x
        if x is None:
            raise ValueError("`x` is needed: arrays, a list of arrays (several inputs) or a "
                             "DataLoader.")
        if class_weight is not None and y is not None:
            weights = _class_weights(y, class_weight)
            sample_weight = weights if sample_weight is None else np.asarray(
                sample_weight, np.float32) * weights
        return ArrayDataset(x, y, sample_weight)

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Sequence[Any] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train as Keras' ``fit``; returns the :class:`~vectab.engine.History`
        (``history.history``: ``loss``, each metric, ``val_*`` per epoch).

        ``validation_split`` takes the last fraction of ``x``/``y`` before shuffling, as Keras.
        """
        self._require_compiled("fit")
        show = _check_verbose(verbose)
        check_float(validation_split, "validation_split", minimum=0, maximum=1, max_open=True)
        if validation_split and validation_data is None:
            if isinstance(x, torch.utils.data.DataLoader):
                raise ValueError("`validation_split` needs arrays; pass validation_data= "
                                 "with a DataLoader.")
            n = _rows(x)
            cut = int(n * (1 - validation_split))
            validation_data = (_slice(x, slice(cut, None)), _slice(y, slice(cut, None)))
            x, y = _slice(x, slice(0, cut)), _slice(y, slice(0, cut))
            sample_weight = _slice(sample_weight, slice(0, cut))
        train = self._dataset(x, y, sample_weight, class_weight)
        valid = None
        if validation_data is not None:
            valid = (validation_data if isinstance(validation_data, torch.utils.data.DataLoader)
                     else self._dataset(*validation_data, None)
                     if isinstance(validation_data, (tuple, list)) and len(validation_data) == 3
                     else self._dataset(*validation_data, None, None))
        if self._optimizer is None:
            self._build_on(train)
        trainer = self._trainer(batch_size=_batch_size(batch_size), epochs=epochs,
                                shuffle=shuffle, callbacks=list(callbacks or []), verbose=show)
        self.stop_training = False
        history = trainer.fit(train, valid, initial_epoch=initial_epoch)
        self.history = history
        return history

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None,
                 return_dict: bool = False) -> Any:
        """The loss, or ``[loss, *metrics]`` with metrics (a dict with ``return_dict``)."""
        self._require_compiled("evaluate")
        _check_verbose(verbose)
        check_bool(return_dict, "return_dict")
        trainer = self._trainer(batch_size=_batch_size(batch_size), for_training=False)
        logs = trainer.evaluate(self._dataset(x, y, sample_weight, None))
        if return_dict:
            return logs
        values = [logs["loss"]] + [logs[name] for name, _ in trainer.metric_fns]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto") -> Any:
        """The outputs as numpy (a list for several outputs), batch by batch, in eval mode."""
        _check_verbose(verbose)
        trainer = self._trainer(batch_size=_batch_size(batch_size), for_training=False)
        return trainer.predict(self._dataset(x, None, None, None))

    def predict_on_batch(self, x: Any) -> Any:
        """The outputs for one batch as numpy."""
        return self.predict(x, batch_size=max(_rows(x), 1), verbose=0)

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None) -> Any:
        """One optimizer step on this batch; the loss (``[loss, *metrics]`` with metrics)."""
        self._require_compiled("train_on_batch")
        data = self._dataset(x, y, sample_weight, class_weight)
        if self._optimizer is None:
            self._build_on(data)
        trainer = self._trainer(batch_size=max(len(data), 1))
        self.train()
        sums: dict[str, float] = {}
        batch = trainer._to_device(data.__getitems__(list(range(len(data)))))
        loss = trainer._step(batch, sums)
        metrics = [sums[name] / max(sums[f"{name}/n"], 1) for name, _ in trainer.metric_fns]
        return [loss, *metrics] if metrics else loss

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """The loss (``[loss, *metrics]``) on this batch, without training."""
        return self.evaluate(x, y, batch_size=max(_rows(x), 1), verbose=0,
                             sample_weight=sample_weight)

    # ------------------------------------------------------------- summary and saving
    def _summary_shapes(self) -> list[Any]:
        return [None if isinstance(n, _graph.Input) else n.shape for n in self._summary_nodes()]

    def _summary_nodes(self) -> list[Any]:
        first: dict[int, Any] = {}
        for node in self._nodes:
            first.setdefault(id(node.layer), node)
        return [first[id(layer)] for layer in self._order]

    def _summary_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for node in self._summary_nodes():
            layer = node.layer
            kind = "InputLayer" if isinstance(node, _graph.Input) else type(layer).__name__
            params = 0 if isinstance(node, _graph.Input) else layer.count_params()
            rows.append((f"{node.name} ({kind})", str(node.shape), f"{params:,}"))
        return rows

    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print Keras' table: ``Layer (type)``, ``Output Shape``, ``Param #`` and the totals
        (``print_fn`` receives the text instead of ``print``)."""
        rows = self._summary_rows()
        text = _keras_graph.summary_text(self.name, rows, self._weight_layers())
        (print_fn or print)(text)

    def save(self, filepath: Any) -> None:
        """Write the model to the directory ``filepath`` (architecture JSON + safetensors);
        :func:`vectab.models.load_model` reads it back."""
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"`filepath` must be a directory path; got "
                            f"{type(filepath).__name__}: {filepath!r}.")
        keras_saving.save_model(self, filepath)


class Sequential(Model):
    """A stack of layers, each fed the previous one's output and mask (Keras' ``Sequential``).

    ``Sequential(layers=None, name=None)``, ``add(layer)``, ``pop()``. The first layer may be
    an :class:`~vectab.layers.Input`; when the input shape is known (an ``Input``, a first
    layer with ``input_shape=``, an ``Embedding`` with ``input_length=``) each added layer is
    built at once and ``summary()`` shows the shapes, else both happen on the first call.
    """

    def __init__(self, layers: Sequence[Any] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self._stack = nn.ModuleList()
        self._input: _graph.Input | None = None
        self._shapes: list[Any] = []
        self._build_shape: tuple | None = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Any]:  # noqa: D102
        return list(self._stack)

    def _weight_layers(self) -> list[Any]:
        return list(self._stack)

    @property
    def inputs(self) -> list[Any]:  # noqa: D102
        return [self._input] if self._input is not None else []

    def add(self, layer: Any) -> None:
        """Append ``layer`` (built at once when the input shape is known)."""
        if isinstance(layer, _graph.Input):
            if len(self._stack):
                raise ValueError("an Input can only be the first entry of a Sequential model.")
            self._input = layer
            self._build_shape = layer.shape
            return
        if not isinstance(layer, nn.Module):
            raise TypeError(f"`layer` must be a vectab.layers layer (or a torch module); got "
                            f"{type(layer).__name__}: {layer!r}.")
        if not len(self._stack) and self._input is None:
            hint = getattr(layer, "input_shape_hint", None)
            length = getattr(layer, "input_length", None)
            if hint is not None:
                self._build_shape = hint
            elif length is not None:
                self._build_shape = (None, length)
        self._stack.append(layer)
        self._shapes = []
        if self._build_shape is not None:
            self._trace_shapes()

    def pop(self) -> Any:
        """Remove and return the last layer."""
        if not len(self._stack):
            raise ValueError("`pop` on an empty Sequential model: there is no layer to remove.")
        layer = self._stack[-1]
        del self._stack[-1]
        self._shapes = self._shapes[:-1]
        return layer

    def _trace_shapes(self) -> None:
        """Build every layer symbolically from the input shape; record the output shapes."""
        node: Any = _graph.Input(shape=self._build_shape[1:], batch_size=self._build_shape[0],
                                 dtype=getattr(self._input, "dtype", "float32"))
        shapes = []
        for layer in self._stack:
            if not isinstance(layer, Layer):
                shapes.append(None)
                break
            node = layer(node)
            if isinstance(node, list):
                node = node[0]
            shapes.append(node.shape)
        self._shapes = shapes

    def forward(self, x: Any, mask: Any = None) -> Any:  # noqa: D102
        if isinstance(x, np.ndarray):
            x = torch.as_tensor(x)
        first = self._build_shape is None
        if first:
            self._build_shape = (None, *x.shape[1:])
        shapes = []
        for layer in self._stack:
            if isinstance(layer, Layer):
                out = layer(x, mask=mask)
                mask = layer.compute_mask(x, mask)
            else:
                out, mask = layer(x), None
            x = out[0] if isinstance(out, (list, tuple)) else out
            shapes.append((None, *x.shape[1:]))
        if first or len(self._shapes) != len(self._stack):
            self._shapes = shapes
        return _with_mask(x, mask)

    def _summary_shapes(self) -> list[Any]:
        return list(self._shapes)

    def _summary_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for i, layer in enumerate(self._stack):
            shape = self._shapes[i] if i < len(self._shapes) else None
            built = getattr(layer, "built", True)
            params = (layer.count_params() if isinstance(layer, Layer) else
                      sum(p.numel() for p in layer.parameters())) if built else None
            name = getattr(layer, "name", type(layer).__name__.lower())
            rows.append((f"{name} ({type(layer).__name__})",
                         str(shape) if shape is not None else "?",
                         f"{params:,}" if params is not None else "0 (unbuilt)"))
        return rows


def load_model(filepath: str | os.PathLike[str]) -> Model:
    """Read a model written by ``model.save(filepath)``: the same architecture and weights (not
    compiled: call ``compile`` before ``fit``), as Keras' ``load_model``."""
    return keras_saving.load_model(filepath, Sequential, Model)
