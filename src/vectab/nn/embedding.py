"""The Embedding layer: Keras' constructor, PyTorch's module, and row-level freezing.

``Embedding`` is a ``torch.nn.Module`` that code written for Keras' ``Embedding`` can call after
changing only the import, and that exposes ``torch.nn.Embedding``'s attributes (``weight``,
``num_embeddings``, ``embedding_dim``, ``padding_idx``, ``max_norm``, ``sparse``,
``from_pretrained``).

How rows are frozen. When every row learns (the default) or none does (``trainable=False``),
the table is one ``nn.Parameter`` named ``weight`` looked up with ``F.embedding``: the same
state_dict, gradients and speed as ``torch.nn.Embedding``. When only some rows learn, the
learning rows live in the parameter ``weight_trainable`` ``(n_trainable, dim)`` and the fixed
rows in the buffer ``weight_frozen`` ``(n_frozen, dim)``, with an id -> slot map. A frozen row
is therefore not a parameter at all: no optimizer (momentum, Adam moments, weight decay,
SparseAdam) can move it, and it stays bit-identical. ``layer.weight`` then assembles the full
current table. ``freeze_rows`` / ``unfreeze_rows`` rebuild the split, so **build the optimizer
after changing the frozen set** (the previous ``weight_trainable`` is no longer used).
The state_dict always holds ``weight`` (the full table), plus ``trainable_rows`` (bool per
row) when only some rows learn; loading it restores both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vectab.nn import constraints as _constraints
from vectab.nn import initializers as _initializers
from vectab.nn import regularizers as _regularizers
from vectab.nn.functional import check_ids, renorm_rows, split_embedding

__all__ = ["Embedding"]


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer; got {value!r}.")
    return int(value)


def _weights_matrix(weights: Any, shape: tuple[int, int], mask_zero: bool) -> torch.Tensor:
    """Unwrap Keras' ``weights=[matrix]`` and check the shape, with the usual off-by-one hint."""
    if isinstance(weights, (list, tuple)):
        if len(weights) != 1:
            raise ValueError(
                f"`weights` must be a list holding one (input_dim, output_dim) matrix, as in "
                f"Keras' weights=[embedding_matrix]; got a list of {len(weights)} items."
            )
        weights = weights[0]
    try:
        matrix = torch.as_tensor(np.asarray(weights) if not torch.is_tensor(weights) else weights)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"`weights` must be a numeric matrix; got {type(weights).__name__} ({err})."
        ) from None
    if tuple(matrix.shape) != shape:
        hint = ""
        if matrix.dim() == 2 and abs(matrix.shape[0] - shape[0]) == 1:
            hint = (
                " Tokenizer ids start at 1 and id 0 is reserved for padding"
                + (" (mask_zero=True)" if mask_zero else "")
                + ": both the matrix and input_dim need len(word_index) + 1 rows."
            )
        raise ValueError(
            f"`weights` has shape {tuple(matrix.shape)} but the layer is {shape} "
            f"(input_dim, output_dim).{hint}"
        )
    if not (matrix.is_floating_point() or matrix.dtype in (torch.int32, torch.int64)):
        raise TypeError(f"`weights` must hold numbers; got dtype {matrix.dtype}.")
    return matrix


def _row_mask(
    trainable: Any, num_embeddings: int, arg: str = "trainable", meaning: str = "True = the row learns"
) -> torch.Tensor:
    """``trainable`` (bool or bool array of length input_dim) -> BoolTensor (input_dim,)."""
    if isinstance(trainable, (bool, np.bool_)):
        return torch.full((num_embeddings,), bool(trainable), dtype=torch.bool)
    if isinstance(trainable, (torch.Tensor, np.ndarray, list, tuple)):
        mask = torch.as_tensor(np.asarray(trainable) if not torch.is_tensor(trainable) else trainable)
        if mask.dtype == torch.bool and tuple(mask.shape) == (num_embeddings,):
            return mask.detach().cpu().clone()
        raise ValueError(
            f"`{arg}` must be True, False or a bool array of length input_dim="
            f"{num_embeddings} ({meaning}); got an array of dtype {mask.dtype} and "
            f"shape {tuple(mask.shape)}. Build it as e.g. ~report.pretrained_mask or "
            "mask.astype(bool)."
        )
    raise TypeError(
        f"`{arg}` must be True, False or a bool array of length input_dim={num_embeddings}; "
        f"got {type(trainable).__name__} {trainable!r}."
    )


class _SharedTable(_initializers.Initializer):
    """``from_pretrained``'s table, used as is (PyTorch shares the tensor's memory)."""

    def __init__(self, values: torch.Tensor):
        self.values = values

    def __call__(self, shape: Any, dtype: torch.dtype | None = None, device: Any = None):
        return self.values.detach().to(dtype=dtype, device=device)

    def __repr__(self) -> str:
        return "pretrained"


class Embedding(nn.Module):
    """Turn integer ids into dense vectors through a lookup table (Keras' and PyTorch's Embedding).

    Args:
        input_dim: rows of the table (vocabulary size; ``len(word_index) + 1`` for Keras
            tokenizer ids). PyTorch: ``num_embeddings``.
        output_dim: length of each vector. PyTorch: ``embedding_dim``.
        embeddings_initializer: Keras name (default ``"uniform"`` = U(-0.05, 0.05)), an
            initializer, a callable or an array (see :mod:`vectab.nn.initializers`).
        embeddings_regularizer: ``"l1"``, ``"l2"``, ``"l1_l2"`` or a callable on the learning
            rows; collected by :func:`vectab.nn.regularization_loss`.
        activity_regularizer: same, applied to the output of each forward call (divided by
            the batch size, as Keras 3 does).
        embeddings_constraint: ``"max_norm"``, ``"unit_norm"``, ``"non_neg"``,
            ``"min_max_norm"`` or a callable, per word vector; applied by
            :func:`vectab.nn.apply_constraints` after each optimizer step.
        mask_zero: id 0 is padding: :meth:`compute_mask` returns ``ids != 0``. As in Keras,
            row 0 still receives gradient; pass ``padding_idx=0`` as well to keep it fixed.
        input_length: when set, inputs must have this many ids in their last dimension.
        weights: Keras' ``[matrix]`` (or the matrix) of shape ``(input_dim, output_dim)``;
            copied into the table and cast to ``dtype``.
        trainable: ``True``, ``False`` (whole table fixed, like Keras) or a bool array of length
            ``input_dim`` (True = the row learns; the other rows stay bit-identical under any
            optimizer).
        padding_idx: PyTorch's: this row gets no gradient (and starts at zero unless
            ``weights`` is given); negative values count from the end.
        max_norm: PyTorch's: looked-up learning rows with a larger norm are renormalized in
            place; frozen rows are renormalized in the output only.
        norm_type: the p of the ``max_norm`` norm.
        scale_grad_by_freq: PyTorch's: scale gradients by the inverse id frequency in the batch.
        sparse: PyTorch's: sparse gradients (train with ``torch.optim.SparseAdam`` or SGD).
        dtype: table dtype (default: torch's default dtype).
        device: table device.

    Shape:
        - Input: ``(*)`` integer ids in ``[0, input_dim)``.
        - Output: ``(*, output_dim)``.

    Example:
        >>> import torch
        >>> from vectab.nn import Embedding
        >>> layer = Embedding(1000, 64, mask_zero=True)
        >>> ids = torch.tensor([[4, 20, 7, 0, 0]])
        >>> layer(ids).shape
        torch.Size([1, 5, 64])
        >>> layer.compute_mask(ids)
        tensor([[ True,  True,  True, False, False]])
        >>> layer.count_params()
        64000
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        activity_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        input_length: int | None = None,
        weights: Any = None,
        trainable: Any = True,
        *,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        dtype: torch.dtype | None = None,
        device: Any = None,
    ) -> None:
        super().__init__()
        self.num_embeddings = _positive_int("input_dim", input_dim)
        self.embedding_dim = _positive_int("output_dim", output_dim)
        self.padding_idx = self._check_padding_idx(padding_idx)
        self.mask_zero = bool(mask_zero)
        self.input_length = None if input_length is None else _positive_int(
            "input_length", input_length
        )
        if max_norm is not None and (isinstance(max_norm, bool) or not max_norm > 0):
            raise ValueError(f"`max_norm` must be None or a positive number; got {max_norm!r}.")
        self.max_norm = None if max_norm is None else float(max_norm)
        self.norm_type = float(norm_type)
        self.scale_grad_by_freq = bool(scale_grad_by_freq)
        self.sparse = bool(sparse)
        self.embeddings_initializer = _initializers.get(embeddings_initializer)
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer)
        self.activity_regularizer = _regularizers.get(activity_regularizer, arg="activity_regularizer")
        self.embeddings_constraint = _constraints.get(embeddings_constraint)
        if self.sparse and self.embeddings_regularizer is not None:
            raise ValueError(
                "`embeddings_regularizer` needs a dense gradient over the whole table, which "
                "sparse=True cannot hold; use sparse=False, or an activity_regularizer."
            )
        rows = _row_mask(trainable, self.num_embeddings)
        shape = (self.num_embeddings, self.embedding_dim)
        dtype = dtype or torch.get_default_dtype()
        if weights is not None:
            table = _weights_matrix(weights, shape, self.mask_zero).to(dtype=dtype, device=device)
            table = table.clone()
        else:
            table = _initializers.initialize(
                self.embeddings_initializer, shape, dtype=dtype, device=device
            )
            if self.padding_idx is not None and not isinstance(
                self.embeddings_initializer, _SharedTable
            ):
                table[self.padding_idx] = 0
        self._activity_loss: torch.Tensor | None = None
        self._constrained = False
        self._set_table(table, rows, copy=False)

    def _check_padding_idx(self, padding_idx: int | None) -> int | None:
        if padding_idx is None:
            return None
        n = self.num_embeddings
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) or not (
            -n <= padding_idx < n
        ):
            raise ValueError(
                f"`padding_idx` must be an integer in [-{n}, {n}) (negative counts from the "
                f"end, as in torch.nn.Embedding); got {padding_idx!r}."
            )
        return int(padding_idx) % n

    # ----------------------------------------------------------------- storage of the table
    def _set_table(self, table: torch.Tensor, rows: torch.Tensor, *, copy: bool = True) -> None:
        """Store ``table`` with learning rows ``rows`` (bool, input_dim), as one or two tensors.

        When the layout does not change, the values are copied into the existing tensors, so
        an optimizer built earlier keeps working.
        """
        table = table.detach()
        rows = rows.to(torch.bool).cpu()
        n_learning = int(rows.sum())
        single = self._parameters.get("weight")
        with torch.no_grad():
            if single is not None and n_learning in (0, self.num_embeddings):
                single.copy_(table)
                single.requires_grad_(n_learning > 0)
                return
            if "weight_trainable" in self._parameters and torch.equal(rows, self.trainable_rows):
                self._parameters["weight_trainable"].copy_(table[self._buffers["_learning_ids"]])
                self._buffers["weight_frozen"].copy_(table[self._buffers["_frozen_ids"]])
                return
        for name in ("weight", "weight_trainable"):
            self._parameters.pop(name, None)
        for name in ("weight_frozen", "_slot", "_learning_ids", "_frozen_ids"):
            self._buffers.pop(name, None)
        self._padding_slot = None
        if n_learning in (0, self.num_embeddings):
            self.weight = nn.Parameter(table.clone() if copy else table, requires_grad=n_learning > 0)
            return
        device = table.device
        learning = rows.nonzero().squeeze(1).to(device)
        frozen = (~rows).nonzero().squeeze(1).to(device)
        slot = torch.empty(self.num_embeddings, dtype=torch.long, device=device)
        slot[learning] = torch.arange(len(learning), device=device)
        slot[frozen] = -1 - torch.arange(len(frozen), device=device)
        self.weight_trainable = nn.Parameter(table[learning].clone())
        self.register_buffer("weight_frozen", table[frozen].clone(), persistent=False)
        self.register_buffer("_slot", slot, persistent=False)
        self.register_buffer("_learning_ids", learning, persistent=False)
        self.register_buffer("_frozen_ids", frozen, persistent=False)
        if self.padding_idx is not None and bool(rows[self.padding_idx]):
            self._padding_slot = int(slot[self.padding_idx])

    def _full_table(self) -> torch.Tensor:
        frozen = self._buffers["weight_frozen"]
        table = frozen.new_empty((self.num_embeddings, self.embedding_dim))
        table = table.index_copy(0, self._buffers["_frozen_ids"], frozen)
        return table.index_copy(0, self._buffers["_learning_ids"], self._parameters["weight_trainable"])

    def __getattr__(self, name: str) -> Any:
        if name == "weight" and "weight_trainable" in self.__dict__.get("_parameters", {}):
            return self._full_table()  # differentiable w.r.t. weight_trainable
        return super().__getattr__(name)

    @property
    def trainable_rows(self) -> torch.Tensor:
        """BoolTensor ``(input_dim,)`` on the CPU: True where the row learns."""
        single = self._parameters.get("weight")
        if single is not None:
            return torch.full((self.num_embeddings,), single.requires_grad, dtype=torch.bool)
        return (self._buffers["_slot"] >= 0).cpu()

    @property
    def trainable(self) -> bool:
        """True when at least one row learns (Keras' ``layer.trainable``); settable."""
        return bool(self.trainable_rows.any())

    @trainable.setter
    def trainable(self, value: Any) -> None:
        self._set_table(self.weight, _row_mask(value, self.num_embeddings))

    def freeze_rows(self, ids: Any) -> None:
        """Keep rows ``ids`` fixed from now on. Rebuild the optimizer afterwards.

        Example:
            >>> layer = Embedding(10, 4)
            >>> layer.freeze_rows([1, 2, 3])
            >>> int(layer.trainable_rows.sum()), tuple(layer.weight_trainable.shape)
            (7, (7, 4))
        """
        self._change_rows(ids, False)

    def unfreeze_rows(self, ids: Any) -> None:
        """Let rows ``ids`` learn from now on. Rebuild the optimizer afterwards."""
        self._change_rows(ids, True)

    def _change_rows(self, ids: Any, learn: bool) -> None:
        if isinstance(ids, (int, np.integer)):
            ids = [ids]
        index = check_ids(ids, self.num_embeddings).reshape(-1).long().cpu()
        rows = self.trainable_rows
        if bool((rows[index] == learn).all()):
            return
        rows[index] = learn
        self._set_table(self.weight, rows)

    # ----------------------------------------------------------------- the lookup
    def forward(self, ids: Any) -> torch.Tensor:
        """Look up the vectors of ``ids`` (any integer shape ``(*)``) -> ``(*, output_dim)``."""
        ids = check_ids(ids, self.num_embeddings, input_length=self.input_length)
        weight = self._parameters.get("weight")
        if weight is None:
            out = split_embedding(
                ids,
                self._buffers["_slot"],
                self._parameters["weight_trainable"],
                self._buffers["weight_frozen"],
                padding_slot=self._padding_slot,
                max_norm=self.max_norm,
                norm_type=self.norm_type,
                scale_grad_by_freq=self.scale_grad_by_freq,
                sparse=self.sparse,
            )
        elif self.max_norm is not None and not weight.requires_grad:
            out = renorm_rows(F.embedding(ids, weight), self.max_norm, self.norm_type)
        else:
            out = F.embedding(
                ids, weight, self.padding_idx, self.max_norm, self.norm_type,
                self.scale_grad_by_freq, self.sparse,
            )
        if self.activity_regularizer is not None:
            loss = self.activity_regularizer(out)
            self._activity_loss = loss / out.shape[0] if out.dim() > 1 else loss
        return out

    def compute_mask(self, ids: Any) -> torch.Tensor | None:
        """Return ``ids != 0`` (bool, True = real token) when ``mask_zero``, else None (Keras)."""
        if not self.mask_zero:
            return None
        ids = ids if isinstance(ids, torch.Tensor) else torch.as_tensor(np.asarray(ids))
        return ids != 0

    def count_params(self) -> int:
        """Number of table entries, frozen or not (Keras' ``count_params``)."""
        return self.num_embeddings * self.embedding_dim

    # ----------------------------------------------------------------- losses and constraints
    def _learning_param(self) -> torch.Tensor | None:
        single = self._parameters.get("weight")
        if single is None:
            return self._parameters["weight_trainable"]
        return single if single.requires_grad else None

    def regularization_losses(self) -> list[torch.Tensor]:
        """``embeddings_regularizer`` on the learning rows and the last activity loss (Keras'
        ``layer.losses``; like Keras, fixed weights are not regularized)."""
        losses = []
        param = self._learning_param()
        if self.embeddings_regularizer is not None and param is not None:
            losses.append(self.embeddings_regularizer(param))
        if self.activity_regularizer is not None and self._activity_loss is not None:
            losses.append(self._activity_loss)
        return losses

    @torch.no_grad()
    def apply_constraints(self) -> None:
        """Project the learning rows with ``embeddings_constraint``, in place; frozen rows stay.

        With ``sparse=True`` only the rows in the current sparse gradient are projected after
        the first call (the other rows have not moved since), so the cost follows the batch.
        """
        param = self._learning_param()
        if self.embeddings_constraint is None or param is None:
            return
        grad = param.grad
        if self._constrained and grad is not None and grad.is_sparse:
            rows = grad.coalesce().indices()[0]
            param[rows] = self.embeddings_constraint(param[rows]).to(param.dtype)
        else:
            param.copy_(self.embeddings_constraint(param))
        self._constrained = True

    # ----------------------------------------------------------------- state_dict and Keras I/O
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        single = self._parameters.get("weight")
        if single is not None:
            destination[prefix + "weight"] = single if keep_vars else single.detach()
            return
        destination[prefix + "weight"] = self._full_table().detach()
        destination[prefix + "trainable_rows"] = self.trainable_rows

    def _load_from_state_dict(
        self,
        state_dict: dict,
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list,
        unexpected_keys: list,
        error_msgs: list,
    ) -> None:
        key, rows_key = prefix + "weight", prefix + "trainable_rows"
        if strict:
            unexpected_keys.extend(
                k for k in state_dict if k.startswith(prefix) and k not in (key, rows_key)
            )
        if key not in state_dict:
            missing_keys.append(key)
            return
        table = state_dict[key]
        shape = (self.num_embeddings, self.embedding_dim)
        if tuple(table.shape) != shape:
            error_msgs.append(
                f"size mismatch for {key}: copying a param with shape {tuple(table.shape)} from "
                f"checkpoint, the shape in current model is {shape}."
            )
            return
        rows = state_dict.get(rows_key)
        if rows is None:
            rows = self.trainable_rows  # a plain torch.nn.Embedding state_dict: keep the frozen set
        elif rows.dtype != torch.bool or tuple(rows.shape) != (self.num_embeddings,):
            error_msgs.append(f"{rows_key} must be a bool tensor of shape ({self.num_embeddings},).")
            return
        like = self._learning_param()
        like = like if like is not None else self._parameters.get("weight", self._buffers.get("weight_frozen"))
        self._set_table(table.to(dtype=like.dtype, device=like.device), rows)
        self._constrained = False

    def get_weights(self) -> list[np.ndarray]:
        """Return ``[table]`` as numpy (Keras' ``get_weights``)."""
        return [self.weight.detach().cpu().numpy()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the table with Keras' ``[matrix]``, keeping the frozen set."""
        shape = (self.num_embeddings, self.embedding_dim)
        like = self.weight
        matrix = _weights_matrix(weights, shape, self.mask_zero).to(dtype=like.dtype, device=like.device)
        self._set_table(matrix, self.trainable_rows)

    def extra_repr(self) -> str:
        parts = [f"{self.num_embeddings}, {self.embedding_dim}"]
        if self.mask_zero:
            parts.append("mask_zero=True")
        if self.input_length is not None:
            parts.append(f"input_length={self.input_length}")
        if self.padding_idx is not None:
            parts.append(f"padding_idx={self.padding_idx}")
        if self.max_norm is not None:
            parts.append(f"max_norm={self.max_norm}")
        if self.sparse:
            parts.append("sparse=True")
        learning = int(self.trainable_rows.sum())
        if learning < self.num_embeddings:
            parts.append(f"trainable_rows={learning}/{self.num_embeddings}")
        return ", ".join(parts)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: Any = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        *,
        mask_zero: bool = False,
    ) -> Embedding:
        """Build the layer from a ``(vocab, dim)`` matrix (PyTorch's ``from_pretrained``).

        As in PyTorch, the layer shares the matrix's memory when every row learns or none does
        (a float tensor on the same device); the constructor's ``weights=`` copies, as in Keras.

        Args:
            embeddings: the table (tensor or array); its dtype and device are kept.
            freeze: True (default, as in PyTorch) keeps the whole table fixed, False lets it
                learn, and a bool array of length vocab keeps the rows marked True fixed.
            padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse: as in the constructor.
            mask_zero: Keras' masking of id 0.

        Example:
            >>> import torch
            >>> layer = Embedding.from_pretrained(torch.eye(3))
            >>> layer(torch.tensor([2])), layer.weight.requires_grad
            (tensor([[0., 0., 1.]]), False)
        """
        matrix = embeddings if torch.is_tensor(embeddings) else torch.as_tensor(np.asarray(embeddings))
        if matrix.dim() != 2:
            raise ValueError(
                f"`embeddings` must be a 2-D (vocab, dim) matrix; got shape {tuple(matrix.shape)}."
            )
        if isinstance(freeze, (bool, np.bool_)):
            trainable: Any = not freeze
        else:
            trainable = ~_row_mask(freeze, matrix.shape[0], "freeze", "True = the row stays fixed")
        return cls(
            matrix.shape[0],
            matrix.shape[1],
            embeddings_initializer=_SharedTable(matrix),
            mask_zero=mask_zero,
            trainable=trainable,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            dtype=matrix.dtype if matrix.is_floating_point() else None,
            device=matrix.device,
        )

    @classmethod
    def from_vectors(
        cls,
        vectors: Any,
        tokenizer: Any,
        *,
        freeze: Any = "pretrained",
        num_words: int | None = None,
        fallbacks: Sequence[str] = ("exact", "lower", "title", "upper"),
        oov_init: Any = "random",
        seed: int = 0,
        mask_zero: bool = True,
        sparse: bool = False,
    ) -> Embedding:
        """Build the layer for a tokenizer's vocabulary from pretrained vectors, in one call.

        Aligns ``tokenizer.word_index`` (or a ``word_index`` dict) with ``vectors`` through
        :func:`vectab.vectors.align.build_embedding_matrix` and keeps its
        :class:`~vectab.vectors.align.CoverageReport` on ``layer.coverage``.

        Args:
            vectors: a :class:`vectab.vectors.Vectors`.
            tokenizer: a fitted ``vectab.text.Tokenizer`` (or Keras') or a ``word_index`` dict.
            freeze: ``"pretrained"`` (rows found in ``vectors`` stay fixed, the others learn),
                ``True`` (the whole table is fixed) or ``False`` (every row learns).
            num_words, fallbacks, oov_init, seed: passed to ``build_embedding_matrix``.
            mask_zero: id 0 is padding (Keras' ``mask_zero``).
            sparse: sparse gradients.
        """
        if not (isinstance(freeze, (bool, np.bool_)) or freeze == "pretrained"):
            raise ValueError(f"`freeze` must be 'pretrained', True or False; got {freeze!r}.")
        word_index = tokenizer if isinstance(tokenizer, dict) else getattr(tokenizer, "word_index", None)
        if not isinstance(word_index, dict):
            raise TypeError(
                "`tokenizer` must be a fitted Tokenizer (with .word_index) or a word_index dict; "
                f"got {type(tokenizer).__name__}."
            )
        from vectab.vectors.align import build_embedding_matrix

        if num_words is None and not isinstance(tokenizer, dict):
            num_words = getattr(tokenizer, "num_words", None)
        matrix, report = build_embedding_matrix(
            word_index, vectors, num_words=num_words, fallbacks=tuple(fallbacks),
            oov_init=oov_init, seed=seed,
        )
        matrix = torch.as_tensor(np.asarray(matrix))
        if freeze == "pretrained":
            trainable: Any = ~torch.as_tensor(np.asarray(report.pretrained_mask, dtype=bool))
        else:
            trainable = not freeze
        layer = cls(
            matrix.shape[0], matrix.shape[1], mask_zero=mask_zero, weights=[matrix],
            trainable=trainable, sparse=sparse,
        )
        layer.coverage = report
        return layer
