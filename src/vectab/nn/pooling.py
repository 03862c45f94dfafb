"""Masked pooling over time: mean, max, last real token and additive attention.

Every function takes per-token features ``x`` (B, T, H) and a bool ``mask`` (B, T) (True = real
token, ``None`` = no padding) and never lets a padded position change the result, wherever the
padding sits (``pre``, ``post`` or holes). A row with no real token pools to zeros.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vectab._checks import check_choice

POOLING_MODES = ("last", "mean", "max", "attention")


def masked_mean(x: Tensor, mask: Tensor | None) -> Tensor:
    """Average the real positions of each sequence.

    Shape:
        x: (B, T, H); mask: (B, T) bool or None; output: (B, H).

    Example:
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])
        >>> masked_mean(x, torch.tensor([[True, True, False]]))
        tensor([[2.]])
    """
    if mask is None:
        return x.mean(dim=1)
    weights = mask.to(x.dtype).unsqueeze(-1)
    total = (x * weights).sum(dim=1)
    return total / weights.sum(dim=1).clamp(min=1.0)


def masked_max(x: Tensor, mask: Tensor | None) -> Tensor:
    """Take the element-wise maximum over the real positions (Keras' ``GlobalMaxPooling1D``).

    Shape:
        x: (B, T, H); mask: (B, T) bool or None; output: (B, H).

    Example:
        >>> x = torch.tensor([[[1.0], [-3.0], [100.0]]])
        >>> masked_max(x, torch.tensor([[True, True, False]]))
        tensor([[1.]])
    """
    if mask is None:
        return x.max(dim=1).values
    filled = x.masked_fill(~mask.unsqueeze(-1), float("-inf"))
    pooled = filled.max(dim=1).values
    empty = ~mask.any(dim=1, keepdim=True)
    return pooled.masked_fill(empty, 0.0)


def last_real(x: Tensor, mask: Tensor | None) -> Tensor:
    """Pick each sequence's last real position (pre- or post-padded alike).

    Shape:
        x: (B, T, H); mask: (B, T) bool or None; output: (B, H).

    Example:
        >>> x = torch.tensor([[[1.0], [2.0], [0.0]], [[0.0], [5.0], [6.0]]])
        >>> last_real(x, torch.tensor([[True, True, False], [False, True, True]]))
        tensor([[2.],
                [6.]])
    """
    if mask is None:
        return x[:, -1]
    steps = torch.arange(1, mask.shape[1] + 1, device=mask.device)
    index = (mask * steps).argmax(dim=1)
    pooled = x[torch.arange(x.shape[0], device=x.device), index]
    return pooled.masked_fill(~mask.any(dim=1, keepdim=True), 0.0)


class AttentionPooling(nn.Module):
    """Additive attention pooling: ``softmax(v . tanh(W x))`` weights over the real positions.

    Padded positions get a score of ``-inf`` before the softmax, so they receive exactly zero
    weight. A row without real tokens pools to zeros.

    Args:
        input_size: feature size H of the per-token inputs.
        attention_size: size of the hidden scoring layer (default: ``input_size``).

    Shape:
        x: (B, T, H); mask: (B, T) bool or None; output: (B, H).

    Example:
        >>> pool = AttentionPooling(4)
        >>> pool(torch.randn(2, 5, 4), torch.ones(2, 5, dtype=torch.bool)).shape
        torch.Size([2, 4])
    """

    def __init__(self, input_size: int, *, attention_size: int | None = None) -> None:
        super().__init__()
        attention_size = attention_size or input_size
        self.proj = nn.Linear(input_size, attention_size)
        self.score = nn.Linear(attention_size, 1, bias=False)

    def weights(self, x: Tensor, mask: Tensor | None) -> Tensor:
        """Return the attention weights (B, T); zero on padded positions."""
        scores = self.score(torch.tanh(self.proj(x))).squeeze(-1)
        if mask is None:
            return torch.softmax(scores, dim=1)
        scores = scores.masked_fill(~mask, float("-inf"))
        empty = ~mask.any(dim=1, keepdim=True)
        # A row with no real token would be softmax(-inf, ...) = nan: give it zero weights.
        weights = torch.softmax(scores.masked_fill(empty, 0.0), dim=1)
        return weights.masked_fill(empty, 0.0)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        return torch.einsum("bt,bth->bh", self.weights(x, mask), x)


def check_pooling(pooling: str) -> str:
    """Validate a pooling name; return it."""
    check_choice(pooling, "pooling", POOLING_MODES)
    return pooling
