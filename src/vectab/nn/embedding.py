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
SparseAdam) can move it, and it stays bit-identical. ``layer.weight`` is then one kept
full-table tensor that every torch write idiom lands in (``layer.weight[i] = v`` under
``no_grad``, ``.data.copy_(m)``, ``torch.nn.init.*_``, ``layer.weight = nn.Parameter(m)``,
``requires_grad_(False)``); see :mod:`vectab.nn._table`. ``freeze_rows`` / ``unfreeze_rows`` rebuild
the split: pass them the optimizer (``layer.freeze_rows(ids, optimizer=opt)``) to update it in
place, or build a new optimizer afterwards. The state_dict always holds ``weight`` (the full table),
plus ``trainable_rows`` (bool per row) when only some rows learn; loading it restores both. The
storage lives in :mod:`vectab.nn._table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F

from vectab._checks import check_bool, check_float, check_int, shown
from vectab.nn import constraints as _constraints
from vectab.nn import initializers as _initializers
from vectab.nn import regularizers as _regularizers
from vectab.nn._table import (
    NonFiniteError,
    PartlyFrozenTable,
    _row_mask,
    _weights_matrix,
    check_finite,
)
from vectab.nn.functional import check_ids, renorm_rows, split_embedding

__all__ = ["Embedding", "VectorSource"]


def _float_dtype(dtype: Any) -> torch.dtype:
    """None, a floating torch dtype or its name (Keras style ``"float32"``) -> torch dtype."""
    if dtype is None:
        return torch.get_default_dtype()
    resolved = getattr(torch, dtype, None) if isinstance(dtype, str) else dtype
    if isinstance(resolved, torch.dtype) and resolved.is_floating_point:
        return resolved
    raise TypeError(
        f"`dtype` must be None, a floating torch dtype or its name ('float32', 'float16', "
        f"'bfloat16', 'float64'); got {dtype!r}."
    )


class _SharedTable(_initializers.Initializer):
    """``from_pretrained``'s table, used as is (PyTorch shares the tensor's memory)."""

    def __init__(self, values: torch.Tensor):
        self.values: torch.Tensor | None = values

    def __call__(self, shape: Any, dtype: torch.dtype | None = None, device: Any = None):
        values, self.values = self.values, None  # used once; do not keep the matrix alive
        return values.detach().to(dtype=dtype, device=device)

    def __repr__(self) -> str:
        return "pretrained"


class VectorSource(Protocol):
    """What :meth:`Embedding.from_vectors` needs from pretrained vectors (``Vectors`` has it).

    ``embedding_matrix`` returns the float table ``(rows, dim)`` for ``word_index`` (row 0 the
    padding row), the bool mask ``(rows,)`` of the rows found in the vectors, and a report kept
    as ``layer.coverage``. The layer asks for it, so ``nn`` imports nothing from ``vectors``.
    """

    def embedding_matrix(
        self,
        word_index: Any,
        *,
        num_words: int | None = ...,
        fallbacks: Sequence[str] | None = ...,
        oov_init: Any = ...,
        seed: int = ...,
    ) -> tuple[Any, Any, Any]: ...


class Embedding(PartlyFrozenTable):
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
            copied into the table and cast to ``dtype``. NaN or inf is a ``ValueError``.
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
        dtype: table dtype or its Keras name (``"float32"``; default: torch's default dtype).
        device: table device.
        name: Keras' layer name, kept as ``layer.name`` (not used by PyTorch).

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
        dtype: torch.dtype | str | None = None,
        device: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__()
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a str or None; got {type(name).__name__} {name!r}.")
        self.name = name
        check_int(input_dim, "input_dim")
        check_int(output_dim, "output_dim")
        self.num_embeddings, self.embedding_dim = int(input_dim), int(output_dim)
        self.padding_idx = self._check_padding_idx(padding_idx)
        check_bool(mask_zero, "mask_zero")
        self.mask_zero = bool(mask_zero)
        check_int(input_length, "input_length", allow_none=True)
        self.input_length = None if input_length is None else int(input_length)
        check_float(max_norm, "max_norm", minimum=0, min_open=True, allow_none=True)
        check_float(norm_type, "norm_type", minimum=0, min_open=True)
        check_bool(scale_grad_by_freq, "scale_grad_by_freq")
        check_bool(sparse, "sparse")
        self.max_norm = None if max_norm is None else float(max_norm)
        self.norm_type = float(norm_type)
        self.scale_grad_by_freq = bool(scale_grad_by_freq)
        self.sparse = bool(sparse)
        self.embeddings_initializer = _initializers.get(embeddings_initializer)
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer)
        self.activity_regularizer = _regularizers.get(
            activity_regularizer, arg="activity_regularizer"
        )
        self.embeddings_constraint = _constraints.get(embeddings_constraint)
        if self.sparse and self.embeddings_regularizer is not None:
            raise ValueError(
                "`embeddings_regularizer` needs a dense gradient over the whole table, which "
                "sparse=True cannot hold; use sparse=False, or an activity_regularizer."
            )
        rows = _row_mask(trainable, self.num_embeddings)
        shape = (self.num_embeddings, self.embedding_dim)
        dtype = _float_dtype(dtype)
        if weights is not None:
            table = _weights_matrix(weights, shape, self.mask_zero).to(dtype=dtype, device=device)
            table = table.clone()
        else:
            table = _initializers.initialize(
                self.embeddings_initializer, shape, dtype=dtype, device=device
            )
            shared = isinstance(self.embeddings_initializer, _SharedTable)
            if not shared:  # from_pretrained checks its matrix itself
                check_finite(table, "embeddings_initializer")
            if self.padding_idx is not None and not shared:
                table[self.padding_idx] = 0
        self._activity_loss: torch.Tensor | None = None
        self._constrained = False
        self._set_table(table, rows, copy=False)

    def _check_padding_idx(self, padding_idx: int | None) -> int | None:
        if padding_idx is None:
            return None
        n = self.num_embeddings
        check_int(padding_idx, "padding_idx", minimum=-n, maximum=n - 1, fix=(
            " Negative counts from the end, as in torch.nn.Embedding."
        ))
        return int(padding_idx) % n

    # ----------------------------------------------------------------- the lookup
    def forward(self, ids: Any) -> torch.Tensor:
        """Look up the vectors of ``ids`` (any integer shape ``(*)``) -> ``(*, output_dim)``."""
        ids = check_ids(ids, self.num_embeddings, input_length=self.input_length)
        if self.__dict__.get("_view") is not None:
            self._sync()  # writes made through layer.weight reach the lookup
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

    @property
    def embeddings(self) -> torch.Tensor:
        """The full current table, under Keras' name (same as ``weight``)."""
        return self.weight

    # ----------------------------------------------------------------- losses and constraints
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
            embeddings: the table (tensor or array); its dtype and device are kept; NaN or
                inf is a ``ValueError``.
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
        matrix = (
            embeddings if torch.is_tensor(embeddings) else torch.as_tensor(np.asarray(embeddings))
        )
        if matrix.dim() != 2:
            raise ValueError(
                f"`embeddings` must be a 2-D (vocab, dim) matrix; got shape {tuple(matrix.shape)}."
            )
        check_finite(matrix, "embeddings")
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
        vectors: VectorSource,
        tokenizer: Any,
        *,
        freeze: bool | str = "pretrained",
        num_words: int | None = None,
        fallbacks: Sequence[str] | None = None,
        oov_init: Any = "random",
        seed: int = 0,
        mask_zero: bool = True,
        sparse: bool = False,
    ) -> Embedding:
        """Build the layer for a tokenizer's vocabulary from pretrained vectors, in one call.

        The table comes from ``vectors.embedding_matrix(tokenizer, ...)`` (the
        :class:`VectorSource` protocol; :class:`vectab.vectors.Vectors` aligns the vocabulary
        with :func:`~vectab.vectors.align.build_embedding_matrix`), and its
        :class:`~vectab.vectors.align.CoverageReport` is kept on ``layer.coverage``.

        Args:
            vectors: a :class:`vectab.vectors.Vectors` (or any :class:`VectorSource`).
            tokenizer: a fitted ``vectab.text.Tokenizer`` (or Keras') or a ``word_index`` dict.
            freeze: ``"pretrained"`` (rows found in ``vectors``, and the padding row with
                ``mask_zero``, stay fixed; the others learn), ``True`` (the whole table is
                fixed) or ``False`` (every row learns).
            num_words: keep ids below it (default: the tokenizer's ``num_words``).
            fallbacks: lookup order for a word (default ``exact, lower, title, upper``).
            oov_init: ``"random"``, ``"zeros"``, ``"mean"`` or a callable, for missing rows.
            seed: seed of the random rows.
            mask_zero: id 0 is padding (Keras' ``mask_zero``).
            sparse: sparse gradients.
        """
        rule = "`freeze` must be 'pretrained', True or False"
        if not isinstance(freeze, (bool, np.bool_, str)):
            raise TypeError(f"{rule}, got {type(freeze).__name__}: {shown(freeze)}.")
        if not isinstance(freeze, (bool, np.bool_)) and freeze != "pretrained":
            raise ValueError(f"{rule}, got {freeze!r}.")
        word_index = tokenizer
        if not isinstance(tokenizer, dict):
            word_index = getattr(tokenizer, "word_index", None)
        if not isinstance(word_index, dict):
            raise TypeError(
                "`tokenizer` must be a fitted Tokenizer (with .word_index) or a word_index dict; "
                f"got {type(tokenizer).__name__}."
            )
        embedding_matrix = getattr(vectors, "embedding_matrix", None)
        if not callable(embedding_matrix):
            raise TypeError(
                "`vectors` must be a vectab.vectors.Vectors (or have embedding_matrix(word_index, "
                f"...) -> (matrix, found, report)); got {type(vectors).__name__}. Wrap other "
                "vectors as Vectors(words, matrix)."
            )
        matrix, found, report = embedding_matrix(
            tokenizer, num_words=num_words, fallbacks=fallbacks, oov_init=oov_init, seed=seed
        )
        if freeze == "pretrained":
            trainable: Any = ~np.asarray(found, dtype=bool)
            if mask_zero:
                trainable[0] = False
        else:
            trainable = not freeze
        try:
            layer = cls(
                matrix.shape[0], matrix.shape[1], mask_zero=mask_zero, weights=[matrix],
                trainable=trainable, sparse=sparse,
            )
        except NonFiniteError as err:
            word = next((w for w, i in word_index.items() if i == err.row), None)
            raise ValueError(
                f"`vectors` must hold finite numbers: the vector of {word!r} (id {err.row}) has "
                f"{err.value} at column {err.column}. Replace or drop the words whose vectors "
                "hold NaN or inf before building the layer (vectab's vector readers refuse "
                "such files)."
            ) from None
        layer.coverage = report
        return layer
