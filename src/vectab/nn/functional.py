"""Stateless pieces of the embedding lookup: id checks, output renorm, split-table lookup.

:func:`check_ids` validates token ids on the host before they reach a kernel, so a bad id is a
clear ``ValueError`` on CPU and never a device-side assert on GPU. It costs one ``aminmax``
reduction and one 2-element copy to the host per call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["check_ids", "renorm_rows", "split_embedding"]

_WIDEN = (torch.uint8, torch.int8, torch.int16)


def _as_id_tensor(ids: Any) -> torch.Tensor:
    if isinstance(ids, torch.Tensor):
        return ids
    try:
        array = np.asarray(ids)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            f"`ids` must be a rectangular array of token ids; got ragged input ({err}). "
            "Pad the sequences first: vectab.text.pad_sequences(sequences)."
        ) from None
    if array.dtype.kind not in "iub":
        raise TypeError(
            f"`ids` must hold integer token ids; got a numpy array of dtype {array.dtype}. "
            "Convert with ids.astype('int64') (pad_sequences(..., dtype='int64') gives ints)."
        )
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.int64))


def check_ids(
    ids: Any, num_embeddings: int, *, input_length: int | None = None
) -> torch.Tensor:
    """Return ``ids`` as an int64/int32 tensor after checking dtype, length and range.

    Args:
        ids: token ids, any shape; a tensor, a numpy array or nested lists.
        num_embeddings: rows of the table; valid ids are ``0 .. num_embeddings - 1``.
        input_length: when given, the last dimension must have this length (Keras' fixed
            ``input_length``).

    Raises:
        TypeError: float, bool or complex ids.
        ValueError: an id outside ``[0, num_embeddings)``, or a length other than
            ``input_length``.

    Example:
        >>> import torch
        >>> check_ids(torch.tensor([[1, 2, 0]]), 3).tolist()
        [[1, 2, 0]]
    """
    ids = _as_id_tensor(ids)
    if ids.dtype not in (torch.int64, torch.int32):
        if ids.dtype not in _WIDEN:
            raise TypeError(
                f"`ids` must be integer token ids (int64 or int32); got a {ids.dtype} tensor. "
                "Float ids usually come from a float array or pad_sequences(dtype='float32'): "
                "convert with ids.long()."
            )
        ids = ids.long()
    if input_length is not None and (ids.dim() == 0 or ids.shape[-1] != input_length):
        found = "a scalar" if ids.dim() == 0 else f"length {ids.shape[-1]}"
        raise ValueError(
            f"`input_length` is {input_length} but the ids have {found} (shape "
            f"{tuple(ids.shape)}). Pad or cut the sequences to {input_length} "
            f"(pad_sequences(seqs, maxlen={input_length})) or build the layer with "
            "input_length=None."
        )
    if ids.numel():
        low, high = torch.stack(torch.aminmax(ids)).tolist()
        if low < 0 or high >= num_embeddings:
            bad = ((ids < 0) | (ids >= num_embeddings)).nonzero()[0].tolist()
            value = int(ids[tuple(bad)])
            raise ValueError(
                f"`ids` must lie in [0, input_dim) = [0, {num_embeddings}); found {value} at "
                f"position {tuple(bad)} (smallest id {low}, largest {high}). Build the layer with "
                "input_dim = len(word_index) + 1 (or the tokenizer's num_words), or map unknown "
                "words to an OOV id."
            )
    return ids


def renorm_rows(rows: torch.Tensor, max_norm: float, norm_type: float = 2.0) -> torch.Tensor:
    """Scale rows whose ``norm_type``-norm exceeds ``max_norm`` to ``max_norm`` (out of place).

    The same factor as ``torch.embedding_renorm_``: ``max_norm / (norm + 1e-7)``.

    Shape:
        rows: ``(*, dim)`` -> ``(*, dim)``.
    """
    norms = torch.linalg.vector_norm(rows, ord=norm_type, dim=-1, keepdim=True)
    scale = torch.where(norms > max_norm, max_norm / (norms + 1e-7), torch.ones_like(norms))
    return rows * scale


def split_embedding(
    ids: torch.Tensor,
    slot: torch.Tensor,
    trainable: torch.Tensor,
    frozen: torch.Tensor,
    *,
    padding_slot: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> torch.Tensor:
    """Look ids up in a table split into trainable and frozen rows.

    ``slot[i] >= 0`` means row ``i`` is ``trainable[slot[i]]``; ``slot[i] < 0`` means it is
    ``frozen[-1 - slot[i]]``. The frozen rows are gathered without autograd; the trainable rows
    are gathered with :func:`torch.nn.functional.embedding` (so ``sparse``, ``padding_idx``
    (``padding_slot``) and in-place ``max_norm`` act as in PyTorch) and copied into their
    positions in place, which is the only differentiable step. Frozen rows are renormed in the
    output only.

    Shape:
        ids: ``(*)``; slot: ``(vocab,)``; trainable: ``(n_trainable, dim)``;
        frozen: ``(n_frozen, dim)``; output: ``(*, dim)``.
    """
    flat = ids.reshape(-1)
    slots = slot.index_select(0, flat)  # index_select: far cheaper than slot[flat] on CPU
    positions = (slots >= 0).nonzero().squeeze(1)
    base = F.embedding((-1 - slots).clamp_(min=0), frozen)
    if max_norm is not None:
        base = renorm_rows(base, max_norm, norm_type)
    learned = F.embedding(
        slots.index_select(0, positions),
        trainable,
        padding_idx=padding_slot,
        max_norm=max_norm,
        norm_type=norm_type,
        scale_grad_by_freq=scale_grad_by_freq,
        sparse=sparse,
    )
    out = base.index_copy_(0, positions, learned)  # base is a fresh tensor: no extra copy
    return out.reshape(*ids.shape, frozen.shape[1])
