"""Multi-process data-parallel training under ``torchrun`` (DistributedDataParallel).

``torchrun --nproc_per_node=2 -m vectab train classifier ...`` starts two processes with
``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` set; the Trainer then joins the process group (gloo on
CPU, NCCL on CUDA, one GPU per process), shards each epoch with a ``DistributedSampler`` and
averages gradients with DDP. Sparse embedding gradients (SparseAdam tables) are all-reduced
as sparse tensors, which DDP supports on gloo (CPU); NCCL has no sparse all-reduce, so on CUDA
tables are kept dense unless ``sparse=True`` is asked for explicitly. Only rank 0 writes files
and reports progress. Evaluation runs the whole validation set on every rank, so all ranks take
the same early-stopping decision.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

__all__ = ["DistContext", "context", "resolve_device", "wrap", "sampler", "barrier"]


@dataclasses.dataclass(frozen=True)
class DistContext:
    """Where this process stands in a torchrun job (world_size 1 when not under torchrun)."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    backend: str | None = None

    @property
    def is_main(self) -> bool:
        """True on rank 0, the process that writes files and shows progress."""
        return self.rank == 0


def context() -> DistContext:
    """Join the torchrun process group when ``WORLD_SIZE`` > 1 (once); describe this process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistContext()
    if not dist.is_available():  # pragma: no cover - torch builds without distributed
        raise RuntimeError("WORLD_SIZE > 1 but this torch build has no torch.distributed")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend=backend)
    return DistContext(
        rank=dist.get_rank(), local_rank=local_rank, world_size=dist.get_world_size(),
        backend=dist.get_backend(),
    )


def resolve_device(device: str | torch.device, ctx: DistContext) -> torch.device:
    """``"auto"`` -> this process's GPU when CUDA is available, else the CPU."""
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"`device` must be 'auto', a device string or torch.device, got {device!r}")
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", ctx.local_rank if ctx.world_size > 1 else 0)
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(
            f"`device` must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}"
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"`device`={device!r} but CUDA is not available; use device='auto' or 'cpu'"
        )
    return resolved


def wrap(module: nn.Module, ctx: DistContext, device: torch.device) -> nn.Module:
    """Wrap ``module`` in DistributedDataParallel when running under torchrun."""
    if ctx.world_size <= 1:
        return module
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index if device.index is not None else 0] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)


def sampler(data: Any, ctx: DistContext, *, seed: int, epoch: int) -> Any:
    """A DistributedSampler over ``data`` for this rank, shuffled for ``epoch``."""
    from torch.utils.data.distributed import DistributedSampler

    s = DistributedSampler(
        data, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=True, seed=seed
    )
    s.set_epoch(epoch)
    return s


def barrier(ctx: DistContext) -> None:
    """Wait for every rank (no-op in a single process)."""
    if ctx.world_size > 1 and dist.is_initialized():
        dist.barrier()
