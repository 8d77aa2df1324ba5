"""`vibecli fix` with ruff as the check, on excerpts of real code with real ruff findings
(`benchmarks/fix_ruff/`: permissively licensed packages; provenance in its README and manifest).

    python benchmarks/fix_ruff.py --group unfixable --candidates 1 4            # N = 1 against N = 4
    python benchmarks/fix_ruff.py --group mixed --fixers off on                 # before / after ruff's own fixes
    python benchmarks/fix_ruff.py --group mixed --limit 2 --out results.json    # a smoke run
    python benchmarks/fix_ruff.py --group all --ruff-only                       # ruff's safe fixes alone

Each case gets a fresh git repository holding the excerpt as `mod.py`, committed, and
`vibecli fix --lint-cmd "<its ruff check>" --json --trust-project` with each row's settings; the
rows run case by case, side by side, so that a busy machine slows them alike. A reference row,
`ruff alone`, runs the same lint command with `--fix` (ruff's safe fixes) and nothing else.

A file counts as fixed when the lint command passes, the file still parses, its behaviour test
(a few asserts from the manifest, run against the result as module `mod`) still passes, and no
function, class or method of the original is gone. The behaviour test runs the edited code: this
script executes what the model wrote, in a subprocess with a timeout, as EditEval's tests do.

Per row: the share fixed, mean seconds per file and the ratio of that time to the first row's;
`--out` keeps every case's verdict (and `--resume` goes on from such a file).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "fix_ruff"
PERMISSIVE = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "PSF-2.0"}
RUFF_ALONE = "ruff alone"
TEST_TIMEOUT_S = 60


def load_cases(group: str = "all") -> list[dict]:
    rows = [json.loads(line) for line in (DATA / "manifest.jsonl").read_text().splitlines() if line.strip()]
    return [r for r in rows if group == "all" or r["group"] == group]


def ruff_executable() -> str:
    """Ruff as a program name `vibecli fix` recognises as a ruff check (`python3.11 -m ruff` is not one)."""
    beside = Path(sys.executable).parent / "ruff"
    found = str(beside) if beside.exists() else shutil.which("ruff")
    if not found:
        raise SystemExit("ruff is not installed (pip install ruff)")
    return found


def lint_command(case: dict, fix: bool = False, unsafe: bool = False) -> str:
    """The case's lint command with this environment's ruff; with `fix`, ruff's safe fixes applied
    first (and its unsafe ones too with `unsafe`)."""
    command = case["lint"].removeprefix("ruff check ")
    fixes = ("--fix " if fix else "") + ("--unsafe-fixes " if fix and unsafe else "")
    return f"{ruff_executable()} check {fixes}{command}"


def definitions(text: str) -> set[str]:
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names |= {f"{node.name}.{m.name}" for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return names


def behaviour_passes(text: str, test: str | None) -> tuple[bool, str]:
    """The case's asserts against `text` imported as `mod`, in a subprocess of its own."""
    if not test:
        return True, ""
    with tempfile.TemporaryDirectory(prefix="fixruff-test-") as folder:
        Path(folder, "mod.py").write_text(text)
        Path(folder, "check_mod.py").write_text(f"import mod\n{test}\n")
        try:
            # the excerpts and their tests need only the standard library: no site, no PYTHON* variables
            proc = subprocess.run([sys.executable, "-S", "-E", "-s", "check_mod.py"], cwd=folder, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=TEST_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return False, "timed out"
        last = proc.stderr.strip().splitlines()[-1:]
        return proc.returncode == 0, last[0] if last else ""


def judge(case: dict, repo: Path, original: str) -> dict:
    """The verdict on the file as the run left it."""
    text = (repo / "mod.py").read_text()
    lint_ok = subprocess.run(lint_command(case), shell=True, cwd=repo, capture_output=True,
                             timeout=TEST_TIMEOUT_S).returncode == 0
    try:
        lost = sorted(definitions(original) - definitions(text))
        parses = True
    except SyntaxError:
        lost, parses = [], False
    test_ok, why = behaviour_passes(text, case.get("test")) if parses else (False, "does not parse")
    fixed = lint_ok and parses and test_ok and not lost
    diff = "".join(difflib.unified_diff(original.splitlines(True), text.splitlines(True), "a/mod.py", "b/mod.py"))
    return {"fixed": fixed, "lint_ok": lint_ok, "parses": parses, "test_ok": test_ok, "lost": lost,
            "changed": text != original, "why": "" if test_ok else why, "diff": diff[:4000]}


def repo_with(text: str) -> Path:
    repo = Path(tempfile.mkdtemp(prefix="fixruff-"))
    (repo / "mod.py").write_text(text)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "case"], cwd=repo, check=True)
    return repo


def run_row(case: dict, row: dict, home: Path, args) -> dict:
    original = (DATA / case["file"]).read_text()
    repo = repo_with(original)
    started = time.perf_counter()
    report: dict = {}
    if row["name"] == RUFF_ALONE:
        proc = subprocess.run(lint_command(case, fix=True), shell=True, cwd=repo, capture_output=True, text=True)
    else:
        flags = ["--candidates", str(row["candidates"]), *([] if row["fixers"] else ["--no-fixers"])]
        proc = subprocess.run(
            [sys.executable, "-m", "vibecli", "fix", "--lint-cmd", lint_command(case), "--json", "--trust-project",
             "--threads", str(args.threads), *flags, *args.vibecli_args],
            cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=args.timeout,
            env={**os.environ, "VIBECLI_HOME": str(home)})
        try:
            report = json.loads(proc.stdout) if proc.stdout.strip() else {}
        except json.JSONDecodeError:
            report = {}
    seconds = time.perf_counter() - started
    verdict = judge(case, repo, original)
    shutil.rmtree(repo, ignore_errors=True)
    fixer = report.get("fixer") or {}
    return {"case": case["id"], "group": case["group"], "row": row["name"], "exit": proc.returncode,
            "status": report.get("status"), "rounds": report.get("rounds"), "seconds": round(seconds, 2),
            "fixed_by": fixer.get("fixed"), "own": (fixer.get("args") or {}).get("own"), "candidates": (report.get("candidates") or {}).get("asked"),
            "attempts": report.get("attempts"), "tokens": report.get("tokens"), "timings": report.get("timings"),
            "message": str(report.get("message") or "")[:300],
            "stderr": "" if report else proc.stderr.strip()[-300:], **verdict}


def model_home(models: Path) -> Path:
    """A fresh VIBECLI_HOME whose model cache is the shared one, so the embedded model is assembled once."""
    home = Path(tempfile.mkdtemp(prefix="fixruff-home-"))
    models.mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir()
    (home / "cache" / "models").symlink_to(models, target_is_directory=True)
    return home


def rows_asked(args) -> list[dict]:
    if args.ruff_only:
        return [{"name": RUFF_ALONE}]
    rows = [{"name": f"N={n}" + ("" if fixers == "on" else " --no-fixers"), "candidates": n, "fixers": fixers == "on"}
            for fixers in args.fixers for n in args.candidates]
    return rows + ([{"name": RUFF_ALONE}] if args.ruff_alone else [])


def summarise(results: list[dict], rows: list[dict]) -> list[dict]:
    summaries = []
    for row in rows:
        mine = [r for r in results if r["row"] == row["name"]]
        if not mine:
            continue
        seconds = statistics.mean(r["seconds"] for r in mine)
        by_ruff = sum((r["fixed_by"] or {}).get("ruff", 0) for r in mine)
        by_model = sum((r["fixed_by"] or {}).get("model", 0) for r in mine)
        by_own = sum(sum((r.get("own") or {}).values()) for r in mine)
        summaries.append({"row": row["name"], "cases": len(mine), "fixed": sum(r["fixed"] for r in mine),
                          "lint_passed": sum(r["lint_ok"] for r in mine),
                          "lint_passed_but_broken": sum(r["lint_ok"] and not r["fixed"] for r in mine),
                          "mean_s": round(seconds, 2), "findings_fixed_by_ruff": by_ruff,
                          "of_them_by_vibecli_rules": by_own,
                          "findings_fixed_by_model": by_model})
    base = summaries[0]["mean_s"] if summaries else 0
    for s in summaries:
        s["time_ratio"] = round(s["mean_s"] / base, 2) if base else None
    return summaries


def print_summary(summaries: list[dict]) -> None:
    print(f"{'row':18} {'fixed':>12} {'lint passes':>12} {'but broken':>10} {'s/file':>8} {'x first':>8}")
    for s in summaries:
        share = f"{s['fixed']}/{s['cases']} {s['fixed'] / s['cases']:.0%}"
        print(f"{s['row']:18} {share:>12} {s['lint_passed']:>12} {s['lint_passed_but_broken']:>10} "
              f"{s['mean_s']:>8.2f} {s['time_ratio']:>8.2f}")
    print(f"uptime: {uptime()}", flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", choices=["unfixable", "mixed", "all"], default="unfixable")
    parser.add_argument("--candidates", type=int, nargs="+", default=[1], help="one row per N (e.g. 1 4)")
    parser.add_argument("--fixers", choices=["on", "off"], nargs="+", default=["on"],
                        help="off: --no-fixers (before), on: the default (after); one row each")
    parser.add_argument("--no-ruff-alone", dest="ruff_alone", action="store_false", help="leave out the reference row")
    parser.add_argument("--ruff-only", action="store_true", help="only the reference row (no model)")
    parser.add_argument("--cases", help="comma-separated case ids (default: the whole group)")
    parser.add_argument("--limit", type=int, help="the first N cases only")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=900, help="seconds one vibecli run may take")
    parser.add_argument("--models", type=Path, default=Path(os.environ.get(
        "VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test")) / "models",
                        help="the shared model cache (default: the test suite's)")
    parser.add_argument("--out", type=Path, help="write every verdict and the summary here (JSON)")
    parser.add_argument("--resume", action="store_true", help="keep the verdicts already in --out, run the rest")
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    args.vibecli_args = extra
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    cases = load_cases(args.group)
    if args.cases:
        wanted = args.cases.split(",")
        cases = [c for c in load_cases("all") if c["id"] in wanted]
    cases = cases[: args.limit] if args.limit else cases
    rows = rows_asked(args)
    results = json.loads(args.out.read_text())["results"] if args.resume and args.out and args.out.exists() else []
    done = {(r["case"], r["row"]) for r in results}
    home = model_home(args.models)
    print(f"{len(cases)} cases, rows: {', '.join(r['name'] for r in rows)}; uptime: {uptime()}", flush=True)
    for case in cases:
        for row in rows:
            if (case["id"], row["name"]) in done:
                continue
            result = run_row(case, row, home, args)
            results.append(result)
            verdict = "FIXED" if result["fixed"] else f"- lint {'ok' if result['lint_ok'] else 'fails'}" + (
                f", test fails ({result['why']})" if result["lint_ok"] and not result["test_ok"] else "") + (
                f", lost {result['lost']}" if result["lost"] else "")
            print(f"{case['id']:34} {row['name']:16} exit {result['exit']} {result['status'] or '-':14} "
                  f"{verdict} {result['seconds']:.1f}s", flush=True)
            if args.out:
                write_out(args.out, results, rows, args)
    groups = sorted({r["group"] for r in results})
    for group in groups if len(groups) > 1 else []:
        print(f"group {group}:")
        print_summary(summarise([r for r in results if r["group"] == group], rows))
    print("all cases:" if len(groups) > 1 else f"group {groups[0] if groups else args.group}:")
    print_summary(summarise(results, rows))
    if args.out:
        write_out(args.out, results, rows, args)
    shutil.rmtree(home, ignore_errors=True)
    return 0


def write_out(path: Path, results: list[dict], rows: list[dict], args) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=DATA, capture_output=True, text=True).stdout.strip()
    path.write_text(json.dumps({"commit": commit, "group": args.group, "rows": rows, "uptime": uptime(),
                                "vibecli_args": args.vibecli_args, "summaries": summarise(results, rows),
                                "results": results}, indent=1))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
