"""A task model's first layer: its Embedding (built or checked), the character and casing
features beside it, and the padding mask of a batch."""

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


def build_features(config: Any, table: nn.Module) -> nn.Module | None:
    """``vectab.nn.WordFeatures(table, chars=..., casing=...)`` when ``config`` asks for
    character (``chars``) or casing (``casing``) features, else None (the table alone)."""
    if config.chars is None and not config.casing:
        return None
    from vectab.nn.chars import CasingEmbedding, CharEncoder, WordFeatures

    chars = None
    if config.chars is not None:
        chars = CharEncoder(config.num_chars, char_dim=config.char_dim,
                            out_dim=config.char_out_dim, kind=config.chars)
    casing = CasingEmbedding(config.casing_dim) if config.casing else None
    return WordFeatures(table, chars=chars, casing=casing)


class WordInputs:
    """Mixin of the task models: the word table as ``embedding``, with ``features`` beside it.

    Without character or casing features the table is the registered module ``embedding``
    (state dict ``embedding.weight``, as ever). With them the first layer is ``features``, a
    :class:`vectab.nn.WordFeatures` that holds the table (``features.word_embedding.weight``)
    and ``embedding`` still names the table, so a model's word table is ``model.embedding``
    either way, and the table is stored once.
    """

    features: nn.Module | None

    def _build_inputs(self, config: Any, embedding: nn.Module | None) -> int:
        """Build the first layer from ``config``; return the width of its output."""
        table = build_embedding(config, embedding)
        features = build_features(config, table)
        if features is None:
            self.features = None
            self.embedding = table
            return config.embedding_dim
        self.features = features
        return features.output_dim

    @property
    def embedding(self) -> nn.Module:
        """The word table (``vectab.nn.Embedding``)."""
        modules = self.__dict__["_modules"]
        if modules.get("features") is not None:
            return modules["features"].word_embedding
        return modules["embedding"]

    def _inputs(self, ids: Tensor, char_ids: Tensor | None, casing_ids: Tensor | None) -> Tensor:
        """The vectors (B, T, width) the encoder reads: word vectors, then the character and
        casing vectors of the same tokens when the model has them (other ids are ignored)."""
        if self.features is None:
            return self.embedding(ids)
        config = self.config  # type: ignore[attr-defined]
        return self.features(ids, char_ids if config.chars is not None else None,
                             casing_ids if config.casing else None)
