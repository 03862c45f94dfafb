"""Masked sequence encoders: (Bi)LSTM/GRU that never see padding, Kim-style CNN, bag of vectors.

The recurrent encoders never let padding influence a real token, in either direction. The real
tokens of each row are first moved to the front (so ``pre``-padded input, Keras' default, works
too), then either

* packed with ``pack_padded_sequence`` (the default on CUDA, where cuDNN runs packed batches
  fast), or
* run as one dense batch trimmed to the longest row, each direction over its own aligned copy
  (the backward direction reads every row reversed within its length), so a direction reaches
  a row's pads only after all of its real tokens (the default on CPU, where PyTorch's packed
  kernels are several times slower than a dense run);

and the per-token outputs are moved back to where the tokens came from. Both give the same
numbers: a sequence has the same outputs whether it was padded ``pre``, ``post`` or not at all.
A batch without padding runs the RNN directly.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from vectab._checks import check_bool, check_choice, check_int, check_rate
from vectab.nn.pooling import (
    AttentionPooling,
    check_pooling,
    last_real,
    masked_max,
    masked_mean,
)

ENCODER_KINDS = ("lstm", "bilstm", "gru", "bigru", "cnn", "mean", "max")
_DEFAULT_POOLING = {"cnn": "max", "mean": "mean", "max": "max"}


def check_mask(mask: Tensor | None, shape: tuple[int, int], *, name: str = "mask") -> None:
    """Raise a clear error unless ``mask`` is None or a bool tensor of ``shape`` (B, T)."""
    if mask is None:
        return
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(
            f"`{name}` must be a bool tensor (True = real token), got {got}. "
            f"Build it with `ids != 0` or `Embedding.compute_mask(ids)`."
        )
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(
            f"`{name}` must have shape (batch, seq) = {tuple(shape)}, got {tuple(mask.shape)}."
        )


def left_align_index(mask: Tensor) -> tuple[Tensor, Tensor]:
    """Return ``(gather, back)`` indices that move each row's real tokens to the front.

    ``x.gather(1, gather)`` puts the real tokens first, in their order, then the pads;
    ``y.gather(1, back)`` puts per-token results of the aligned batch back in place.

    Shape:
        mask: (B, T) bool; outputs: two (B, T) long tensors.

    Example:
        >>> gather, back = left_align_index(torch.tensor([[False, True, True]]))
        >>> gather
        tensor([[1, 2, 0]])
        >>> torch.tensor([[10, 20, 30]]).gather(1, gather).gather(1, back)
        tensor([[10, 20, 30]])
    """
    real = mask.long()
    lengths = real.sum(dim=1, keepdim=True)
    back = torch.where(mask, real.cumsum(1) - 1, lengths + (1 - real).cumsum(1) - 1)
    positions = torch.arange(mask.shape[1], device=mask.device).expand_as(back)
    gather = torch.empty_like(back).scatter_(1, back, positions)
    return gather, back


def is_left_aligned(mask: Tensor) -> bool:
    """True when no row has a real token after a pad (post-padded or unpadded)."""
    return not bool((~mask[:, :-1] & mask[:, 1:]).any())


def _take(x: Tensor, index: Tensor) -> Tensor:
    return x.gather(1, index.unsqueeze(-1).expand(-1, -1, x.shape[-1]))


class SequenceEncoder(nn.Module):
    """Encode a padded batch of vectors into per-token features and one pooled vector per row.

    Kinds: ``"lstm"``, ``"bilstm"``, ``"gru"``, ``"bigru"`` (packed ``torch.nn.LSTM``/``GRU``,
    Keras' ``LSTM``/``Bidirectional(LSTM)`` with a mask), ``"cnn"`` (Kim 2014: one Conv1d + ReLU
    per width, "same" zero padding so sequences shorter than a kernel work, masked
    max-over-time), ``"mean"`` and ``"max"`` (bag of embeddings: the inputs themselves).

    Pooling: ``"last"`` (recurrent: the packed RNN's final hidden states, i.e. the forward state
    after the last real token and, when bidirectional, the backward state at the first real
    token; other kinds: the last real position), ``"mean"``, ``"max"``, ``"attention"``.
    Default: ``"last"`` for recurrent kinds, ``"max"`` for cnn and max, ``"mean"`` for mean.

    Args:
        input_size: feature size D of the inputs.
        kind: encoder kind, see above.
        hidden_size: RNN hidden size per direction.
        num_layers: stacked RNN layers.
        dropout: dropout on the encoder's inputs, and between stacked RNN layers.
        kernel_sizes: CNN window widths.
        num_filters: CNN filters per width.
        pooling: pooling mode, see above.
        pack: recurrent kinds with padding: True packs (``pack_padded_sequence``), False runs
            the aligned dense batch described above; None (default) packs on CUDA only.

    Attributes:
        output_size: feature size H of the outputs (per token and pooled).

    Shape:
        x: (B, T, D); mask: (B, T) bool (True = real token) or None;
        outputs: ``(per_token (B, T, H), pooled (B, H))``; per-token outputs are 0 at pads.

    Example:
        >>> enc = SequenceEncoder(8, kind="bilstm", hidden_size=5)
        >>> x = torch.randn(2, 4, 8)
        >>> mask = torch.tensor([[False, False, True, True], [True, True, True, True]])
        >>> per_token, pooled = enc(x, mask)
        >>> per_token.shape, pooled.shape, enc.output_size
        (torch.Size([2, 4, 10]), torch.Size([2, 10]), 10)
    """

    def __init__(
        self,
        input_size: int,
        *,
        kind: str = "lstm",
        hidden_size: int = 128,
        num_layers: int = 1,
        dropout: float = 0.0,
        kernel_sizes: tuple[int, ...] | list[int] = (3, 4, 5),
        num_filters: int = 100,
        pooling: str | None = None,
        pack: bool | None = None,
    ) -> None:
        super().__init__()
        check_choice(kind, "kind", ENCODER_KINDS)
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
            ("num_filters", num_filters),
        ):
            check_int(value, name)
        check_rate(dropout, "dropout")
        kernel_sizes = tuple(kernel_sizes)
        if not kernel_sizes:
            raise ValueError("`kernel_sizes` must be a non-empty list of ints >= 1, got ().")
        for i, size in enumerate(kernel_sizes):
            check_int(size, f"kernel_sizes[{i}]")
        self.kind = kind
        self.input_size = input_size
        self.pooling = check_pooling(pooling or _DEFAULT_POOLING.get(kind, "last"))
        self.recurrent = kind in ("lstm", "bilstm", "gru", "bigru")
        check_bool(pack, "pack", allow_none=True)
        self.pack = pack
        self.input_dropout = nn.Dropout(dropout)
        if self.recurrent:
            rnn_cls = nn.LSTM if kind.endswith("lstm") else nn.GRU
            self.bidirectional = kind.startswith("bi")
            self.rnn = rnn_cls(
                input_size,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                bidirectional=self.bidirectional,
                dropout=dropout if num_layers > 1 else 0.0,
            )
            self.output_size = hidden_size * (2 if self.bidirectional else 1)
        elif kind == "cnn":
            self.kernel_sizes = kernel_sizes
            self.convs = nn.ModuleList(nn.Conv1d(input_size, num_filters, k) for k in kernel_sizes)
            self.output_size = num_filters * len(kernel_sizes)
        else:
            self.output_size = input_size
        if self.pooling == "attention":
            self.attention = AttentionPooling(self.output_size)

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}, pooling={self.pooling!r}, output_size={self.output_size}"

    def forward(self, x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(
                f"`x` must have shape (batch, seq, {self.input_size}), got {tuple(x.shape)}."
            )
        check_mask(mask, (x.shape[0], x.shape[1]))
        if mask is not None and bool(mask.all()):
            mask = None  # no padding: the fast path
        x = self.input_dropout(x)
        final = None
        if self.recurrent:
            outputs, final = self._run_rnn(x, mask)
        elif self.kind == "cnn":
            outputs = self._run_cnn(x, mask)
        else:
            outputs = x if mask is None else x * mask.unsqueeze(-1).to(x.dtype)
        return outputs, self._pool(outputs, mask, final)

    def _pool(self, outputs: Tensor, mask: Tensor | None, final: Tensor | None) -> Tensor:
        if self.pooling == "last":
            return final if final is not None else last_real(outputs, mask)
        if self.pooling == "mean":
            return masked_mean(outputs, mask)
        if self.pooling == "max":
            return masked_max(outputs, mask)
        return self.attention(outputs, mask)

    def _run_rnn(self, x: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        if mask is None:
            outputs, hidden = self.rnn(x)
            return outputs, self._final_state(hidden)
        aligned = is_left_aligned(mask)
        if not aligned:
            gather, back = left_align_index(mask)
            x = _take(x, gather)
        lengths = mask.sum(dim=1)
        pack = self.pack if self.pack is not None else x.is_cuda
        if pack:
            outputs, final = self._packed(x, lengths)
        else:
            outputs, final = self._dense(x, lengths)
        empty = lengths == 0
        if bool(empty.any()):  # an all-pad row ran over pad steps: hide it
            outputs = outputs.masked_fill(empty[:, None, None], 0.0)
            final = final.masked_fill(empty[:, None], 0.0)
        if not aligned:
            outputs = _take(outputs, back)
        return outputs, final

    def _packed(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        packed = pack_padded_sequence(
            x, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False
        )
        packed_out, hidden = self.rnn(packed)
        outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=x.shape[1])
        return outputs, self._final_state(hidden)

    def _dense(self, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Left-aligned batch, dense run: pads come after every real token in each direction."""
        total = x.shape[1]
        x = x[:, : max(int(lengths.max()), 1)]
        rows = torch.arange(x.shape[0], device=x.device)
        last = (lengths - 1).clamp(min=0)
        if not self.bidirectional:
            outputs, _ = self.rnn(x)
            final = outputs[rows, last]
        else:
            steps = torch.arange(x.shape[1], device=x.device).expand(x.shape[0], -1)
            reverse = torch.where(steps < lengths[:, None], last[:, None] - steps, steps)
            outputs = x
            for layer in range(self.rnn.num_layers):
                if layer:
                    outputs = F.dropout(outputs, self.rnn.dropout, self.training)
                forward = self._direction(outputs, layer, "")
                backward = _take(
                    self._direction(_take(outputs, reverse), layer, "_reverse"), reverse
                )
                outputs = torch.cat([forward, backward], dim=-1)
            half = self.rnn.hidden_size
            final = torch.cat([outputs[rows, last, :half], outputs[:, 0, half:]], dim=-1)
        steps = torch.arange(outputs.shape[1], device=x.device)
        outputs = outputs * (steps[None, :] < lengths[:, None]).unsqueeze(-1).to(outputs.dtype)
        return F.pad(outputs, (0, 0, 0, total - outputs.shape[1])), final

    def _direction(self, x: Tensor, layer: int, suffix: str) -> Tensor:
        """One layer, one direction of ``self.rnn`` over a dense batch (its own weights)."""
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        params = [getattr(self.rnn, f"{name}_l{layer}{suffix}") for name in names]
        h0 = x.new_zeros(1, x.shape[0], self.rnn.hidden_size)
        if isinstance(self.rnn, nn.LSTM):
            return torch.lstm(x, (h0, h0), params, True, 1, 0.0, self.training, False, True)[0]
        return torch.gru(x, h0, params, True, 1, 0.0, self.training, False, True)[0]

    def _final_state(self, hidden: Tensor | tuple[Tensor, Tensor]) -> Tensor:
        h_n = hidden[0] if isinstance(hidden, tuple) else hidden
        if self.bidirectional:
            return torch.cat([h_n[-2], h_n[-1]], dim=-1)
        return h_n[-1]

    def _run_cnn(self, x: Tensor, mask: Tensor | None) -> Tensor:
        if mask is not None:
            x = x * mask.unsqueeze(-1).to(x.dtype)
        x = x.transpose(1, 2)
        features = []
        for k, conv in zip(self.kernel_sizes, self.convs):
            left = (k - 1) // 2
            features.append(F.relu(conv(F.pad(x, (left, k - 1 - left)))))
        outputs = torch.cat(features, dim=1).transpose(1, 2)
        if mask is not None:
            outputs = outputs * mask.unsqueeze(-1).to(outputs.dtype)
        return outputs
