"""Data-parallel training under `torchrun`: one process per device, each a shard of every step.

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; without them this is a
world of one and nothing here talks to anyone. Gradients are averaged by torch's
DistributedDataParallel (gloo on CPUs, nccl on GPUs); only rank 0 writes checkpoints, the
adapter, the curve and the run's facts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

TIMEOUT = timedelta(hours=2)
"""How long a rank waits for the others: rank 0's checkpoint evaluations (EditEval) take minutes."""


@dataclass
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1


def from_environment() -> World:
    return World(int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)),
                 int(os.environ.get("LOCAL_RANK", 0)))


def start(world: World, device: str) -> str:
    """Joins the process group (when there is one); returns this process's device."""
    if not world.distributed:
        return device
    import torch
    import torch.distributed as dist

    if device == "cuda":
        torch.cuda.set_device(world.local_rank)
        device = f"cuda:{world.local_rank}"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo", timeout=TIMEOUT)
    return device


def finish(world: World) -> None:
    if world.distributed:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def barrier(world: World) -> None:
    if world.distributed:
        import torch.distributed as dist

        dist.barrier()


def mean(world: World, value: float, device: str) -> float:
    """The mean of `value` over all processes."""
    if not world.distributed:
        return value
    import torch
    import torch.distributed as dist

    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return float(tensor) / world.size


def any_true(world: World, flag: bool, device: str) -> bool:
    """True on every process when it is true on one: all stop together, or none does."""
    if not world.distributed:
        return flag
    import torch
    import torch.distributed as dist

    tensor = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return bool(tensor.item())


def wrap(module, world: World):
    """The module under DistributedDataParallel (which also copies rank 0's weights to all)."""
    if not world.distributed:
        return module
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(module, device_ids=None)
