"""Datasets that yield the task models' batch dicts, and the class ids of labels.

Labels come from the readers (:mod:`vectab.train.readers`) as written in the file: ints or
strings. :class:`LabelEncoder` maps them to class ids ``0..C-1`` in sorted order and back, so
``predict`` returns labels exactly as written in the training file.

Datasets (``torch.utils.data.Dataset`` with a ``collate`` method the Trainer uses):
:class:`ClassificationDataset` -> ``{"ids", "mask", "labels"}``, :class:`TaggingDataset` ->
``{"ids", "mask", "tags"}``; :class:`~vectab.engine.data.TensorDictDataset` (any dict of
equal-length tensors) is the generic loop's and is re-exported here. Given per-token
``char_ids`` and ``casing_ids`` (:func:`token_features` computes them from the tokens as
written), the task datasets' batches also carry ``"char_ids"`` (B, T, chars) and
``"casing_ids"`` (B, T), padded at the same positions as the word ids.

The readers were first imported from here, and still can be: ``from vectab.train.data import
read_table`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from vectab._checks import check_bool, check_int
from vectab.engine.data import TensorDictDataset
from vectab.text.sequence import collate
from vectab.train.readers import TABLE_FORMATS, read_conll, read_lines, read_table

__all__ = [
    "LabelEncoder",
    "token_features",
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


def token_features(
    token_lists: Sequence[Sequence[str]],
    *,
    char_vocab: Any = None,
    casing: bool = False,
    max_word_len: int | None = 20,
) -> tuple[list[np.ndarray] | None, list[list[int]] | None]:
    """Return ``(char_ids, casing_ids)`` of each token list, for the task datasets.

    Pass the tokens as written (before a tokenizer lower-cases them for the word table): the
    characters and the casing class must see the original case.

    Args:
        token_lists: one token list per example.
        char_vocab: a :class:`vectab.text.CharVocab`; None gives no character ids.
        casing: also give each token its :func:`vectab.text.casing_ids` class.
        max_word_len: longer words keep their first and last characters (as
            :meth:`~vectab.text.CharVocab.encode_words` cuts them).

    Returns:
        ``char_ids``: per example an int32 array ``(tokens, chars)`` (chars = its longest word,
        at most ``max_word_len``; zero-padded), or None; ``casing_ids``: per example a list of
        class ids, or None.

    Example:
        >>> from vectab.text import CharVocab
        >>> vocab = CharVocab.build([["Ab", "b"]])
        >>> chars, case = token_features([["Ab", "b"], []], char_vocab=vocab, casing=True)
        >>> chars[0].tolist(), chars[1].shape, case
        ([[3, 2], [2, 0]], (0, 0), [[3, 1], []])
    """
    from vectab.text.chars import casing_ids as casing_of_words

    check_bool(casing, "casing")
    types: dict[str, int] = {}
    rows = [np.fromiter((types.setdefault(t, len(types)) for t in tokens), dtype=np.int64,
                        count=len(tokens)) for tokens in token_lists]
    words = list(types)
    chars = None
    if char_vocab is not None:
        encoded = char_vocab.encode_words(words, max_word_len)
        width = max((len(w) for w in encoded), default=0)
        table = np.zeros((len(encoded), width), dtype=np.int32)
        lengths = np.array([len(w) for w in encoded], dtype=np.int64)
        for i, w in enumerate(encoded):
            table[i, : len(w)] = w
        chars = [table[row, : int(lengths[row].max(initial=0))] for row in rows]
    case = None
    if casing:
        classes = np.asarray(casing_of_words(words), dtype=np.int64)
        case = [classes[row].tolist() for row in rows]
    return chars, case


def _check_features(name: str, values: Any, sequences: Sequence[Any]) -> list[torch.Tensor] | None:
    """Per-example token features as tensors, one row per token of each sequence."""
    if values is None:
        return None
    if len(values) != len(sequences):
        raise ValueError(
            f"`{name}` has {len(values)} entries but `sequences` has {len(sequences)}; give one "
            "entry per example (vectab.train.data.token_features makes them)"
        )
    out = []
    for i, (v, s) in enumerate(zip(values, sequences)):
        # int32 arrays stay int32 (half the memory); collate writes them into an int64 batch
        t = v if torch.is_tensor(v) else torch.as_tensor(np.asarray(v, dtype=np.int64)
                                                         if isinstance(v, list) else v)
        if name == "char_ids" and t.numel() == 0:
            t = t.reshape(len(t), 0)
        if t.shape[:1] != (len(s),) or t.dim() != (2 if name == "char_ids" else 1):
            raise ValueError(
                f"`{name}[{i}]` has shape {tuple(t.shape)} but example {i} has {len(s)} tokens; "
                f"expected ({len(s)}{', chars' if name == 'char_ids' else ''})"
            )
        out.append(t)
    return out


def _pad_features(batch: dict[str, torch.Tensor], items: Sequence[tuple], cut: Any) -> None:
    """Add ``char_ids`` (B, T, C) and ``casing_ids`` (B, T) to ``batch``, post-padded with 0 as
    its word ids (T = the ids' width), C = the batch's longest word (at least 1)."""
    feats = [item[2] for item in items]
    if not feats or not feats[0]:
        return
    width = batch["ids"].shape[1]
    if "char_ids" in feats[0]:
        rows = [cut(f["char_ids"]) for f in feats]
        chars = max(max((r.shape[1] for r in rows), default=0), 1)
        out = torch.zeros((len(rows), width, chars), dtype=torch.long)
        for b, r in enumerate(rows):
            out[b, : r.shape[0], : r.shape[1]] = r
        batch["char_ids"] = out
    if "casing_ids" in feats[0]:
        out = torch.zeros((len(feats), width), dtype=torch.long)
        for b, f in enumerate(feats):
            r = cut(f["casing_ids"])
            out[b, : r.shape[0]] = r
        batch["casing_ids"] = out


def _item_features(char_ids: list | None, casing_ids: list | None, i: int) -> dict:
    out = {}
    if char_ids is not None:
        out["char_ids"] = char_ids[i]
    if casing_ids is not None:
        out["casing_ids"] = casing_ids[i]
    return out


class ClassificationDataset(Dataset):
    """Id sequences with class ids (or multi-hot rows) for a ``TextClassifier``.

    Sequences are truncated to their first ``max_len`` ids and post-padded per batch (a batch
    is as long as its longest sequence, at least one step). An empty sequence is a row of
    padding with an all-False mask (:func:`vectab.text.sequence.collate`'s rule); the
    encoders give it a finite output, the same as when it is predicted alone.

    ``char_ids`` (per example ``(tokens, chars)``) and ``casing_ids`` (per example one id per
    token), e.g. from :func:`token_features`, are truncated and padded with the ids.

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
        char_ids: Sequence[Any] | None = None,
        casing_ids: Sequence[Sequence[int]] | None = None,
    ) -> None:
        if labels is not None and len(labels) != len(sequences):
            raise ValueError(
                f"`labels` has {len(labels)} entries but `sequences` has {len(sequences)}"
            )
        check_int(max_len, "max_len", allow_none=True)
        self.sequences = [_as_ids(s) for s in sequences]
        self.char_ids = _check_features("char_ids", char_ids, self.sequences)
        self.casing_ids = _check_features("casing_ids", casing_ids, self.sequences)
        self.labels = labels
        self.max_len = max_len

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, Any, dict[str, torch.Tensor]]:
        """``(ids, label or None, {"char_ids", "casing_ids"} given)``."""
        label = None if self.labels is None else self.labels[i]
        return self.sequences[i], label, _item_features(self.char_ids, self.casing_ids, i)

    def _cut(self, seq: torch.Tensor) -> torch.Tensor:
        return seq[: self.max_len] if self.max_len else seq

    def collate(self, items: Sequence[tuple]) -> dict[str, torch.Tensor]:
        """Stack items into ``{"ids": (B,T) long, "mask": (B,T) bool, "labels": (B,)}``, and
        ``"char_ids"`` (B,T,C), ``"casing_ids"`` (B,T) when the dataset has them."""
        ids, mask = _pad([self._cut(item[0]) for item in items])
        batch = {"ids": ids, "mask": mask}
        _pad_features(batch, items, self._cut)
        if items and items[0][1] is not None:
            labels = [item[1] for item in items]
            first = labels[0]
            if isinstance(first, (list, tuple)) or (torch.is_tensor(first) and first.ndim == 1):
                batch["labels"] = torch.as_tensor([list(map(float, y)) for y in labels])
            else:
                batch["labels"] = torch.as_tensor([int(y) for y in labels], dtype=torch.long)
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
        self,
        sequences: Sequence[Sequence[int]],
        tags: Sequence[Sequence[int]] | None = None,
        *,
        char_ids: Sequence[Any] | None = None,
        casing_ids: Sequence[Sequence[int]] | None = None,
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
        self.char_ids = _check_features("char_ids", char_ids, self.sequences)
        self.casing_ids = _check_features("casing_ids", casing_ids, self.sequences)
        self.tags = None if tags is None else [_as_ids(t) for t in tags]

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor | None, dict]:
        """``(ids, tags or None, {"char_ids", "casing_ids"} given)``."""
        tags = None if self.tags is None else self.tags[i]
        return self.sequences[i], tags, _item_features(self.char_ids, self.casing_ids, i)

    def collate(self, items: Sequence[tuple]) -> dict[str, torch.Tensor]:
        """Stack items into ``{"ids", "mask", "tags"}``, all ``(B,T)``, padded tags are 0; and
        ``"char_ids"`` (B,T,C), ``"casing_ids"`` (B,T) when the dataset has them."""
        ids, mask = _pad([item[0] for item in items])
        batch = {"ids": ids, "mask": mask}
        _pad_features(batch, items, lambda seq: seq)
        if items and items[0][1] is not None:
            tags, _ = _pad([item[1] for item in items])
            batch["tags"] = tags
        return batch
