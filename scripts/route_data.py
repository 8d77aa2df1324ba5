"""The route adapter's training set: route examples (vibecli/data/routes.py) from synth tasks and
the phrase tables, shuffled, with the mix printed.

    python scripts/route_data.py tasks.jsonl routes.jsonl [--per-kind 35] [--per-ruff 60] [--per-rename 250] [--compound 600]
    vibecli train --data routes.jsonl --out route-run --holdout 0 --max-length 160

`tasks.jsonl` is `vibecli data synth` output (it already passed the contamination check against
EditEval). A request equal, after lower-casing and joining whitespace, to an EditEval instruction
or to a request of the held-out router set (benchmarks/fixers/heldout.jsonl) is dropped, and the
count printed: those sets measure the router and are never trained on.
"""

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vibecli.data.routes import (compound_examples, mix, names_and_paths, phrase_examples,  # noqa: E402
                                 request_of, synth_examples)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def measured_requests() -> set[str]:
    found = set()
    heldout = ROOT / "benchmarks" / "fixers" / "heldout.jsonl"
    editeval = ROOT.parent / "shared" / "eval" / "editeval.jsonl"
    for path, key in ((heldout, "request"), (editeval, "instruction")):
        if path.is_file():
            for line in path.read_text().splitlines():
                if line.strip():
                    found.add(_norm(json.loads(line).get(key, "")))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tasks", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-kind", type=int, default=35, help="synth examples of each kind and label at most")
    parser.add_argument("--per-ruff", type=int, default=60, help="synth examples of each kind ruff carries out")
    parser.add_argument("--per-rename", type=int, default=250, help="synth renames of each rename kind at most")
    parser.add_argument("--compound", type=int, default=0, help="two-requests-in-one examples (none) to add")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.tasks.read_text().splitlines() if line.strip()]
    names, paths, renames = names_and_paths(rows)
    examples = synth_examples(rows, args.per_kind, args.seed, args.per_rename, args.per_ruff)
    examples += phrase_examples(names, paths, renames, args.seed)
    examples += compound_examples(examples, args.compound, args.seed)
    measured = measured_requests()
    kept = [e for e in examples if _norm(request_of(e)) not in measured]
    random.Random(args.seed).shuffle(kept)
    args.out.write_text("".join(json.dumps(e) + "\n" for e in kept))
    census = mix(kept)
    print(f"{len(kept)} examples ({len(examples) - len(kept)} dropped: equal to a measured request); "
          f"none {census.pop('none', 0)}, rename {census.pop('rename', 0)}, ruff {sum(census.values())} "
          f"over {len(census)} intents")
    origins = {}
    for e in kept:
        origins[e["meta"]["origin"].split(":")[0]] = origins.get(e["meta"]["origin"].split(":")[0], 0) + 1
    print("by source:", origins)


if __name__ == "__main__":
    main()
