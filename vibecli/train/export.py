"""What training produces, as GGUF files llama.cpp loads: a LoRA adapter, or a whole model.

llama.cpp's adapter format (as its convert_lora_to_gguf.py writes it): `general.type=adapter`,
`adapter.type=lora`, `adapter.lora.alpha`, `general.architecture` as in the base, and for each
adapted matrix `BASE_NAME.weight.lora_a` (shape rank x in) and `.lora_b` (out x rank), named as in
the base GGUF, not transposed. Where the converter reorders a base matrix's rows (llama's query
and key projections), lora_b's rows are reordered the same way, so that B @ A changes the rows
it was trained to change.
"""

from __future__ import annotations

import re
from pathlib import Path

from vibecli.train.models import Family, family_of

_LAYER = re.compile(r"(model\.layers\.\d+\.(?:self_attn|mlp)\.\w+)\.lora_([AB])\.")


def lora_tensors(model) -> dict[str, tuple]:
    """{HF module name: (lora_A, lora_B)} as float32 numpy arrays."""
    found: dict[str, dict[str, object]] = {}
    for name, param in model.named_parameters():
        match = _LAYER.search(name)
        if match and "lora_" in name:
            found.setdefault(match.group(1), {})[match.group(2)] = param.detach().float().cpu().numpy()
    return {k: (v["A"], v["B"]) for k, v in found.items() if "A" in v and "B" in v}


def _as_in_gguf(hf_name: str, b, family: Family, config):
    from vibecli.train.gguf_model import permute_rows

    if family.permute_qk and hf_name.endswith("q_proj"):
        return permute_rows(b, config.num_attention_heads)
    if family.permute_qk and hf_name.endswith("k_proj"):
        return permute_rows(b, config.num_key_value_heads)
    return b


def write_adapter(model, path: Path, *, alpha: float, name: str = "vibecli") -> int:
    """Write the LoRA adapter of a peft model; returns the number of adapted matrices."""
    import gguf
    import numpy as np

    family = family_of(model)
    config = model.get_base_model().config
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[family.gguf_arch.upper()], config.num_hidden_layers)
    tensors = lora_tensors(model)
    writer = gguf.GGUFWriter(str(path), family.gguf_arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    writer.add_string("general.name", name)
    for hf_name, (a, b) in sorted(tensors.items()):
        base = names.get_name(hf_name)
        if base is None:
            raise ValueError(f"no GGUF name for {hf_name}")
        writer.add_tensor(f"{base}.weight.lora_a", a.astype(np.float16))
        writer.add_tensor(f"{base}.weight.lora_b", _as_in_gguf(hf_name, b, family, config).astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return len(tensors)


def write_full(model, path: Path, base: Path, name: str = "vibecli") -> int:
    """Write a fully fine-tuned model as a GGUF model (float16 matrices), with the base file's tokenizer."""
    from vibecli.train.gguf_model import write_model

    return write_model(model, None, path, tokenizer_from=base, name=name, half=True)


def export(model, out: Path, *, full: bool, alpha: float, base: Path) -> Path:
    """The run's result in `out` (adapter.gguf, or model.gguf for a full fine-tune), written
    under a temporary name and renamed, so a reader never sees half a file."""
    from vibecli.backends.adapter import ADAPTER_FILE

    target = out / ("model.gguf" if full else ADAPTER_FILE)
    partial = target.with_suffix(".partial")
    if full:
        write_full(model, partial, base)
    else:
        write_adapter(model, partial, alpha=alpha)
    partial.replace(target)
    return target
