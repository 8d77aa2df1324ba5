"""The training sets of adapters 1-6 in the README, reproducibly. They were made by the former
`data synth` (`ast`-based kinds named docstring, annotations, comparison, guard, ...; commit
a3dbcf1): check that commit out to rebuild them. The current synth (docs/data.md) makes other
kinds and rows, so these mixes do not rebuild the same sets from its output.

    vibecli data synth --from "$(python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \\
        --format auto --seed 7 --out all.jsonl
    python scripts/adapter_data.py all.jsonl train.jsonl [--mix 1|2|3]

    pip download --no-deps algorithms==1.0.1 && python -m zipfile -e algorithms-1.0.1-py3-none-any.whl algo
    vibecli data synth --from algo/algorithms --format auto --seed 7 --out algo.jsonl
    cat algo.jsonl all.jsonl > both.jsonl && python scripts/adapter_data.py both.jsonl train.jsonl --mix 4

Shuffles the tasks (seed 11), keeps at most MIXES[mix][kind] of each kind and only those whose
prompt and answer together are at most LIMITS[mix] characters (3,300 is about 1,000 tokens),
and shuffles again. Mix 1 (the first adapter) is mostly restorations with the fix spelled out;
mix 2 leans on behaviour: bugs asked about by what the function should do, and functions asked
for by their signature and docstring. Mix 3 keeps to requests that say what to change (no
"fix bugs" left to guess) on smaller files, nearer the size of EditEval's. Mix 4 takes most of
its tasks from `algorithms` (keon/algorithms on PyPI, MIT): small functions that each compute
one thing, like EditEval's, with bugs asked about by what the function should do. Mix 5 is for
the current synth: at most 12 tasks of every kind it makes (cap "*"), from every source alike.
Mix 6 is the same at scale, for a run of about an hour and a half on 2 cores: 50 of every kind,
and 200-350 of each kind that changes what code does. Mix 7 is mix 6 with few requests for a
new definition by name alone (their bodies cannot be told from the prompt) and more bugs. A cap named
`KIND@algorithms` counts only tasks from that package, `KIND@stdlib` only the others.
"""

import collections
import json
import random
import sys

MIXES = {
    "1": {"docstring": 50, "annotations": 46, "rename": 60, "comparison": 90, "default": 70,
          "error_handling": 80, "guard": 70, "comprehension": 31},
    "2": {"fix_bug": 100, "add_function": 60, "comparison": 30, "error_handling": 30, "guard": 30,
          "default": 20, "docstring": 15, "rename": 15},
    "3": {"comparison": 60, "error_handling": 60, "guard": 60, "default": 50, "docstring": 50,
          "add_function": 50, "rename": 40, "annotations": 30},
    # every kind of the current `data synth` alike: breadth over depth
    "5": {"*": 12},
    # breadth at scale: every kind, and most of the kinds that change what code does (a bug
    # asked about by behaviour, a function, method or parameter to add, input to check)
    "6": {"*": 50, "fix_bug": 350, "add_function": 350, "add_parameter": 350,
          "validate_input": 350, "fix_off_by_one": 350, "fix_comparison": 200,
          "default_value": 200, "error_handling": 200, "add_method": 200},
    # mix 6 without most requests for a new definition by name alone: their answers invent a
    # body the prompt cannot tell, and adapter 7 learned to answer EditEval's requests with new
    # definitions named from the request's words; the share goes to bugs asked about
    "7": {"*": 30, "fix_bug": 650, "fix_comparison": 350, "fix_off_by_one": 350,
          "validate_input": 350, "default_value": 250, "error_handling": 250,
          "add_parameter": 250, "add_function": 30, "add_method": 15, "add_test": 10},
    "4": {"fix_bug@algorithms": 170, "comparison@algorithms": 50, "add_function@algorithms": 38,
          "guard@algorithms": 14, "default@algorithms": 26, "comprehension@algorithms": 20,
          "docstring@algorithms": 15, "add_function@stdlib": 30},
}
LIMITS = {"1": 3300, "2": 3000, "3": 2400, "4": 3300, "5": 3300, "6": 3300, "7": 3300}


def cap_key(row: dict, caps: dict) -> str:
    kind = row["meta"]["kind"]
    package = "algorithms" if "/algorithms/" in row["meta"].get("origin", "") else "stdlib"
    if f"{kind}@{package}" in caps:
        return f"{kind}@{package}"
    return kind if kind in caps or "*" not in caps else "*" + kind


def cap_of(key: str, caps: dict) -> int:
    return caps["*"] if key.startswith("*") else caps.get(key, 0)


def main(source: str, target: str, mix: str = "1") -> None:
    caps, limit = MIXES[mix], LIMITS[mix]
    rows = [json.loads(line) for line in open(source, encoding="utf-8") if line.strip()]
    rows = [row for row in rows if cap_of(cap_key(row, caps), caps)]  # kinds added later leave a mix as it was
    rng = random.Random(11)
    rng.shuffle(rows)
    kept, count = [], collections.Counter()
    for row in rows:
        kind = cap_key(row, caps)
        if count[kind] >= cap_of(kind, caps) or len(row["prompt"]) + len(row["answer"]) > limit:
            continue
        count[kind] += 1
        kept.append(row)
    rng.shuffle(kept)
    with open(target, "w", encoding="utf-8") as handle:
        for row in kept:
            handle.write(json.dumps(row) + "\n")
    print(f"{len(kept)} tasks: { {key.lstrip('*'): n for key, n in count.items()} }")


if __name__ == "__main__":
    args = sys.argv[1:]
    mix = "1"
    if "--mix" in args:
        at = args.index("--mix")
        mix = args[at + 1]
        del args[at : at + 2]
    main(args[0], args[1], mix)
