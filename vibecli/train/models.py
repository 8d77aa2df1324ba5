"""The base model for training: a GGUF file read into transformers, and what each family needs.

transformers reads llama, qwen2, gemma2 and gemma3 GGUF files itself; gemma (the first) it does
not, so `gguf_model.read_model` reads those. The tokenizer of every family comes from
`gguf_model.tokenizer_of`, which splits text as llama.cpp does. The dequantized copy is kept in the cache, keyed by
the file's sha256: reading a GGUF takes a minute or more on a laptop.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Family:
    gguf_arch: str
    """`general.architecture` in GGUF files and adapters."""
    permute_qk: bool = False
    """llama.cpp's converter reorders the rows of llama's query and key projections (rotary
    halves interleaved); an adapter's lora_b for them must be reordered the same way."""
    norm_offset: float = 0.0
    """Gemma stores RMSNorm weights as w where llama.cpp multiplies by w + 1: the GGUF holds w + 1."""


FAMILIES = {
    "llama": Family("llama", permute_qk=True),
    "qwen2": Family("qwen2"),
    "gemma": Family("gemma", norm_offset=1.0),
    "gemma2": Family("gemma2", norm_offset=1.0),
    "gemma3": Family("gemma3", norm_offset=1.0),
    "gemma3_text": Family("gemma3", norm_offset=1.0),
}
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
"""LoRA targets: every attention and MLP projection. The families above all name them so."""


def family_of(model) -> Family:
    from vibecli.core import VibeError

    config = (model.get_base_model() if hasattr(model, "get_base_model") else model).config
    family = FAMILIES.get(config.model_type)
    if family is None:
        known = sorted({f.gguf_arch for f in FAMILIES.values()})
        raise VibeError(f"training does not know the {config.model_type} architecture (known: {', '.join(known)})")
    return family


def lora_targets(model) -> list[str]:
    family_of(model)
    return list(TARGETS)


def pick_device(wanted: str) -> str:
    import torch

    if wanted != "auto":
        return wanted
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def load_base(base: Path, hf_cache: Path, device: str, progress=None, dtype=None):
    """(model, tokenizer), from the dequantized copy when there is one."""
    import torch
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
    from transformers.utils import logging as hf_logging

    from vibecli.models.digest import file_sha256

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    dtype = dtype or (torch.bfloat16 if device == "cuda" else torch.float32)
    key = file_sha256(base, hf_cache)[:16]
    cached = hf_cache / f"hf-{key}"
    if not (cached / "config.json").is_file():
        if progress:
            progress.note(f"Dequantizing {base.name} for training (once; kept in {cached})")
        model, tokenizer = _read_gguf(base)
        partial = cached.with_name(cached.name + f".{__import__('os').getpid()}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        model.save_pretrained(str(partial))
        tokenizer.save_pretrained(str(partial))
        shutil.rmtree(cached, ignore_errors=True)
        partial.rename(cached)
    # as saved: AutoTokenizer would pick a family's own class, which may split text otherwise
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(cached))
    model = AutoModelForCausalLM.from_pretrained(str(cached), dtype=dtype)
    return model.to(device), tokenizer


def _read_gguf(base: Path):
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from vibecli.train.gguf_model import architecture_of, read_model, tokenizer_of

    if architecture_of(base) == "gemma":
        return read_model(base)
    tokenizer = tokenizer_of(base)
    config = AutoConfig.from_pretrained(str(base.parent), gguf_file=base.name)
    if getattr(config, "query_pre_attn_scalar", None) is not None:
        # not in the file: llama.cpp scales Gemma's attention by the head size, and so must training
        config.query_pre_attn_scalar = config.head_dim
    model = AutoModelForCausalLM.from_pretrained(str(base.parent), gguf_file=base.name, config=config,
                                                 dtype=torch.float32)
    # transformers marks a model read from GGUF as quantized; its weights are plain floats now
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    return model, tokenizer
