"""The training run: the base GGUF through transformers, a peft LoRA (or every weight, `full`),
the answer loss (losses.py) and/or the DPO loss (dpo.py), checkpoints to resume from, a learning
curve, and the result exported as GGUF at the end. Runs alone, or as one process of many under
torchrun (distributed.py)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from vibecli.backends.adapter import ADAPTER_FILE
from vibecli.core import VibeError
from vibecli.train import checkpoint as ckpt
from vibecli.train import distributed, schedule
from vibecli.train.dataset import Encoded, encode
from vibecli.train.models import load_base, lora_targets, pick_device

CHECKPOINT_DIR = ckpt.CHECKPOINT_DIR


@dataclass
class TrainConfig:
    base: Path
    """The base model, a GGUF file (dequantized by transformers for training)."""
    rows: list[dict]
    """Training examples: {"prompt", "answer"}."""
    out: Path
    """Folder for the adapter, the checkpoint, the curve and the run's facts."""
    hf_cache: Path
    """Where the dequantized base is kept after the first load (loading the GGUF takes a minute or more)."""
    pairs: list[dict] = field(default_factory=list)
    """Preference pairs {"prompt", "chosen", "rejected"}, trained with the DPO loss."""
    steps: int = 0
    """Optimizer steps; 0 means one pass over the data (the larger of rows and pairs)."""
    minutes: float = 0.0
    """Stop (and export) when the next step would pass this many minutes; 0 means no limit."""
    batch: int = 8
    """Examples (and pairs) per optimizer step, per process."""
    micro: int = 1
    """Examples run side by side (right-padded) within a step; 1 on a CPU, more on a GPU."""
    rank: int = 16
    alpha: float = 32.0
    learning_rate: float = 2e-4
    max_length: int = 1024
    """Examples longer than this many tokens are skipped."""
    copy_weight: float = 0.3
    unlikelihood: float = 0.0
    """Weight of the loss that pushes down the copy token where an answer departs from the file."""
    beta: float = 0.1
    """DPO's beta: how far from the reference (the base model) the preferences may pull."""
    full: bool = False
    """Train every weight instead of a LoRA adapter; exports a whole GGUF model."""
    seed: int = 0
    checkpoint_every: int = 20
    eval_every: int = 0
    """Evaluate every Nth checkpoint with `evaluate_checkpoint` (0: never)."""
    resume: bool = False
    threads: int | None = None
    device: str = "auto"


@dataclass
class TrainResult:
    adapter: Path
    steps: int
    examples: int
    pairs: int
    skipped_long: int
    tokens: int
    seconds: float
    load_s: float
    first_loss: float
    last_loss: float
    device: str
    processes: int
    batch: int
    full: bool
    weights_sha256: str = ""
    """Of the trained weights (every trainable tensor, in name order): equal on every process of a run."""
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


def encode_rows(tokenizer, rows: list[dict], max_length: int, copy_weight: float) -> tuple[list[Encoded], int]:
    """The rows as token ids, in arrays: 20,000 examples as Python lists of ints take gigabytes."""
    from array import array

    encoded, skipped = [], 0
    for row in rows:
        item = encode(tokenizer, row["prompt"], row["answer"], copy_weight)
        if len(item.input_ids) > max_length:
            skipped += 1
            continue
        encoded.append(Encoded(array("l", item.input_ids), array("d", item.weights), item.prompt_len,
                               array("l", item.avoid) if item.avoid else None))
    return encoded, skipped


def encode_pairs(tokenizer, rows: list[dict], max_length: int) -> tuple[list, int]:
    from vibecli.train.dpo import encode_pair

    pairs = [encode_pair(tokenizer, row) for row in rows]
    kept = [p for p in pairs if len(p.prompt) + max(len(p.chosen), len(p.rejected)) <= max_length]
    return kept, len(pairs) - len(kept)


def _fingerprint(items: list[Encoded], pairs: list, config: TrainConfig, world: distributed.World) -> dict:
    digest = hashlib.sha256()
    for item in items:
        digest.update(json.dumps([item.prompt_len, list(item.input_ids)]).encode())
    for pair in pairs:
        digest.update(json.dumps([pair.prompt, pair.chosen, pair.rejected]).encode())
    return {"data": digest.hexdigest()[:16], "seed": config.seed, "examples_per_step": config.batch * world.size,
            "full": config.full}


def _objective(model, config: TrainConfig):
    """The model and its losses as one module, so DistributedDataParallel can wrap the whole step."""
    import torch

    from vibecli.train.dpo import dpo_loss
    from vibecli.train.losses import batch_loss

    class Objective(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, kind: str, *args, device: str, scale: float):
            if kind == "sft":
                items, prefix, prefix_len = args
                return batch_loss(self.model, items, prefix, prefix_len, device, unlikelihood=config.unlikelihood,
                                  scale=scale), None
            return dpo_loss(self.model, args[0], device, config.beta, scale)

    return Objective()


def _prepare(model, config: TrainConfig, device: str, folder: Path, resume: bool):
    """(trainable model, optimizer, state) for a fresh run or from the checkpoint."""
    import torch
    from peft import LoraConfig, get_peft_model

    state = {"step": 0, "losses": [], "tokens": 0, "seconds": 0.0}
    if resume:
        state = ckpt.load_state(folder)
        model = ckpt.load_weights(model, folder, full=config.full, device=device)
    elif not config.full:
        lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=0.0, target_modules=lora_targets(model),
                          bias="none", task_type="CAUSAL_LM")
        model = get_peft_model(model, lora)
    model.to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    if resume:
        ckpt.load_optimizer(optimizer, folder, device)
    return model, optimizer, state


def _work(step: int, config: TrainConfig, world, items, pairs, model, device: str) -> tuple[list, int]:
    """This process's share of step `step` as units of work (each one forward and backward), and
    the tokens of the whole step over all processes."""
    from vibecli.train.losses import prefix_cache, shared_prefix

    per_step = config.batch * world.size
    units, tokens = [], 0
    if items:
        chosen = schedule.step_examples(step, tuple(len(i.input_ids) for i in items), config.seed, per_step)
        tokens += sum(len(items[i].input_ids) for i in chosen)
        group = sorted((items[i] for i in schedule.shard(chosen, world.rank, world.size)), key=lambda i: i.prompt_len)
        n = shared_prefix(group)
        prefix = prefix_cache(model, list(group[0].input_ids[:n]), device)
        for at in range(0, len(group), config.micro):
            units.append(("sft", group[at:at + config.micro], prefix, n))
    if pairs:
        chosen = schedule.step_examples(step, tuple(len(p) for p in pairs), config.seed + 1, per_step)
        tokens += sum(len(pairs[i]) for i in chosen)
        units.extend(("dpo", pairs[i]) for i in schedule.shard(chosen, world.rank, world.size))
    return units, tokens


def _one_step(objective, units: list, device: str, config: TrainConfig) -> tuple[float, list[float]]:
    """Forward and backward over every unit; gradients are synchronised once, after the last."""
    loss_total, margins = 0.0, []
    for index, unit in enumerate(units):
        last = index == len(units) - 1
        quiet = objective.no_sync() if hasattr(objective, "no_sync") and not last else contextlib.nullcontext()
        with quiet:
            loss, margin = objective(*unit, device=device, scale=1 / config.batch)
            loss.backward()
        loss_total += float(loss.detach())
        if margin is not None:
            margins.append(margin)
    return loss_total, margins


def _load(config: TrainConfig, world, device: str, progress: Progress):
    """(model, tokenizer, seconds): rank 0 first, so only one process dequantizes into the cache."""
    started = time.perf_counter()
    if not world.main:
        distributed.barrier(world)
    model, tokenizer = load_base(config.base, config.hf_cache, device, progress)
    if world.main:
        distributed.barrier(world)
    return model, tokenizer, time.perf_counter() - started


def train(config: TrainConfig, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None,
          evaluate_checkpoint: Callable[[Path, int], dict] | None = None) -> TrainResult:
    """Trains; on rank 0 writes the result (and train.json) to `config.out`. Every process returns the same facts."""
    import torch

    world = distributed.from_environment()
    progress = (progress or Progress()) if world.main else Progress()
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    device = distributed.start(world, pick_device(config.device))
    try:
        with warnings.catch_warnings():  # transformers' and peft's notices of their own deprecations
            warnings.filterwarnings("ignore", category=FutureWarning)
            return _train(config, world, device, progress, should_stop, evaluate_checkpoint)
    finally:
        distributed.finish(world)


def _train(config, world, device, progress, should_stop, evaluate_checkpoint) -> TrainResult:
    folder = config.out / CHECKPOINT_DIR
    if world.main:
        config.out.mkdir(parents=True, exist_ok=True)
    model, tokenizer, load_s = _load(config, world, device, progress)
    items, skipped = encode_rows(tokenizer, config.rows, config.max_length, config.copy_weight)
    pairs, skipped_pairs = encode_pairs(tokenizer, config.pairs, config.max_length)
    if not items and not pairs:
        raise VibeError(f"no training example fits in {config.max_length} tokens ({skipped + skipped_pairs} skipped as too long)")
    if pairs and config.full:
        raise VibeError("preference pairs need the base model as reference: train them with LoRA, not --full")
    fingerprint = _fingerprint(items, pairs, config, world)
    resume = config.resume and (folder / ckpt.STATE_FILE).is_file()
    model, optimizer, state = _prepare(model, config, device, folder, resume)
    if resume:
        ckpt.check_same_run(state, fingerprint)
        progress.note(f"Resuming from step {state['step']}")
    objective = distributed.wrap(_objective(model, config), world)
    params = [p for p in model.parameters() if p.requires_grad]
    total = config.steps or schedule.steps_for_one_pass(max(len(items), len(pairs)), config.batch * world.size)
    curve = ckpt.Curve(config.out / ckpt.CURVE_FILE, state["step"] if resume else None) if world.main else None
    run = _Run(config, world, device, model, objective, optimizer, params, items, pairs, state, fingerprint, curve,
               progress, evaluate_checkpoint)
    run.loop(total, should_stop)
    target = config.out / ("model.gguf" if config.full else ADAPTER_FILE)
    if world.main:
        from vibecli.train.export import export

        run.save()
        target = export(model, config.out, full=config.full, alpha=config.alpha, base=config.base)
    distributed.barrier(world)
    losses = state["losses"]
    result = TrainResult(
        adapter=target, steps=state["step"],
        examples=len(items), pairs=len(pairs), skipped_long=skipped + skipped_pairs, tokens=state["tokens"],
        seconds=round(state["seconds"], 1), load_s=round(load_s, 1), first_loss=_mean(losses[:10]),
        last_loss=_mean(losses[-10:]), device=device, processes=world.size, batch=config.batch, full=config.full,
        weights_sha256=_weights_digest(model), losses=losses,
    )
    if world.main:
        (config.out / "train.json").write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    return result


class _Run:
    """The steps of one run, with what they share."""

    def __init__(self, config, world, device, model, objective, optimizer, params, items, pairs, state, fingerprint,
                 curve, progress, evaluate_checkpoint):
        self.config, self.world, self.device = config, world, device
        self.model, self.objective, self.optimizer, self.params = model, objective, optimizer, params
        self.items, self.pairs, self.state, self.fingerprint = items, pairs, state, fingerprint
        self.curve, self.progress, self.evaluate_checkpoint = curve, progress, evaluate_checkpoint

    def loop(self, total: int, should_stop) -> None:
        import torch

        state, config = self.state, self.config
        start_step, started = state["step"], time.perf_counter()
        seconds_before = state["seconds"]
        self.progress.start(total)
        self.progress.step(state["step"], state["losses"][-1] if state["losses"] else float("nan"))
        while state["step"] < total:
            elapsed = time.perf_counter() - started
            per_step = elapsed / (state["step"] - start_step) if state["step"] > start_step else 0.0
            over = bool(config.minutes) and per_step > 0 and elapsed + per_step > config.minutes * 60
            if distributed.any_true(self.world, over or bool(should_stop and should_stop()), self.device):
                self.progress.note(f"Stopping at step {state['step']}" +
                                   (f": the next step would pass --minutes {config.minutes:g}" if over else ""))
                break
            lr = schedule.learning_rate(state["step"], total, config.learning_rate)
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            units, tokens = _work(state["step"], config, self.world, self.items, self.pairs, self.model, self.device)
            loss, margins = _one_step(self.objective, units, self.device, config)
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            state["step"] += 1
            state["tokens"] += tokens
            state["seconds"] = seconds_before + time.perf_counter() - started
            loss = distributed.mean(self.world, loss, self.device)
            state["losses"].append(round(loss, 4))
            self._record(lr, tokens, distributed.mean(self.world, sum(margins) / len(margins), self.device)
                         if margins else None)
            self.progress.step(state["step"], loss)
            if config.checkpoint_every and state["step"] % config.checkpoint_every == 0 and state["step"] < total:
                self.save()
                self._maybe_evaluate()
        self.progress.stop()

    def _record(self, lr: float, tokens: int, margin: float | None) -> None:
        if self.curve is None:
            return
        state = self.state
        row = {"step": state["step"], "loss": state["losses"][-1], "tokens": state["tokens"],
               "seconds": round(state["seconds"], 2), "lr": lr, "step_tokens": tokens}
        if margin is not None:
            row["margin"] = round(margin, 4)
        self.curve.add(row)

    def save(self) -> None:
        if self.world.main:
            ckpt.save(self.model, self.optimizer, self.config.out / CHECKPOINT_DIR,
                      {**self.state, "fingerprint": self.fingerprint}, full=self.config.full)

    def _maybe_evaluate(self) -> None:
        config, step = self.config, self.state["step"]
        if not (self.evaluate_checkpoint and config.eval_every and config.checkpoint_every):
            return
        if (step // config.checkpoint_every) % config.eval_every == 0 and self.world.main:
            from vibecli.train.export import export

            folder = config.out / "evals" / f"step-{step}"
            folder.mkdir(parents=True, exist_ok=True)
            path = export(self.model, folder, full=config.full, alpha=config.alpha, base=config.base)
            self.progress.note(f"Step {step}: evaluating the checkpoint ({path.name})")
            self.curve.add({"step": step, "editeval": self.evaluate_checkpoint(path, step)})
        distributed.barrier(self.world)


def _weights_digest(model) -> str:
    digest = hashlib.sha256()
    for name, param in sorted(model.named_parameters()):
        if param.requires_grad:
            digest.update(name.encode())
            digest.update(param.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else float("nan")
