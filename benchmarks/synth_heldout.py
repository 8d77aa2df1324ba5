"""Adapters side by side on synthetic tasks no adapter trained on, kind by kind.

    python benchmarks/synth_heldout.py --tasks tasks.jsonl --exclude train6.jsonl --per-kind 2 \\
        --adapter none --adapter gemma-3-270m-edit-1.gguf --adapter runs/a7/adapter.gguf --out heldout.json

Draws `--per-kind` tasks of every kind from `data synth` output (`--tasks`), leaving out every
prompt of the `--exclude` files (the training sets), with prompt and answer together at most
`--max-chars`; the same draw for the same files and `--seed`. Each adapter (`none`: the plain
model) answers them greedily, one model at a time, and an answer counts as exact when the edits
it parses into are the expected ones, whitespace aside (as `vibecli train --eval` scores held-out
examples). Prints one row per kind and the totals; `--out` keeps every answer's verdict.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def draw(tasks: Path, exclude: list[Path], per_kind: int, max_chars: int, seed: int) -> list[dict]:
    """`per_kind` rows of every kind, none of whose prompts is in `exclude`, sorted by kind."""
    seen = set()
    for path in exclude:
        with path.open(encoding="utf-8") as handle:
            seen.update(json.loads(line)["prompt"] for line in handle if line.strip())
    by_kind: dict[str, list[dict]] = defaultdict(list)
    with tasks.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            if row["prompt"] not in seen and len(row["prompt"]) + len(row["answer"]) <= max_chars:
                by_kind[row["meta"]["kind"]].append(row)
    rng = random.Random(seed)
    out = []
    for kind in sorted(by_kind):
        rows = by_kind[kind]
        rng.shuffle(rows)
        out.extend(rows[:per_kind])
    return out


def table(rows: list[dict], verdicts: dict[str, list[dict]]) -> list[str]:
    labels = list(verdicts)
    lines = ["kind".ljust(22) + "n".rjust(4) + "".join(f"  {label[-24:]:>24}" for label in labels)]
    kinds = sorted({row["meta"]["kind"] for row in rows})
    for kind in kinds + ["all"]:
        at = [i for i, row in enumerate(rows) if kind in ("all", row["meta"]["kind"])]
        cells = "".join(f"  {sum(verdicts[label][i]['exact'] for i in at):>24}" for label in labels)
        lines.append(kind.ljust(22) + str(len(at)).rjust(4) + cells)
    formed = "".join(f"  {sum(v['well_formed'] for v in verdicts[label]):>24}" for label in labels)
    lines.append("well-formed".ljust(22) + str(len(rows)).rjust(4) + formed)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, required=True)
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("--per-kind", type=int, default=2)
    parser.add_argument("--max-chars", type=int, default=3300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--adapter", action="append", required=True, help="a LoRA GGUF, or none for the plain model")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    from vibecli import paths
    from vibecli.adapters import NONE
    from vibecli.backends import make_backend
    from vibecli.settings import Settings
    from vibecli.train.evaluate import edits_key, generate_all

    rows = draw(args.tasks, args.exclude, args.per_kind, args.max_chars, args.seed)
    expected = [edits_key(row["answer"]) for row in rows]
    verdicts: dict[str, list[dict]] = {}
    for adapter in args.adapter:
        settings = Settings(adapter=NONE if adapter == "none" else str(Path(adapter).resolve()), threads=args.threads)
        backend = make_backend(settings, paths.cache_dir())
        start = time.monotonic()
        answers = generate_all(backend, rows, args.max_tokens)
        seconds = time.monotonic() - start
        del backend
        keys = [edits_key(answer) for answer in answers]
        verdicts[adapter] = [{"kind": row["meta"]["kind"], "exact": key is not None and key == want,
                              "well_formed": key is not None} for row, key, want in zip(rows, keys, expected)]
        print(f"{adapter}: {sum(v['exact'] for v in verdicts[adapter])}/{len(rows)} exact in {seconds:.0f} s",
              file=sys.stderr, flush=True)
    print("\n".join(table(rows, verdicts)))
    if args.out:
        args.out.write_text(json.dumps({"tasks": len(rows), "per_kind": args.per_kind, "seed": args.seed,
                                        "verdicts": verdicts}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
