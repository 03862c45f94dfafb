"""Checkpoint directories: model and optimizer tensors in safetensors, everything else in JSON.

A checkpoint directory holds ``model.safetensors``, ``optimizer.safetensors`` (may be absent
for a best-model snapshot) and ``trainer_state.json``, written last, so a directory with that
file is complete. No pickle: a checkpoint from an untrusted source cannot run code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from vectab._fileio import atomic_path, atomic_write
from vectab._modelfile import check_finite, safetensors_header

__all__ = ["state_tensors", "save_weights", "load_weights", "save_checkpoint", "load_checkpoint"]

STATE_FILE = "trainer_state.json"


def state_tensors(module: nn.Module) -> dict[str, torch.Tensor]:
    """Return ``module.state_dict()`` as contiguous CPU tensors that safetensors can write.

    Tensors sharing memory (tied weights) are copied, since safetensors refuses shared storage.
    """
    out: dict[str, torch.Tensor] = {}
    seen: set[tuple[int, int]] = set()
    for key, value in module.state_dict().items():
        t = value.detach().cpu().contiguous()
        ptr = (t.untyped_storage().data_ptr(), t.storage_offset()) if t.numel() else None
        if ptr is not None and ptr in seen:
            t = t.clone()
        elif ptr is not None:
            seen.add(ptr)
        out[key] = t
    return out


def save_weights(module: nn.Module, path: str | os.PathLike[str]) -> None:
    """Write ``module``'s state dict to a safetensors file (atomically)."""
    with atomic_path(path) as tmp:
        save_file(state_tensors(module), str(tmp))


def load_weights(module: nn.Module, path: str | os.PathLike[str]) -> None:
    """Load a safetensors state dict written by :func:`save_weights` into ``module``.

    Only a regular file is opened (a FIFO or a directory is a ``ModelFormatError``, never a
    hang), and NaN or infinite weights are refused, naming the tensor.
    """
    path = Path(path)
    if not os.path.lexists(path):
        raise FileNotFoundError(f"{path}: weights file not found")
    safetensors_header(path)  # a regular file whose header is consistent with its size
    tensors = load_file(str(path))
    check_finite(path, tensors)  # NaN/inf weights are refused before they are used
    missing, unexpected = module.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        raise ValueError(
            f"{path}: weights do not fit the model (missing {sorted(missing)[:5]}, unexpected "
            f"{sorted(unexpected)[:5]}); was it saved from a model with the same config?"
        )


def save_checkpoint(
    directory: str | os.PathLike[str],
    model: nn.Module,
    state: dict[str, Any],
    *,
    optimizer_tensors: dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write a checkpoint directory; ``state`` must be JSON-ready. Return the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / STATE_FILE).unlink(missing_ok=True)  # incomplete until rewritten below
    save_weights(model, directory / "model.safetensors")
    if optimizer_tensors is not None:
        with atomic_path(directory / "optimizer.safetensors") as tmp:
            save_file(optimizer_tensors, str(tmp))
    with atomic_write(directory / STATE_FILE) as f:
        json.dump(state, f, indent=2)
    return directory


def load_checkpoint(directory: str | os.PathLike[str]) -> tuple[dict[str, Any], dict, Path]:
    """Read ``(state, optimizer_tensors, directory)`` of a checkpoint written by the Trainer."""
    directory = Path(directory)
    state_path = directory / STATE_FILE
    if not state_path.is_file():
        raise FileNotFoundError(
            f"{directory}: not a complete checkpoint ({STATE_FILE} missing); pass the `last` "
            "folder inside the Trainer's checkpoint_dir"
        )
    state = json.loads(state_path.read_text(encoding="utf-8"))
    opt_path = directory / "optimizer.safetensors"
    optimizer_tensors = load_file(str(opt_path)) if opt_path.is_file() else {}
    return state, optimizer_tensors, directory
