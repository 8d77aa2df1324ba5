"""A transformers model as a GGUF file llama.cpp loads, and back, for the families vibecli trains.

Written after the conventions of llama.cpp's convert_hf_to_gguf.py (not shipped with
llama-cpp-python): tensor names from the `gguf` package's map, llama's query and key rows
reordered for its rotary layout, Gemma's RMSNorm weights stored as w + 1, tied output layers
left out. The tokenizer is copied from a GGUF file when there is one (the base model's), else
built from a byte-level BPE tokenizer (`tokenizer.ggml.model = gpt2`).
"""

from __future__ import annotations

import json
from pathlib import Path

from vibecli.train.models import FAMILIES, Family


def permute_rows(weight, heads: int):
    """llama.cpp's row order for a llama query or key projection (either layout: rows first)."""
    shape = weight.shape
    return weight.reshape(heads, 2, shape[0] // heads // 2, *shape[1:]).swapaxes(1, 2).reshape(shape)


def architecture_of(path: Path) -> str:
    import gguf

    reader = gguf.GGUFReader(str(path))
    return reader.fields["general.architecture"].contents()


def _hparams(writer, config, family: Family) -> None:
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_freq_base(_rope_theta(config))
    writer.add_vocab_size(config.vocab_size)
    if family.gguf_arch == "llama":
        writer.add_rope_dimension_count(head_dim)
    if family.gguf_arch in ("gemma2", "gemma3"):
        writer.add_sliding_window(config.sliding_window)
    if family.gguf_arch == "gemma2":
        writer.add_attn_logit_softcapping(config.attn_logit_softcapping)
        writer.add_final_logit_softcapping(config.final_logit_softcapping)


def _rope_theta(config) -> float:
    params = getattr(config, "rope_parameters", None) or {}
    if "full_attention" in params:  # gemma3: global layers; llama.cpp fixes the local ones at 10,000
        params = params["full_attention"]
    return float(params.get("rope_theta") or getattr(config, "rope_theta", 10000.0))


def _copy_tokenizer(writer, source: Path) -> None:
    import gguf

    reader = gguf.GGUFReader(str(source))
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer."):
            continue
        main = gguf.GGUFValueType(field.types[0])
        sub = gguf.GGUFValueType(field.types[-1]) if main == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), main, sub)


def _bpe_tokenizer(writer, tokenizer) -> None:
    """A byte-level BPE tokenizer (tokenizers' `BPE` model) as llama.cpp's `gpt2` vocabulary."""
    import gguf

    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    if spec["model"]["type"] != "BPE":
        raise ValueError("only byte-level BPE tokenizers can be written without a GGUF to copy from")
    vocab = tokenizer.get_vocab()
    tokens = [None] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    special = set(tokenizer.all_special_ids)
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if i in special else gguf.TokenType.NORMAL for i in range(len(tokens))])
    writer.add_token_merges(merges)
    for name, add in (("bos", writer.add_bos_token_id), ("eos", writer.add_eos_token_id),
                      ("unk", writer.add_unk_token_id), ("pad", writer.add_pad_token_id)):
        token_id = getattr(tokenizer, f"{name}_token_id", None)
        if token_id is not None:
            add(token_id)
    writer.add_add_bos_token(tokenizer.bos_token_id is not None)


def gguf_tensors(model, family: Family):
    """(GGUF name, float32 numpy array) for every weight of the model, converted as llama.cpp expects."""
    import gguf

    config = model.config
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[family.gguf_arch.upper()], config.num_hidden_layers)
    tied = getattr(config, "tie_word_embeddings", False)
    for hf_name, tensor in model.state_dict().items():
        if tied and hf_name == "lm_head.weight":
            continue
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"no GGUF name for {hf_name}")
        data = tensor.detach().float().cpu().numpy()
        if family.permute_qk and hf_name.endswith(("q_proj.weight", "q_proj.bias")):
            data = permute_rows(data, config.num_attention_heads)
        elif family.permute_qk and hf_name.endswith(("k_proj.weight", "k_proj.bias")):
            data = permute_rows(data, config.num_key_value_heads)
        if family.norm_offset and "norm" in hf_name:
            data = data + family.norm_offset
        yield name, data


def write_model(model, tokenizer, path: Path, *, tokenizer_from: Path | None = None, name: str = "vibecli",
                half: bool = False) -> int:
    """Write `model` (a transformers causal LM of a known family) as a GGUF file; returns the tensor count.
    Matrices are float16 with `half`, else float32; vectors (norms, biases) always float32."""
    import gguf
    import numpy as np

    family = FAMILIES[model.config.model_type]
    writer = gguf.GGUFWriter(str(path), family.gguf_arch)
    writer.add_type("model")
    writer.add_name(name)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if half else gguf.LlamaFileType.ALL_F32)
    _hparams(writer, model.config, family)
    if tokenizer_from is not None:
        _copy_tokenizer(writer, tokenizer_from)
    else:
        _bpe_tokenizer(writer, tokenizer)
    count = 0
    for tensor_name, data in gguf_tensors(model, family):
        writer.add_tensor(tensor_name, data.astype(np.float16) if half and data.ndim == 2 else data.astype(np.float32))
        count += 1
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return count


def read_model(path: Path):
    """(model, tokenizer) from a `gemma` GGUF file, which transformers does not read itself."""
    import gguf
    import numpy as np
    import torch
    from transformers import GemmaConfig, GemmaForCausalLM

    reader = gguf.GGUFReader(str(path))
    meta = {key: field.contents() for key, field in reader.fields.items() if not key.startswith("tokenizer.ggml.")
            or key.endswith("_id")}
    arch = meta["general.architecture"]
    if arch != "gemma":
        raise ValueError(f"read_model reads gemma files; this one is {arch}")
    get = lambda key, default=None: meta.get(f"{arch}.{key}", default)  # noqa: E731
    config = GemmaConfig(
        vocab_size=len(reader.fields["tokenizer.ggml.tokens"].data), hidden_size=get("embedding_length"),
        intermediate_size=get("feed_forward_length"), num_hidden_layers=get("block_count"),
        num_attention_heads=get("attention.head_count"), num_key_value_heads=get("attention.head_count_kv"),
        head_dim=get("attention.key_length"), rms_norm_eps=get("attention.layer_norm_rms_epsilon"),
        rope_theta=get("rope.freq_base", 10000.0), max_position_embeddings=get("context_length"),
        hidden_activation="gelu_pytorch_tanh", bos_token_id=meta.get("tokenizer.ggml.bos_token_id"),
        eos_token_id=meta.get("tokenizer.ggml.eos_token_id"), pad_token_id=meta.get("tokenizer.ggml.padding_token_id"),
    )
    model = GemmaForCausalLM(config)
    family = FAMILIES["gemma"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA, config.num_hidden_layers)
    by_gguf = {names.get_name(n, try_suffixes=(".weight", ".bias")): n for n in model.state_dict()}
    state = {}
    for tensor in reader.tensors:
        data = gguf.quants.dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        data = data.reshape([int(d) for d in reversed(tensor.shape)])
        hf_name = by_gguf[tensor.name]
        if "norm" in hf_name:
            data = data - family.norm_offset
        state[hf_name] = torch.from_numpy(np.ascontiguousarray(data))
    model.load_state_dict(state, strict=False)
    model.tie_weights()
    return model.eval(), tokenizer_of(path)


def tokenizer_of(path: Path):
    """The GGUF file's own tokenizer, built by transformers' GGUF converters into a plain fast
    tokenizer: it splits text as llama.cpp does (checked in the tests; the model-specific classes
    AutoTokenizer picks for some families split differently)."""
    from transformers import PreTrainedTokenizerFast
    from transformers.integrations.gguf.gguf_tokenizer_mapping import convert_gguf_tokenizer, get_gguf_tokenizer

    architecture, tokenizer_dict, tokenizer_config = get_gguf_tokenizer(str(path))
    backend, extra = convert_gguf_tokenizer(architecture, tokenizer_dict)
    specials = {k: v for k, v in tokenizer_config.items() if k.endswith("_token") and v is not None}
    return PreTrainedTokenizerFast(tokenizer_object=backend, **specials, **extra)
