"""How often the embedded model picks the scaffold a person would, and how long `vibecli new`
takes from the command to a committed project.

    python benchmarks/new_choice.py                 # the choice over every case, the model loaded once
    python benchmarks/new_choice.py --e2e 3         # and 3 whole `vibecli new` runs (with the edit), timed
    python benchmarks/new_choice.py --cases FILE    # other cases (YAML list of {description, scaffold})

Prints one line per case, then the share of right picks against the share a constant pick of
the commonest scaffold would get (the floor), the confusion counts, and the timings.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from vibecli import paths  # noqa: E402
from vibecli.backends import make_backend  # noqa: E402
from vibecli.cli.new import load_scaffolds  # noqa: E402
from vibecli.core import Rejected  # noqa: E402
from vibecli.run_record import RunRecord  # noqa: E402
from vibecli.newproject import ProjectModel, settle_values  # noqa: E402
from vibecli.settings import Settings  # noqa: E402


def choice_run(cases: list[dict], fill: bool, grammar: str) -> dict:
    scaffolds = list(load_scaffolds([]).values())
    started = time.perf_counter()
    backend = make_backend(Settings(), paths.cache_dir())
    right, seconds, fill_seconds, valid_fills = 0, [], [], 0
    confusion = collections.Counter()
    for number, case in enumerate(cases, 1):
        run = RunRecord(id=str(number), command="new", instruction=case["description"], paths=[], repo_root=None)
        ask = ProjectModel(backend, run, grammar)
        t0 = time.perf_counter()
        try:
            chosen = ask.choose(scaffolds, case["description"])
        except Rejected:
            chosen = None
        seconds.append(time.perf_counter() - t0)
        if chosen is None:
            confusion[(case["scaffold"], "(none)")] += 1
            print(f"MISS {case['scaffold']:<15} -> (no name: {run.calls[-1].output!r})", flush=True)
            continue
        ok = chosen.name == case["scaffold"]
        right += ok
        confusion[(case["scaffold"], chosen.name)] += 1
        line = f"{'ok  ' if ok else 'MISS'} {case['scaffold']:<15} -> {chosen.name:<15} {seconds[-1]:5.2f}s  {case['description']}"
        if fill:
            t1 = time.perf_counter()
            proposed = ask.fill(chosen, list(chosen.variables), case["description"])
            fill_seconds.append(time.perf_counter() - t1)
            settled = settle_values(chosen, {}, proposed)
            valid_fills += not settled.notes and set(proposed) == {v.name for v in chosen.variables}
            line += f"\n       fill {fill_seconds[-1]:5.2f}s {json.dumps(settled.values)}{' notes: ' + '; '.join(settled.notes) if settled.notes else ''}"
        print(line, flush=True)
    commonest = collections.Counter(c["scaffold"] for c in cases).most_common(1)[0][1]
    return {
        "cases": len(cases), "right": right, "floor": commonest, "choice_s": seconds, "fill_s": fill_seconds,
        "valid_fills": valid_fills, "confusion": confusion, "total_s": time.perf_counter() - started,
    }


def e2e_runs(cases: list[dict], count: int, edit: bool) -> list[dict]:
    """Whole `vibecli new` runs as a user types them: a fresh process each (so the model loads each time)."""
    results = []
    vibecli = [sys.executable, "-m", "vibecli"]
    # a home of their own (config, logbook), sharing the assembled model with this user's cache
    home = Path(tempfile.mkdtemp(prefix="vibecli-bench-home-"))
    (home / "cache").mkdir()
    (home / "cache" / "models").symlink_to(paths.cache_dir() / "models", target_is_directory=True)
    for case in cases[:: max(1, len(cases) // count)][:count]:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "app"
            args = [*vibecli, "new", case["description"], "--dir", str(target), "--json"]
            if not edit:
                args.append("--no-edit")
            t0 = time.perf_counter()
            proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp, env={**os.environ, "CI": "1", "VIBECLI_HOME": str(home)})
            seconds = time.perf_counter() - t0
            try:
                report = json.loads(proc.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                report = {"status": "no JSON", "commits": [], "message": proc.stderr.strip()[-200:]}
            edit_status = (report.get("edit") or {}).get("status")
            results.append({"description": case["description"], "exit": proc.returncode, "seconds": seconds,
                            "commits": len(report.get("commits", [])), "scaffold": report.get("scaffold"),
                            "edit": edit_status})
            print(f"e2e{' +edit' if edit else ''}: exit {proc.returncode}, {seconds:5.1f}s, "
                  f"{len(report.get('commits', []))} commit(s), {report.get('scaffold')}, edit: {edit_status}  "
                  f"{case['description']}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default=str(HERE / "new_choice_cases.yaml"))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--fill", action="store_true", help="also fill each chosen scaffold's variables")
    parser.add_argument("--grammar", default="lazy", help="lazy (default), always or off, as the setting")
    parser.add_argument("--e2e", type=int, default=0, help="whole `vibecli new` runs to time, with and without the edit")
    args = parser.parse_args()
    cases = yaml.safe_load(Path(args.cases).read_text())
    if args.limit:
        cases = cases[: args.limit]
    # the whole runs first: the choice below holds the model (and its lock) until this process ends
    e2e_lines = []
    for edit in (False, True):
        if args.e2e:
            runs = e2e_runs(cases, args.e2e, edit)
            committed = [r for r in runs if r["commits"] >= (2 if edit else 1)]
            e2e_lines.append(f"e2e {'with' if edit else 'without'} the edit: {len(runs)} runs, mean "
                             f"{statistics.mean(r['seconds'] for r in runs):.1f}s from `vibecli new` to exit; "
                             f"{len(committed)} reached {'the second commit' if edit else 'the first commit'}")
    result = choice_run(cases, args.fill, args.grammar)
    n = result["cases"]
    print()
    print(f"choice: {result['right']}/{n} right ({result['right'] / n:.0%}); "
          f"a constant pick of the commonest scaffold: {result['floor']}/{n} ({result['floor'] / n:.0%}); "
          f"chance over 6: {1 / 6:.0%}")
    print(f"choice seconds: mean {statistics.mean(result['choice_s']):.2f}, median "
          f"{statistics.median(result['choice_s']):.2f}, first (with the model load) {result['choice_s'][0]:.2f}")
    if result["fill_s"]:
        print(f"fill seconds: mean {statistics.mean(result['fill_s']):.2f}; fills valid as given: "
              f"{result['valid_fills']}/{n}")
    misses = {k: v for k, v in result["confusion"].items() if k[0] != k[1]}
    if misses:
        print("misses (expected -> chosen: count): " + ", ".join(f"{a} -> {b}: {c}" for (a, b), c in sorted(misses.items())))
    for line in e2e_lines:
        print(line)


if __name__ == "__main__":
    main()
