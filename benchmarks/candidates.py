"""Several candidates per attempt: what batched decoding costs, and the sampling they are drawn with.

    flock -x /work/locks/cpu.lock python benchmarks/candidates.py              # cost, 3 rounds
    python benchmarks/candidates.py --rounds 5 --out /tmp/candidates.json
    flock -s /work/locks/cpu.lock python benchmarks/candidates.py --sampling   # choose temperature and top_p

Cost (issue 22, part 4; targets: N = 4 at most 2.5x the wall time of one greedy answer, peak
RSS within 1 GB). Three EditEval-like requests (small files written here, not EditEval's) are
rendered through vibecli's own prompt code (`files_prompt`, the `auto` format, the agent's stop
strings and token budget), and answered by the embedded model with the shipped adapter, 2
threads, the prompt cache off, the way each variant would answer them: one greedy `generate`,
or `generate_many` with N = 2, 4, 8. Every variant runs in a child process of its own per round,
the variants interleaved in each round, so that a busy machine slows all alike; a child loads
the model and makes the probes a user's first run makes, then times each request. Reported:
median wall seconds per attempt, its ratio to greedy, candidate tokens per second, the
completion tokens, peak RSS, and whether every variant's greedy candidate is the greedy answer.

Row costs: seconds for one decode of k rows, k = 1..8, relative to one row, each row in a
sequence of its own with 512 tokens of KV (what a step of k candidates costs), against k rows
of one sequence (a prompt-lookup checking batch, `lookup.check_costs`).

Sampling (`--sampling`): edit tasks with known answers made by `vibecli data synth` from
click's source (BSD-3; not code the shipped adapter was trained on), N = 4 candidates per task
for each temperature and top_p of a small grid: the share of sampled candidates that vibecli's
own checks accept (envelope, addresses, applied, syntax), distinct resulting files per task, and
how often any candidate gives the task's known file (coverage) against the greedy answer alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from speed import child_env, fresh_home, load_average, run_measured  # noqa: E402

PYTHON = sys.executable
VARIANTS = [1, 2, 4, 8]
"""Candidates per attempt; 1 is the plain greedy answer."""

TASKS = [
    ("inventory.py", '''class Inventory:
    """Counts of items in a store room."""

    def __init__(self):
        self.items = {}

    def add(self, name, count=1):
        if count <= 0:
            raise ValueError("count must be positive")
        self.items[name] = self.items.get(name, 0) + count

    def total(self):
        return sum(self.items.values())

    def names(self):
        return sorted(self.items)
''', "add a method remove(name, count) that lowers the count of an item and raises KeyError for an unknown item"),
    ("textstats.py", '''def word_counts(text):
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts


def longest_word(text):
    words = text.split()
    if not words:
        return ""
    return max(words, key=len)


def average_length(text):
    words = text.split()
    return sum(len(w) for w in words) / len(words)
''', "make word_counts ignore case and strip punctuation from the ends of each word"),
    ("dates.py", '''from datetime import date


def parse(text):
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


def is_weekend(text):
    return parse(text).weekday() >= 5


def quarter(text):
    return (parse(text).month - 1) // 3 + 1
''', "add a function days_between(a, b) that returns the absolute number of days between two ISO dates"),
]


def render(path: str, text: str, instruction: str) -> dict:
    """The prompt, stop strings and token budget of a first attempt of `vibecli edit`."""
    from vibecli.conversation import FREE_STOPS, _token_budget
    from vibecli.data.answers import memory_file
    from vibecli.data.examples import files_prompt
    from vibecli.settings import Settings

    files = {path: memory_file(path, text)}
    _, prompt = files_prompt({path: text}, instruction, "auto")
    budget = min(Settings().max_tokens, _token_budget(files))
    return {"path": path, "prompt": prompt, "stop": FREE_STOPS, "max_tokens": budget}


CHILD = '''
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from vibecli import paths
from vibecli.backends import make_backend
from vibecli.settings import Settings
n, requests = int(sys.argv[1]), json.loads(open(sys.argv[2]).read())
backend = make_backend(Settings(threads=2, prompt_cache_mb=0), paths.cache_dir())
backend.sequences = n
warm = "def add(a, b):\\n"
if n == 1:
    "".join(backend.generate(warm, max_tokens=4, temperature=0.0))
else:
    backend.generate_many(warm, n, max_tokens=4)  # the load and the once-per-machine probe
out = []
for r in requests:
    started = time.perf_counter()
    if n == 1:
        generation = backend.generate(r["prompt"], stop=r["stop"], max_tokens=r["max_tokens"], temperature=0.0)
        greedy, usage = "".join(generation), generation.usage
        tokens = [usage.completion_tokens]
    else:
        result = backend.generate_many(r["prompt"], n, stop=r["stop"], max_tokens=r["max_tokens"])
        greedy, usage = result.candidates[0].text, result.usage
        tokens = [c.tokens for c in result.candidates]
    wall = time.perf_counter() - started
    out.append({"wall": wall, "tokens": tokens, "prompt_tokens": usage.prompt_tokens,
                "prompt_eval_s": usage.prompt_eval_s, "generate_s": usage.generate_s, "greedy": greedy})
print(json.dumps(out))
'''

ROWS = '''
import json, sys
sys.path.insert(0, sys.argv[1])
from vibecli import paths
from vibecli.backends import make_backend
from vibecli.backends.candidates import row_costs
from vibecli.backends.lookup import PROBE_TEXT, check_costs
from vibecli.settings import Settings
most = 8
backend = make_backend(Settings(threads=2, prompt_cache_mb=0), paths.cache_dir())
backend.sequences = most
backend.count_tokens("load")
llm = backend._llm
tokens = llm.tokenize((PROBE_TEXT * 60).encode("utf-8"))
same = check_costs(llm, tokens, most, context=512, reps=7)
apart = row_costs(llm, tokens, most, context=512, reps=7)
print(json.dumps({"same_sequence": same, "own_sequence": apart}))
'''


def cost(args, base: Path, models: Path) -> dict:
    requests = [render(*task) for task in TASKS]
    request_file = base / "requests.json"
    request_file.write_text(json.dumps(requests))
    runs: dict[int, list[dict]] = {n: [] for n in VARIANTS}
    for round_ in range(args.rounds):
        for n in VARIANTS if round_ % 2 == 0 else list(reversed(VARIANTS)):
            home = fresh_home(base, models, f"n{n}-{round_}")
            child = run_measured([PYTHON, "-c", CHILD, str(n), str(request_file), str(ROOT)], child_env(home))
            if child["rc"] != 0:
                raise SystemExit(f"N={n} failed: {child['err'][-1500:]}")
            runs[n].append({"maxrss_mb": child["maxrss_mb"], "requests": json.loads(child["out"].splitlines()[-1])})
            print(f"  round {round_ + 1} N={n}: {child['wall']:.1f} s, peak RSS {child['maxrss_mb']:.0f} MB", flush=True)
    home = fresh_home(base, models, "rows")
    rows = run_measured([PYTHON, "-c", ROWS, str(ROOT)], child_env(home))
    if rows["rc"] != 0:
        raise SystemExit(f"row costs failed: {rows['err'][-1500:]}")
    return {"requests": [r["path"] for r in requests], "runs": {str(n): v for n, v in runs.items()},
            "row_costs": json.loads(rows["out"].splitlines()[-1])}


def summarize_cost(raw: dict) -> dict:
    runs = {int(n): v for n, v in raw["runs"].items()}
    count = len(raw["requests"])
    summary: dict = {"variants": {}}
    greedy_texts = {i: {run["requests"][i]["greedy"] for run in runs[1]} for i in range(count)}
    base_wall = None
    for n, rounds in runs.items():
        walls = [statistics.median(r["requests"][i]["wall"] for r in rounds) for i in range(count)]
        tokens = [statistics.median(sum(r["requests"][i]["tokens"]) for r in rounds) for i in range(count)]
        generate = [statistics.median(r["requests"][i]["generate_s"] for r in rounds) for i in range(count)]
        same = all(r["requests"][i]["greedy"] in greedy_texts[i] for r in rounds for i in range(count))
        total = sum(walls)
        base_wall = base_wall or walls
        summary["variants"][n] = {
            "wall_s": [round(w, 2) for w in walls], "total_s": round(total, 2),
            "ratio": round(total / sum(base_wall), 2),
            "ratio_per_request": [round(w / b, 2) for w, b in zip(walls, base_wall)],
            "tokens": tokens, "tokens_per_s": round(sum(tokens) / sum(generate), 1),
            "peak_rss_mb": round(max(r["maxrss_mb"] for r in rounds)), "greedy_identical": same,
        }
    rows = raw["row_costs"]
    summary["row_costs"] = {kind: [round(c / costs[0], 3) for c in costs] for kind, costs in rows.items()}
    return summary


def print_cost(summary: dict, raw: dict) -> None:
    print(f"\nrequests: {', '.join(raw['requests'])}; medians of {len(raw['runs']['1'])} rounds")
    print(f"{'N':>3} {'s/attempt (each request)':>30} {'total':>7} {'x greedy':>9} {'tok/s':>7} "
          f"{'tokens':>18} {'peak RSS':>9} {'greedy same':>12}")
    for n, v in summary["variants"].items():
        walls = " ".join(f"{w:6.2f}" for w in v["wall_s"])
        tokens = " ".join(f"{t:5.0f}" for t in v["tokens"])
        print(f"{n:>3} {walls:>30} {v['total_s']:7.2f} {v['ratio']:9.2f} {v['tokens_per_s']:7.1f} {tokens:>18} "
              f"{v['peak_rss_mb']:6d} MB {str(v['greedy_identical']):>12}")
    print("\ndecode of k rows / decode of 1 row (512 tokens of KV each):")
    print("  k:             " + " ".join(f"{k:6d}" for k in range(1, 9)))
    for kind, costs in summary["row_costs"].items():
        print(f"  {kind:<15}" + " ".join(f"{c:6.2f}" for c in costs))


SAMPLING = '''
import json, sys
sys.path.insert(0, sys.argv[3])
from vibecli import paths
from vibecli.backends import make_backend
from vibecli.settings import Settings
grid, tasks = json.loads(sys.argv[1]), json.loads(open(sys.argv[2]).read())
backend = make_backend(Settings(threads=2), paths.cache_dir())  # the prompt cache serves each task's prompt again
backend.sequences = 4
for index, task in enumerate(tasks):
    for temperature, top_p in grid:
        result = backend.generate_many(task["prompt"], 4, stop=task["stop"], max_tokens=task["max_tokens"],
                                       temperature=temperature, top_p=top_p, seeds=[index * 10 + i for i in (1, 2, 3)])
        print(json.dumps({"task": index, "temperature": temperature, "top_p": top_p,
                          "texts": [c.text for c in result.candidates],
                          "finish": [c.finish for c in result.candidates]}), flush=True)
'''


def judge(task: dict, text: str) -> str | None:
    """The files vibecli would write for this answer (as one JSON string, comparable), or None where
    its checks reject it: the same parser, address check and edit engine as `vibecli edit`."""
    from vibecli.core import ApplyError, EnvelopeError
    from vibecli.data.answers import apply_answer

    try:
        result = apply_answer(task["before"], text, task["format"])
    except (ApplyError, EnvelopeError):
        return None
    return json.dumps({p: t.rstrip("\n") for p, t in sorted(result.items())})


def sampling(args, base: Path, models: Path) -> dict:
    import click

    from vibecli.conversation import FREE_STOPS, _token_budget
    from vibecli.data.answers import memory_file
    from vibecli.data.examples import files_prompt
    from vibecli.data.sources import from_folder
    from vibecli.data.synth import tasks_of
    from vibecli.settings import Settings

    source = base / "click"  # a copy: the package's own folder name and files, outside site-packages
    shutil.copytree(Path(click.__file__).parent, source)
    pool = list(tasks_of(from_folder(source), seed=3))
    tasks = []
    for task in random.Random(3).sample(pool, min(args.tasks, len(pool))):  # from all of click, not its first file
        shown_format, prompt = files_prompt(task.before, task.instruction, "auto")
        files = {p: memory_file(p, t) for p, t in task.before.items()}
        tasks.append({"before": task.before, "after": {p: t.rstrip("\n") for p, t in task.after.items()},
                      "kind": task.kind, "format": shown_format, "prompt": prompt, "stop": FREE_STOPS,
                      "max_tokens": min(Settings().max_tokens, _token_budget(files))})
    task_file = base / "tasks.json"
    task_file.write_text(json.dumps(tasks))
    grid = [[t, p] for t in args.temperatures for p in args.top_ps]
    home = fresh_home(base, models, "sampling")
    proc = subprocess.run([PYTHON, "-c", SAMPLING, json.dumps(grid), str(task_file), str(ROOT)],
                          env=child_env(home), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"sampling failed: {proc.stderr[-1500:]}")
    answers = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {"tasks": [{"paths": sorted(t["before"]), "kind": t["kind"]} for t in tasks], "answers": answers,
            "summary": summarize_sampling(tasks, answers)}


def summarize_sampling(tasks: list[dict], answers: list[dict]) -> list[dict]:
    rows = []
    for key in sorted({(a["temperature"], a["top_p"]) for a in answers}):
        group = [a for a in answers if (a["temperature"], a["top_p"]) == key]
        valid = distinct = covered = greedy_right = sampled_total = 0
        for answer in group:
            task = tasks[answer["task"]]
            files = [judge(task, text) for text in answer["texts"]]
            right = [f is not None and f == json.dumps(dict(sorted(task["after"].items()))) for f in files]
            valid += sum(f is not None for f in files[1:])
            sampled_total += len(files) - 1
            distinct += len({f for f in files if f is not None})
            covered += any(right)
            greedy_right += right[0]
        rows.append({"temperature": key[0], "top_p": key[1], "tasks": len(group),
                     "valid_sampled": round(valid / sampled_total, 3), "distinct_valid": round(distinct / len(group), 2),
                     "coverage": covered, "greedy": greedy_right})
    return rows


def print_sampling(rows: list[dict]) -> None:
    print(f"\n{'T':>5} {'top_p':>6} {'tasks':>6} {'sampled valid':>14} {'distinct valid files':>21} "
          f"{'any of 4 right':>15} {'greedy right':>13}")
    for r in rows:
        print(f"{r['temperature']:5.2f} {r['top_p']:6.2f} {r['tasks']:6d} {r['valid_sampled']:14.1%} "
              f"{r['distinct_valid']:21.2f} {r['coverage']:15d} {r['greedy']:13d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sampling", action="store_true", help="measure the sampling grid instead of the cost")
    parser.add_argument("--tasks", type=int, default=20, help="synthetic tasks for --sampling")
    parser.add_argument("--temperatures", type=lambda s: [float(x) for x in s.split(",")], default=[0.3, 0.6, 0.9, 1.2])
    parser.add_argument("--top-ps", type=lambda s: [float(x) for x in s.split(",")], default=[0.9, 1.0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from vibecli import paths
    from vibecli.models import resolve_model
    from vibecli.settings import Settings

    model = resolve_model(Settings(), paths.cache_dir()).path
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="vibecli-candidates-") as folder:
        base = Path(folder)
        if args.sampling:
            raw = sampling(args, base, model.parent)
            print_sampling(raw["summary"])
        else:
            raw = cost(args, base, model.parent)
            raw["summary"] = summarize_cost(raw)
            print_cost(raw["summary"], raw)
    raw.update(load_average_end=load_average(), minutes=round((time.time() - started) / 60, 1), cpus=os.cpu_count())
    print(f"\nuptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    out = args.out or ROOT / "benchmarks" / "results" / ("sampling.json" if args.sampling else "candidates.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(raw, indent=1))
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
