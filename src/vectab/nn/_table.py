"""The storage behind :class:`vectab.nn.Embedding`: one table whose rows can be frozen.

When every row learns, or none does, the table is one ``nn.Parameter`` named ``weight`` (the
layout, state_dict and speed of ``torch.nn.Embedding``). When only some rows learn, the learning
rows live in the parameter ``weight_trainable`` ``(n_trainable, dim)`` and the fixed rows in the
buffer ``weight_frozen`` ``(n_frozen, dim)``, with an id -> slot map ``_slot`` (``slot >= 0``:
row of ``weight_trainable``; ``slot < 0``: row ``-1 - slot`` of ``weight_frozen``). A frozen row is
not a parameter, so no optimizer (momentum, Adam moments, weight decay) can move it.

``layer.weight`` is then a kept full table in id order (:class:`_TableView`, made on first
read; it costs one table of memory from then on) that takes every write idiom a
``torch.nn.Embedding`` user has: in-place ops under ``no_grad``, ``torch.nn.init.*_``,
``.data[...] =``, ``.data.copy_``, ``.data = m``, ``layer.weight = nn.Parameter(m)``; writes
are pushed into the two storages before the next lookup, and ``requires_grad_(False)`` freezes
every row. A write through a reference taken before an optimizer step raises instead of
guessing which of the two to keep.

Changing the frozen set replaces ``weight_trainable``: pass the optimizer to ``freeze_rows`` /
``unfreeze_rows`` and it is updated in place (the parameter swapped, per-row state carried over),
or build a new optimizer afterwards.

The state_dict holds ``weight`` (the full table) and, when only some rows learn,
``trainable_rows`` (bool per row); loading restores both. Tables holding NaN or inf are refused
(``weights=``, ``set_weights``, ``load_state_dict``; the layer checks its constructors too).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from vectab.nn.functional import check_ids

__all__ = ["PartlyFrozenTable", "check_finite"]


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
    check_finite(matrix, "weights")
    return matrix


class NonFiniteError(ValueError):
    """A table holds NaN or inf; ``row`` is the first bad row, ``column`` its first bad entry."""

    def __init__(self, message: str, row: int, column: int, value: float):
        super().__init__(message)
        self.row, self.column, self.value = row, column, value


def check_finite(matrix: torch.Tensor, arg: str) -> None:
    """Raise ``ValueError`` naming ``arg``, the first row holding NaN or inf, and the fix.

    Costs one row-sum pass (float64 accumulation; an overflowing sum falls back to the exact
    elementwise test), so a finite table is checked without a full-size temporary.
    """
    if not matrix.is_floating_point() or matrix.numel() == 0:
        return
    sums = matrix.detach().reshape(matrix.shape[0], -1).sum(dim=1, dtype=torch.float64)
    if bool(torch.isfinite(sums).all()):
        return
    finite = torch.isfinite(matrix.detach()).reshape(matrix.shape[0], -1)
    bad = (~finite.all(dim=1)).nonzero().squeeze(1)
    if not len(bad):
        return  # finite values whose sum overflowed
    row = int(bad[0])
    column = int((~finite[row]).nonzero()[0])
    value = float(matrix[row].reshape(-1)[column])
    raise NonFiniteError(
        f"`{arg}` must hold finite numbers: row {row} has {value} at column {column} "
        f"({len(bad)} of {matrix.shape[0]} rows hold NaN or inf). Replace them before building "
        "the layer (e.g. matrix[~np.isfinite(matrix).all(axis=1)] = 0) or drop those words; "
        "vectab's vector readers refuse such files.",
        row, column, value,
    )


def _row_mask(
    trainable: Any,
    num_embeddings: int,
    arg: str = "trainable",
    meaning: str = "True = the row learns",
) -> torch.Tensor:
    """``trainable`` (bool or bool array of length input_dim) -> BoolTensor (input_dim,)."""
    if isinstance(trainable, (bool, np.bool_)):
        return torch.full((num_embeddings,), bool(trainable), dtype=torch.bool)
    if isinstance(trainable, (torch.Tensor, np.ndarray, list, tuple)):
        mask = torch.as_tensor(
            np.asarray(trainable) if not torch.is_tensor(trainable) else trainable
        )
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


class _TableView(torch.Tensor):
    """What ``layer.weight`` is when only some rows learn: the full table in one storage.

    A leaf tensor in id order, like ``torch.nn.Embedding.weight``, that every write idiom lands
    in: in-place ops under ``no_grad``, ``torch.nn.init.*_``, ``.data[...] =``, ``.data.copy_``
    and ``.data = m`` (copied in; the shape is fixed). The layer pushes the writes into its
    learning and frozen storages before it next reads them. ``.data`` shares the version
    counter (unlike a plain tensor's), so writes through it are seen. A gradient that reaches
    it (a tied output projection) is handed to the learning rows.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    @property
    def data(self) -> torch.Tensor:  # type: ignore[override]
        return torch.Tensor.detach(self)

    @data.setter
    def data(self, value: Any) -> None:
        shape = tuple(self.shape)
        if not torch.is_tensor(value) or tuple(value.shape) != shape:
            found = (
                f"shape {tuple(value.shape)}" if torch.is_tensor(value) else type(value).__name__
            )
            raise ValueError(
                f"`layer.weight.data = m` needs a tensor of the table's shape {shape} "
                f"(input_dim, output_dim); got {found}. Build a new layer for another size "
                "(Embedding.from_pretrained(m, freeze=...))."
            )
        with torch.no_grad():
            torch.Tensor.copy_(self, value)

    def __repr__(self) -> str:  # type: ignore[override]
        return "Table containing:\n" + repr(torch.Tensor.detach(self))

    def __reduce_ex__(self, protocol: Any) -> Any:  # saved as a plain tensor
        return torch.Tensor.detach(self).clone().__reduce_ex__(protocol)

    def __deepcopy__(self, memo: dict) -> torch.Tensor:
        return torch.Tensor.detach(self).clone().requires_grad_(self.requires_grad)


def _route_view_grad(module_ref: Any) -> Any:
    """Hook on the table view: its gradient (learning rows) goes to ``weight_trainable``."""

    def hook(view: torch.Tensor) -> None:
        grad, view.grad = view.grad, None
        module = module_ref()
        if grad is None or module is None or module.__dict__.get("_view") is not view:
            return
        trainable = module._parameters.get("weight_trainable")
        if trainable is None:
            return
        rows = grad.index_select(0, module._buffers["_learning_ids"]).to(trainable.dtype)
        if module.sparse:
            rows = rows.to_sparse(1)
        trainable.grad = rows if trainable.grad is None else trainable.grad + rows

    return hook


_CONFLICT = (
    "`layer.weight` was written through a tensor taken before the learning rows last changed "
    "(an optimizer step or another update came in between), so the write and the update "
    "overlap and neither can be kept safely; the write was discarded. Take `layer.weight` "
    "again after optimizer.step() and write then (e.g. `with torch.no_grad(): "
    "layer.weight.copy_(m)`), or call layer.set_weights([m])."
)


class PartlyFrozenTable(nn.Module):
    """A ``(num_embeddings, embedding_dim)`` table with per-row freezing (base of ``Embedding``).

    Subclasses set ``num_embeddings``, ``embedding_dim``, ``padding_idx``, ``mask_zero`` and
    ``sparse`` and call :meth:`_set_table` once.

    When only some rows learn, ``layer.weight`` is a :class:`_TableView` made on first use and
    kept: writes to it are found by its version counter and copied into ``weight_trainable``
    and ``weight_frozen`` before the next lookup (:meth:`_sync`); optimizer updates are copied
    into it when it is next read. The lookup itself never reads it, so a layer whose
    ``weight`` is never read costs nothing extra.
    """

    num_embeddings: int
    embedding_dim: int
    padding_idx: int | None
    mask_zero: bool
    sparse: bool = False
    _constrained: bool = False
    weight: torch.Tensor  # the Parameter or the table view; declared for type checkers

    def _set_table(self, table: torch.Tensor, rows: torch.Tensor, *, copy: bool = True) -> None:
        """Store ``table`` with learning rows ``rows`` (bool, input_dim), as one or two tensors.

        When the layout does not change, the values are copied into the existing tensors, so
        an optimizer built earlier keeps working. Writes through ``layer.weight`` not yet
        pushed are superseded by ``table``.
        """
        table = table.detach()
        rows = rows.to(torch.bool).cpu()
        n_learning = int(rows.sum())
        single = self._parameters.get("weight")
        view = self.__dict__.get("_view")
        with torch.no_grad():
            if single is not None and n_learning in (0, self.num_embeddings):
                single.copy_(table)
                single.requires_grad_(n_learning > 0)
                return
            if "weight_trainable" in self._parameters and torch.equal(rows, self._rows()):
                self._parameters["weight_trainable"].copy_(table[self._buffers["_learning_ids"]])
                self._buffers["weight_frozen"].copy_(table[self._buffers["_frozen_ids"]])
                if view is not None:
                    if view.data_ptr() != table.data_ptr():
                        torch.Tensor.copy_(view, table)
                    self._record_view(view)
                return
        self.__dict__.pop("_view", None)
        self.__dict__.pop("_view_seen", None)
        for name in ("weight", "weight_trainable"):
            self._parameters.pop(name, None)
        for name in ("weight_frozen", "_slot", "_learning_ids", "_frozen_ids"):
            self._buffers.pop(name, None)
        self._padding_slot = None
        if n_learning in (0, self.num_embeddings):
            if view is not None and view.shape == table.shape and view.dtype == table.dtype:
                # the new Parameter shares the view's storage: a kept
                # `w = layer.weight` still writes
                with torch.no_grad():
                    if view.data_ptr() != table.data_ptr():
                        torch.Tensor.copy_(view, table)
                table, copy = torch.Tensor.detach(view), False
            self._parameters["weight"] = nn.Parameter(
                table.clone() if copy else table, requires_grad=n_learning > 0
            )
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
        if view is not None and (view.shape, view.dtype, view.device) == (
            table.shape, table.dtype, table.device
        ):
            with torch.no_grad():
                if view.data_ptr() != table.data_ptr():
                    torch.Tensor.copy_(view, table)
            self.__dict__["_view"] = view  # a kept `w = layer.weight` stays the table
            self._record_view(view)

    # ----------------------------------------------------------------- the table view
    def _assemble(self) -> torch.Tensor:
        """A fresh full table (no autograd) from the learning and frozen storages."""
        frozen = self._buffers["weight_frozen"]
        with torch.no_grad():
            table = frozen.new_empty((self.num_embeddings, self.embedding_dim))
            table.index_copy_(0, self._buffers["_frozen_ids"], frozen)
            table.index_copy_(
                0, self._buffers["_learning_ids"], self._parameters["weight_trainable"].detach()
            )
        return table

    def _record_view(self, view: torch.Tensor) -> None:
        trainable = self._parameters["weight_trainable"]
        frozen = self._buffers["weight_frozen"]
        self.__dict__["_view_seen"] = (
            view._version, trainable, trainable._version, frozen, frozen._version
        )

    def _table_view(self) -> torch.Tensor:
        view = self.__dict__.get("_view")
        if view is None:
            with torch.inference_mode(False):  # kept: must stay writable outside inference
                view = _TableView._make_subclass(_TableView, self._assemble(), True)
            view.register_post_accumulate_grad_hook(_route_view_grad(weakref.ref(self)))
            self.__dict__["_view"] = view
            self._record_view(view)
            return view
        self._sync(refresh=True)
        if "weight_trainable" not in self._parameters:  # requires_grad_(False) froze the table
            return self._parameters["weight"]
        return view

    def _sync(self, refresh: bool = False) -> None:
        """Push writes made through ``layer.weight`` into the storages (and, with ``refresh``,
        bring the view up to date with optimizer updates); honour ``requires_grad_(False)``."""
        view = self.__dict__.get("_view")
        if view is None:
            return
        trainable = self._parameters["weight_trainable"]
        frozen = self._buffers["weight_frozen"]
        seen_view, seen_t, seen_t_version, seen_f, seen_f_version = self.__dict__["_view_seen"]
        written = view._version != seen_view
        moved = trainable is not seen_t or trainable._version != seen_t_version
        frozen_moved = frozen is not seen_f or frozen._version != seen_f_version
        with torch.no_grad():
            if written and moved:
                torch.Tensor.copy_(view, self._assemble())
                self._record_view(view)
                raise RuntimeError(_CONFLICT)
            if written:
                trainable.copy_(view.index_select(0, self._buffers["_learning_ids"]))
                frozen.copy_(view.index_select(0, self._buffers["_frozen_ids"]))
                self._record_view(view)
                self._constrained = False
            elif refresh:
                # copied when the version says so, or when the values differ (an optimizer
                # writing through p.data leaves the version alone); no write otherwise, so a
                # view saved for backward (a tied projection) is not modified
                for ids, rows, changed in (
                    (self._buffers["_learning_ids"], trainable.detach(), moved),
                    (self._buffers["_frozen_ids"], frozen, frozen_moved),
                ):
                    if changed or not torch.equal(view.index_select(0, ids), rows):
                        view.index_copy_(0, ids, rows)
                self._record_view(view)
        if not view.requires_grad:  # layer.weight.requires_grad_(False): freeze every row
            self._set_table(
                torch.Tensor.detach(view),
                torch.zeros(self.num_embeddings, dtype=torch.bool),
                copy=False,
            )

    def _full_table(self, *, fresh: bool = False) -> torch.Tensor:
        """The current full table without autograd, after pending writes are pushed; built
        from the storages themselves (an alias of the single Parameter unless ``fresh``)."""
        self._sync()
        single = self._parameters.get("weight")
        if single is not None:
            return single.detach().clone() if fresh else single.detach()
        return self._assemble()

    def __getattr__(self, name: str) -> Any:
        if name == "weight" and "weight_trainable" in self.__dict__.get("_parameters", {}):
            return self._table_view()
        return super().__getattr__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if name == "weight" and params is not None and (
            "weight" in params or "weight_trainable" in params
        ):
            self._assign_weight(value)
            return
        super().__setattr__(name, value)

    def _assign_weight(self, value: Any) -> None:
        """``layer.weight = nn.Parameter(m)``: torch's meaning when every row learns or none
        does (``m`` becomes the table; its ``requires_grad`` decides); with some rows frozen the
        values are copied in and the frozen set is kept (``requires_grad=False`` freezes all)."""
        shape = (self.num_embeddings, self.embedding_dim)
        if not isinstance(value, nn.Parameter):
            raise TypeError(
                f"`layer.weight = ...` takes an nn.Parameter of shape {shape}, as in "
                f"torch.nn.Embedding; got {type(value).__name__}. To write values into the "
                "table use `with torch.no_grad(): layer.weight.copy_(m)` or "
                "layer.set_weights([m])."
            )
        if tuple(value.shape) != shape or not value.is_floating_point():
            raise ValueError(
                f"`layer.weight = nn.Parameter(m)` needs a floating matrix of shape {shape} "
                f"(input_dim, output_dim); got shape {tuple(value.shape)}, dtype {value.dtype}. "
                "Build a new layer for another size: Embedding.from_pretrained(m, freeze=...)."
            )
        self._constrained = False
        if "weight" in self._parameters:
            self._parameters["weight"] = value
            return
        self._sync()
        like = self._parameters["weight_trainable"]
        if value.requires_grad:
            self._set_table(
                value.detach().to(dtype=like.dtype, device=like.device), self.trainable_rows
            )
            return
        self._set_table(
            value.detach(), torch.zeros(self.num_embeddings, dtype=torch.bool), copy=False
        )
        self._parameters["weight"] = value

    def _apply(self, fn: Any, recurse: bool = True) -> Any:
        view = self.__dict__.get("_view")
        if view is not None:
            self._sync()
        result = super()._apply(fn, recurse)
        if view is not None and "weight_trainable" in self._parameters:
            torch._C.TensorBase.data.__set__(view, self._assemble())
            self._record_view(view)
        return result

    def __getstate__(self) -> dict:
        self._sync()
        state = super().__getstate__()
        state.pop("_view", None)
        state.pop("_view_seen", None)
        return state

    @property
    def trainable_rows(self) -> torch.Tensor:
        """BoolTensor ``(input_dim,)`` on the CPU: True where the row learns."""
        self._sync()
        return self._rows()

    def _rows(self) -> torch.Tensor:
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
        rows = _row_mask(value, self.num_embeddings)
        self._set_table(self._full_table(), rows)

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
                "`optimizer` must be a torch.optim.Optimizer or None; got "
                f"{type(optimizer).__name__}."
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
        self._set_table(self._full_table(), rows)
        new = self._table_param()
        if optimizer is None:
            return
        if new is not old:
            _carry_optimizer_state(optimizer, old, old_rows, new, rows)
        elif new.requires_grad and all(
            p is not new for g in optimizer.param_groups for p in g["params"]
        ):
            optimizer.add_param_group({"params": [new]})

    def _table_param(self) -> nn.Parameter:
        single = self._parameters.get("weight")
        return single if single is not None else self._parameters["weight_trainable"]

    def _learning_param(self) -> torch.Tensor | None:
        self._sync()
        single = self._parameters.get("weight")
        if single is None:
            return self._parameters["weight_trainable"]
        return single if single.requires_grad else None

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        single = self._parameters.get("weight")
        if single is not None:
            destination[prefix + "weight"] = single if keep_vars else single.detach()
            return
        rows = self.trainable_rows  # first: honours layer.weight.requires_grad_(False)
        if "weight" in self._parameters:
            self._save_to_state_dict(destination, prefix, keep_vars)
            return
        destination[prefix + "weight"] = self.weight if keep_vars else self._full_table(fresh=True)
        destination[prefix + "trainable_rows"] = rows

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
            error_msgs.append(
                f"{rows_key} must be a bool tensor of shape ({self.num_embeddings},)."
            )
            return
        check_finite(table, f"state_dict[{key!r}]")
        like = self._learning_param()
        like = (
            like
            if like is not None
            else self._parameters.get("weight", self._buffers.get("weight_frozen"))
        )
        self._set_table(table.to(dtype=like.dtype, device=like.device), rows)
        self._constrained = False

    def get_weights(self) -> list[np.ndarray]:
        """Return ``[table]`` as numpy (Keras' ``get_weights``)."""
        return [self._full_table(fresh=True).cpu().numpy()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Replace the table with Keras' ``[matrix]``, keeping the frozen set."""
        shape = (self.num_embeddings, self.embedding_dim)
        like = self._table_param()
        matrix = _weights_matrix(weights, shape, self.mask_zero).to(
            dtype=like.dtype, device=like.device
        )
        self._set_table(matrix, self.trainable_rows)

