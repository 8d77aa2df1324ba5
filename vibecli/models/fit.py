"""Will this model fit? Weights + KV cache at the context about to be loaded, against free memory.

A model that does not fit in RAM makes the machine swap itself to death instead of failing; vibecli
refuses such a load up front (exit 5) unless the check is switched off (`--no-fit-check`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from vibecli.models.gguf_info import GGUFInfo
from vibecli.core import Refused

KV_BYTES = 2
"""llama.cpp's default KV cache type is f16."""
OVERHEAD = 100 << 20
"""llama.cpp's compute buffers and the process itself, plus 5% of the weights. Measured on the embedded
gemma-3-270m: the process grew by 366 MB at 2048 tokens of context and 634 MB at 16384, against
estimates of 408 and 672 MB."""


@dataclass
class Estimate:
    weights: int
    kv_cache: int
    overhead: int
    n_ctx: int
    gpu_share: float = 0.0
    """The part of the weights and cache offloaded to a GPU (0 on a CPU build)."""
    notes: list[str] = field(default_factory=list)

    @property
    def ram(self) -> int:
        return int((self.weights + self.kv_cache) * (1 - self.gpu_share)) + self.overhead

    @property
    def vram(self) -> int:
        return int((self.weights + self.kv_cache) * self.gpu_share)


def _int(metadata: dict, key: str, default: int | None = None) -> int | None:
    value = metadata.get(key, default)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def kv_cache_bytes(info: GGUFInfo, n_ctx: int) -> int:
    """K and V for every layer at n_ctx tokens (sliding-window layers counted in full: an upper bound)."""
    meta, arch = info.metadata, info.architecture
    layers = _int(meta, f"{arch}.block_count", 0) or 0
    embd = _int(meta, f"{arch}.embedding_length", 0) or 0
    heads = _int(meta, f"{arch}.attention.head_count", 0) or 0
    # head_count_kv is an array for models whose layers differ; the largest is an upper bound
    kv_heads = _int(meta, f"{arch}.attention.head_count_kv", heads) or heads
    head_dim = embd // heads if heads else 0
    key_len = _int(meta, f"{arch}.attention.key_length", head_dim) or head_dim
    value_len = _int(meta, f"{arch}.attention.value_length", head_dim) or head_dim
    return n_ctx * layers * kv_heads * (key_len + value_len) * KV_BYTES


def estimate(info: GGUFInfo, n_ctx: int, gpu_layers: int = 0) -> Estimate:
    est = Estimate(weights=info.size, kv_cache=kv_cache_bytes(info, n_ctx), overhead=OVERHEAD + info.size // 20,
                   n_ctx=n_ctx)
    if gpu_layers:
        layers = _int(info.metadata, f"{info.architecture}.block_count", 0) or 1
        est.gpu_share = 1.0 if gpu_layers < 0 else min(1.0, gpu_layers / layers)
    return est


def available_ram() -> int | None:
    """MemAvailable, or what the cgroup (a container's limit) still allows when that is less."""
    best = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                best = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        best = None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
            room = int(limit) - used
            best = room if best is None else min(best, room)
    except (OSError, ValueError):
        pass
    if best is None and hasattr(os, "sysconf"):
        try:  # macOS and others: free pages only (an underestimate: the OS reclaims its caches)
            best = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError):
            best = None
    return best


def available_vram() -> int | None:
    """Free memory of the first NVIDIA GPU through nvidia-smi; None when it cannot be known."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
        return int(out.split()[0]) << 20
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def check_fit(info: GGUFInfo, n_ctx: int, gpu_layers: int = 0, *, ram: int | None = None,
              vram: int | None = None) -> Estimate:
    """Raise Refused when the load would not fit; returns the estimate (with notes) when it does."""
    est = estimate(info, n_ctx, gpu_layers)
    ram = available_ram() if ram is None else ram
    name = info.path.name
    if est.vram:
        vram = available_vram() if vram is None else vram
        if vram is None:
            est.notes.append("free GPU memory is not detectable here (no nvidia-smi): checked RAM only")
        elif est.vram > vram:
            raise Refused(
                f"{name} with --gpu-layers {gpu_layers} needs about {_gib(est.vram)} of GPU memory at {n_ctx} tokens "
                f"of context, but {_gib(vram)} is free: offload fewer layers (--gpu-layers), use a smaller "
                "quantization, or --no-fit-check"
            )
    if ram is None:
        est.notes.append("free memory is not detectable here: the fit check was skipped")
        return est
    if est.ram > ram:
        raise Refused(
            f"{name} needs about {_gib(est.ram)} of memory (weights {_gib(int(est.weights * (1 - est.gpu_share)))} "
            f"+ KV cache {_gib(int(est.kv_cache * (1 - est.gpu_share)))} at {n_ctx} tokens of context), but "
            f"{_gib(ram)} is available: use a smaller quantization (vibecli model pull REPO --file ...), smaller "
            "files in context, more --gpu-layers, or --no-fit-check to load it anyway"
        )
    return est


def _gib(size: int) -> str:
    return f"{size / (1 << 30):.1f} GiB"
