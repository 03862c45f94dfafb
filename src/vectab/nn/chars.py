"""Character-aware word representations: a word's characters and casing beside its table row.

A word table gives an unseen word nothing but the OOV row; its characters still tell a lot.
:class:`CharEncoder` turns each word's character ids (from :class:`vectab.text.CharVocab`)
into one vector, by a character CNN with max-over-characters (Ma & Hovy 2016) or the final
states of a character BiLSTM (Lample et al. 2016); :class:`CasingEmbedding` embeds the casing
class of each word (:func:`vectab.text.casing_ids`, Reimers & Gurevych 2017); and
:class:`WordFeatures` concatenates the word embedding with both. Padding never changes a
result: a word gives the same vector whatever the width of the character axis, and a padding
word (no characters) gives exactly 0.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from vectab._checks import check_choice, check_int, check_rate, shown
from vectab.nn.encoders import is_left_aligned
from vectab.nn.functional import check_ids
from vectab.text.chars import CASING_CLASSES

__all__ = ["CHAR_ENCODER_KINDS", "CasingEmbedding", "CharEncoder", "WordFeatures"]

CHAR_ENCODER_KINDS = ("cnn", "lstm")


def _uniform_(weight: Tensor, padding_idx: int | None) -> None:
    """U(-sqrt(3/dim), sqrt(3/dim)), padding row 0 (Ma & Hovy 2016's character embeddings)."""
    bound = math.sqrt(3.0 / weight.shape[1])
    with torch.no_grad():
        weight.uniform_(-bound, bound)
        if padding_idx is not None:
            weight[padding_idx] = 0


class CharEncoder(nn.Module):
    """Encode each word's characters into one vector: a character CNN or BiLSTM.

    ``kind="cnn"`` (Ma & Hovy 2016): character embedding -> dropout -> ``Conv1d`` with
    ``out_dim`` filters of width ``kernel_size`` ("same" zero padding, so words shorter than
    the kernel work; padding characters are zeroed first, so they read as the conv's own
    padding) -> max over the word's real characters only. ``kind="lstm"`` (Lample et al.
    2016): character embedding -> dropout -> a BiLSTM with ``out_dim // 2`` units per direction,
    packed by word length; the output is the final forward state concatenated with the final
    backward state. Either way a word without characters (a padding word) gives exactly 0, and
    a word's vector does not depend on the padding around it. There is no Keras or PyTorch
    layer for this (in Keras: ``TimeDistributed(Conv1D)`` + ``GlobalMaxPooling1D``, unmasked).

    Args:
        num_chars: rows of the character table (``len(char_vocab)``).
        char_dim: size of each character vector.
        out_dim: size of each word's vector (even for ``"lstm"``: 2 x hidden).
        kind: ``"cnn"`` or ``"lstm"``.
        kernel_size: CNN window width in characters (ignored by ``"lstm"``).
        dropout: dropout on the character vectors (training only).
        padding_idx: the padding character id (``CharVocab.pad_id``, 0).

    Attributes:
        output_dim: ``out_dim``.

    Shape:
        char_ids: ``(B, T, C)`` integer ids (any ``(*, C)``), characters first and padding
        after within each word (as ``CharVocab.encode_batch`` makes them);
        output: ``(B, T, out_dim)`` (``(*, out_dim)``), 0 for words without characters.

    Example:
        >>> enc = CharEncoder(10, char_dim=4, out_dim=6)
        >>> out = enc(torch.tensor([[[2, 3, 0], [4, 0, 0], [0, 0, 0]]]))
        >>> out.shape, bool(out[0, 2].eq(0).all()), bool(out[0, 1].ne(0).any())
        (torch.Size([1, 3, 6]), True, True)
        >>> CharEncoder(10, out_dim=6, kind="lstm")(torch.tensor([[[2, 3, 0]]])).shape
        torch.Size([1, 1, 6])
    """

    def __init__(
        self,
        num_chars: int,
        *,
        char_dim: int = 30,
        out_dim: int = 50,
        kind: str = "cnn",
        kernel_size: int = 3,
        dropout: float = 0.0,
        padding_idx: int = 0,
    ) -> None:
        super().__init__()
        check_int(num_chars, "num_chars", minimum=2, fix=(
            " Pass len(char_vocab): ids 0 (padding) and 1 (unknown) are always there."
        ))
        check_int(char_dim, "char_dim")
        check_int(out_dim, "out_dim")
        check_choice(kind, "kind", CHAR_ENCODER_KINDS)
        check_int(kernel_size, "kernel_size")
        check_rate(dropout, "dropout")
        check_int(padding_idx, "padding_idx", minimum=0, maximum=int(num_chars) - 1)
        if kind == "lstm" and out_dim % 2:
            raise ValueError(
                f"`out_dim` must be even with kind='lstm' (forward + backward states of "
                f"out_dim // 2 each), got {out_dim}. Pass {out_dim + 1}."
            )
        self.num_chars, self.char_dim, self.out_dim = int(num_chars), int(char_dim), int(out_dim)
        self.output_dim = self.out_dim
        self.kind, self.kernel_size = kind, int(kernel_size)
        self.padding_idx = int(padding_idx)
        self.embedding = nn.Embedding(self.num_chars, self.char_dim, padding_idx=self.padding_idx)
        _uniform_(self.embedding.weight, self.padding_idx)
        self.dropout = nn.Dropout(float(dropout))
        if kind == "cnn":
            self.conv = nn.Conv1d(self.char_dim, self.out_dim, self.kernel_size)
            left = (self.kernel_size - 1) // 2  # "same" padding, the extra zero on the right
            self._same = (left, self.kernel_size - 1 - left)
        else:
            self.lstm = nn.LSTM(
                self.char_dim, self.out_dim // 2, batch_first=True, bidirectional=True
            )

    def extra_repr(self) -> str:
        extra = f", kernel_size={self.kernel_size}" if self.kind == "cnn" else ""
        return (f"{self.num_chars}, char_dim={self.char_dim}, out_dim={self.out_dim}, "
                f"kind={self.kind!r}{extra}")

    def forward(self, char_ids: Tensor) -> Tensor:
        """Return one vector per word of ``char_ids`` ``(*, C)`` -> ``(*, out_dim)``."""
        ids = check_ids(char_ids, self.num_chars)
        if ids.dim() < 2:
            raise ValueError(
                "`char_ids` must have shape (batch, seq, chars) (characters on the last axis), "
                f"got {tuple(ids.shape)}. Build it with CharVocab.encode_batch(token_lists)."
            )
        lead, width = ids.shape[:-1], ids.shape[-1]
        words = ids.reshape(math.prod(lead), width)
        real = words != self.padding_idx
        lengths = real.sum(dim=1)
        keep = lengths > 0
        if words.shape[0] == 0 or not bool(keep.any()):
            dtype = self.embedding.weight.dtype
            return words.new_zeros((*lead, self.out_dim), dtype=dtype)
        if not is_left_aligned(real):
            raise ValueError(
                "`char_ids` must hold each word's characters first and its padding after "
                "(as CharVocab.encode_batch makes them); some word has a character after a pad."
            )
        longest = int(lengths.max())
        words = words[keep, :longest]
        # each distinct word is encoded once (a batch repeats "the", ","...): the same vectors
        # and gradients, a fraction of the work; with character dropout in training every
        # occurrence keeps its own dropout mask
        inverse = None
        if not (self.training and self.dropout.p > 0):
            words, inverse = torch.unique(words, dim=0, return_inverse=True)
        real = words != self.padding_idx
        lengths = real.sum(dim=1)
        x = self.dropout(self.embedding(words)) * real.unsqueeze(-1)
        if self.kind == "cnn":
            y: Tensor = self.conv(F.pad(x.transpose(1, 2), self._same))
            y = y.masked_fill(~real.unsqueeze(1), -math.inf)
            vec: Tensor = y.amax(dim=2)
        else:
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            _, (h_n, _) = self.lstm(packed)
            vec = torch.cat([h_n[0], h_n[1]], dim=-1)
        if inverse is not None:
            vec = vec[inverse]
        out = vec.new_zeros((keep.shape[0], self.out_dim))
        out = out.index_put((keep.nonzero().squeeze(1),), vec)  # padding words stay 0
        return out.reshape(*lead, self.out_dim)


class CasingEmbedding(nn.Module):
    """Embed the casing class of each word (:data:`vectab.text.chars.CASING_CLASSES`).

    A small table (one row per class, row 0 = padding, kept at 0 and never trained) over the
    ids of :func:`vectab.text.casing_ids` (Reimers & Gurevych 2017's casing feature). It
    matters most with ``CharVocab(lower=True)`` or lower-cased word vectors, where the case of
    a word is otherwise lost. PyTorch: ``nn.Embedding(len(CASING_CLASSES), dim, padding_idx=0)``.

    Args:
        dim: size of each casing vector.

    Attributes:
        output_dim: ``dim``. num_classes: ``len(CASING_CLASSES)``.

    Shape:
        casing_ids: ``(B, T)`` ids in ``[0, len(CASING_CLASSES))``; output: ``(B, T, dim)``.

    Example:
        >>> from vectab.text import casing_ids
        >>> layer = CasingEmbedding(4)
        >>> layer(torch.tensor([casing_ids(["Paris", "is", "big"]) + [0]])).shape
        torch.Size([1, 4, 4])
    """

    def __init__(self, dim: int = 8) -> None:
        super().__init__()
        check_int(dim, "dim")
        self.dim = self.output_dim = int(dim)
        self.num_classes = len(CASING_CLASSES)
        self.embedding = nn.Embedding(self.num_classes, self.dim, padding_idx=0)
        _uniform_(self.embedding.weight, 0)

    def extra_repr(self) -> str:
        return f"{self.dim}, classes={self.num_classes}"

    def forward(self, casing_ids: Tensor) -> Tensor:
        """Look up ``casing_ids`` ``(*)`` -> ``(*, dim)``."""
        out: Tensor = self.embedding(check_ids(casing_ids, self.num_classes))
        return out


def _check_part(name: str, value: Any, cls: type) -> None:
    if value is not None and not isinstance(value, cls):
        raise TypeError(
            f"`{name}` must be a vectab.nn.{cls.__name__} or None, got "
            f"{type(value).__name__}: {shown(value)}."
        )


class WordFeatures(nn.Module):
    """Concatenate a word embedding with character and casing features of the same words.

    The word part is any embedding module with ``embedding_dim`` (a :class:`vectab.nn.Embedding`,
    pretrained and row-frozen as usual: frozen rows stay fixed, ``mask_zero`` still gives the
    mask through :meth:`compute_mask`); ``chars`` adds ``chars.out_dim`` features per word from
    its characters, ``casing`` adds ``casing.dim`` from its casing class. Use it where a model
    takes an embedding: its ``compute_mask`` and ``padding_idx`` are the word embedding's.
    Keras: ``Concatenate()([Embedding(...)(ids), char_features, casing_features])``.

    Args:
        word_embedding: the word lookup table.
        chars: a :class:`CharEncoder`, or None for no character features.
        casing: a :class:`CasingEmbedding`, or None for no casing features.
        dropout: dropout on the concatenated vectors (training only; Lample et al. 2016).

    Attributes:
        output_dim: ``word_embedding.embedding_dim`` (+ ``chars.out_dim``) (+ ``casing.dim``).

    Shape:
        ids: ``(B, T)``; char_ids: ``(B, T, C)`` (needed with ``chars``); casing_ids: ``(B, T)``
        (needed with ``casing``); output: ``(B, T, output_dim)``, the word vector first, then
        the character vector, then the casing vector.

    Example:
        >>> from vectab.nn import Embedding
        >>> layer = WordFeatures(Embedding(20, 5, mask_zero=True), chars=CharEncoder(9, out_dim=4),
        ...                      casing=CasingEmbedding(3))
        >>> ids = torch.tensor([[3, 7, 0]])
        >>> char_ids = torch.tensor([[[2, 3], [4, 0], [0, 0]]])
        >>> layer(ids, char_ids, torch.tensor([[3, 1, 0]])).shape, layer.output_dim
        (torch.Size([1, 3, 12]), 12)
        >>> layer.compute_mask(ids)
        tensor([[ True,  True, False]])
    """

    def __init__(
        self,
        word_embedding: nn.Module,
        *,
        chars: CharEncoder | None = None,
        casing: CasingEmbedding | None = None,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        dim = getattr(word_embedding, "embedding_dim", None)
        if not isinstance(word_embedding, nn.Module) or not isinstance(dim, int):
            raise TypeError(
                "`word_embedding` must be a vectab.nn.Embedding (or another module with an int "
                f"embedding_dim), got {type(word_embedding).__name__}: {shown(word_embedding)}."
            )
        _check_part("chars", chars, CharEncoder)
        _check_part("casing", casing, CasingEmbedding)
        check_rate(dropout, "dropout")
        self.word_embedding = word_embedding
        self.chars = chars
        self.casing = casing
        self.dropout = nn.Dropout(float(dropout))
        self.output_dim = (
            dim + (chars.out_dim if chars is not None else 0)
            + (casing.dim if casing is not None else 0)
        )

    @property
    def padding_idx(self) -> int | None:
        """The word embedding's ``padding_idx`` (None when it has none)."""
        return getattr(self.word_embedding, "padding_idx", None)

    @property
    def num_embeddings(self) -> int | None:
        """Rows of the word table."""
        return getattr(self.word_embedding, "num_embeddings", None)

    def compute_mask(self, ids: Any) -> Tensor | None:
        """The word embedding's mask for ``ids`` (``ids != 0`` with ``mask_zero``), else None."""
        compute = getattr(self.word_embedding, "compute_mask", None)
        mask: Tensor | None = None if compute is None else compute(ids)
        return mask

    def _part(self, layer: nn.Module | None, name: str, ids: Tensor | None,
              shape: tuple[int, ...]) -> Tensor | None:
        option = "chars" if name == "char_ids" else "casing"
        if layer is None:
            if ids is not None:
                raise ValueError(
                    f"`{name}` was given but this WordFeatures has no {option} part "
                    f"({option}=None); build it with {option}=... or leave {name} out."
                )
            return None
        if ids is None:
            source = ("CharVocab.encode_batch(token_lists)" if option == "chars"
                      else "vectab.text.casing_ids(tokens), padded")
            raise ValueError(
                f"`{name}` is required: this WordFeatures has a {option} part; pass {name} "
                f"(from {source})."
            )
        out: Tensor = layer(ids)
        if tuple(out.shape[:-1]) != shape:
            raise ValueError(
                f"`{name}` must cover the same positions {shape} as `ids`, got "
                f"{tuple(out.shape[:-1])}."
            )
        return out

    def forward(
        self, ids: Tensor, char_ids: Tensor | None = None, casing_ids: Tensor | None = None
    ) -> Tensor:
        """Return the word, character and casing vectors of ``ids`` side by side."""
        words: Tensor = self.word_embedding(ids)
        shape = tuple(words.shape[:-1])
        parts = [words]
        for layer, name, given in ((self.chars, "char_ids", char_ids),
                                   (self.casing, "casing_ids", casing_ids)):
            part = self._part(layer, name, given, shape)
            if part is not None:
                parts.append(part.to(words.dtype))
        out: Tensor = self.dropout(parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1))
        return out
