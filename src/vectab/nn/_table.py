"""The storage behind :class:`vectab.nn.Embedding`: one table whose rows can be frozen.

When every row learns, or none does, the table is one ``nn.Parameter`` named ``weight`` (the
layout, state_dict and speed of ``torch.nn.Embedding``). When only some rows learn, the learning
rows live in the parameter ``weight_trainable`` ``(n_trainable, dim)`` and the fixed rows in the
buffer ``weight_frozen`` ``(n_frozen, dim)``, with an id -> slot map ``_slot`` (``slot >= 0``:
row of ``weight_trainable``; ``slot < 0``: row ``-1 - slot`` of ``weight_frozen``). A frozen row is
not a parameter, so no optimizer (momentum, Adam moments, weight decay) can move it.

Changing the frozen set replaces ``weight_trainable``: pass the optimizer to ``freeze_rows`` /
``unfreeze_rows`` and it is updated in place (the parameter swapped, per-row state carried over),
or build a new optimizer afterwards.

The state_dict holds ``weight`` (the full table) and, when only some rows learn,
``trainable_rows`` (bool per row); loading restores both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from vectab.nn.functional import check_ids

__all__ = ["PartlyFrozenTable"]


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



def _carry_optimizer_state(
    optimizer: torch.optim.Optimizer,
    old: nn.Parameter,
    old_rows: torch.Tensor,
    new: nn.Parameter,
    new_rows: torch.Tensor,
) -> None:
    """Swap ``old`` for ``new`` in ``optimizer`` and move the per-row state of kept rows."""
    for group in optimizer.param_groups:
        position = next((i for i, p in enumerate(group["params"]) if p is old), None)
        if position is not None:
            group["params"][position] = new
            break
    else:
        optimizer.add_param_group({"params": [new]})
    state = optimizer.state.pop(old, None)
    if not state:
        return
    device = new.device
    old_slot = (old_rows.long().cumsum(0) - 1).masked_fill(~old_rows, -1)
    source = old_slot[new_rows].to(device)  # old row of each new row, -1 for newly learning
    kept = source >= 0
    moved = {}
    for key, value in state.items():
        if torch.is_tensor(value) and value.dim() >= 1 and value.shape == old.shape:
            rows = value.new_zeros((len(source), *value.shape[1:]))
            rows[kept] = value[source[kept]]
            value = rows
        moved[key] = value
    optimizer.state[new] = moved


class PartlyFrozenTable(nn.Module):
    """A ``(num_embeddings, embedding_dim)`` table with per-row freezing (base of ``Embedding``).

    Subclasses set ``num_embeddings``, ``embedding_dim``, ``padding_idx`` and ``mask_zero``
    and call :meth:`_set_table` once.
    """

    num_embeddings: int
    embedding_dim: int
    padding_idx: int | None
    mask_zero: bool
    _constrained: bool = False

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
        """True when at least one row learns (Keras' ``layer.trainable``).

        Settable to True, False or a bool array of length ``input_dim``; when that changes which
        parameter holds the learning rows, build the optimizer afterwards.
        """
        return bool(self.trainable_rows.any())

    @trainable.setter
    def trainable(self, value: Any) -> None:
        self._set_table(self.weight, _row_mask(value, self.num_embeddings))

    def freeze_rows(self, ids: Any, *, optimizer: torch.optim.Optimizer | None = None) -> None:
        """Keep rows ``ids`` fixed from now on.

        Args:
            ids: row ids (an int, a list, an array or a tensor of any shape).
            optimizer: the optimizer training this layer, updated in place: the replaced
                parameter is swapped and the per-row state (momentum, Adam moments) of rows that
                keep learning is carried over. Without it, build a new optimizer afterwards.

        Example:
            >>> from vectab.nn import Embedding
            >>> layer = Embedding(10, 4)
            >>> layer.freeze_rows([1, 2, 3])
            >>> int(layer.trainable_rows.sum()), tuple(layer.weight_trainable.shape)
            (7, (7, 4))
        """
        self._change_rows(ids, False, optimizer)

    def unfreeze_rows(self, ids: Any, *, optimizer: torch.optim.Optimizer | None = None) -> None:
        """Let rows ``ids`` learn from now on (their optimizer state starts at zero).

        Args:
            ids: row ids.
            optimizer: updated in place as in :meth:`freeze_rows`; otherwise build a new one.
        """
        self._change_rows(ids, True, optimizer)

    def _change_rows(self, ids: Any, learn: bool, optimizer: Any) -> None:
        if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"`optimizer` must be a torch.optim.Optimizer or None; got {type(optimizer).__name__}."
            )
        if isinstance(ids, (int, np.integer)):
            ids = [ids]
        index = check_ids(ids, self.num_embeddings).reshape(-1).long().cpu()
        old_rows = self.trainable_rows
        if bool((old_rows[index] == learn).all()):
            return
        rows = old_rows.clone()
        rows[index] = learn
        old = self._table_param()
        self._set_table(self.weight, rows)
        new = self._table_param()
        if optimizer is None:
            return
        if new is not old:
            _carry_optimizer_state(optimizer, old, old_rows, new, rows)
        elif new.requires_grad and all(p is not new for g in optimizer.param_groups for p in g["params"]):
            optimizer.add_param_group({"params": [new]})

    def _table_param(self) -> nn.Parameter:
        single = self._parameters.get("weight")
        return single if single is not None else self._parameters["weight_trainable"]

    def _learning_param(self) -> torch.Tensor | None:
        single = self._parameters.get("weight")
        if single is None:
            return self._parameters["weight_trainable"]
        return single if single.requires_grad else None

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

