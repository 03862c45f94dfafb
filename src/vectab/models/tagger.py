"""Sequence tagger: Embedding -> packed BiLSTM -> linear emissions -> CRF (Lample et al. 2016)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import Tensor, nn

from vectab._checks import check_bool, check_choice, check_int, check_rate
from vectab.models._config import ConfigMixin, check_char_fields, check_padding_idx
from vectab.models._embedding import WordInputs, resolve_mask
from vectab.nn.crf import CONSTRAINT_SCHEMES, CRF, infer_scheme
from vectab.nn.encoders import SequenceEncoder

_TAGGER_ENCODERS = ("lstm", "bilstm", "gru", "bigru", "cnn")


@dataclass
class TaggerConfig(ConfigMixin):
    """Everything needed to rebuild a :class:`SequenceTagger` (JSON round trip via to_dict).

    Args:
        vocab_size: rows of the embedding table.
        embedding_dim: size of each token vector.
        tags: tag names; tag id = position in this list.
        hidden_size: LSTM hidden size per direction.
        num_layers: stacked LSTM layers.
        encoder: ``bilstm`` (default), ``lstm``, ``bigru``, ``gru`` or ``cnn``.
        dropout: dropout on the token vectors and on the encoder outputs.
        constraints: CRF transition constraints: ``"BIO"``, ``"BIOES"`` (BMES/BILOU spellings
            accepted), None, or ``"auto"`` (the scheme the tags follow, else none).
        use_crf: False gives a per-token softmax tagger (the usual ablation).
        mask_zero: id 0 is padding (Keras' ``mask_zero``).
        padding_idx: an id that is padding and gets no gradient (PyTorch's ``padding_idx``).
        sparse: sparse gradients for the table.
        chars: ``"cnn"`` (Ma & Hovy 2016) or ``"lstm"`` (Lample et al. 2016): each token's
            characters also go through a :class:`vectab.nn.CharEncoder` concatenated to the
            token vector (:class:`vectab.nn.WordFeatures`); the batch then carries
            ``char_ids`` (B, T, chars). None: tokens only.
        num_chars: rows of the character table, ``len(char_vocab)`` (with ``chars``).
        char_dim: size of each character vector.
        char_out_dim: size of the character encoding of a token.
        casing: also concatenate a casing embedding of each token; the batch then carries
            ``casing_ids`` (B, T).
        casing_dim: size of the casing embedding.
    """

    vocab_size: int
    embedding_dim: int
    tags: list[str] = field(default_factory=list)
    hidden_size: int = 128
    num_layers: int = 1
    encoder: str = "bilstm"
    dropout: float = 0.5
    constraints: str | None = "auto"
    use_crf: bool = True
    mask_zero: bool = True
    padding_idx: int | None = None
    sparse: bool = False
    chars: str | None = None
    num_chars: int = 0
    char_dim: int = 30
    char_out_dim: int = 50
    casing: bool = False
    casing_dim: int = 8

    def __post_init__(self) -> None:
        check_int(self.vocab_size, "vocab_size")
        check_int(self.embedding_dim, "embedding_dim")
        if isinstance(self.tags, str) or not self.tags or len(set(self.tags)) != len(self.tags):
            raise ValueError(
                "`tags` must be a non-empty list of distinct tag names, e.g. ['O', 'B-PER', "
                f"'I-PER'], got {self.tags!r}."
            )
        self.tags = [str(t) for t in self.tags]
        if "" in self.tags:
            raise ValueError(f"`tags` must be non-empty tag names, got {self.tags!r}.")
        check_padding_idx(self.padding_idx, self.vocab_size)
        check_int(self.hidden_size, "hidden_size")
        check_int(self.num_layers, "num_layers")
        check_choice(self.encoder, "encoder", _TAGGER_ENCODERS)
        check_rate(self.dropout, "dropout")
        check_choice(self.constraints, "constraints", (None, "auto", *CONSTRAINT_SCHEMES))
        for flag in ("use_crf", "mask_zero", "sparse"):
            check_bool(getattr(self, flag), flag)
        check_char_fields(self)

    @property
    def scheme(self) -> str | None:
        """The constraint scheme in force ('auto' resolved from the tags)."""
        return infer_scheme(self.tags) if self.constraints == "auto" else self.constraints


class SequenceTagger(WordInputs, nn.Module):
    """Tag every token: Embedding -> BiLSTM (packed, pre/post padding alike) -> linear -> CRF.

    Args:
        config: the architecture, see :class:`TaggerConfig`.
        embedding: a ready (e.g. pretrained, partly frozen) ``vectab.nn.Embedding`` of shape
            ``(config.vocab_size, config.embedding_dim)``; default: a new one from the config.

    Shape:
        ids: (B, T) long; mask: (B, T) bool or None; char_ids: (B, T, chars) long (with
        ``config.chars``); casing_ids: (B, T) long (with ``config.casing``), in the batch dict
        under the same names; ``forward``: emissions (B, T, K);
        batch ``"tags"``: (B, T) long (any value at pads); ``decode``: (B, T) long, -100 at pads;
        ``predict_proba``: per-token marginal probabilities (B, T, K), 0 at pads.

    Example:
        >>> config = TaggerConfig(30, 8, ["O", "B-X", "I-X"], hidden_size=6)
        >>> model = SequenceTagger(config)
        >>> batch = {"ids": torch.tensor([[3, 4, 5, 0]]), "tags": torch.tensor([[1, 2, 0, -100]])}
        >>> model.decode(batch)[0, 3].item(), model.loss(batch).dim()
        (-100, 0)
    """

    model_type: ClassVar[str] = "SequenceTagger"
    config_class: ClassVar[type[TaggerConfig]] = TaggerConfig
    task: ClassVar[str] = "tagging"

    def __init__(self, config: TaggerConfig, *, embedding: nn.Module | None = None) -> None:
        super().__init__()
        if not isinstance(config, TaggerConfig):
            raise TypeError(f"`config` must be a TaggerConfig, got {type(config).__name__}.")
        self.config = config
        width = self._build_inputs(config, embedding)
        self.encoder = SequenceEncoder(
            width,
            kind=config.encoder,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout,
            num_filters=config.hidden_size,
        )
        self.dropout = nn.Dropout(config.dropout)
        num_tags = len(config.tags)
        self.emissions = nn.Linear(self.encoder.output_size, num_tags)
        self.crf = (
            CRF(num_tags, constraints=config.scheme, tags=config.tags) if config.use_crf else None
        )

    def forward(self, ids: Tensor, mask: Tensor | None = None, char_ids: Tensor | None = None,
                casing_ids: Tensor | None = None) -> Tensor:
        """Return the emission scores (B, T, K)."""
        mask = resolve_mask(self.embedding, ids, mask)
        return self._emissions(ids, mask, char_ids, casing_ids)

    def _emissions(self, ids: Tensor, mask: Tensor | None, char_ids: Tensor | None,
                   casing_ids: Tensor | None) -> Tensor:
        outputs, _ = self.encoder(self._inputs(ids, char_ids, casing_ids), mask)
        return self.emissions(self.dropout(outputs))

    def _run(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        if "ids" not in batch:
            raise KeyError(f"the batch needs an 'ids' tensor; it has {sorted(batch)}.")
        ids = batch["ids"]
        mask = resolve_mask(self.embedding, ids, batch.get("mask"))
        if mask is None:
            mask = torch.ones_like(ids, dtype=torch.bool)
        return self._emissions(ids, mask, batch.get("char_ids"), batch.get("casing_ids")), mask

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """CRF negative log-likelihood, mean over sequences (no CRF: token cross-entropy)."""
        if "tags" not in batch:
            raise KeyError(f"the batch needs 'tags' to compute a loss; it has {sorted(batch)}.")
        emissions, mask = self._run(batch)
        tags = batch["tags"]
        if self.crf is not None:
            return self.crf(emissions, tags, mask)
        return nn.functional.cross_entropy(emissions[mask], tags[mask].long())

    @torch.no_grad()
    def decode(self, batch: dict[str, Tensor]) -> Tensor:
        """Best tag ids (B, T) long (Viterbi with a CRF), -100 where the mask is False."""
        emissions, mask = self._run(batch)
        if self.crf is not None:
            return self.crf.decode(emissions, mask)
        return emissions.argmax(-1).masked_fill(~mask, -100)

    @torch.no_grad()
    def predict_proba(self, batch: dict[str, Tensor]) -> Tensor:
        """Per-token tag probabilities (B, T, K): CRF marginals (softmax without a CRF)."""
        emissions, mask = self._run(batch)
        if self.crf is not None:
            return self.crf.marginals(emissions, mask)
        return torch.softmax(emissions, -1) * mask.unsqueeze(-1)
