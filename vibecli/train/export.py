"""A peft LoRA written as a GGUF LoRA adapter that llama.cpp applies over the quantized base.

llama.cpp's adapter format (as its convert_lora_to_gguf.py writes it): `general.type=adapter`,
`adapter.type=lora`, `adapter.lora.alpha`, and for each adapted matrix `BASE_NAME.weight.lora_a`
(shape rank x in) and `.lora_b` (out x rank), named as in the base GGUF, not transposed.
"""

from __future__ import annotations

import re
from pathlib import Path

_LAYER = re.compile(r"(model\.layers\.\d+\.(?:self_attn|mlp)\.\w+)\.lora_([AB])\.")


def lora_tensors(model) -> dict[str, tuple]:
    """{HF module name: (lora_A, lora_B)} as float32 numpy arrays."""
    found: dict[str, dict[str, object]] = {}
    for name, param in model.named_parameters():
        match = _LAYER.search(name)
        if match and "lora_" in name:
            found.setdefault(match.group(1), {})[match.group(2)] = param.detach().float().cpu().numpy()
    return {k: (v["A"], v["B"]) for k, v in found.items() if "A" in v and "B" in v}


def write_adapter(model, path: Path, *, alpha: float, architecture: str, block_count: int, name: str = "vibecli") -> int:
    """Write the adapter; returns the number of adapted matrices."""
    import gguf
    import numpy as np

    arch = {"gemma3": gguf.MODEL_ARCH.GEMMA3}.get(architecture)
    if arch is None:
        raise ValueError(f"no GGUF tensor names known for the architecture {architecture}")
    names = gguf.get_tensor_name_map(arch, block_count)
    tensors = lora_tensors(model)
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    writer.add_string("general.name", name)
    for hf_name, (a, b) in sorted(tensors.items()):
        base = names.get_name(hf_name)
        if base is None:
            raise ValueError(f"no GGUF name for {hf_name}")
        writer.add_tensor(f"{base}.weight.lora_a", a.astype(np.float16))
        writer.add_tensor(f"{base}.weight.lora_b", b.astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return len(tensors)
