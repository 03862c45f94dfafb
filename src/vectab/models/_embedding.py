"""Building or checking a task model's Embedding, and finding the padding mask of a batch."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from vectab.nn.encoders import check_mask


def build_embedding(config: Any, embedding: nn.Module | None) -> nn.Module:
    """Return ``embedding`` after checking it matches ``config``, or a new
    ``vectab.nn.Embedding``."""
    if embedding is None:
        from vectab.nn import Embedding

        return Embedding(
            config.vocab_size,
            config.embedding_dim,
            mask_zero=config.mask_zero,
            padding_idx=config.padding_idx,
            sparse=config.sparse,
        )
    if not isinstance(embedding, nn.Module) or not hasattr(embedding, "embedding_dim"):
        raise TypeError(
            "`embedding` must be a vectab.nn.Embedding (or torch.nn.Embedding), "
            f"got {type(embedding).__name__}."
        )
    shape = (embedding.num_embeddings, embedding.embedding_dim)
    if shape != (config.vocab_size, config.embedding_dim):
        raise ValueError(
            f"`embedding` is {shape[0]} x {shape[1]} but the config says vocab_size="
            f"{config.vocab_size}, embedding_dim={config.embedding_dim}. Build the config from "
            "the layer: vocab_size=embedding.num_embeddings, embedding_dim=embedding.embedding_dim."
        )
    return embedding


def resolve_mask(embedding: nn.Module, ids: Tensor, mask: Tensor | None) -> Tensor | None:
    """The padding mask for ``ids``: the given ``mask``, and/or the layer's own.

    The layer's mask comes from ``compute_mask`` (``mask_zero=True``) or, failing that, from
    ``padding_idx``. When both a given mask and the layer's mask exist, a position is real only
    if both say so.
    """
    if ids.dim() != 2:
        raise ValueError(f"`ids` must have shape (batch, seq), got {tuple(ids.shape)}.")
    check_mask(mask, (ids.shape[0], ids.shape[1]))
    own = None
    compute = getattr(embedding, "compute_mask", None)
    if compute is not None:
        own = compute(ids)
    if own is None and getattr(embedding, "padding_idx", None) is not None:
        own = ids != embedding.padding_idx
    if own is None:
        return mask
    own = own.to(torch.bool)
    return own if mask is None else own & mask
