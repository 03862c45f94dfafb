"""Optimizers for embedding models: AdamW for dense weights, SparseAdam for sparse tables.

A model whose embedding table produces sparse gradients (``Embedding(sparse=True)``) is trained
with two optimizers stepped together: ``torch.optim.SparseAdam`` updates only the rows a batch
looked up, ``AdamW`` (or Adam/SGD) updates everything else. On a 1,000,000 x 300 table this is
~40x faster per step than dense AdamW, which reads and writes the whole table and its two
moment buffers every step.

The optimizer state is saved as safetensors tensors + JSON (never pickle).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from vectab._checks import check_float

__all__ = [
    "SPARSE_AUTO_ROWS",
    "OPTIMIZERS",
    "embedding_tables",
    "use_sparse_tables",
    "build_optimizers",
    "clip_grad_norm",
    "optimizer_state_tensors",
    "load_optimizer_state",
]

# Tables with at least this many rows get sparse gradients + SparseAdam by default.
SPARSE_AUTO_ROWS = 100_000

OPTIMIZERS = ("adamw", "adam", "sgd")


def embedding_tables(model: nn.Module) -> list[nn.Module]:
    """Return the lookup-table modules of ``model`` (vectab or torch Embedding / EmbeddingBag)."""
    found = []
    for module in model.modules():
        if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) or (
            type(module).__name__ == "Embedding" and hasattr(module, "sparse")
        ):
            found.append(module)
    return found


def _num_rows(module: nn.Module) -> int:
    return int(getattr(module, "num_embeddings", 0) or 0)


def use_sparse_tables(model: nn.Module, sparse: bool | None) -> list[nn.Module]:
    """Switch embedding tables to sparse gradients according to ``sparse``; return the sparse ones.

    ``sparse=None`` (the Trainer's default) keeps tables built with ``sparse=True`` sparse and
    switches every table of at least :data:`SPARSE_AUTO_ROWS` rows to sparse gradients.
    ``sparse=True`` switches every table, ``sparse=False`` none (tables built sparse stay so).
    Auto mode leaves tables with an ``embeddings_regularizer`` dense (it needs a dense gradient).
    A table whose ``max_norm`` is set keeps working: the renormalisation happens in the lookup.
    """
    if sparse not in (None, True, False):
        raise TypeError(f"`sparse` must be None (auto), True or False, got {sparse!r}")
    tables = []
    for module in embedding_tables(model):
        regularized = getattr(module, "embeddings_regularizer", None) is not None
        if sparse is True and regularized and not module.sparse:
            raise ValueError(
                "`sparse`=True but an Embedding has an embeddings_regularizer, which needs dense "
                "gradients over the whole table; use sparse=None (auto) or drop the regularizer"
            )
        want = bool(module.sparse) or sparse is True or (
            sparse is None and not regularized and _num_rows(module) >= SPARSE_AUTO_ROWS
        )
        if want and not module.sparse:
            module.sparse = True
            for child in module.modules():  # a wrapper's inner torch table
                if child is not module and hasattr(child, "sparse"):
                    child.sparse = True
        if module.sparse:
            tables.append(module)
    return tables


def _dedupe(params: Iterable[nn.Parameter]) -> list[nn.Parameter]:
    seen: set[int] = set()
    out = []
    for p in params:
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def build_optimizers(
    model: nn.Module,
    sparse_tables: list[nn.Module],
    *,
    optimizer: str,
    lr: float,
    weight_decay: float,
    sparse_lr: float | None,
) -> dict[str, torch.optim.Optimizer]:
    """Build ``{"dense": AdamW/Adam/SGD, "sparse": SparseAdam}`` (either may be absent).

    Weight decay applies to dense weight matrices (2-D and more) outside embedding tables;
    biases, norms and tables get none (decaying pretrained vectors towards zero hurts them,
    and SparseAdam has no weight decay).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"`optimizer` must be one of {OPTIMIZERS}, got {optimizer!r}")
    check_float(lr, "lr", minimum=0, min_open=True)
    check_float(weight_decay, "weight_decay", minimum=0)
    sparse_params = _dedupe(p for m in sparse_tables for p in m.parameters(recurse=True))
    sparse_ids = {id(p) for p in sparse_params}
    table_ids = {id(p) for m in embedding_tables(model) for p in m.parameters()}
    decay, no_decay = [], []
    for p in _dedupe(model.parameters()):
        if id(p) in sparse_ids:
            continue
        (decay if p.ndim >= 2 and id(p) not in table_ids else no_decay).append(p)
    groups = [
        g for g in ({"params": decay}, {"params": no_decay, "weight_decay": 0.0}) if g["params"]
    ]
    out: dict[str, torch.optim.Optimizer] = {}
    if groups:
        if optimizer == "adamw":
            out["dense"] = torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay)
        elif optimizer == "adam":
            out["dense"] = torch.optim.Adam(groups, lr=lr, weight_decay=weight_decay)
        else:
            out["dense"] = torch.optim.SGD(groups, lr=lr, weight_decay=weight_decay)
    if sparse_params:
        out["sparse"] = torch.optim.SparseAdam(sparse_params, lr=sparse_lr or lr)
    return out


def clip_grad_norm(params: Iterable[nn.Parameter], max_norm: float) -> float:
    """Scale gradients so their global L2 norm is at most ``max_norm``; return the norm.

    Like ``torch.nn.utils.clip_grad_norm_``, but sparse gradients count too (torch's raises on
    them): a sparse gradient's norm is that of its coalesced values.
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    norms = []
    for g in grads:
        if g.is_sparse:
            g = g.coalesce()
            norms.append(torch.linalg.vector_norm(g.values().float()))
        else:
            norms.append(torch.linalg.vector_norm(g.float()))
    total = torch.linalg.vector_norm(torch.stack([n.to(norms[0].device) for n in norms]))
    coef = max_norm / (float(total) + 1e-6)
    if coef < 1.0:
        for g in grads:
            g.mul_(coef)
    return float(total)


def optimizer_state_tensors(optimizers: dict[str, torch.optim.Optimizer]) -> tuple[dict, dict]:
    """Split the optimizers' state into ``(tensors, json_state)`` for safetensors + JSON."""
    tensors: dict[str, torch.Tensor] = {}
    meta: dict[str, Any] = {}
    for name, opt in optimizers.items():
        sd = opt.state_dict()
        plain: dict[str, dict[str, Any]] = {}
        for pid, state in sd["state"].items():
            plain[str(pid)] = {}
            for key, value in state.items():
                if torch.is_tensor(value):
                    tensors[f"{name}/{pid}/{key}"] = value.detach().cpu().contiguous()
                else:
                    plain[str(pid)][key] = value
        meta[name] = {"state": plain, "param_groups": sd["param_groups"]}
    json.dumps(meta)  # fail here, not halfway through a write, if something is not JSON
    return tensors, meta


def load_optimizer_state(
    optimizers: dict[str, torch.optim.Optimizer], tensors: dict[str, torch.Tensor], meta: dict
) -> None:
    """Load state written by :func:`optimizer_state_tensors` into ``optimizers``."""
    if set(meta) != set(optimizers):
        raise ValueError(
            f"checkpoint has optimizers {sorted(meta)} but this Trainer builds "
            f"{sorted(optimizers)}; resume with the same model and Trainer options "
            "(sparse, optimizer)"
        )
    for name, opt in optimizers.items():
        state: dict[int, dict[str, Any]] = {}
        for pid, plain in meta[name]["state"].items():
            state[int(pid)] = dict(plain)
        for key, value in tensors.items():
            opt_name, pid, field = key.split("/", 2)
            if opt_name == name:
                state.setdefault(int(pid), {})[field] = value
        groups = [dict(g, betas=tuple(g["betas"])) if "betas" in g else g
                  for g in meta[name]["param_groups"]]
        opt.load_state_dict({"state": state, "param_groups": groups})
