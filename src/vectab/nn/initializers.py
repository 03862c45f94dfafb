"""Initializers for embedding tables, by Keras name or object.

Each initializer is a callable ``init(shape, dtype=None, device=None) -> Tensor`` with Keras'
defaults (``"uniform"`` is Keras' ``RandomUniform(-0.05, 0.05)``, not PyTorch's ``N(0, 1)``).
:func:`get` resolves what a user passes as ``embeddings_initializer``: a name, an initializer
object, a Keras-style callable ``shape -> array``, a PyTorch in-place function such as
``torch.nn.init.normal_`` or a ready array / tensor.

Example:
    >>> from vectab.nn import initializers
    >>> init = initializers.get("uniform")
    >>> init
    RandomUniform(minval=-0.05, maxval=0.05, seed=None)
    >>> table = init((1000, 8))
    >>> table.shape, bool(table.abs().max() <= 0.05)
    (torch.Size([1000, 8]), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from vectab._checks import check_float, check_seed
from vectab.nn._names import from_name

Shape = Sequence[int]

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "Initializer",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "Zeros",
    "get",
    "initialize",
]


class Initializer:
    """Base class: ``init(shape, dtype=None, device=None)`` returns a new tensor."""

    def __call__(
        self, shape: Shape, dtype: torch.dtype | None = None, device: Any = None
    ) -> torch.Tensor:
        table = torch.empty(tuple(shape), dtype=dtype or torch.get_default_dtype(), device=device)
        with torch.no_grad():
            self.fill_(table)
        return table

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        """Fill ``table`` in place and return it."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (Keras' ``get_config``)."""
        return {}

    def _generator(self, table: torch.Tensor) -> torch.Generator | None:
        seed = self.get_config().get("seed")
        if seed is None:
            return None
        gen = torch.Generator(device=table.device)
        gen.manual_seed(int(seed))
        return gen

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class RandomUniform(Initializer):
    """U(minval, maxval); Keras' ``RandomUniform`` and the ``"uniform"`` default."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        check_float(minval, "minval")
        check_float(maxval, "maxval")
        check_seed(seed, allow_none=True)
        self.minval, self.maxval, self.seed = float(minval), float(maxval), seed

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        return table.uniform_(self.minval, self.maxval, generator=self._generator(table))

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """N(mean, stddev**2); Keras' ``RandomNormal`` (``"normal"``, ``"random_normal"``)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        check_float(mean, "mean")
        check_float(stddev, "stddev", minimum=0)
        check_seed(seed, allow_none=True)
        self.mean, self.stddev, self.seed = float(mean), float(stddev), seed

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        return table.normal_(self.mean, self.stddev, generator=self._generator(table))

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal values cut at two standard deviations; Keras' ``TruncatedNormal``."""

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        lo, hi = self.mean - 2 * self.stddev, self.mean + 2 * self.stddev
        return torch.nn.init.trunc_normal_(
            table, self.mean, self.stddev, lo, hi, generator=self._generator(table)
        )


def _fans(shape: Shape) -> tuple[int, int]:
    """Keras' ``compute_fans`` for a 2-D table: fan_in = rows, fan_out = columns."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive = math.prod(shape[:-2])
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class GlorotUniform(Initializer):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)); Keras' ``GlorotUniform``."""

    def __init__(self, seed: int | None = None):
        check_seed(seed, allow_none=True)
        self.seed = seed

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        fan_in, fan_out = _fans(table.shape)
        limit = math.sqrt(6.0 / max(1.0, fan_in + fan_out))
        return table.uniform_(-limit, limit, generator=self._generator(table))

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotNormal(GlorotUniform):
    """Truncated normal with Keras' ``GlorotNormal`` scale."""

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        fan_in, fan_out = _fans(table.shape)
        std = math.sqrt(2.0 / max(1.0, fan_in + fan_out)) / 0.87962566103423978
        return torch.nn.init.trunc_normal_(
            table, 0.0, std, -2 * std, 2 * std, generator=self._generator(table)
        )


class Orthogonal(Initializer):
    """Orthogonal rows or columns (QR of a normal matrix), times ``gain``; Keras' ``Orthogonal``."""

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        check_float(gain, "gain")
        check_seed(seed, allow_none=True)
        self.gain, self.seed = float(gain), seed

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        return torch.nn.init.orthogonal_(table, self.gain, generator=self._generator(table))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Constant(Initializer):
    """Every entry equal to ``value``; Keras' ``Constant``."""

    def __init__(self, value: float = 0.0):
        check_float(value, "value")
        self.value = float(value)

    def fill_(self, table: torch.Tensor) -> torch.Tensor:
        return table.fill_(self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Zeros(Constant):
    """All zeros; Keras' ``Zeros``."""

    def __init__(self):
        super().__init__(0.0)

    def get_config(self) -> dict[str, Any]:
        return {}


class Ones(Constant):
    """All ones; Keras' ``Ones``."""

    def __init__(self):
        super().__init__(1.0)

    def get_config(self) -> dict[str, Any]:
        return {}


_BY_NAME: dict[str, Callable[[], Initializer]] = {
    "uniform": RandomUniform,
    "random_uniform": RandomUniform,
    "normal": RandomNormal,
    "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "orthogonal": Orthogonal,
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
}
_BY_NAME.update({cls.__name__: cls for cls in set(_BY_NAME.values())})


class _FromTensor(Initializer):
    """Wrap a ready array: the table is a copy of it (shape checked by :func:`initialize`)."""

    def __init__(self, values: torch.Tensor):
        self.values = values

    def __call__(self, shape: Shape, dtype: torch.dtype | None = None, device: Any = None):
        return self.values.to(dtype=dtype or torch.get_default_dtype(), device=device).clone()

    def __repr__(self) -> str:
        return f"array(shape={tuple(self.values.shape)})"


class _FromCallable(Initializer):
    """Wrap a user callable: Keras style ``fn(shape)`` or PyTorch in-place ``fn_(tensor)``."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn
        self.in_place = getattr(fn, "__name__", "").endswith("_")

    def __call__(self, shape: Shape, dtype: torch.dtype | None = None, device: Any = None):
        dtype = dtype or torch.get_default_dtype()
        if self.in_place:
            table = torch.empty(tuple(shape), dtype=dtype, device=device)
            with torch.no_grad():
                self.fn(table)
            return table
        out = self.fn(tuple(shape))
        if not isinstance(out, torch.Tensor):
            out = torch.as_tensor(np.asarray(out))
        return out.detach().to(dtype=dtype, device=device)

    def __repr__(self) -> str:
        return getattr(self.fn, "__name__", repr(self.fn))


def get(identifier: Any, *, arg: str = "embeddings_initializer") -> Initializer:
    """Resolve a name, an initializer, a callable or an array into an :class:`Initializer`.

    Args:
        identifier: a Keras name (``"uniform"``, ``"normal"``, ``"random_normal"``,
            ``"random_uniform"``, ``"truncated_normal"``, ``"glorot_uniform"``,
            ``"glorot_normal"``, ``"orthogonal"``, ``"zeros"``, ``"ones"``, ``"constant"`` or the
            class name), an :class:`Initializer`, a callable ``fn(shape) -> array`` (Keras style),
            a PyTorch in-place function whose name ends in ``_`` (``torch.nn.init.normal_``), or an
            array / tensor holding the table itself.
        arg: the argument name used in error messages.

    Raises:
        ValueError: unknown name.
        TypeError: anything else.
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        names = sorted(k for k in _BY_NAME if k.islower())
        return from_name(_BY_NAME, identifier, arg=arg,
                         expected=f"one of {names}, an initializer, a callable or an array")
    if isinstance(identifier, (torch.Tensor, np.ndarray)):
        return _FromTensor(torch.as_tensor(identifier))
    if callable(identifier):
        return _FromCallable(identifier)
    raise TypeError(
        f"`{arg}` must be a name such as 'uniform', an initializer, a callable or an array; "
        f"got {type(identifier).__name__} {identifier!r}."
    )


def initialize(
    identifier: Any,
    shape: Shape,
    *,
    dtype: torch.dtype | None = None,
    device: Any = None,
    arg: str = "embeddings_initializer",
) -> torch.Tensor:
    """Build a new table of ``shape`` with the initializer ``identifier`` (see :func:`get`).

    Raises:
        ValueError: the initializer (an array or a callable) gave the wrong shape.
    """
    table = get(identifier, arg=arg)(tuple(shape), dtype=dtype, device=device)
    if tuple(table.shape) != tuple(shape):
        raise ValueError(
            f"`{arg}` produced a table of shape {tuple(table.shape)} but the layer needs "
            f"{tuple(shape)} (input_dim, output_dim)."
        )
    return table
