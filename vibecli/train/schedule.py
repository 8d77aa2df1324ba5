"""Which examples each optimizer step trains on, and at what learning rate: pure functions of the
step, so a resumed run continues exactly where the checkpoint left off, and every process of a
distributed run knows every other's share without asking.

Each epoch is its own seeded shuffle. Within windows of WINDOW global batches, examples are
sorted by length and cut into batches, and the batches shuffled: a batch holds examples of
similar length (little padding when they run side by side), while the order stays random.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

WINDOW = 16
"""Global batches per window inside which examples are grouped by length."""
WARMUP = 10
"""Steps of linear warm-up before the cosine decay."""


@lru_cache(maxsize=4)
def epoch_order(lengths: tuple[int, ...], seed: int, epoch: int, group: int) -> tuple[int, ...]:
    rng = random.Random(f"{seed}:{epoch}")
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[int] = []
    window = group * WINDOW
    for start in range(0, len(order), window):
        part = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches = [part[i:i + group] for i in range(0, len(part), group)]
        rng.shuffle(batches)
        out.extend(i for batch in batches for i in batch)
    return tuple(out)


def step_examples(step: int, lengths: tuple[int, ...], seed: int, per_step: int) -> list[int]:
    """Indices of the examples of global step `step` (`per_step` of them: batch x processes)."""
    n = len(lengths)
    out = []
    for position in range(step * per_step, (step + 1) * per_step):
        epoch, at = divmod(position, n)
        out.append(epoch_order(lengths, seed, epoch, per_step)[at])
    return out


def shard(indices: list[int], rank: int, world: int) -> list[int]:
    """This process's share of a global step's examples."""
    size = len(indices) // world
    return indices[rank * size:(rank + 1) * size]


def steps_for_one_pass(examples: int, per_step: int) -> int:
    return max(1, math.ceil(examples / per_step))


def learning_rate(step: int, total: int, peak: float) -> float:
    """Linear warm-up over WARMUP steps, then cosine decay to zero at `total`."""
    return peak * min(1.0, (step + 1) / WARMUP) * 0.5 * (1 + math.cos(math.pi * step / max(1, total)))
