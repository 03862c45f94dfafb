"""Linear-chain conditional random field: masked forward algorithm, Viterbi, BIO/BIOES constraints.

Vectorized over the batch, one loop over time (up to the longest row). Masks may be
``post``-padded, ``pre``-padded (Keras' default) or have holes: each row's real positions are
moved to the front first, so a sequence starts at its first real position (start transitions),
skips every padded position and ends at its last real one (end transitions).
Disallowed transitions of a tagging scheme get a score of -10000 both in the loss and in
decoding: exp(-10000) is 0 in float32 and float64, so those paths carry no probability mass and
Viterbi never picks them."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from vectab._checks import check_int
from vectab.nn.encoders import check_mask, is_left_aligned, left_align_index

CONSTRAINT_SCHEMES = ("BIO", "BIOES")
IMPOSSIBLE = -10000.0
_PREFIXES = {"BIO": ("B", "I"), "BIOES": ("B", "I", "E", "S")}
_ALIASES = {"M": "I", "L": "E", "U": "S"}  # BMES (Resume NER) and BILOU spellings


def _split(tag: str, scheme: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    prefix, sep, kind = tag.partition("-")
    prefix = _ALIASES.get(prefix, prefix) if scheme == "BIOES" else prefix
    if not sep or not kind or prefix not in _PREFIXES[scheme]:
        allowed = "/".join(_PREFIXES[scheme])
        raise ValueError(
            f"`tags` must follow the {scheme} scheme ('O' or '{allowed}-TYPE'), "
            f"got {tag!r}. Pass constraints=None to use tags without a scheme."
        )
    return prefix, kind


def infer_scheme(tags: Sequence[str]) -> str | None:
    """Return ``"BIO"`` or ``"BIOES"`` when every tag fits that scheme, else None.

    ``M-``/``L-``/``U-`` count as ``I-``/``E-``/``S-`` (BMES, BILOU).

    Example:
        >>> infer_scheme(["O", "B-PER", "I-PER"]), infer_scheme(["O", "B-X", "M-X", "E-X"])
        ('BIO', 'BIOES')
        >>> infer_scheme(["NOUN", "VERB"]) is None
        True
    """
    for scheme in CONSTRAINT_SCHEMES:
        try:
            for tag in tags:
                _split(tag, scheme)
        except ValueError:
            continue
        return scheme
    return None


def allowed_transitions(tags: Sequence[str], scheme: str) -> tuple[Tensor, Tensor, Tensor]:
    """Return bool ``(start (K,), transitions (K, K) from->to, end (K,))`` allowed by a scheme.

    BIO: ``I-X`` only follows ``B-X`` or ``I-X``. BIOES: additionally ``B-X``/``I-X`` must be
    followed by ``I-X``/``E-X``, ``E-X``/``I-X`` must follow ``B-X``/``I-X``, and a sequence can
    only start with ``O``/``B-``/``S-`` and end with ``O``/``E-``/``S-``.

    Example:
        >>> start, trans, end = allowed_transitions(["O", "B-X", "I-X"], "BIO")
        >>> start.tolist(), trans[0].tolist(), end.tolist()
        ([True, True, False], [True, True, False], [True, True, True])
    """
    if scheme not in CONSTRAINT_SCHEMES:
        raise ValueError(f"`constraints` must be None, 'BIO' or 'BIOES', got {scheme!r}.")
    parts = [_split(t, scheme) for t in tags]
    k = len(parts)
    trans = torch.ones(k, k, dtype=torch.bool)
    start = torch.ones(k, dtype=torch.bool)
    end = torch.ones(k, dtype=torch.bool)
    inside = ("I",) if scheme == "BIO" else ("I", "E")  # need a same-type B/I before them
    opened = ("B", "I")  # after these, BIOES must continue the same entity
    for j, (p_to, k_to) in enumerate(parts):
        if p_to in inside:
            start[j] = False
        if scheme == "BIOES" and p_to in opened:
            end[j] = False
        for i, (p_from, k_from) in enumerate(parts):
            continues = p_from in opened and k_from == k_to
            if p_to in inside and not continues:
                trans[i, j] = False
            if scheme == "BIOES" and p_from in opened and not (p_to in inside and k_from == k_to):
                trans[i, j] = False
    return start, trans, end


class CRF(nn.Module):
    """Linear-chain CRF over emission scores, with learned start/end/transition scores.

    The same layer as pytorch-crf's ``CRF(num_tags, batch_first=True)``, but ``forward``
    returns the loss (negative log-likelihood), masks may be pre-padded, and tagging-scheme
    constraints are built in. Keras 3 has no CRF layer.

    Args:
        num_tags: number of tags K.
        constraints: None, ``"BIO"`` or ``"BIOES"`` (BMES/BILOU spellings accepted); needs ``tags``.
        tags: tag names, index = tag id (required with ``constraints``).

    Shape:
        emissions: (B, T, K); tags: (B, T) long (any value at padded positions);
        mask: (B, T) bool or None; ``decode`` output: (B, T) long, -100 at padded positions.

    Example:
        >>> crf = CRF(3, constraints="BIO", tags=["O", "B-X", "I-X"])
        >>> emissions = torch.randn(2, 4, 3)
        >>> mask = torch.tensor([[True, True, True, False], [False, True, True, True]])
        >>> loss = crf(emissions, torch.zeros(2, 4, dtype=torch.long), mask)
        >>> paths = crf.decode(emissions, mask)
        >>> paths.shape, int(paths[0, 3]), int(paths[1, 0])
        (torch.Size([2, 4]), -100, -100)
    """

    def __init__(
        self,
        num_tags: int,
        *,
        constraints: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        check_int(num_tags, "num_tags")
        if tags is not None and len(tags) != num_tags:
            raise ValueError(f"`tags` must list num_tags={num_tags} names, got {len(tags)}.")
        self.num_tags = num_tags
        self.constraints = constraints
        self.tags = list(tags) if tags is not None else None
        self.start_transitions = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1))
        self.end_transitions = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1))
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags).uniform_(-0.1, 0.1))
        if constraints is None:
            allowed = (torch.ones(num_tags, dtype=torch.bool),) * 2 + (
                torch.ones(num_tags, num_tags, dtype=torch.bool),
            )
            start, end, trans = allowed
        else:
            if tags is None:
                raise ValueError(
                    f"`constraints={constraints!r}` needs `tags` (the tag names, index = id)."
                )
            start, trans, end = allowed_transitions(self.tags, constraints)
        self.register_buffer("allowed_start", start, persistent=False)
        self.register_buffer("allowed_end", end, persistent=False)
        self.register_buffer("allowed", trans, persistent=False)

    def extra_repr(self) -> str:
        return f"num_tags={self.num_tags}, constraints={self.constraints!r}"

    def _scores(self) -> tuple[Tensor, Tensor, Tensor]:
        """Start, transition and end scores with disallowed entries set to IMPOSSIBLE."""
        if self.constraints is None:
            return self.start_transitions, self.transitions, self.end_transitions
        return (
            self.start_transitions.masked_fill(~self.allowed_start, IMPOSSIBLE),
            self.transitions.masked_fill(~self.allowed, IMPOSSIBLE),
            self.end_transitions.masked_fill(~self.allowed_end, IMPOSSIBLE),
        )

    def _check(self, emissions: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        if emissions.dim() != 3 or emissions.shape[-1] != self.num_tags:
            raise ValueError(
                f"`emissions` must have shape (batch, seq, num_tags={self.num_tags}), "
                f"got {tuple(emissions.shape)}."
            )
        b, t = emissions.shape[:2]
        check_mask(mask, (b, t))
        if mask is None:
            mask = torch.ones(b, t, dtype=torch.bool, device=emissions.device)
        if emissions.dtype in (torch.float16, torch.bfloat16):  # mixed precision: sum in fp32
            emissions = emissions.float()
        return emissions, mask

    def _align(self, emissions: Tensor, mask: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        """Move each row's real positions to the front: (emissions, lengths, index back)."""
        lengths = mask.sum(dim=1)
        if is_left_aligned(mask):
            return emissions, lengths, None
        gather, back = left_align_index(mask)
        index = gather.unsqueeze(-1).expand(-1, -1, emissions.shape[-1])
        return emissions.gather(1, index), lengths, back

    def log_partition(self, emissions: Tensor, mask: Tensor | None = None) -> Tensor:
        """Log of the sum of exp(score) over all tag paths (forward algorithm); (B,).

        Each step is a matrix product in exp space, shifted by the running maximum for
        stability (the log-space recursion, several times cheaper than a (B, K, K) logsumexp).
        """
        emissions, mask = self._check(emissions, mask)
        if emissions.shape[0] == 0 or emissions.shape[1] == 0:
            return emissions.new_zeros(emissions.shape[0])
        start, trans, end = self._scores()
        emissions, lengths, _ = self._align(emissions, mask)
        shift = trans.detach().max()
        weights = torch.exp(trans - shift)
        tiny = torch.finfo(emissions.dtype).tiny
        alpha = start + emissions[:, 0]
        for step in range(1, int(lengths.max())):
            top = alpha.detach().max(dim=1, keepdim=True).values
            total = (torch.exp(alpha - top) @ weights).clamp_min(tiny)
            moved = torch.log(total) + top + shift + emissions[:, step]
            alpha = torch.where((step < lengths).unsqueeze(1), moved, alpha)
        log_z = torch.logsumexp(alpha + end, dim=1)
        return torch.where(lengths > 0, log_z, torch.zeros_like(log_z))

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor | None = None) -> Tensor:
        """Score of the given tag path (emissions + transitions of its real positions); (B,)."""
        emissions, mask = self._check(emissions, mask)
        if tags.shape != mask.shape:
            raise ValueError(
                f"`tags` must have shape (batch, seq) = {tuple(mask.shape)}, "
                f"got {tuple(tags.shape)}."
            )
        start, trans, end = self._scores()
        tags = tags.masked_fill(~mask, 0)
        emitted = (emissions.gather(2, tags.unsqueeze(2)).squeeze(2) * mask).sum(dim=1)
        if not is_left_aligned(mask):  # compact each row's real tags to the front
            tags = tags.gather(1, left_align_index(mask)[0])
        lengths = mask.sum(dim=1)
        real = lengths > 0
        pairs = torch.arange(1, tags.shape[1], device=tags.device) < lengths[:, None]
        moved = (trans[tags[:, :-1], tags[:, 1:]] * pairs).sum(dim=1)
        last = tags.gather(1, (lengths - 1).clamp(min=0).unsqueeze(1)).squeeze(1)
        ends = start[tags[:, 0]] + end[last]
        return emitted + moved + torch.where(real, ends, torch.zeros_like(ends))

    def nll(
        self,
        emissions: Tensor,
        tags: Tensor,
        mask: Tensor | None = None,
        *,
        reduction: str = "mean",
    ) -> Tensor:
        """Negative log-likelihood of ``tags``: ``log_partition - score``.

        ``reduction``: ``"mean"`` (over sequences), ``"sum"``, ``"token_mean"`` (divided by the
        number of real tokens) or ``"none"`` ((B,)).
        """
        if reduction not in ("mean", "sum", "token_mean", "none"):
            raise ValueError(
                "`reduction` must be 'mean', 'sum', 'token_mean' or 'none', "
                f"got {reduction!r}."
            )
        losses = self.log_partition(emissions, mask) - self.score(emissions, tags, mask)
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        if reduction == "token_mean":
            count = emissions.shape[0] * emissions.shape[1] if mask is None else mask.sum()
            return losses.sum() / max(int(count), 1)
        return losses.mean()

    def forward(
        self,
        emissions: Tensor,
        tags: Tensor,
        mask: Tensor | None = None,
        *,
        reduction: str = "mean",
    ) -> Tensor:
        """The loss: see :meth:`nll`."""
        return self.nll(emissions, tags, mask, reduction=reduction)

    def marginals(self, emissions: Tensor, mask: Tensor | None = None) -> Tensor:
        """Per-token tag probabilities P(y_t = k | x) (B, T, K); 0 at padded positions.

        Computed as the gradient of the log partition with respect to the emissions
        (forward-backward through autograd).
        """
        emissions, mask = self._check(emissions, mask)
        with torch.enable_grad():
            leaf = emissions.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.log_partition(leaf, mask).sum(), leaf)
        return grad * mask.unsqueeze(-1).to(grad.dtype)

    @torch.no_grad()
    def decode(self, emissions: Tensor, mask: Tensor | None = None) -> Tensor:
        """Most likely tag path of each sequence (Viterbi); (B, T) long, -100 at padded
        positions."""
        emissions, mask = self._check(emissions, mask)
        b, t, _ = emissions.shape
        paths = torch.full((b, t), -100, dtype=torch.long, device=emissions.device)
        if b == 0 or t == 0:
            return paths
        start, trans, end = self._scores()
        emissions, lengths, back = self._align(emissions, mask)
        steps = max(int(lengths.max()), 1)
        best = start + emissions[:, 0]
        history = []
        for step in range(1, steps):
            moved, pointer = (best.unsqueeze(2) + trans).max(dim=1)
            best = torch.where((step < lengths).unsqueeze(1), moved + emissions[:, step], best)
            history.append(pointer)
        current = (best + end).argmax(dim=1)
        for step in range(steps - 1, -1, -1):
            real = step < lengths
            paths[:, step] = torch.where(real, current, paths[:, step])
            if step:
                previous = history[step - 1].gather(1, current.unsqueeze(1)).squeeze(1)
                current = torch.where(real, previous, current)
        return paths if back is None else paths.gather(1, back)
