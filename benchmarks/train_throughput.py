"""Training throughput (tokens/s) of `vibecli train`'s loss, before and after, side by side in one run.

    vibecli data synth --from "$(python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \\
        --format auto --seed 7 --limit 600 --out synth.jsonl
    flock -x /work/locks/cpu.lock python benchmarks/train_throughput.py --data synth.jsonl

Every variant trains the same LoRA (rank 16 on every projection, the same initial weights) on
the same examples (the first `--examples` of `--data` that fit in `--max-length` tokens), with a
fresh AdamW. The examples are cut into rounds of the largest `--batch`; each round trains every
variant on the same examples, in a rotating order, so that load from other processes on a shared
machine falls on all of them alike; one untimed warm-up step each comes first. Tokens are every
token of every example trained on (prompt and answer), as `vibecli train` counts them.

- `before`: the loop as it was: per example, the prompt through the whole model without
  gradients (logits at every prompt position included), then the answer with gradients, one
  example per optimizer step.
- `after-b1`: the fast loss (losses.py) at the same settings: one example per step, so the shared
  prefix is computed once per example.
- `after-bN`: the fast loss with N examples per step (`--batch`): the shared prefix once per
  step; `mM` runs M examples side by side (right-padded) instead of one after another.
- `after-bN-bf16`: as `after-bN` under bfloat16 autocast.

Before timing, the fast loss is checked against one plain full forward pass per example (max
absolute difference of the loss). Prints one JSON line per variant, then the ratios to `before`.

`--profile` instead runs one step of `before` (one example) and one of the largest `after-bN`
under torch.profiler and prints, for each, the operators by their own CPU time and the matrix
products grouped by shape (the 262k-word output layer's show as `[..., 640], [262144, 640]`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def legacy_loss(model, item, device):
    """`weighted_loss` as the loop had it (cached_prompt=True, no unlikelihood): the `before` variant."""
    import torch

    ids = torch.tensor([item.input_ids], device=device)
    n = item.prompt_len
    targets = ids[0, n:]
    weights = torch.tensor(item.weights[n:], device=device)
    with torch.no_grad():
        past = model(input_ids=ids[:, : n - 1], use_cache=True).past_key_values
    logits = model(input_ids=ids[:, n - 1 : -1], past_key_values=past, use_cache=True).logits[0].float()
    losses = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    return (losses * weights).sum() / weights.sum().clamp(min=1e-6)


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def make_step(model, name, micro, device, bf16=False):
    """One optimizer step of the variant over a group of examples (one example for `before`)."""
    import torch

    from vibecli.train.losses import batch_loss, prefix_cache, shared_prefix

    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()

    def step(group, optimizer, params):
        with autocast:
            if name == "before":
                legacy_loss(model, group[0], device).backward()
            else:
                n = shared_prefix(group)
                prefix = prefix_cache(model, group[0].input_ids[:n], device)
                ordered = sorted(group, key=lambda item: item.prompt_len)
                for at in range(0, len(ordered), micro):
                    batch_loss(model, ordered[at:at + micro], prefix, n, device, scale=1 / len(group)).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def run_round(model, lora_init, group, variant, device) -> tuple[int, float]:
    """(tokens, seconds) of the variant training on `group` from the initial adapter."""
    import torch

    name, batch, micro, bf16 = variant
    model.load_state_dict(lora_init, strict=False)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    step = make_step(model, name, micro, device, bf16)
    size = 1 if name in ("before", "after-b1") else batch
    started = time.perf_counter()
    for at in range(0, len(group), size):
        step(group[at:at + size], optimizer, params)
    return sum(len(item.input_ids) for item in group), time.perf_counter() - started


def run_all(model, lora_init, items, plan, round_size, device) -> list[dict]:
    """Each round trains every variant on the same `round_size` examples, in a rotating order, so
    load from other processes on a shared machine falls on all of them alike."""
    totals = {variant: [0, 0.0] for variant in plan}
    for variant in plan:  # warm-up: first-call allocations, not timed
        run_round(model, lora_init, items[:1], variant, device)
    rounds = [items[at:at + round_size] for at in range(0, len(items), round_size)]
    for index, group in enumerate(rounds):
        order = plan[index % len(plan):] + plan[:index % len(plan)]
        for variant in order:
            tokens, seconds = run_round(model, lora_init, group, variant, device)
            totals[variant][0] += tokens
            totals[variant][1] += seconds
        print(f"round {index + 1}/{len(rounds)} done", file=sys.stderr, flush=True)
    results = []
    for (name, batch, micro, bf16), (tokens, seconds) in totals.items():
        results.append({"variant": name + ("-bf16" if bf16 else ""), "batch": batch, "micro": micro,
                        "examples": len(items), "tokens": tokens, "seconds": round(seconds, 2),
                        "tokens_per_s": round(tokens / seconds, 1)})
    return results


def exactness(model, items, device, bf16=False) -> float:
    """Largest |fast loss - plain full-forward loss| over `items`, one prefix shared by all."""
    import torch

    from vibecli.train.losses import batch_loss, plain_loss, prefix_cache, shared_prefix

    worst = 0.0
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    with torch.no_grad():
        n = shared_prefix(items)
        prefix = prefix_cache(model, items[0].input_ids[:n], device)
        for item in items:
            reference = float(plain_loss(model, item, device))
            with autocast:
                fast = float(batch_loss(model, [item], prefix, n, device))
            worst = max(worst, abs(fast - reference))
    return worst


def profile(model, lora_init, items, batch, device) -> None:
    """One step of `before` and one of `after-b{batch}` under torch.profiler: where the time goes."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as profiler

    from vibecli.train.losses import parts

    vocab = parts(model)[1].weight.shape[0]
    for name, group in (("before", items[:1]), (f"after-b{batch}", items[:batch])):
        run_round(model, lora_init, group[:1], (name, batch, 1, False), device)  # warm-up
        with profiler(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            tokens, seconds = run_round(model, lora_init, group, (name, batch, 1, False), device)
        print(f"== {name}: {len(group)} examples, {tokens} tokens, {seconds:.1f} s under the profiler", flush=True)
        events = prof.key_averages()
        print(events.table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=40), flush=True)
        total = sum(e.self_cpu_time_total for e in events) or 1
        buckets: dict[str, float] = {}
        for event in prof.key_averages(group_by_input_shape=True):
            if event.key in ("aten::mm", "aten::addmm", "aten::bmm"):
                dims = {d for shape in event.input_shapes for d in shape}
                kind = "output layer" if vocab in dims else "LoRA A/B" if 16 in dims else "other products"
                buckets[kind] = buckets.get(kind, 0.0) + event.self_cpu_time_total
        for kind, micros in sorted(buckets.items(), key=lambda kv: -kv[1]):
            print(f"  matrix products, {kind:15} {micros / 1e6:7.2f} s {micros / total:6.1%} of the step", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="JSON Lines of {prompt, answer} (data synth)")
    parser.add_argument("--model", type=Path, help="base GGUF (default: the embedded model)")
    parser.add_argument("--examples", type=int, default=16, help="examples each variant trains on")
    parser.add_argument("--max-length", type=int, default=1024)
    parser.add_argument("--batch", default="8", help="examples per step of the after-bN variants, comma-separated")
    parser.add_argument("--micro", default="1", help="examples side by side, comma-separated (each with each --batch)")
    parser.add_argument("--variants", default="before,after-b1,after-bN", help="which to run: before, after-b1, after-bN, bf16")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="profile one step of before and of after-bN instead")
    args = parser.parse_args()

    import torch
    from peft import LoraConfig, get_peft_model

    from vibecli import paths
    from vibecli.models import default_model_path as embedded_model_path
    from vibecli.train.dataset import encode
    from vibecli.train.models import lora_targets, load_base

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"uptime at start: {_uptime()}", flush=True)
    base = args.model or embedded_model_path(paths.cache_dir())
    model, tokenizer = load_base(base, paths.cache_dir() / "models", "cpu")
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=lora_targets(model),
                                             bias="none", task_type="CAUSAL_LM"))
    model.train()
    lora_init = {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k}
    rows = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    items = []
    for row in rows:
        item = encode(tokenizer, row["prompt"], row["answer"])
        if len(item.input_ids) <= args.max_length:
            items.append(item)
        if len(items) == args.examples:
            break
    wanted = args.variants.split(",")
    if args.profile:
        profile(model, lora_init, items, max(int(b) for b in args.batch.split(",")), "cpu")
        print(f"uptime at end: {_uptime()}", flush=True)
        return 0
    print(json.dumps({"examples": len(items), "tokens": sum(len(i.input_ids) for i in items),
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "max_abs_loss_diff": exactness(model, items[:4], "cpu")}), flush=True)
    if "bf16" in wanted:
        print(json.dumps({"bf16_max_abs_loss_diff": exactness(model, items[:4], "cpu", bf16=True)}), flush=True)
    plan = [("before", 1, 1, False)] if "before" in wanted else []
    plan += [("after-b1", 1, 1, False)] if "after-b1" in wanted else []
    batches = [int(b) for b in args.batch.split(",")]
    for batch in batches:
        for micro in map(int, args.micro.split(",")):
            label = f"after-b{batch}" + (f"m{micro}" if micro > 1 else "")
            if "after-bN" in wanted:
                plan.append((label, batch, micro, False))
            if "bf16" in wanted:
                plan.append((label, batch, micro, True))
    results = run_all(model, lora_init, items, plan, max(batches), "cpu")
    for result in results:
        print(json.dumps(result), flush=True)
    before = next((r for r in results if r["variant"] == "before"), None)
    if before:
        for result in results[1:]:
            print(f"{result['variant']}: {result['tokens_per_s']} tokens/s, "
                  f"{result['tokens_per_s'] / before['tokens_per_s']:.2f}x before ({before['tokens_per_s']} tokens/s)")
    print(f"uptime at end: {_uptime()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
