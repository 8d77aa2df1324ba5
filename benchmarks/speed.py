"""Speed and memory of vibecli on the embedded model, as ratios measured side by side.

    python benchmarks/speed.py                 # 3 rounds; table on stdout, JSON in benchmarks/results/speed.json
    python benchmarks/speed.py --rounds 5 --out /tmp/speed.json

Every figure comes from child processes run one after the other, A and B interleaved in each
round, so that a machine shared with other work slows both alike; the table shows medians and
the load average seen. Figures (targets from issue 7):

- overhead: wall time of `vibecli edit --dry-run` (cold prompt cache; the lookup probe's verdict made
  once beforehand, as after a user's first run) / a bare llama-cpp-python process doing the same
  work: load, evaluate the same prompts, generate as many tokens. <= 1.15
  On the plain model (`default`; `plain` with the prompt cache off) and with the shipped adapter
  that a default run applies (`adapter`; the bare process loads it too).
- warm start: time to the first generated token of a second process over the same ~2,000-token
  context (another request) / the first process's, both from process start. <= 0.2
- copying: generation tokens/s with prompt lookup / without, on answers that copy most of a
  function; the outputs must be identical. >= 1.8
- check cost: seconds to decode a batch of n tokens with logits for every row (a draft check)
  against one token, n = 1..16: what a further checked row costs, and the ceiling on copying
  (drafts that are always right, in the best batch size up to DRAFT_MAX + 1, and up to 16).
- start-up: `vibecli --help` wall time, with bytecode written as an installed package has it. < 0.3 s
- memory: peak RSS of `vibecli edit` on the embedded model.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_TOKENS = 160
PYTHON = sys.executable
VIBECLI = str(Path(PYTHON).parent / "vibecli")


def module_text(functions: int, seed: int = 0) -> str:
    parts = []
    for i in range(functions):
        parts.append(
            f"def scale_{i}(values, factor={i + seed + 2}):\n"
            f'    """Multiply each value by {i + seed + 2}; drop the negative results."""\n'
            f"    result = []\n"
            f"    for value in values:\n"
            f"        scaled = value * factor\n"
            f"        if scaled >= 0:\n"
            f"            result.append(scaled)\n"
            f"    return result\n"
        )
    return "\n\n".join(parts)


def run_child(cmd: list[str], env: dict, cwd: Path | None = None, timeout: float = 900) -> dict:
    """Wall time, peak RSS (MB) and output of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=timeout)
    wall = time.perf_counter() - started
    # the child is reaped; its rusage is folded into RUSAGE_CHILDREN, so measure peak via /usr/bin/time-free route
    return {"wall": wall, "rc": proc.returncode, "out": out, "err": err}


def run_measured(cmd: list[str], env: dict, cwd: Path | None = None) -> dict:
    """Like run_child, with the child's own peak RSS from wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return {"wall": wall, "rc": proc.returncode, "out": out.decode(), "err": err.decode(),
            "maxrss_mb": usage.ru_maxrss / 1024}


def fresh_home(base: Path, models: Path, name: str) -> Path:
    """A user home with the model in place (as after the first run assembled it), the lookup
    probe's verdicts of `seed_verdicts` when made (also once per machine), and nothing else:
    no prompt cache, no logbook."""
    home = base / name
    (home / "cache").mkdir(parents=True)
    (home / "cache" / "models").symlink_to(models, target_is_directory=True)
    verdicts = base / "lookup-exact.json"
    if verdicts.is_file():
        (home / "cache" / verdicts.name).write_bytes(verdicts.read_bytes())
    return home


SEED = textwrap.dedent('''
    from vibecli import paths
    from vibecli.backends import make_backend
    from vibecli.settings import Settings
    for adapter in (None, "none"):  # the shipped adapter and the plain model
        make_backend(Settings(threads=2, adapter=adapter), paths.cache_dir()).count_tokens("load")
''')


def seed_verdicts(base: Path, models: Path) -> None:
    """The lookup probe's verdicts for this machine, which every later run reads instead of
    probing (0.2 s that a user's first run pays once, not every edit)."""
    home = fresh_home(base, models, "seed")
    child = run_child([PYTHON, "-c", SEED], child_env(home))
    if child["rc"] != 0:
        raise SystemExit(f"probe seeding failed: {child['err'][-800:]}")
    (base / "lookup-exact.json").write_bytes((home / "cache" / "lookup-exact.json").read_bytes())


def child_env(home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIBECLI_")}
    env.update({"VIBECLI_HOME": str(home), "VIBECLI_THREADS": "2", "VIBECLI_NO_MODEL_LOCK": "1"}, **extra)
    return env


def make_repo(base: Path) -> Path:
    repo = base / "repo"
    repo.mkdir()
    (repo / "scale.py").write_text(module_text(12))
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "initial"], cwd=repo, check=True)
    return repo


BARE = textwrap.dedent('''
    import json, os, sys, time
    started = time.perf_counter()
    import llama_cpp
    model, calls = sys.argv[1], json.loads(open(sys.argv[2]).read())
    saved = os.dup(2); os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    adapter = sys.argv[3] if len(sys.argv) > 3 else None
    llm = llama_cpp.Llama(model, n_ctx=4096, n_threads=2, n_threads_batch=2, seed=1, verbose=False, lora_path=adapter)
    os.dup2(saved, 2)
    for call in calls:
        grammar = llama_cpp.LlamaGrammar.from_string(call["grammar"], verbose=False) if call["grammar"] else None
        tokens = llm.tokenize(call["prompt"].encode(), add_bos=True, special=False)
        greedy = call["temperature"] <= 0
        for n, _ in enumerate(llm.generate(tokens, temp=call["temperature"], top_k=1 if greedy else 40,
                                          top_p=1.0 if greedy else 0.95, min_p=0.0 if greedy else 0.05,
                                          repeat_penalty=1.0, grammar=grammar), 1):
            if n >= call["completion_tokens"]:
                break
    print(json.dumps({"wall": time.perf_counter() - started}))
''')


def logbook_calls(home: Path) -> list[dict]:
    db = sqlite3.connect(home / "logbook.db")
    rows = db.execute(
        "SELECT prompt, grammar, temperature, completion_tokens, prompt_tokens FROM calls ORDER BY rowid"
    ).fetchall()
    db.close()
    return [{"prompt": p, "grammar": g, "temperature": t or 0.0, "completion_tokens": max(c or 0, 1),
             "prompt_tokens": pt} for p, g, t, c, pt in rows]


def overhead_round(base: Path, models: Path, model: Path, repo: Path, n: int, results: dict) -> None:
    instruction = "in scale_7, keep zero results out: use > instead of >="
    from vibecli.adapters import SHIPPED

    # one attempt and a bounded answer: the figure is a ratio of the same work, not a pass rate;
    # the plain model, and (`adapter`) the shipped adapter that the default run applies, loaded
    # by the bare process too
    bounded = {"VIBECLI_MAX_ATTEMPTS": "1", "VIBECLI_MAX_TOKENS": str(MAX_TOKENS)}
    for variant, extra, adapter in (("default", {**bounded, "VIBECLI_ADAPTER": "none"}, None),
                                    ("plain", {**bounded, "VIBECLI_ADAPTER": "none", "VIBECLI_PROMPT_CACHE_MB": "0"}, None),
                                    ("adapter", bounded, SHIPPED)):
        home = fresh_home(base, models, f"edit-{variant}-{n}")
        edit = run_measured([VIBECLI, "edit", instruction, "scale.py", "--dry-run", "--json"],
                            child_env(home, **extra), cwd=repo)
        calls = logbook_calls(home)
        spec = base / f"calls-{variant}-{n}.json"
        spec.write_text(json.dumps(calls))
        bare = run_measured([PYTHON, "-c", BARE, str(model), str(spec), *([str(adapter)] if adapter else [])],
                            child_env(home))
        if edit["rc"] not in (0, 3) or bare["rc"] != 0:
            raise SystemExit(f"overhead run failed: {edit['err'][-500:]} {bare['err'][-500:]}")
        results.setdefault(f"edit_wall_{variant}", []).append(edit["wall"])
        results.setdefault(f"bare_wall_{variant}", []).append(bare["wall"])
        results.setdefault(f"overhead_{variant}", []).append(edit["wall"] / bare["wall"])
        results.setdefault("edit_peak_rss_mb", []).append(edit["maxrss_mb"])
        results.setdefault("bare_peak_rss_mb", []).append(bare["maxrss_mb"])
        results.setdefault("edit_tokens", []).append(
            [sum(c["prompt_tokens"] or 0 for c in calls), sum(c["completion_tokens"] for c in calls), len(calls)])


TTFT = textwrap.dedent('''
    import json, sys, time
    spawned = float(sys.argv[1])
    from pathlib import Path
    from vibecli import paths
    from vibecli.backends import make_backend
    from vibecli.settings import Settings
    backend = make_backend(Settings(threads=2), paths.cache_dir())
    prompt = open(sys.argv[2]).read()
    called = time.time()
    gen = backend.generate(prompt, max_tokens=8)
    first = next(iter(gen))
    now = time.time()
    gen.pieces.close()
    print(json.dumps({"ttft": now - spawned, "ttft_call": now - called, "prompt_tokens": gen.usage.prompt_tokens,
                      "restored": backend.prompt_cache.stats.restored_tokens}))
''')


def warm_prompt(request: str) -> str:
    from vibecli.edits.fileio import SourceFile  # noqa: F401  (only to fail early outside the venv)
    from vibecli.prompts import edit_prompt

    text = module_text(26, seed=5)
    files = [{"path": "scale.py", "language": "python", "text": text, "symbols": []}]
    return edit_prompt("symbol", files, request, [])


def warm_round(base: Path, models: Path, n: int, results: dict) -> None:
    home = fresh_home(base, models, f"warm-{n}")
    first, second = base / f"warm-a-{n}.txt", base / f"warm-b-{n}.txt"
    first.write_text(warm_prompt("in scale_3, keep zero results out"))
    second.write_text(warm_prompt("rename scale_9 to scale_nine"))
    runs = []
    for prompt in (first, second):
        child = run_child([PYTHON, "-c", TTFT, repr(time.time()), str(prompt)], child_env(home))
        if child["rc"] != 0:
            raise SystemExit(f"warm-start run failed: {child['err'][-800:]}")
        runs.append(json.loads(child["out"].strip().splitlines()[-1]))
    results.setdefault("ttft_cold_s", []).append(runs[0]["ttft"])
    results.setdefault("ttft_warm_s", []).append(runs[1]["ttft"])
    results.setdefault("warm_start", []).append(runs[1]["ttft"] / runs[0]["ttft"])
    results.setdefault("warm_start_after_load", []).append(runs[1]["ttft_call"] / runs[0]["ttft_call"])
    results.setdefault("warm_prompt_tokens", []).append([runs[1]["prompt_tokens"], runs[1]["restored"]])


COPY = textwrap.dedent('''
    import json, sys
    from vibecli import paths
    from vibecli.backends import make_backend
    from vibecli.settings import Settings
    backend = make_backend(Settings(threads=2, prompt_cache_mb=0, lookup="auto"), paths.cache_dir())
    backend.count_tokens("load")  # loads the model, and the probe says whether drafts are exact here
    prompts, rounds = json.loads(open(sys.argv[1]).read()), int(sys.argv[2])
    out = []
    for r in range(rounds):
        for i, prompt in enumerate(prompts):
            for lookup in ((True, False) if r % 2 else (False, True)):
                backend.lookup = "on" if lookup else "off"
                gen = backend.generate(prompt, max_tokens=160, stop=["\\n```"])
                text = "".join(gen)
                u = gen.usage
                stats = dict(backend.decoder_stats)
                out.append({"round": r, "prompt": i, "lookup": lookup, "text": text, "tokens": u.completion_tokens,
                            "generate_s": u.generate_s, "exact_build": backend.lookup_exact, "stats": stats})
    print(json.dumps(out))
''')


CHECK = textwrap.dedent('''
    import json, sys
    from vibecli import paths
    from vibecli.backends import make_backend
    from vibecli.backends.bench import bench_text
    from vibecli.backends.lookup import check_costs
    from vibecli.settings import Settings
    # as the copying figure: the default run, with the shipped adapter
    backend = make_backend(Settings(threads=2, prompt_cache_mb=0, lookup="auto"), paths.cache_dir())
    backend.count_tokens("load")
    llm = backend._llm
    tokens = llm.tokenize(bench_text(700).encode(), add_bos=True, special=False)
    print(json.dumps({"costs": check_costs(llm, tokens, int(sys.argv[1]), reps=int(sys.argv[2])),
                      "exact_build": backend.lookup_exact}))
''')


def check_run(base: Path, models: Path, rounds: int, results: dict) -> None:
    from vibecli.backends.bench import ceiling, row_cost
    from vibecli.backends.lookup import DRAFT_MAX

    home = fresh_home(base, models, "check")
    child = run_child([PYTHON, "-c", CHECK, "16", str(3 * rounds)], child_env(home))
    if child["rc"] != 0:
        raise SystemExit(f"check-cost run failed: {child['err'][-800:]}")
    measured = json.loads(child["out"].strip().splitlines()[-1])
    costs = measured["costs"]
    results["check_costs_ms"] = [round(c * 1000, 2) for c in costs]
    results["check_row_cost"] = row_cost(costs[: DRAFT_MAX + 1])
    results["copy_ceiling"] = ceiling(costs[: DRAFT_MAX + 1])
    results["copy_ceiling_16"] = ceiling(costs)
    results["check_exact_build"] = measured["exact_build"]


def copy_prompts() -> list[str]:
    from vibecli.prompts import edit_prompt

    text = module_text(6, seed=1)
    tasks = [
        ("rename the variable `scaled` to `product` in scale_2", "scale_2"),
        ("in scale_4, keep zero results out: use > instead of >=", "scale_4"),
        ("add a type hint `list[float]` to the values argument of scale_1", "scale_1"),
    ]
    prompts = []
    for request, symbol in tasks:
        files = [{"path": "scale.py", "language": "python", "text": text, "symbols": []}]
        # the answer's first line is given, so the measured part is the definition: mostly a copy
        prompts.append(edit_prompt("symbol", files, request, []) + f"@@ replace scale.py {symbol}\n```python\n")
    return prompts


def copy_run(base: Path, models: Path, rounds: int, results: dict) -> None:
    home = fresh_home(base, models, "copy")
    spec = base / "copy.json"
    spec.write_text(json.dumps(copy_prompts()))
    child = run_child([PYTHON, "-c", COPY, str(spec), str(rounds)], child_env(home))
    if child["rc"] != 0:
        raise SystemExit(f"copying run failed: {child['err'][-800:]}")
    runs = json.loads(child["out"].strip().splitlines()[-1])
    identical = True
    for r in range(rounds):
        for i in range(len(copy_prompts())):
            on = next(x for x in runs if x["round"] == r and x["prompt"] == i and x["lookup"])
            off = next(x for x in runs if x["round"] == r and x["prompt"] == i and not x["lookup"])
            identical &= on["text"] == off["text"]
            if on["text"] != off["text"]:
                results.setdefault("copy_mismatches", []).append({"prompt": i, "lookup": on["text"], "plain": off["text"]})
            results.setdefault("copy_tok_s_lookup", []).append(on["tokens"] / on["generate_s"])
            results.setdefault("copy_tok_s_plain", []).append(off["tokens"] / off["generate_s"])
            results.setdefault("copying", []).append((on["tokens"] / on["generate_s"]) / (off["tokens"] / off["generate_s"]))
            results.setdefault("copy_tokens", []).append(on["tokens"])
    results["copy_identical"] = identical
    results["copy_exact_build"] = runs[0]["exact_build"]
    last = runs[-1]["stats"]  # decoder counts are cumulative over the process
    results["copy_drafted"], results["copy_accepted"] = last["drafted"], last["accepted"]


def startup(results: dict, n: int = 7) -> None:
    # as installed: with bytecode (an untimed first run writes it where an editable install has
    # none yet; PYTHONDONTWRITEBYTECODE would make every run compile every module again)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIBECLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    run_child([VIBECLI, "--help"], env)
    walls = [run_child([VIBECLI, "--help"], env)["wall"] for _ in range(n)]
    results["help_s"] = walls


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "speed.json")
    parser.add_argument("--only", default="overhead,warm,copying,check,startup")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from vibecli import paths
    from vibecli.models import resolve_model
    from vibecli.settings import Settings

    model = resolve_model(Settings(), paths.cache_dir()).path
    only = set(args.only.split(","))
    results: dict = {"load_before": load_average(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="vibecli-speed-") as folder:
        base = Path(folder)
        repo = make_repo(base)
        seed_verdicts(base, model.parent)
        for n in range(args.rounds):
            if "overhead" in only:
                overhead_round(base, model.parent, model, repo, n, results)
            if "warm" in only:
                warm_round(base, model.parent, n, results)
        if "copying" in only:
            copy_run(base, model.parent, args.rounds, results)
        if "check" in only:
            check_run(base, model.parent, args.rounds, results)
    if "startup" in only:
        startup(results)
    results.setdefault("load_before", load_average())
    results["load_after"] = load_average()
    summary = summarize(results)
    print_table(summary, results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "raw": results}, indent=1))
    print(f"\nwritten: {args.out}")
    return 0


TARGETS = {
    "overhead_default": ("<=", 1.15),
    "overhead_plain": ("<=", 1.15),
    "overhead_adapter": ("<=", 1.15),
    "warm_start": ("<=", 0.2),
    "copying": (">=", 1.8),
    "copy_ceiling": (">=", 1.8),
    "help_s": ("<", 0.3),
}


def summarize(results: dict) -> dict:
    summary = {}
    for key in ("overhead_default", "overhead_plain", "overhead_adapter",
                "edit_wall_default", "bare_wall_default", "edit_wall_plain", "bare_wall_plain",
                "edit_wall_adapter", "bare_wall_adapter", "warm_start", "warm_start_after_load", "ttft_cold_s",
                "ttft_warm_s", "copying", "copy_tok_s_lookup", "copy_tok_s_plain", "help_s", "edit_peak_rss_mb",
                "bare_peak_rss_mb"):
        if key in results:
            summary[key] = round(statistics.median(results[key]), 3)
    for key in ("edit_peak_rss_mb", "bare_peak_rss_mb"):
        if key in results:
            summary[key] = round(max(results[key]), 1)
    for key in ("check_row_cost", "copy_ceiling", "copy_ceiling_16"):
        if key in results:
            summary[key] = round(results[key], 3)
    if results.get("copy_drafted"):
        summary["copy_draft_acceptance"] = round(results["copy_accepted"] / results["copy_drafted"], 3)
    for key in ("copy_identical", "copy_exact_build", "check_exact_build", "check_costs_ms"):
        if key in results:
            summary[key] = results[key]
    return summary


def print_table(summary: dict, results: dict) -> None:
    print(f"{'figure':28} {'median':>10}  target   all runs")
    for key, value in summary.items():
        if isinstance(value, list):  # one value per batch size
            print(f"{key:28} {'n=1..' + str(len(value)):>10}  {'':16} {', '.join(f'{x:.3g}' for x in value)}")
            continue
        target = TARGETS.get(key)
        verdict = ""
        if target and isinstance(value, float):
            ok = value <= target[1] if target[0] == "<=" else value >= target[1] if target[0] == ">=" else value < target[1]
            verdict = f"{target[0]} {target[1]} {'ok' if ok else 'MISSED'}"
        runs = results.get(key)
        shown = ", ".join(f"{x:.3g}" for x in runs) if isinstance(runs, list) and runs and isinstance(runs[0], float) else ""
        print(f"{key:28} {value!s:>10}  {verdict:16} {shown}")
    print(f"load average before {results['load_before']}, after {results['load_after']} ({results['cpus']} CPUs)")


if __name__ == "__main__":
    sys.exit(main())
