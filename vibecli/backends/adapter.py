"""Checking a GGUF LoRA adapter against its base model before llama.cpp sees it.

llama.cpp does not reject a mismatched adapter: the first evaluation crashes the process. So
the header, the architecture, and every tensor's name and shape are checked here first.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from vibecli.models.gguf_info import _Reader
from vibecli.core import VibeError

ADAPTER_FILE = "adapter.gguf"
"""What `vibecli train --out DIR` writes in DIR; `--adapter DIR` means that file."""


@dataclass(frozen=True)
class AdapterInfo:
    path: Path
    size: int
    alpha: float
    rank: int
    tensors: int
    """Adapted matrices (pairs of lora_a and lora_b)."""


def _tensor_table(path: Path) -> tuple[dict, dict[str, list[int]]]:
    """Metadata and {tensor name: dims (ggml order: ne0 first)}."""
    try:
        with path.open("rb") as handle:
            reader = _Reader(handle)
            if reader.take(4) != b"GGUF":
                raise VibeError(f"not a GGUF file: {path}")
            if reader.unpack("<I") not in (2, 3):
                raise VibeError(f"unsupported GGUF version: {path}")
            n_tensors, n_kv = reader.unpack("<Q"), reader.unpack("<Q")
            metadata = {}
            for _ in range(n_kv):
                key = reader.string()
                metadata[key] = reader.value(reader.unpack("<I"))
            tensors = {}
            for _ in range(n_tensors):
                name = reader.string()
                dims = [reader.unpack("<Q") for _ in range(reader.unpack("<I"))]
                reader.unpack("<I"), reader.unpack("<Q")
                tensors[name] = dims
    except FileNotFoundError:
        raise VibeError(f"adapter file not found: {path}") from None
    except IsADirectoryError:
        raise VibeError(f"adapter path is a directory without {ADAPTER_FILE}: {path}") from None
    except OSError as exc:
        raise VibeError(f"cannot read {path}: {exc.strerror}") from None
    except (EOFError, ValueError, struct.error):
        raise VibeError(f"corrupt or truncated GGUF header: {path}") from None
    return metadata, tensors


def check_adapter(adapter: Path, base: Path) -> AdapterInfo:
    """A VibeError naming the first problem, or the adapter's facts (`path` is the GGUF file)."""
    from vibecli.models.gguf_info import read_gguf

    if adapter.is_dir() and (adapter / ADAPTER_FILE).is_file():
        adapter = adapter / ADAPTER_FILE
    meta, tensors = _tensor_table(adapter)
    if meta.get("general.type") != "adapter" or meta.get("adapter.type") != "lora":
        raise VibeError(f"not a LoRA adapter (general.type={meta.get('general.type')!r}): {adapter}")
    base_meta, base_tensors = _tensor_table(base)
    arch, base_arch = meta.get("general.architecture"), base_meta.get("general.architecture")
    if arch != base_arch:
        raise VibeError(f"the adapter is for {arch}, the model is {base_arch}: {adapter}")
    if not tensors or len(tensors) % 2:
        raise VibeError(f"the adapter has no tensors or an unpaired one: {adapter}")
    rank = None
    for name, dims in tensors.items():
        if not (name.endswith(".lora_a") or name.endswith(".lora_b")):
            raise VibeError(f"the adapter has a tensor that is not a LoRA matrix ({name}): {adapter}")
        if not name.endswith(".lora_a"):
            continue
        target = name[: -len(".lora_a")]
        b_dims = tensors.get(target + ".lora_b")
        base_dims = base_tensors.get(target)
        if b_dims is None:
            raise VibeError(f"the adapter lacks {target}.lora_b: {adapter}")
        if base_dims is None:
            raise VibeError(f"the adapter changes {target}, which the model does not have: {adapter}")
        # ggml order: lora_a is (in, rank), lora_b is (rank, out), the base matrix (in, out)
        if len(dims) != 2 or len(b_dims) != 2 or dims[0] != base_dims[0] or b_dims[1] != base_dims[1] or dims[1] != b_dims[0]:
            raise VibeError(
                f"the adapter's {target} has shapes {dims} and {b_dims}, which do not fit the model's {base_dims}: {adapter}"
            )
        if rank is not None and dims[1] != rank:
            raise VibeError(f"the adapter mixes ranks {rank} and {dims[1]}: {adapter}")
        rank = dims[1]
    read_gguf(adapter)  # the tensor data is all there
    return AdapterInfo(adapter, adapter.stat().st_size, float(meta.get("adapter.lora.alpha", rank)), rank, len(tensors) // 2)
