"""Checkpoint directories: model and optimizer tensors in safetensors, everything else in JSON.

A checkpoint directory holds ``model.safetensors``, ``optimizer.safetensors`` (may be absent
for a best-model snapshot), ``trainer_state.json`` and ``manifest.json``. It is built beside
its target and swapped in whole (:func:`vectab._fileio.atomic_dir`), so a checkpoint being
resumed from is always one step's weights, optimizer state and trainer state, never a mix of
two: a run killed while writing leaves the previous checkpoint. :func:`load_checkpoint` checks
the manifest (older checkpoints without one are complete when ``trainer_state.json`` exists,
as that file used to be written last). No pickle: a checkpoint from an untrusted source
cannot run code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from vectab._fileio import (
    MANIFEST_NAME,
    atomic_dir,
    atomic_path,
    atomic_write,
    committed_dir,
    verify_manifest,
)
from vectab._modelfile import check_finite, safetensors_header

__all__ = ["state_tensors", "save_weights", "load_weights", "save_checkpoint", "load_checkpoint"]

STATE_FILE = "trainer_state.json"
CHECKPOINT_FILES = ("model.safetensors", "optimizer.safetensors", STATE_FILE)


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
    """Write (or replace whole) a checkpoint directory; ``state`` must be JSON-ready.

    Return the directory. After a crash or kill at any point it holds the complete previous
    checkpoint or the complete new one.
    """
    directory = Path(directory)
    with atomic_dir(directory, owned=CHECKPOINT_FILES) as new:
        save_weights(model, new / "model.safetensors")
        if optimizer_tensors is not None:
            with atomic_path(new / "optimizer.safetensors") as tmp:
                save_file(optimizer_tensors, str(tmp))
        with atomic_write(new / STATE_FILE) as f:
            json.dump(state, f, indent=2)
    return directory


def load_checkpoint(directory: str | os.PathLike[str]) -> tuple[dict[str, Any], dict, Path]:
    """Read ``(state, optimizer_tensors, directory)`` of a checkpoint written by the Trainer.

    ``directory`` in the result is the one to read the weights from: if a write over the
    checkpoint was killed between its two renames, the previous checkpoint beside it.

    Raises:
        FileNotFoundError: not a checkpoint (no ``trainer_state.json``).
        vectab.errors.ModelFormatError: naming the file: a file does not match the manifest
            (missing, truncated, modified) or the manifest is damaged.
    """
    directory = committed_dir(Path(directory))
    state_path = directory / STATE_FILE
    if os.path.lexists(directory / MANIFEST_NAME):
        verify_manifest(directory, required=(STATE_FILE, "model.safetensors"),
                        content=CHECKPOINT_FILES, what="checkpoint")
    if not state_path.is_file():
        raise FileNotFoundError(
            f"{directory}: not a complete checkpoint ({STATE_FILE} missing); pass the `last` "
            "folder inside the Trainer's checkpoint_dir"
        )
    state = json.loads(state_path.read_text(encoding="utf-8"))
    opt_path = directory / "optimizer.safetensors"
    optimizer_tensors = load_file(str(opt_path)) if opt_path.is_file() else {}
    return state, optimizer_tensors, directory
