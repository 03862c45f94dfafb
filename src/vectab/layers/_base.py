"""The layer protocol every :mod:`vectab.layers` layer follows (Keras 3's, on plain torch modules).

A layer is a :class:`Layer`, a ``torch.nn.Module``:

- ``built``: False until the parameters exist. ``build(input_shape)`` creates them from the
  input shape (a tuple with the batch dimension first, which may be None). It runs once: on the
  first call, before the forward, from that input's shape (lazy, as Keras); a layer constructed
  with enough information (``Dense(4, input_shape=(3,))``, ``Embedding``) is built at once.
  Parameters created by a lazy build are moved to the input's device.
- ``forward(x, mask=None)``: ``x`` a tensor (a list of tensors for the merge layers), ``mask``
  a bool tensor ``(batch, steps)``, True = real step, or None (a list for merge layers). It
  returns a tensor, or a list (``return_state=True``, ``merge_mode=None``). The module is a
  plain torch module: ``layer(x)`` and ``layer(x, mask=m)`` both work, ``layer.train()`` /
  ``layer.eval()`` switch dropout.
- ``compute_mask(x, mask)``: the mask of the output, as Keras computes it: by default ``mask``
  when ``supports_masking`` else None (the mask is dropped, as in Keras 3 by ``Flatten``,
  ``Conv1D``, the poolings). ``Embedding(mask_zero=True)`` makes one (``ids != 0``).
- ``compute_output_shape(input_shape)``: the output shape, a tuple with None for the batch
  (a list of tuples for a list output).
- ``get_weights()``: a list of numpy arrays in Keras' order and layout (Dense kernel
  ``(in, out)``, LSTM gates i, f, c, o, GRU z, r, h, ...); ``set_weights(weights)`` accepts
  exactly what the same Keras 3 layer's ``get_weights()`` returns, shape-checked, with an error
  naming the layer and the index. ``count_params()`` = the number of weight entries.
- ``get_config()``: a JSON-safe dict of the constructor arguments (a wrapped layer is
  ``{"class_name": ..., "config": ...}``; ``weights=`` arrays are not part of it), and
  ``cls.from_config(config)`` rebuilds the layer (no pickle). :func:`deserialize` rebuilds any
  layer from ``{"class_name", "config"}``.
- Calling a layer on a symbolic :class:`vectab.layers.Node` (an :class:`~vectab.layers.Input`
  or another layer's symbolic output) records the call instead of computing it and returns a
  new ``Node``: see :mod:`vectab.layers._graph`.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vectab.layers import _graph

__all__ = ["Layer", "activation", "deserialize", "serialize"]

REGISTRY: dict[str, type[Layer]] = {}
_COUNTS: dict[str, int] = {}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()  # Keras' default layer names


def _auto_name(cls: type) -> str:
    base = _snake(cls.__name__)
    n = _COUNTS.get(base, 0)
    _COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


# ----------------------------------------------------------------- activations
def _hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return F.relu6(x + 3.0) / 6.0  # Keras 3: relu6(x + 3) / 6


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "linear": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "log_softmax": lambda x: torch.log_softmax(x, dim=-1),
    "tanh": torch.tanh,
    "elu": F.elu,
    "selu": F.selu,
    "softplus": F.softplus,
    "softsign": F.softsign,
    "gelu": F.gelu,  # Keras 3 default approximate=False
    "swish": F.silu,
    "silu": F.silu,
    "exponential": torch.exp,
    "hard_sigmoid": _hard_sigmoid,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),  # Keras 3 negative_slope=0.2
    "relu6": F.relu6,
}


def activation(identifier: Any, *, arg: str = "activation") -> Callable[[torch.Tensor], Any]:
    """Resolve a Keras activation name (or None = linear, or a callable) into a function.

    Example:
        >>> import torch
        >>> activation("hard_sigmoid")(torch.tensor([-3.0, 0.0, 3.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    if identifier is None:
        return ACTIVATIONS["linear"]
    if isinstance(identifier, str):
        fn = ACTIVATIONS.get(identifier)
        if fn is None:
            raise ValueError(
                f"`{arg}` must be one of {sorted(ACTIVATIONS)}, None or a callable; "
                f"got {identifier!r}."
            )
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(
        f"`{arg}` must be an activation name, None or a callable; "
        f"got {type(identifier).__name__}: {identifier!r}."
    )


# ----------------------------------------------------------------- config (JSON-safe)
def serialize(layer: Layer) -> dict[str, Any]:
    """``{"class_name": ..., "config": layer.get_config()}`` (Keras' ``serialize``)."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(spec: dict[str, Any]) -> Layer:
    """Rebuild a layer from :func:`serialize`'s dict."""
    cls = REGISTRY.get(spec.get("class_name", "")) if isinstance(spec, dict) else None
    if cls is None:
        raise ValueError(
            f"`spec` must be {{'class_name': <a vectab.layers layer>, 'config': {{...}}}}; "
            f"got {spec!r}."
        )
    return cls.from_config(spec["config"])


def _jsonable(key: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, Layer):
        return serialize(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(key, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(key, v) for k, v in value.items()}
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    raise TypeError(
        f"`{key}` = {value!r} cannot be saved in a JSON config; pass it by name "
        f"(e.g. activation='relu', kernel_initializer='glorot_uniform') to save the layer."
    )


def _check_shape(name: str, shape: Any) -> tuple[int | None, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list, torch.Size)) or not all(
        s is None or (isinstance(s, int) and not isinstance(s, bool) and s >= 0) for s in shape
    ):
        raise TypeError(
            f"`{name}` must be a tuple of sizes (None for unknown); "
            f"got {type(shape).__name__}: {shape!r}."
        )
    return tuple(shape)


class Layer(nn.Module):
    """The base of every :mod:`vectab.layers` layer: see this module's docstring (the protocol)."""

    supports_masking: bool = False
    #: config keys left out of :meth:`get_config` (initial values, not architecture)
    _not_config: tuple[str, ...] = ("weights",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            REGISTRY[cls.__name__] = cls
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        signature = inspect.signature(init)

        @functools.wraps(init)
        def recording_init(self: Layer, *args: Any, **kw: Any) -> None:
            if "_config" not in self.__dict__:  # the outermost __init__ records its arguments
                bound = signature.bind(self, *args, **kw)
                bound.apply_defaults()
                config = dict(bound.arguments)
                config.pop("self")
                object.__setattr__(self, "_config", config)
            init(self, *args, **kw)

        cls.__init__ = recording_init  # type: ignore[method-assign]

    def __init__(self, *, name: str | None = None, input_shape: Any = None) -> None:
        super().__init__()
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a str or None; got {type(name).__name__}: {name!r}.")
        self.name = name if name is not None else _auto_name(type(self))
        self.built = False
        self.input_shape_hint = (
            None if input_shape is None else (None, *_check_shape("input_shape", input_shape))
        )
        if "_config" in self.__dict__ and self._config.get("name") is None:
            self._config["name"] = self.name

    def _build_now(self) -> None:
        """Build at construction when the input shape is known (``input_shape=``)."""
        if self.input_shape_hint is not None:
            self.build(self.input_shape_hint)
            self.built = True

    # ------------------------------------------------------------- the protocol
    def build(self, input_shape: Any) -> None:
        """Create the parameters for inputs of ``input_shape``; default: none."""

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if _graph.is_symbolic(x):
            return _graph.call_symbolic(self, x, kwargs.get("mask"))
        x = _as_tensor(x)
        if isinstance(kwargs.get("mask"), np.ndarray):
            kwargs["mask"] = torch.as_tensor(kwargs["mask"]).bool()
        if not self.built:
            self.build(_shape_of(x))
            self.built = True
            device = _device_of(x)
            if device is not None:
                self.to(device)
            if not self.__dict__.get("_trainable", True):
                self.requires_grad_(False)
        return super().__call__(x, *args, **kwargs)

    @property
    def trainable(self) -> bool:
        """Keras' ``trainable``: False freezes every parameter (``requires_grad=False``)."""
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"`trainable` must be a bool; got {type(value).__name__}: {value!r}.")
        self.__dict__["_trainable"] = value
        self.requires_grad_(value)

    def compute_mask(self, x: Any, mask: Any = None) -> Any:
        """The output mask (Keras): ``mask`` when ``supports_masking``, else None."""
        return mask if self.supports_masking else None

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape`` (batch None); default: unchanged."""
        return input_shape

    def _get_weights(self) -> list[torch.Tensor]:
        """Keras' weights as tensors (Keras layout); subclasses with weights override it."""
        return []

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        """Store Keras-layout tensors (shapes already checked)."""

    def get_weights(self) -> list[np.ndarray]:
        """The weights as numpy arrays, in Keras' order and layout (as Keras' ``get_weights``)."""
        self._require_built("get_weights")
        return [w.detach().cpu().numpy().copy() for w in self._get_weights()]

    @torch.no_grad()
    def set_weights(self, weights: Sequence[Any]) -> None:
        """Load what the same Keras layer's ``get_weights()`` returns (checked shapes)."""
        self._require_built("set_weights")
        current = self._get_weights()
        if not isinstance(weights, (list, tuple)) or len(weights) != len(current):
            got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects a list of "
                f"{len(current)} weight arrays with shapes "
                f"{[tuple(w.shape) for w in current]}; got {got}."
            )
        tensors = []
        for i, (new, old) in enumerate(zip(weights, current, strict=True)):
            array = torch.as_tensor(np.asarray(new))
            if tuple(array.shape) != tuple(old.shape):
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}): weight {i} must have shape "
                    f"{tuple(old.shape)}; got {tuple(array.shape)}."
                )
            tensors.append(array.to(dtype=old.dtype, device=old.device))
        self._set_weights(tensors)

    def count_params(self) -> int:
        """Number of weight entries (Keras' ``count_params``)."""
        self._require_built("count_params")
        return int(sum(w.numel() for w in self._get_weights()))

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-safe (Keras' ``get_config``)."""
        config = {k: v for k, v in self._config.items() if k not in self._not_config}
        return {k: _jsonable(k, v) for k, v in config.items()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Rebuild the layer from :meth:`get_config`'s dict."""
        return cls(**config)

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) is not built yet, so `{what}` has "
                f"no weights to work on: call it on an input first, or pass input_shape=."
            )

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


def _shape_of(x: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, torch.Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))


def _as_tensor(x: Any) -> Any:
    """Numpy input as a tensor: floats as torch's default dtype (Keras casts to float32)."""
    if isinstance(x, (list, tuple)):
        return [_as_tensor(v) for v in x]
    if isinstance(x, np.ndarray):
        t = torch.as_tensor(x)
        return t.to(torch.get_default_dtype()) if t.is_floating_point() else t
    return x


def _device_of(x: Any) -> torch.device | None:
    if isinstance(x, (list, tuple)):
        return _device_of(x[0]) if x else None
    return x.device if isinstance(x, torch.Tensor) else None
