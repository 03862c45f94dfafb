"""Text classifier: Embedding -> masked encoder -> pooling -> dropout -> linear.

The Keras model ``Sequential([Embedding(V, D, mask_zero=True), Bidirectional(LSTM(H)),
Dropout(p), Dense(C)])`` in one object, with binary, multi-class and multi-label heads, and
padding handled on either side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vectab._checks import check_bool, check_choice, check_int, check_rate
from vectab.models._config import ConfigMixin, check_char_fields, check_padding_idx
from vectab.models._embedding import WordInputs, resolve_mask
from vectab.nn.encoders import ENCODER_KINDS, SequenceEncoder
from vectab.nn.pooling import check_pooling


@dataclass
class ClassifierConfig(ConfigMixin):
    """Everything needed to rebuild a :class:`TextClassifier` (JSON round trip via to_dict).

    Args:
        vocab_size: rows of the embedding table (with ``mask_zero``: ``len(word_index) + 1``).
        embedding_dim: size of each word vector.
        num_classes: classes C. ``1`` is a single-logit binary head (Keras' ``Dense(1,
            "sigmoid")``); ``2`` or more a softmax head; with ``multi_label`` one sigmoid per class.
        encoder: one of ``lstm``, ``bilstm``, ``gru``, ``bigru``, ``cnn``, ``mean``, ``max``.
        hidden_size: RNN hidden size per direction.
        num_layers: stacked RNN layers.
        pooling: ``last``, ``mean``, ``max``, ``attention``. None: ``mean`` for the mean encoder,
            else ``max`` over time (on SST-2 with GloVe 50d, max-pooled BiLSTM states scored
            2.5 points more dev accuracy than the last states; ``last`` is Keras' ``LSTM()``).
        dropout: dropout before the output layer.
        embedding_dropout: dropout on the word vectors (the encoder's input).
        multi_label: several labels per text (binary cross-entropy per class).
        mask_zero: id 0 is padding (Keras' ``mask_zero``).
        padding_idx: an id that is padding and gets no gradient (PyTorch's ``padding_idx``).
        sparse: sparse gradients for the table (trained with SparseAdam).
        kernel_sizes: CNN window widths.
        num_filters: CNN filters per width.
        projection: widths of position-wise ReLU layers between the embedding and the
            encoder (Keras' ``TimeDistributed(Dense(w, "relu"))``), e.g. ``(256,)``. With a
            frozen pretrained table they learn task features of each word that the fixed
            vectors hold only nonlinearly (SST-2, GloVe 50d frozen: 0.796 -> 0.819 dev
            accuracy with ``(256,)``). Empty: the encoder reads the vectors directly.
        chars: ``"cnn"`` or ``"lstm"``: each word's characters also go through a
            :class:`vectab.nn.CharEncoder` whose output is concatenated to the word vector
            (:class:`vectab.nn.WordFeatures`); the batch then carries ``char_ids``
            (B, T, chars). None: words only.
        num_chars: rows of the character table, ``len(char_vocab)`` of the
            :class:`vectab.text.CharVocab` the ids come from (with ``chars``).
        char_dim: size of each character vector.
        char_out_dim: size of the character encoding of a word.
        casing: also concatenate a casing embedding (lower, upper, title, digits...) of each
            word; the batch then carries ``casing_ids`` (B, T).
        casing_dim: size of the casing embedding.
    """

    vocab_size: int
    embedding_dim: int
    num_classes: int
    encoder: str = "bilstm"
    hidden_size: int = 128
    num_layers: int = 1
    pooling: str | None = None
    dropout: float = 0.5
    embedding_dropout: float = 0.0
    multi_label: bool = False
    mask_zero: bool = True
    padding_idx: int | None = None
    sparse: bool = False
    kernel_sizes: tuple[int, ...] = (3, 4, 5)
    num_filters: int = 100
    projection: tuple[int, ...] = ()
    chars: str | None = None
    num_chars: int = 0
    char_dim: int = 30
    char_out_dim: int = 50
    casing: bool = False
    casing_dim: int = 8

    def __post_init__(self) -> None:
        check_int(self.vocab_size, "vocab_size")
        check_int(self.embedding_dim, "embedding_dim")
        check_int(self.num_classes, "num_classes")
        check_choice(self.encoder, "encoder", ENCODER_KINDS)
        for flag in ("multi_label", "mask_zero", "sparse"):
            check_bool(getattr(self, flag), flag)
        if self.pooling is not None:
            check_pooling(self.pooling)
        check_rate(self.dropout, "dropout")
        check_rate(self.embedding_dropout, "embedding_dropout")
        if self.multi_label and self.num_classes < 2:
            raise ValueError(
                f"`num_classes` must be >= 2 with multi_label=True, got {self.num_classes}."
            )
        check_int(self.hidden_size, "hidden_size")
        check_int(self.num_layers, "num_layers")
        check_int(self.num_filters, "num_filters")
        check_padding_idx(self.padding_idx, self.vocab_size)
        self.kernel_sizes = tuple(self.kernel_sizes)
        if not self.kernel_sizes:
            raise ValueError(
                "`kernel_sizes` must hold at least one CNN window width, e.g. (3, 4, 5)."
            )
        for width in self.kernel_sizes:
            check_int(width, "kernel_sizes")
        self.projection = tuple(self.projection)
        for width in self.projection:
            check_int(width, "projection width")
        check_char_fields(self)


class TextClassifier(WordInputs, nn.Module):
    """Classify padded id sequences: Embedding -> encoder -> pooling -> dropout -> linear.

    Args:
        config: the architecture, see :class:`ClassifierConfig`.
        embedding: a ready (e.g. pretrained, partly frozen) ``vectab.nn.Embedding`` of shape
            ``(config.vocab_size, config.embedding_dim)``; default: a new one from the config.

    Shape:
        ids: (B, T) long; mask: (B, T) bool or None; char_ids: (B, T, chars) long (with
        ``config.chars``); casing_ids: (B, T) long (with ``config.casing``); the batch dict
        carries them under the same names; logits: (B, C) (single-logit binary:
        (B, 1)); ``decode``: (B,) long (multi-label: (B, C) bool); ``predict_proba``: (B, C),
        C >= 2 even for the single-logit binary head.

    Example:
        >>> config = ClassifierConfig(50, 8, 3, encoder="bigru", hidden_size=6)
        >>> model = TextClassifier(config)
        >>> batch = {
        ...     "ids": torch.tensor([[0, 0, 4, 5], [7, 8, 9, 2]]),
        ...     "labels": torch.tensor([0, 2]),
        ... }
        >>> model(batch["ids"]).shape, model.decode(batch).shape
        (torch.Size([2, 3]), torch.Size([2]))
        >>> model.loss(batch).dim()
        0
    """

    model_type: ClassVar[str] = "TextClassifier"
    config_class: ClassVar[type[ClassifierConfig]] = ClassifierConfig
    task: ClassVar[str] = "classification"

    def __init__(self, config: ClassifierConfig, *, embedding: nn.Module | None = None) -> None:
        super().__init__()
        if not isinstance(config, ClassifierConfig):
            raise TypeError(
                f"`config` must be a ClassifierConfig, got {type(config).__name__}."
            )
        self.config = config
        width = self._build_inputs(config, embedding)
        layers: list[nn.Module] = []
        for out in config.projection:
            layers += [nn.Linear(width, out), nn.ReLU()]
            width = out
        self.projection = nn.Sequential(*layers)
        self.encoder = SequenceEncoder(
            width,
            kind=config.encoder,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.embedding_dropout,
            kernel_sizes=config.kernel_sizes,
            num_filters=config.num_filters,
            pooling=config.pooling or ("mean" if config.encoder == "mean" else "max"),
        )
        self.dropout = nn.Dropout(config.dropout)
        self.output = nn.Linear(self.encoder.output_size, config.num_classes)

    def forward(self, ids: Tensor, mask: Tensor | None = None, char_ids: Tensor | None = None,
                casing_ids: Tensor | None = None) -> Tensor:
        """Return the logits (B, C) for ids (B, T) (and their char_ids, casing_ids)."""
        mask = resolve_mask(self.embedding, ids, mask)
        inputs = self._inputs(ids, char_ids, casing_ids)
        _, pooled = self.encoder(self.projection(inputs), mask)
        return self.output(self.dropout(pooled))

    def _logits(self, batch: dict[str, Tensor]) -> Tensor:
        if "ids" not in batch:
            raise KeyError(f"the batch needs an 'ids' tensor; it has {sorted(batch)}.")
        return self(batch["ids"], batch.get("mask"), batch.get("char_ids"),
                    batch.get("casing_ids"))

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy (softmax head) or binary cross-entropy (single-logit, multi-label)."""
        if "labels" not in batch:
            raise KeyError(f"the batch needs 'labels' to compute a loss; it has {sorted(batch)}.")
        logits, labels = self._logits(batch), batch["labels"]
        if self.config.multi_label:
            return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        if self.config.num_classes == 1:
            return F.binary_cross_entropy_with_logits(logits.squeeze(1), labels.to(logits.dtype))
        return F.cross_entropy(logits, labels.long())

    @torch.no_grad()
    def predict_proba(self, batch: dict[str, Tensor]) -> Tensor:
        """Class probabilities (B, C); multi-label: one independent probability per class."""
        logits = self._logits(batch)
        if self.config.multi_label:
            return torch.sigmoid(logits)
        if self.config.num_classes == 1:
            positive = torch.sigmoid(logits)
            return torch.cat([1 - positive, positive], dim=1)
        return torch.softmax(logits, dim=1)

    @torch.no_grad()
    def decode(self, batch: dict[str, Tensor]) -> Tensor:
        """Predicted class ids (B,) long; multi-label: (B, C) bool (probability > 0.5)."""
        logits = self._logits(batch)
        if self.config.multi_label:
            return logits > 0
        if self.config.num_classes == 1:
            return (logits.squeeze(1) > 0).long()
        return logits.argmax(dim=1)
