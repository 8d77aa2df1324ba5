"""The training run: the base GGUF through transformers, a peft LoRA, loss only on answers,
checkpoints to resume from, and the adapter exported as GGUF at the end."""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from vibecli.backends.adapter import ADAPTER_FILE
from vibecli.core import VibeError
from vibecli.train.dataset import Encoded, encode

TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CHECKPOINT_DIR = "checkpoint"


@dataclass
class TrainConfig:
    base: Path
    """The base model, a GGUF file (dequantized by transformers for training)."""
    rows: list[dict]
    """Training examples: {"prompt", "answer"}."""
    out: Path
    """Folder for the adapter, the checkpoint and the run's facts."""
    hf_cache: Path
    """Where the dequantized base is kept after the first load (loading the GGUF takes a minute or more)."""
    steps: int = 0
    """Optimizer steps; 0 means one pass over the data."""
    minutes: float = 0.0
    """Stop (and export) when the next step would pass this many minutes; 0 means no limit."""
    rank: int = 16
    alpha: float = 32.0
    learning_rate: float = 2e-4
    max_length: int = 1024
    """Examples longer than this many tokens are skipped."""
    copy_weight: float = 0.3
    unlikelihood: float = 0.0
    """Weight of the loss that pushes down the copy token where an answer departs from the file."""
    seed: int = 0
    checkpoint_every: int = 20
    resume: bool = False
    threads: int | None = None
    device: str = "auto"


@dataclass
class TrainResult:
    adapter: Path
    steps: int
    examples: int
    skipped_long: int
    tokens: int
    seconds: float
    load_s: float
    first_loss: float
    last_loss: float
    device: str
    losses: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["adapter"] = str(self.adapter)
        return out


class Progress:
    def start(self, total: int) -> None: ...

    def step(self, done: int, loss: float) -> None: ...

    def note(self, text: str) -> None: ...

    def stop(self) -> None: ...


def pick_device(wanted: str) -> str:
    import torch

    if wanted != "auto":
        return wanted
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def load_base(base: Path, hf_cache: Path, device: str, progress: Progress | None = None):
    """(model, tokenizer), from the dequantized copy when there is one."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    from vibecli.backends.embedded import file_sha256

    key = file_sha256(base, hf_cache)[:16]
    cached = hf_cache / f"hf-{key}"
    if (cached / "config.json").is_file():
        tokenizer = AutoTokenizer.from_pretrained(str(cached))
        model = AutoModelForCausalLM.from_pretrained(str(cached), dtype=dtype)
    else:
        if progress:
            progress.note(f"Dequantizing {base.name} for training (once; kept in {cached})")
        tokenizer = AutoTokenizer.from_pretrained(str(base.parent), gguf_file=base.name)
        model = AutoModelForCausalLM.from_pretrained(str(base.parent), gguf_file=base.name, dtype=torch.float32)
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        # transformers marks a model read from GGUF as quantized; its weights are plain floats now
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(str(partial))
        tokenizer.save_pretrained(str(partial))
        shutil.rmtree(cached, ignore_errors=True)
        partial.rename(cached)
        model = model.to(dtype)
    return model.to(device), tokenizer


def _architecture(model) -> tuple[str, int]:
    config = model.config
    arch = getattr(config, "model_type", "")
    return ("gemma3" if arch.startswith("gemma3") else arch), int(config.num_hidden_layers)


def encode_rows(tokenizer, rows: list[dict], max_length: int, copy_weight: float) -> tuple[list[Encoded], int]:
    encoded, skipped = [], 0
    for row in rows:
        item = encode(tokenizer, row["prompt"], row["answer"], copy_weight)
        if len(item.input_ids) > max_length:
            skipped += 1
            continue
        encoded.append(item)
    return encoded, skipped


def weighted_loss(model, item: Encoded, device: str, cached_prompt: bool = True, unlikelihood: float = 0.0):
    """Mean weighted cross-entropy over the answer tokens, plus `unlikelihood` times the mean of
    -log(1 - p) of the copy token at each place the answer departs from the file (dataset.departures).

    With `cached_prompt`, the prompt runs first without gradients and the answer attends to its
    cached keys and values: the loss is the same, the backward pass covers only the answer
    (the prompt's own share of the gradient, through the adapted key and value projections
    at prompt positions, is left out), and the logits (a 262k-entry vocabulary) are computed
    only where there is a loss. About twice as fast on a CPU for vibecli's few-shot prompts."""
    import torch

    ids = torch.tensor([item.input_ids], device=device)
    n = item.prompt_len
    targets = ids[0, n:]
    weights = torch.tensor(item.weights[n:], device=device)
    if cached_prompt:
        with torch.no_grad():
            past = model(input_ids=ids[:, : n - 1], use_cache=True).past_key_values
        logits = model(input_ids=ids[:, n - 1 : -1], past_key_values=past, use_cache=True).logits[0].float()
    else:
        logits = model(input_ids=ids[:, :-1], logits_to_keep=len(targets)).logits[0].float()
    losses = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    loss = (losses * weights).sum() / weights.sum().clamp(min=1e-6)
    if not unlikelihood or not item.avoid:
        return loss
    avoid = torch.tensor(item.avoid[n:], device=device)
    rows = (avoid >= 0).nonzero().flatten()
    if len(rows):
        p = torch.softmax(logits[rows], dim=-1).gather(1, avoid[rows].unsqueeze(1)).squeeze(1)
        loss = loss + unlikelihood * -torch.log1p(-p.clamp(max=1 - 1e-6)).mean()
    return loss


def train(config: TrainConfig, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None) -> TrainResult:
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model

    progress = progress or Progress()
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    device = pick_device(config.device)
    config.out.mkdir(parents=True, exist_ok=True)
    checkpoint = config.out / CHECKPOINT_DIR
    started = time.perf_counter()
    model, tokenizer = load_base(config.base, config.hf_cache, device, progress)
    load_s = time.perf_counter() - started
    items, skipped = encode_rows(tokenizer, config.rows, config.max_length, config.copy_weight)
    if not items:
        raise VibeError(f"no training example fits in {config.max_length} tokens ({skipped} skipped as too long)")
    state = {"step": 0, "losses": []}
    if config.resume and (checkpoint / "state.json").is_file():
        model = PeftModel.from_pretrained(model, str(checkpoint), is_trainable=True)
        state = json.loads((checkpoint / "state.json").read_text())
        progress.note(f"Resuming from step {state['step']}")
    else:
        lora = LoraConfig(
            r=config.rank, lora_alpha=config.alpha, lora_dropout=0.0, target_modules=TARGET_MODULES,
            bias="none", task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    model.to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    if config.resume and (checkpoint / "optimizer.pt").is_file():
        optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", map_location=device))
    total = config.steps or len(items)
    order = list(range(len(items)))
    random.Random(config.seed).shuffle(order)
    progress.start(total)
    train_started = time.perf_counter()
    tokens = 0
    step = start_step = state["step"]
    progress.step(step, state["losses"][-1] if state["losses"] else float("nan"))
    while step < total:
        if should_stop and should_stop():
            break
        elapsed = time.perf_counter() - train_started
        if config.minutes and step > start_step:
            per_step = elapsed / (step - start_step)
            if elapsed + per_step > config.minutes * 60:
                progress.note(f"Stopping at step {step}: the next step would pass --minutes {config.minutes:g}")
                break
        item = items[order[step % len(items)]]
        lr = config.learning_rate * min(1.0, (step + 1) / 10) * (0.5 * (1 + math.cos(math.pi * step / max(1, total))))
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = weighted_loss(model, item, device, unlikelihood=config.unlikelihood)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens += len(item.input_ids)
        state["losses"].append(round(float(loss.detach()), 4))
        progress.step(step, state["losses"][-1])
        if config.checkpoint_every and step % config.checkpoint_every == 0 and step < total:
            _save_checkpoint(model, optimizer, checkpoint, step, state)
    progress.stop()
    _save_checkpoint(model, optimizer, checkpoint, step, state)
    from vibecli.train.export import write_adapter

    arch, blocks = _architecture(model)
    adapter = config.out / ADAPTER_FILE
    partial = adapter.with_suffix(".partial")
    write_adapter(model, partial, alpha=config.alpha, architecture=arch, block_count=blocks)
    partial.replace(adapter)
    losses = state["losses"]
    result = TrainResult(
        adapter=adapter, steps=step, examples=len(items), skipped_long=skipped, tokens=tokens,
        seconds=round(time.perf_counter() - train_started, 1), load_s=round(load_s, 1),
        first_loss=_mean(losses[:10]), last_loss=_mean(losses[-10:]), device=device, losses=losses,
    )
    (config.out / "train.json").write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    return result


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else float("nan")


def _save_checkpoint(model, optimizer, checkpoint: Path, step: int, state: dict) -> None:
    import torch

    partial = checkpoint.with_name(checkpoint.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(str(partial))
    torch.save(optimizer.state_dict(), partial / "optimizer.pt")
    (partial / "state.json").write_text(json.dumps({**state, "step": step}))
    shutil.rmtree(checkpoint, ignore_errors=True)
    partial.rename(checkpoint)
