"""The training sets of the adapters in docs/adapters.md, reproducibly. Mixes 1-4 and 9 take
the output of the former `data synth` (`ast`-based kinds named docstring, annotations,
comparison, guard, ...; commit a3dbcf1): check that commit out to rebuild them.
The current synth (docs/data.md) makes other kinds and rows, so these mixes do not rebuild the
same sets from its output.

    vibecli data synth --from "$(python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \\
        --format auto --seed 7 --out all.jsonl
    python scripts/adapter_data.py all.jsonl train.jsonl [--mix 1|2|3]

    pip download --no-deps algorithms==1.0.1 && python -m zipfile -e algorithms-1.0.1-py3-none-any.whl algo
    vibecli data synth --from algo/algorithms --format auto --seed 7 --out algo.jsonl
    cat algo.jsonl all.jsonl > both.jsonl && python scripts/adapter_data.py both.jsonl train.jsonl --mix 4

Rebuilt so on 2026-12-08 (former synth at a3dbcf1, Python 3.11.7's stdlib, this script as it
stands with mix 9), mix 4 gives adapter 6's 323 tasks with the recorded kind counts, sha256 41d07f91...;
mix 9 from the same two files gives 672 tasks, sha256 8085c110...

Mixes 5-7 draw from the published synth set (docs/data.md, `tasks.jsonl`); mix 8 also from
`algorithms` alone at two seeds, with no cap per package and kind:

    vibecli data synth --from algorithms-1.0.1-py3-none-any.whl --per-package-kind 0 --seed 0 --out algo0.jsonl
    vibecli data synth --from algorithms-1.0.1-py3-none-any.whl --per-package-kind 0 --seed 1 \\
        --kinds fix_bug,fix_comparison,fix_off_by_one,early_return,default_value,remove_dead_code,is_none --out algo1.jsonl
    python scripts/adapter_data.py algo0.jsonl algo1.jsonl tasks.jsonl train.jsonl --mix 8

Several sources are read in order and a prompt seen before is dropped. Mixes 6 and 7 were drawn
before that rule (commit 0749017): the published set repeats 5 prompts, each with two answers.

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
new definition by name alone (their bodies cannot be told from the prompt) and more bugs. Mix 8
is mix 4's kind of task at scale: mostly bugs in `algorithms`' small functions, and the kinds that
add behaviour (check the input, a parameter, a default, handle an error) from the other sources.
Mix 9 is mix 4 grown from the same former synth: every bug it plants in `algorithms` that fits
the length limit, and three times mix 4's caps for the other kinds. A cap named
`KIND@algorithms` counts only tasks from that package, `KIND@stdlib` every other source.
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
    # mix 4's kind of task at scale, from the current synth: bugs asked about in `algorithms`'
    # small functions (two seeds, so a function may come with two different bugs), and the kinds
    # that add behaviour (check input, a parameter, a default, handle an error) from the others
    "8": {"fix_bug@algorithms": 650, "fix_comparison@algorithms": 250, "fix_off_by_one@algorithms": 150,
          "early_return@algorithms": 60, "default_value@algorithms": 60, "remove_dead_code@algorithms": 40,
          "is_none@algorithms": 40, "add_function@algorithms": 40, "docstring@algorithms": 30,
          "list_comprehension@algorithms": 25, "simplify_return@algorithms": 20, "type_hints@algorithms": 20,
          "rename_variable@algorithms": 20, "rename_function@algorithms": 20, "comprehension_to_loop@algorithms": 15,
          "lru_cache@algorithms": 15, "validate_input@algorithms": 12, "add_parameter@algorithms": 10,
          "error_handling@algorithms": 9, "validate_input@stdlib": 150, "add_parameter@stdlib": 120,
          "error_handling@stdlib": 100, "fix_bug@stdlib": 100, "default_value@stdlib": 80},
    "4": {"fix_bug@algorithms": 170, "comparison@algorithms": 50, "add_function@algorithms": 38,
          "guard@algorithms": 14, "default@algorithms": 26, "comprehension@algorithms": 20,
          "docstring@algorithms": 15, "add_function@stdlib": 30},
    # mix 4 with three times its caps, from the same former synth, which plants one bug per
    # function whatever the seed: 329 of its 501 bugs in `algorithms` fit the length limit
    "9": {"fix_bug@algorithms": 510, "comparison@algorithms": 150, "add_function@algorithms": 38,
          "guard@algorithms": 14, "default@algorithms": 26, "comprehension@algorithms": 35,
          "docstring@algorithms": 45, "add_function@stdlib": 90},
}
LIMITS = {"1": 3300, "2": 3000, "3": 2400, "4": 3300, "5": 3300, "6": 3300, "7": 3300, "8": 3300, "9": 3300}


def cap_key(row: dict, caps: dict) -> str:
    meta = row["meta"]
    kind = meta["kind"]
    # the current synth names the package; the former recorded only a path, and a path alone
    # would also count networkx's `algorithms` folder
    if meta.get("package"):
        package = "algorithms" if meta["package"] == "algorithms" else "stdlib"
    else:
        package = "algorithms" if "/algorithms/" in meta.get("origin", "") else "stdlib"
    if f"{kind}@{package}" in caps:
        return f"{kind}@{package}"
    return kind if kind in caps or "*" not in caps else "*" + kind


def cap_of(key: str, caps: dict) -> int:
    return caps["*"] if key.startswith("*") else caps.get(key, 0)


def main(sources: list[str], target: str, mix: str = "1") -> None:
    caps, limit = MIXES[mix], LIMITS[mix]
    rows, seen = [], set()
    for source in sources:
        for line in open(source, encoding="utf-8"):
            # one prompt, one answer: a repeat is the same task drawn again (another seed), or a
            # prompt the synth gave two answers (5 in the published set), which would teach either
            if line.strip() and (row := json.loads(line))["prompt"] not in seen:
                seen.add(row["prompt"])
                rows.append(row)
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
    main(args[:-1], args[-1], mix)
