"""Padding, truncation and masks: Keras' ``pad_sequences`` plus PyTorch-ready batches.

:func:`pad_sequences` returns exactly what Keras' does (``padding="pre"`` and
``truncating="pre"`` by default). :func:`lengths_to_mask` and :func:`sequences_to_mask` build
bool masks (True = real token), and :func:`collate` turns a list of id lists into the
``(ids, mask)`` tensors a ``DataLoader`` batch needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import torch

from vectab._checks import check_choice, check_int
from vectab.text._checks import flatten_ids, short

__all__ = ["pad_sequences", "sequences_to_mask", "lengths_to_mask", "collate"]

SIDES = ("pre", "post")


def _check_sequences(sequences: Any) -> np.ndarray:
    """Lengths of ``sequences``; raise like Keras (``ValueError``) with a clearer message."""
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(
            f"`sequences` must be a list of sequences, got {type(sequences).__name__}: "
            f"{short(sequences)}."
        )
    if set(map(type, sequences)) <= {list, tuple, np.ndarray}:
        try:
            return np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
        except TypeError:  # a 0-d array
            pass
    lengths = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)):
            raise ValueError(
                f"`sequences[{i}]` must be a list of values, got a {type(seq).__name__}: "
                f"{short(seq)}. Tokenize texts first (Tokenizer.texts_to_sequences)."
            )
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError(
                f"`sequences` must be a list of sequences, but item {i} is "
                f"{type(seq).__name__}: {short(seq)}. For one sequence, wrap it: [sequence]."
            ) from None
    return np.asarray(lengths, dtype=np.int64)


def _flat_values(
    sequences: Sequence, lengths: np.ndarray, maxlen: int, truncating: str, dtype: np.dtype
) -> np.ndarray | None:
    """All kept values as one array of ``dtype``, or None when only the per-row path is exact.

    Values are converted through int64 / float64 and range-checked, so each equals Keras'
    per-row ``np.asarray(row, dtype)``; anything unusual falls back to the per-row path.
    """
    if dtype.kind not in "iuf" or not set(map(type, sequences)) <= {list, tuple}:
        return None
    wide = np.int64 if dtype.kind in "iu" else np.float64
    try:
        flat = np.fromiter(
            itertools.chain.from_iterable(sequences), dtype=wide, count=int(lengths.sum())
        )
    except (TypeError, ValueError, OverflowError):
        return None
    if len(lengths) and lengths.max() > maxlen:
        starts = np.cumsum(lengths) - lengths
        position = np.arange(len(flat)) - np.repeat(starts, lengths)
        if truncating == "pre":
            flat = flat[position >= np.repeat(lengths - maxlen, lengths)]
        else:
            flat = flat[position < maxlen]
    if not len(flat):
        return flat.astype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if flat.min() < info.min or flat.max() > info.max:
            return None
    elif not np.abs(flat).max() <= 2**53:
        return None
    return flat.astype(dtype)


def pad_sequences(
    sequences: Sequence,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad (or truncate) sequences to one length; same output as Keras' ``pad_sequences``.

    Keras equivalent: ``keras.utils.pad_sequences`` (also
    ``keras.preprocessing.sequence.pad_sequences``). Items may themselves be arrays of equal
    shape (the output is then ``(batch, maxlen, *item_shape)``); ``dtype=object`` pads strings.

    Args:
        sequences: List of sequences (lists or arrays).
        maxlen: Output length; default the longest sequence.
        dtype: Output dtype.
        padding: ``"pre"`` (Keras default) or ``"post"``: where padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a long sequence is cut.
        value: Padding value.

    Returns:
        Array of shape ``(len(sequences), maxlen)``. An empty ``sequences`` gives shape
        ``(0, maxlen or 0)`` (Keras raises).

    Shape:
        - Output: ``(batch, seq)`` or ``(batch, seq, *item_shape)``.

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
        array([[0, 1],
               [2, 3],
               [5, 6]], dtype=int32)
        >>> pad_sequences([[1], [2, 3]], padding="post", value=-1)
        array([[ 1, -1],
               [ 2,  3]], dtype=int32)
    """
    check_int(maxlen, "maxlen", allow_none=True)
    check_choice(padding, "padding", SIDES)
    check_choice(truncating, "truncating", SIDES)
    lengths = _check_sequences(sequences)
    sample_shape: tuple[int, ...] = ()
    if lengths.any():
        first = next(seq for seq, n in zip(sequences, lengths.tolist()) if n)
        sample_shape = np.asarray(first).shape[1:]
    if maxlen is None:
        maxlen = int(lengths.max()) if len(lengths) else 0
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"`value` is a str ({value!r}) but `dtype` is {dtype}: pass dtype=object to pad "
            "variable-length strings."
        )
    x = np.full((len(lengths), maxlen, *sample_shape), value, dtype=dtype)
    kept = np.minimum(lengths, maxlen)
    columns = np.arange(maxlen)
    if padding == "post":
        filled = columns < kept[:, None]
    else:
        filled = columns >= (maxlen - kept)[:, None]
    flat = None if sample_shape else _flat_values(sequences, lengths, maxlen, truncating, x.dtype)
    if flat is not None:
        x[filled] = flat
        return x
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        row = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if row.shape[1:] != sample_shape:
            raise ValueError(
                f"`sequences[{i}]` has items of shape {row.shape[1:]}, but the first non-empty "
                f"sequence has items of shape {sample_shape}; all items must share one shape."
            )
        if padding == "post":
            x[i, : len(row)] = row
        else:
            x[i, -len(row) :] = row
    return x


def _maxlen_of(lengths: np.ndarray | torch.Tensor, maxlen: int | None) -> int:
    if maxlen is not None:
        check_int(maxlen, "maxlen", minimum=0)
        return int(maxlen)
    return int(lengths.max()) if len(lengths) else 0


@overload
def lengths_to_mask(
    lengths: torch.Tensor, maxlen: int | None = None, *, padding: str = "post"
) -> torch.Tensor: ...
@overload
def lengths_to_mask(
    lengths: np.ndarray | Sequence[int], maxlen: int | None = None, *, padding: str = "post"
) -> np.ndarray: ...
def lengths_to_mask(
    lengths: np.ndarray | torch.Tensor | Sequence[int],
    maxlen: int | None = None,
    *,
    padding: str = "post",
) -> np.ndarray | torch.Tensor:
    """Bool mask ``(batch, maxlen)`` from sequence lengths; True = real token.

    With ``padding="pre"`` the True values sit at the end of each row (Keras' default
    layout). Lengths above ``maxlen`` give all-True rows (the sequence was truncated).
    A torch tensor in gives a tensor on the same device; anything else gives numpy.
    PyTorch has no direct equivalent (``arange(T) < lengths[:, None]``).

    Shape:
        - lengths: ``(batch,)``
        - Output: ``(batch, maxlen)``, bool.

    Example:
        >>> lengths_to_mask([1, 3])
        array([[ True, False, False],
               [ True,  True,  True]])
        >>> lengths_to_mask(torch.tensor([1, 2]), padding="pre").tolist()
        [[False, True], [True, True]]
    """
    check_choice(padding, "padding", SIDES)
    if not isinstance(lengths, torch.Tensor):
        lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(
            f"`lengths` must be 1-D (one length per sequence), got shape {tuple(lengths.shape)}."
        )
    is_int = (
        not lengths.dtype.is_floating_point
        and not lengths.dtype.is_complex
        and lengths.dtype != torch.bool
        if isinstance(lengths, torch.Tensor)
        else lengths.dtype.kind in "iu" or lengths.size == 0
    )
    if not is_int:
        raise TypeError(f"`lengths` must hold integers, got dtype {lengths.dtype}.")
    if len(lengths) and int(lengths.min()) < 0:
        raise ValueError(f"`lengths` must be >= 0, got {int(lengths.min())}.")
    maxlen = _maxlen_of(lengths, maxlen)
    if isinstance(lengths, torch.Tensor):
        columns = torch.arange(maxlen, device=lengths.device)
        kept = lengths.clamp(max=maxlen)
    else:
        columns, kept = np.arange(maxlen), np.minimum(lengths.astype(np.int64), maxlen)
    if padding == "post":
        return columns < kept[:, None]
    return columns >= (maxlen - kept)[:, None]


@overload
def sequences_to_mask(padded: torch.Tensor, *, padding_value: Any = 0) -> torch.Tensor: ...
@overload
def sequences_to_mask(padded: np.ndarray, *, padding_value: Any = 0) -> np.ndarray: ...
def sequences_to_mask(
    padded: np.ndarray | torch.Tensor, *, padding_value: Any = 0
) -> np.ndarray | torch.Tensor:
    """Bool mask of a padded batch: True where the value is not ``padding_value``.

    Keras equivalent: ``Embedding(mask_zero=True).compute_mask`` (``padded != 0``). A real
    token equal to ``padding_value`` is masked too; use :func:`lengths_to_mask` when the
    lengths are known.

    Shape:
        - padded: ``(batch, seq)``; output: same shape, bool.

    Example:
        >>> sequences_to_mask(np.array([[0, 0, 5], [3, 4, 0]]))
        array([[False, False,  True],
               [ True,  True, False]])
    """
    if isinstance(padded, torch.Tensor):
        return padded != padding_value
    if isinstance(padded, (np.ndarray, list, tuple)):
        return np.asarray(padded) != padding_value
    raise TypeError(f"`padded` must be a numpy array or torch tensor, got {type(padded).__name__}.")


def collate(
    sequences: Sequence[Sequence[int]],
    *,
    padding: str = "post",
    maxlen: int | None = None,
    truncating: str = "pre",
    value: int = 0,
    min_len: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad a list of id lists into ``(ids, mask)`` tensors, for ``DataLoader(collate_fn=...)``.

    The mask comes from the lengths, so an id equal to ``value`` inside a sequence stays
    unmasked. PyTorch equivalent: ``nn.utils.rnn.pad_sequence`` plus a hand-built mask.
    Sequences may be lists, numpy arrays or 1-D tensors.

    The empty-sequence rule (the one for every batch vectab builds, the training datasets'
    included): an empty sequence is a row of ``value`` with an all-False mask; it is never
    given a step marked real. Without ``maxlen`` the batch is as wide as its longest sequence
    but at least ``min_len`` steps: the task datasets pass ``min_len=1`` so that a batch of
    only empty sequences still has one (masked) step for the encoders, which give an
    all-masked row a finite output (RNN packing clamps its length to 1, poolings divide by at
    least 1, the CRF scores it 0).

    Shape:
        - Output: ids ``(batch, seq)`` int64, mask ``(batch, seq)`` bool (True = real token).

    Example:
        >>> ids, mask = collate([[5, 6, 7], [8]])
        >>> ids.tolist(), mask.tolist()
        ([[5, 6, 7], [8, 0, 0]], [[True, True, True], [True, False, False]])
        >>> ids, mask = collate([[], []], min_len=1)
        >>> ids.tolist(), mask.tolist()
        ([[0], [0]], [[False], [False]])
    """
    check_choice(padding, "padding", SIDES)
    check_choice(truncating, "truncating", SIDES)
    check_int(maxlen, "maxlen", allow_none=True)
    check_int(min_len, "min_len", minimum=0)
    check_int(value, "value", minimum=None, fix=" The padding value is an id.")
    if not isinstance(sequences, (str, bytes)) and isinstance(sequences, Sequence):
        sequences = [s.tolist() if isinstance(s, torch.Tensor) else s for s in sequences]
    _, lengths = flatten_ids(sequences, "sequences")
    sequences = [s.tolist() if isinstance(s, np.ndarray) else list(s) for s in sequences]
    if maxlen is None:
        maxlen = max(int(lengths.max()) if len(lengths) else 0, min_len)
    if not sequences or maxlen == 0:
        empty = torch.zeros((len(sequences), maxlen), dtype=torch.int64)
        return empty, empty.bool()
    ids = pad_sequences(
        sequences,
        maxlen=maxlen,
        dtype="int64",
        padding=padding,
        truncating=truncating,
        value=value,
    )
    mask = lengths_to_mask(lengths, maxlen, padding=padding)
    return torch.from_numpy(ids), torch.from_numpy(mask)
