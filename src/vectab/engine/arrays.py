"""Ordinary data for the Trainer: ``(x, y[, sample_weight])`` arrays as a dataset of whole
batches, and the split of any batch into inputs, targets and sample weights.

A batch is a tuple/list ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (what a
``TensorDataset``'s DataLoader yields) or a dict (targets under ``y``/``labels``/``targets``,
weights under ``sample_weight``, the rest the inputs). ``x`` may be one array, a list of arrays
(several inputs) or a dict of them.

Example:
    >>> data = ArrayDataset([[1, 2], [3, 4], [5, 6]], [0, 1, 0])
    >>> x, y, w = split_batch(data.__getitems__([2, 0]))
    >>> x.tolist(), y.tolist(), w
    ([[5, 6], [1, 2]], [0, 0], None)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["ArrayDataset", "num_rows", "split_batch"]

_TARGET_KEYS = ("y", "labels", "targets", "target")


def split_batch(batch: Any) -> tuple[Any, Any, Any]:
    """``(inputs, targets, sample_weight)`` of a batch: a tuple/list ``(x[, y[, w]])`` or a dict
    (targets under ``y``/``labels``/``targets``, weights under ``sample_weight``; the other keys
    are the inputs, passed as keyword arguments unless there is only one)."""
    if isinstance(batch, dict):
        rest = dict(batch)
        y = next((rest.pop(k) for k in _TARGET_KEYS if k in rest), None)
        w = rest.pop("sample_weight", None)
        x = next(iter(rest.values())) if len(rest) == 1 else rest
        return x, y, w
    if isinstance(batch, (list, tuple)):
        if len(batch) not in (1, 2, 3):
            raise ValueError(
                f"a batch must be (x,), (x, y) or (x, y, sample_weight); got a "
                f"{type(batch).__name__} of {len(batch)} items. Pack several inputs as one "
                f"list: ([x1, x2], y)."
            )
        return (*batch, None, None)[:3]
    return batch, None, None


def _as_tensor(value: Any) -> Any:
    if value is None or torch.is_tensor(value):
        return value
    if isinstance(value, dict):
        return {k: _as_tensor(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and all(
        isinstance(v, (np.ndarray, torch.Tensor)) for v in value
    ):
        return [_as_tensor(v) for v in value]  # several inputs
    t = torch.as_tensor(np.asarray(value))
    return t.to(torch.float32) if t.is_floating_point() else t


def num_rows(value: Any) -> int:
    if isinstance(value, dict):
        value = next(iter(value.values()))
    if isinstance(value, list):
        value = value[0]
    return int(value.shape[0])


def _take(value: Any, index: torch.Tensor) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _take(v, index) for k, v in value.items()}
    if isinstance(value, list):
        return [_take(v, index) for v in value]
    return value[index]


class ArrayDataset(Dataset):
    """``(x, y[, sample_weight])`` arrays, lists or tensors as a dataset that hands out whole
    batches by fancy indexing (no per-item collate). ``x`` may be a list or dict of arrays
    (several inputs). Floats become float32, as in Keras."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None) -> None:
        self.x, self.y, self.w = _as_tensor(x), _as_tensor(y), _as_tensor(sample_weight)
        n = num_rows(self.x)
        for name, value in (("y", self.y), ("sample_weight", self.w)):
            if value is not None and num_rows(value) != n:
                raise ValueError(
                    f"`{name}` must have one row per input row ({n}); got {num_rows(value)}"
                )
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[Any, ...]:
        return self.__getitems__([i])

    def __getitems__(self, indices: list[int]) -> tuple[Any, ...]:
        index = torch.as_tensor(indices, dtype=torch.long)
        return (_take(self.x, index), _take(self.y, index), _take(self.w, index))

    @staticmethod
    def collate(batch: Any) -> Any:
        return batch
