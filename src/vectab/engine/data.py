"""The generic loop's own dataset: rows of equal-length tensors, yielded as dicts."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

__all__ = ["TensorDictDataset"]


class TensorDictDataset(Dataset):
    """Rows of equal-length tensors, yielded as dicts (tabular models, custom tasks).

    Example:
        >>> data = TensorDictDataset({"categorical": torch.zeros(4, 2, dtype=torch.long),
        ...                           "labels": torch.ones(4)})
        >>> len(data), sorted(data.collate([data[0], data[1]]))
        (4, ['categorical', 'labels'])
    """

    def __init__(self, tensors: dict[str, torch.Tensor]) -> None:
        if not isinstance(tensors, dict) or not tensors:
            raise ValueError(f"`tensors` must be a non-empty dict name -> tensor, got {tensors!r}")
        sizes = {k: int(torch.as_tensor(v).shape[0]) for k, v in tensors.items()}
        if len(set(sizes.values())) != 1:
            raise ValueError(f"all tensors must have the same first dimension, got {sizes}")
        self.tensors = {k: torch.as_tensor(v) for k, v in tensors.items()}
        self._n = next(iter(sizes.values()))

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {k: v[i] for k, v in self.tensors.items()}

    def collate(self, items: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        """Stack each field over the batch."""
        return {k: torch.stack([it[k] for it in items]) for k in items[0]}
