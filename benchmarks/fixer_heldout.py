"""Fixers on a held-out set: 66 requests over real code, written apart from the router's phrasings.

    python benchmarks/fixer_heldout.py                       # routing rows, no model
    python benchmarks/fixer_heldout.py --router both         # the rules, then the route adapter where they decline
    python benchmarks/fixer_heldout.py --router model [--adapter F] [--min-probability P]   # the model alone
    python benchmarks/fixer_heldout.py --editeval [--router both]   # what EditEval-191's requests route to
    python benchmarks/fixer_heldout.py --model [--limit N] [--out F.json] [-- EDIT_ARGS...]

`benchmarks/fixers/heldout.jsonl` holds the requests: the text as a user types it, the files named
on the command line, `expect` (ruff, rename or none: the model's), and a check. The code is small
excerpts of permissively licensed packages (`fixers/heldout/src/<source>/`, a project per source;
each row names the package, version, licence and original path). A check
(`fixers/heldout/checks/<id>.py`) runs with the edited project as its folder and passes when it
exits 0; `fixers/heldout/solutions/<id>/` is a hand-made correct outcome, on which every check
passes and on the original of which it fails (tests/benchmarks/test_fixer_heldout.py).

Without `--model`: what the router decides for each request (the files' texts as `vibecli edit`
would give it), routing precision and recall for "a fixer" and per fixer, every row it got wrong,
and the time a routing takes. A rename counts as right only with the expected old and new names.
`--router model` asks the embedded model with the route adapter (`fixers.model_router`) for every
request; `--router both` only where the rules decline, as `vibecli edit --route-model` does. The
model is loaded once before the first request (its load time is printed apart).

With `--model`: each request through the real `vibecli edit REQUEST FILES --json --no-commit`, in
a fresh git repository holding the source's project, once with `--no-fixers` (before) and once
with the fixers (after), one right after the other (alternating which goes first); the check
decides pass or fail. Prints both side by side, the pass rates and seconds per request of each,
by `expect`. The embedded model comes from the test cache (VIBECLI_TEST_MODEL_CACHE, default
~/.cache/vibecli-test) through a symlink, so it is not assembled again. Run it alone on the
machine (two model runs on 2 cores thrash). Licences of the
excerpts: `fixers/heldout/licenses/<source>.txt`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "fixers"
HELDOUT = HERE / "heldout"
FIXERS = ("ruff", "rename")


def load_rows(path: Path = HERE / "heldout.jsonl") -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def make_project(row: dict, folder: Path, solved: bool = False) -> Path:
    """The row's source project copied into `folder`; with `solved`, the reference solution over it."""
    shutil.copytree(HELDOUT / "src" / row["source"], folder, dirs_exist_ok=True)
    if solved:
        shutil.copytree(HELDOUT / "solutions" / row["id"], folder, dirs_exist_ok=True)
    return folder


def run_check(row: dict, folder: Path, timeout: float = 120) -> tuple[bool, str]:
    """The row's check against the project in `folder`: passed, and the tail of what it printed."""
    env = {**os.environ, "HELDOUT_ORIGINAL": str(HELDOUT / "src" / row["source"]),
           "PYTHONPATH": os.pathsep.join([str(folder), str(HELDOUT / "checks")])}
    try:
        proc = subprocess.run([sys.executable, "-B", str(HELDOUT / row["check"])], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "check timed out"
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()[-400:]


# ---------------------------------------------------------------- routing, no model


def rules_router():
    sys.path.insert(0, str(ROOT))
    from vibecli.fixers.router import route

    return route


def model_router(adapter: Path, min_probability: float, rules_first: bool):
    """The model's route (`fixers.model_router`) with `adapter` over the embedded model, after the
    rules when `rules_first` (as `vibecli edit` asks them); the embedded model from the test cache."""
    sys.path.insert(0, str(ROOT))
    from vibecli.backends.pick import Picker
    from vibecli.fixers.model_router import model_route
    from vibecli.fixers.router import route

    cache = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test"))
    started = time.perf_counter()
    picker = Picker(cache / "models" / "gemma-3-270m-q4_k_m.gguf", adapter, threads=2)
    print(f"route model loaded in {time.perf_counter() - started:.2f} s ({adapter.name})")

    def chosen(request: str, texts: dict[str, str]):
        found = route(request, texts) if rules_first else None
        return found if found is not None else model_route(request, texts, picker, min_probability)[0]

    return chosen


def route_rows(rows: list[dict], router=None) -> list[dict]:
    router = router or rules_router()
    results = []
    for row in rows:
        folder = HELDOUT / "src" / row["source"]
        texts = {path: (folder / path).read_text() for path in row["files"]}
        started = time.perf_counter()
        chosen = router(row["request"], texts)
        seconds = time.perf_counter() - started
        got = chosen.name if chosen else "none"
        args = chosen.to_json()["args"] if chosen else {}
        right = got == row["expect"]
        if right and got == "rename":
            right = (args.get("old"), args.get("new")) == (row["rename"]["old"], row["rename"]["new"])
        results.append({"id": row["id"], "expect": row["expect"], "got": got, "args": args, "right": right,
                        "ms": round(seconds * 1e3, 3)})
    return results


def precision_recall(results: list[dict], fixer: str | None = None) -> dict:
    """For one fixer, or (None) for "a fixer": a route is right when it is the expected fixer with
    the expected names; a route to the wrong fixer counts against both precision and recall."""
    def wanted(name):
        return name != "none" if fixer is None else name == fixer

    routed = [r for r in results if wanted(r["got"])]
    expected = [r for r in results if wanted(r["expect"])]
    right = [r for r in routed if r["right"]]
    return {"routed": len(routed), "expected": len(expected), "right": len(right),
            "precision": len(right) / len(routed) if routed else None,
            "recall": len(right) / len(expected) if expected else None}


def report_routing(results: list[dict]) -> dict:
    summary = {"requests": len(results),
               "by_expect": {e: sum(r["expect"] == e for r in results) for e in (*FIXERS, "none")},
               "a_fixer": precision_recall(results),
               **{name: precision_recall(results, name) for name in FIXERS},
               "none_kept": sum(r["expect"] == r["got"] == "none" for r in results),
               "mean_ms": round(sum(r["ms"] for r in results) / len(results), 3),
               "max_ms": max(r["ms"] for r in results)}
    print(f"{len(results)} requests: " + ", ".join(f"{n} {e}" for e, n in summary["by_expect"].items()))
    for name in ("a_fixer", *FIXERS):
        figures = summary[name]
        shown = [f"{k} {figures[k]:.3f}" if figures[k] is not None else f"{k} -" for k in ("precision", "recall")]
        print(f"  {name:8} {'  '.join(shown)}  (right {figures['right']}, routed {figures['routed']}, "
              f"expected {figures['expected']})")
    print(f"  none kept as none: {summary['none_kept']}/{summary['by_expect']['none']}")
    print(f"  routing: {summary['mean_ms']:.3f} ms mean per request, {summary['max_ms']:.3f} ms at most")
    wrong = [r for r in results if not r["right"]]
    print(f"wrong routes ({len(wrong)}):")
    for r in wrong:
        print(f"  {r['id']:24} expect {r['expect']:6} got {r['got']:6} {json.dumps(r['args']) if r['args'] else ''}")
    return summary


def editeval_routes(router) -> dict:
    """The router over EditEval-191's requests, each with its file as `code.py` (as
    benchmarks/editeval.py gives it to `vibecli edit`): which tasks it routes, and the time."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from editeval import EXCLUDED

    path = ROOT.parent / "shared" / "eval" / "editeval.jsonl"
    tasks = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tasks = [t for t in tasks if t["task_id"] not in EXCLUDED]
    routed, times = [], []
    for task in tasks:
        started = time.perf_counter()
        chosen = router(task["instruction"].strip(), {"code.py": task["input"]})
        times.append(time.perf_counter() - started)
        if chosen is not None:
            routed.append({"task": task["task_id"], **chosen.to_json()})
    summary = {"tasks": len(tasks), "routed": routed, "mean_ms": round(1e3 * sum(times) / len(times), 3),
               "max_ms": round(1e3 * max(times), 3)}
    print(f"EditEval: {len(routed)} of {len(tasks)} tasks routed; {summary['mean_ms']:.3f} ms mean per task, "
          f"{summary['max_ms']:.3f} ms at most")
    for row in routed:
        print(f"  {row['task']:14} {row['name']} {json.dumps(row['args'])}")
    return summary


# ---------------------------------------------------------------- with the model


def model_home() -> Path:
    """A VIBECLI_HOME whose model cache is the test cache's, as tests/conftest.py sets one up."""
    cache = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test"))
    (cache / "models").mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="fixer-heldout-home-"))
    (home / "cache").mkdir()
    (home / "cache" / "models").symlink_to(cache / "models", target_is_directory=True)
    return home


def edit_once(row: dict, home: Path, fixers: bool, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="fixer-heldout-") as name:
        repo = make_project(row, Path(name))
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        subprocess.run([*git, "add", "."], cwd=repo, check=True)
        subprocess.run([*git, "commit", "-qm", "excerpt"], cwd=repo, check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIBECLI_")}
        env.update(VIBECLI_HOME=str(home), PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "vibecli", "edit", row["request"], *row["files"], "--json", "--no-commit",
                   *([] if fixers else ["--no-fixers"]), *extra]
        started = time.perf_counter()
        try:
            proc = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=900)
            out, code = proc.stdout, proc.returncode
        except subprocess.TimeoutExpired:
            out, code = "", 124
        seconds = time.perf_counter() - started
        try:
            report = json.loads(out)
        except json.JSONDecodeError:
            report = {"status": "error"}
        passed, tail = run_check(row, repo)
    return {"status": report.get("status", "error"), "exit_code": code, "passed": passed,
            "seconds": round(seconds, 2), "fixer": (report.get("fixer") or {}).get("name"),
            "fell_back": bool(report.get("fell_back")), "check": "" if passed else tail[-200:]}


def run_model(rows: list[dict], extra: list[str], out: Path | None) -> None:
    home = model_home()
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    results = []
    try:
        for index, row in enumerate(rows, 1):
            # alternate which goes first, so that a warmer page cache or a quieter minute favours neither
            if index % 2:
                before = edit_once(row, home, False, extra)
                after = edit_once(row, home, True, extra)
            else:
                after = edit_once(row, home, True, extra)
                before = edit_once(row, home, False, extra)
            results.append({"id": row["id"], "expect": row["expect"], "before": before, "after": after})
            print(f"[{index}/{len(rows)}] {row['id']:24} {row['expect']:6} before {_cell(before)}  "
                  f"after {_cell(after)}{' fixer ' + after['fixer'] if after['fixer'] else ''}"
                  f"{' (fell back)' if after['fell_back'] else ''}", flush=True)
            if out:
                out.write_text(json.dumps({"results": results, "summary": summarize(results)}, indent=1))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    summary = summarize(results)
    for group, figures in summary.items():
        print(f"{group:6} n={figures['n']:3}  pass before {figures['passed_before']}/{figures['n']}  "
              f"after {figures['passed_after']}/{figures['n']}  s/request before {figures['seconds_before']:.1f}  "
              f"after {figures['seconds_after']:.1f}  (after/before {figures['time_ratio']:.2f})")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


def _cell(result: dict) -> str:
    return f"{'PASS' if result['passed'] else 'fail'} {result['status'][:9]:9} {result['seconds']:6.1f}s"


def summarize(results: list[dict]) -> dict:
    groups = {"all": results, **{e: [r for r in results if r["expect"] == e] for e in (*FIXERS, "none")}}
    summary = {}
    for group, members in groups.items():
        if not members:
            continue
        before = sum(r["before"]["seconds"] for r in members) / len(members)
        after = sum(r["after"]["seconds"] for r in members) / len(members)
        summary[group] = {"n": len(members),
                          "passed_before": sum(r["before"]["passed"] for r in members),
                          "passed_after": sum(r["after"]["passed"] for r in members),
                          "seconds_before": round(before, 2), "seconds_after": round(after, 2),
                          "time_ratio": round(after / before, 3) if before else 0.0}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="store_true", help="run vibecli edit before and after (slow)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N requests")
    parser.add_argument("--only", default="", help="comma-separated request ids")
    parser.add_argument("--out", type=Path, help="write the rows and the summary as JSON here")
    parser.add_argument("--router", choices=["rules", "model", "both"], default="rules",
                        help="routing rows: the rules, the model alone, or the model where the rules decline")
    parser.add_argument("--adapter", type=Path, help="the route adapter (default: the shipped one)")
    parser.add_argument("--min-probability", type=float, help="decline a model route below this")
    parser.add_argument("--editeval", action="store_true", help="route EditEval-191's requests instead")
    parser.add_argument("extra", nargs="*", help="after --: more arguments for every vibecli edit")
    args = parser.parse_args()
    rows = load_rows()
    if args.only:
        wanted = set(args.only.split(","))
        rows = [r for r in rows if r["id"] in wanted]
    if args.limit:
        rows = rows[: args.limit]
    if args.model:
        run_model(rows, args.extra, args.out)
        return 0
    router = None
    if args.router != "rules":
        sys.path.insert(0, str(ROOT))
        from vibecli.adapters import ROUTE
        from vibecli.fixers.model_router import MIN_PROBABILITY

        floor = MIN_PROBABILITY if args.min_probability is None else args.min_probability
        router = model_router(args.adapter or ROUTE, floor, rules_first=args.router == "both")
    if args.editeval:
        summary = editeval_routes(router or rules_router())
        if args.out:
            args.out.write_text(json.dumps(summary, indent=1))
        return 0
    results = route_rows(rows, router)
    summary = report_routing(results)
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
