"""Datasets that yield the task models' batch dicts, and the class ids of labels.

Labels come from the readers (:mod:`vectab.train.readers`) as written in the file: ints or
strings. :class:`LabelEncoder` maps them to class ids ``0..C-1`` in sorted order and back, so
``predict`` returns labels exactly as written in the training file.

Datasets (``torch.utils.data.Dataset`` with a ``collate`` method the Trainer uses):
:class:`ClassificationDataset` -> ``{"ids", "mask", "labels"}``, :class:`TaggingDataset` ->
``{"ids", "mask", "tags"}``; :class:`~vectab.engine.data.TensorDictDataset` (any dict of
equal-length tensors) is the generic loop's and is re-exported here.

The readers were first imported from here, and still can be: ``from vectab.train.data import
read_table`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.data import Dataset

from vectab._checks import check_int
from vectab.engine.data import TensorDictDataset
from vectab.text.sequence import collate
from vectab.train.readers import TABLE_FORMATS, read_conll, read_lines, read_table

__all__ = [
    "LabelEncoder",
    "ClassificationDataset",
    "TaggingDataset",
    # re-exported from vectab.engine.data and vectab.train.readers
    "TensorDictDataset",
    "TABLE_FORMATS",
    "read_table",
    "read_conll",
    "read_lines",
]


class LabelEncoder:
    """Map labels as written in a file (ints or strings) to class ids ``0..C-1`` and back.

    Classes are sorted (numbers numerically, strings alphabetically), as in scikit-learn's
    ``LabelEncoder``; so ``0``/``1`` labels keep their ids.

    Example:
        >>> enc = LabelEncoder(["pos", "neg", "pos"])
        >>> enc.classes, enc.encode(["neg", "pos"]), enc.decode([1, 0])
        (['neg', 'pos'], [0, 1], ['pos', 'neg'])
    """

    def __init__(self, labels: Sequence[Any]) -> None:
        unique = set(labels)
        try:
            self.classes = sorted(unique)
        except TypeError:
            self.classes = sorted(unique, key=lambda v: (type(v).__name__, str(v)))
        if not self.classes:
            raise ValueError("`labels` is empty: cannot build classes from no examples")
        self.index = {c: i for i, c in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.classes)

    def encode(self, labels: Sequence[Any], *, source: str = "labels") -> list[int]:
        """Class ids of ``labels``; a label unseen in training raises ValueError."""
        out = []
        for v in labels:
            i = self.index.get(v)
            if i is None:
                raise ValueError(
                    f"{source}: label {v!r} was not in the training data "
                    f"(classes: {self.classes[:20]})"
                )
            out.append(i)
        return out

    def decode(self, ids: Sequence[int]) -> list[Any]:
        """Labels of class ids."""
        return [self.classes[int(i)] for i in ids]


def _as_ids(seq: Sequence[int]) -> torch.Tensor:
    return seq if torch.is_tensor(seq) else torch.as_tensor(list(seq), dtype=torch.long)


def _pad(seqs: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Post-pad into ``(ids, mask)`` with :func:`vectab.text.sequence.collate`'s rule: an empty
    sequence is an all-False row, and a batch is at least one step wide."""
    return collate(seqs, padding="post", min_len=1)


class ClassificationDataset(Dataset):
    """Id sequences with class ids (or multi-hot rows) for a ``TextClassifier``.

    Sequences are truncated to their first ``max_len`` ids and post-padded per batch (a batch
    is as long as its longest sequence, at least one step). An empty sequence is a row of
    padding with an all-False mask (:func:`vectab.text.sequence.collate`'s rule); the
    encoders give it a finite output, the same as when it is predicted alone.

    Example:
        >>> data = ClassificationDataset([[3, 1], [2]], [1, 0])
        >>> batch = data.collate([data[0], data[1]])
        >>> batch["ids"].tolist(), batch["mask"].tolist(), batch["labels"].tolist()
        ([[3, 1], [2, 0]], [[True, True], [True, False]], [1, 0])
    """

    def __init__(
        self,
        sequences: Sequence[Sequence[int]],
        labels: Sequence[Any] | None = None,
        *,
        max_len: int | None = None,
    ) -> None:
        if labels is not None and len(labels) != len(sequences):
            raise ValueError(
                f"`labels` has {len(labels)} entries but `sequences` has {len(sequences)}"
            )
        check_int(max_len, "max_len", allow_none=True)
        self.sequences = [_as_ids(s) for s in sequences]
        self.labels = labels
        self.max_len = max_len

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, Any]:
        return self.sequences[i], None if self.labels is None else self.labels[i]

    def collate(self, items: Sequence[tuple[torch.Tensor, Any]]) -> dict[str, torch.Tensor]:
        """Stack items into ``{"ids": (B,T) long, "mask": (B,T) bool, "labels": (B,)}``."""
        ids, mask = _pad([s[: self.max_len] if self.max_len else s for s, _ in items])
        batch = {"ids": ids, "mask": mask}
        if items and items[0][1] is not None:
            first = items[0][1]
            if isinstance(first, (list, tuple)) or (torch.is_tensor(first) and first.ndim == 1):
                batch["labels"] = torch.as_tensor([list(map(float, y)) for _, y in items])
            else:
                batch["labels"] = torch.as_tensor([int(y) for _, y in items], dtype=torch.long)
        return batch


class TaggingDataset(Dataset):
    """Id sequences with one tag id per token for a ``SequenceTagger``.

    Example:
        >>> data = TaggingDataset([[5, 6, 7], [8]], [[1, 0, 0], [2]])
        >>> batch = data.collate([data[0], data[1]])
        >>> batch["tags"].tolist(), batch["mask"].tolist()
        ([[1, 0, 0], [2, 0, 0]], [[True, True, True], [True, False, False]])
    """

    def __init__(
        self, sequences: Sequence[Sequence[int]], tags: Sequence[Sequence[int]] | None = None
    ) -> None:
        if tags is not None:
            if len(tags) != len(sequences):
                raise ValueError(
                    f"`tags` has {len(tags)} sentences but `sequences` has {len(sequences)}"
                )
            for i, (s, t) in enumerate(zip(sequences, tags)):
                if len(s) != len(t):
                    raise ValueError(
                        f"sentence {i} has {len(s)} tokens but {len(t)} tags; each token needs "
                        "one tag"
                    )
        self.sequences = [_as_ids(s) for s in sequences]
        self.tags = None if tags is None else [_as_ids(t) for t in tags]

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.sequences[i], None if self.tags is None else self.tags[i]

    def collate(self, items: Sequence[tuple[list[int], Any]]) -> dict[str, torch.Tensor]:
        """Stack items into ``{"ids", "mask", "tags"}``, all ``(B,T)``; padded tags are 0."""
        ids, mask = _pad([s for s, _ in items])
        batch = {"ids": ids, "mask": mask}
        if items and items[0][1] is not None:
            tags, _ = _pad([t for _, t in items])
            batch["tags"] = tags
        return batch
