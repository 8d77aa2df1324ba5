"""The training set of the latest adapter (see README, "No adapter ships yet"), reproducibly:

    vibecli data synth --from "$(python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \\
        --format auto --seed 7 --out all.jsonl
    python scripts/adapter_data.py all.jsonl train.jsonl

Shuffles the tasks (seed 11), keeps at most CAPS[kind] of each kind and only those whose prompt
and answer together are at most 3,300 characters (about 1,000 tokens), and shuffles again.
"""

import collections
import json
import random
import sys

CAPS = {"docstring": 50, "annotations": 46, "rename": 60, "comparison": 90, "default": 70,
        "error_handling": 80, "guard": 70, "comprehension": 31}


def main(source: str, target: str) -> None:
    rows = [json.loads(line) for line in open(source, encoding="utf-8") if line.strip()]
    rng = random.Random(11)
    rng.shuffle(rows)
    kept, count = [], collections.Counter()
    for row in rows:
        kind = row["meta"]["kind"]
        if count[kind] >= CAPS.get(kind, 0) or len(row["prompt"]) + len(row["answer"]) > 3300:
            continue
        count[kind] += 1
        kept.append(row)
    rng.shuffle(kept)
    with open(target, "w", encoding="utf-8") as handle:
        for row in kept:
            handle.write(json.dumps(row) + "\n")
    print(f"{len(kept)} tasks: {dict(count)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
