"""Tiny randomly initialised models of each family vibecli trains, and a tiny tokenizer, built here
(nothing downloaded): small enough that a training step takes milliseconds."""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>"]
PAD, EOS, BOS, UNK = range(4)
WINDOW = 8
"""The sliding window of the gemma2 and gemma3 models: shorter than the test sequences, so the
sliding layers' caches wrap around."""

FAMILIES = ["llama", "qwen2", "gemma", "gemma2", "gemma3"]


def tiny_tokenizer(vocab_size: int = 384):
    """A byte-level BPE trained on a little Python (GGUF `tokenizer.ggml.model = gpt2`), with
    pad, eos, bos and unk at ids 0-3 as in Gemma's vocabulary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    text = (Path(__file__).resolve().parents[2] / "vibecli" / "train" / "dataset.py").read_text()
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator([text] * 2, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<bos>", eos_token="<eos>",
                                   pad_token="<pad>", unk_token="<unk>")


def tiny_config(family: str, vocab_size: int):
    import transformers

    common = dict(vocab_size=vocab_size, hidden_size=64, intermediate_size=96, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=16, max_position_embeddings=256, rms_norm_eps=1e-6,
                  bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    if family == "llama":
        return transformers.LlamaConfig(num_hidden_layers=2, tie_word_embeddings=False, **common)
    if family == "qwen2":
        return transformers.Qwen2Config(num_hidden_layers=2, tie_word_embeddings=True, **common)
    if family == "gemma":
        return transformers.GemmaConfig(num_hidden_layers=2, hidden_activation="gelu_pytorch_tanh", **common)
    if family == "gemma2":
        return transformers.Gemma2Config(num_hidden_layers=2, sliding_window=WINDOW, query_pre_attn_scalar=16,
                                         final_logit_softcapping=30.0, attn_logit_softcapping=50.0, **common)
    if family == "gemma3":
        # llama.cpp places gemma3's global layers every sixth: six layers hold one
        return transformers.Gemma3TextConfig(num_hidden_layers=6, sliding_window=WINDOW, query_pre_attn_scalar=16,
                                             **common)
    raise ValueError(family)


def tiny_model(family: str, vocab_size: int = 384, seed: int = 0):
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(tiny_config(family, vocab_size), dtype=torch.float32)
    with torch.no_grad():  # random norms too, so a wrong norm convention in a converter shows
        for name, param in model.named_parameters():
            if "norm" in name:
                param.copy_(torch.randn_like(param) * 0.1 + (0.0 if family.startswith("gemma") else 1.0))
    return model.eval()


def tiny_gguf(family: str, folder: Path, seed: int = 0) -> Path:
    """The tiny model of `family` with the tiny tokenizer, written as a GGUF file."""
    from vibecli.train.gguf_model import write_model

    path = folder / f"tiny-{family}.gguf"
    if not path.exists():
        write_model(tiny_model(family, seed=seed), tiny_tokenizer(), path)
    return path
