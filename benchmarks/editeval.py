"""EditEval-192 through the real `vibecli edit` command, one task per temporary git repository.

    python benchmarks/editeval.py                       # every task, the default edit format
    python benchmarks/editeval.py --formats symbol,search,whole --limit 40
    python benchmarks/editeval.py --formats auto --limit 20 --serve -- --route auto

`--coverage` (with `-- --candidates N`) also judges every candidate's result, from the per-candidate
diffs of the JSON report, against the task's hidden test: `any_passed` per task (the first
attempt's candidates) is the ceiling that selection can reach; `coverage` in the summary counts them,
and `coverage_at` counts them for the first 1, 2, 4, ... candidates (one N = 8 run gives N = 1 to 8).

    python benchmarks/editeval.py --formats auto --coverage -- --candidates 4 --select agree

`--serve` starts llama-cpp-python's server (`python -m llama_cpp.server`) with the embedded model
on 127.0.0.1 for the run and passes `--endpoint` to every edit: with `--route auto` the local
model answers first and a rejected answer or failing checks go to the server, a stand-in for a
larger model. The summary then counts escalations and the time they add.

Judged as ../shared/eval/README.md says: the edited file (substituted into `context` when
it has `{{Code}}`), then `test` and `check()`, run with python in a fresh folder under a time
limit; exit status 0 is a pass. EditEval/156, /159 and /188 are left out. Prints a table per
format and, last, `N passed, N failed` for the first format named.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXCLUDED = {"EditEval/156", "EditEval/159", "EditEval/188"}
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "editeval.jsonl"


def load_tasks(path: Path) -> list[dict]:
    tasks = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [t for t in tasks if t["task_id"] not in EXCLUDED]


def judge(code: str, task: dict, timeout: float = 10.0) -> bool:
    context = task.get("context") or ""
    program = context.replace("{{Code}}", code) if "{{Code}}" in context else code
    program += "\n\n" + task["test"] + "\ncheck()\n"
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "judge.py").write_text(program)
        try:
            proc = subprocess.run([sys.executable, "judge.py"], cwd=folder, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
    return proc.returncode == 0


def parses(code: str) -> bool:
    from vibecli.edits.syntax import problems

    try:
        compile(code, "code.py", "exec")
    except (SyntaxError, ValueError):
        return False
    return not problems("python", code.encode())


CHECK_SCRIPT = """import pathlib
code = pathlib.Path("code.py").read_text()
context = {context!r}
program = context.replace("{{{{Code}}}}", code) if "{{{{Code}}}}" in context else code
exec(compile(program + "\\n\\n" + {test!r} + "\\ncheck()\\n", "task_test", "exec"), {{"__name__": "__main__"}})
"""


def candidate_code(original: str, diff: str) -> str | None:
    """code.py as a candidate left it: its diff applied to the task's input (None: it does not apply)."""
    if not diff:
        return original
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "code.py").write_text(original)
        proc = subprocess.run(["git", "apply", "--unsafe-paths", "-"], cwd=folder, input=diff, text=True,
                              capture_output=True)
        return (Path(folder) / "code.py").read_text() if proc.returncode == 0 else None


def coverage(task: dict, report: dict) -> dict:
    """Which candidates' results pass the hidden test: of the first attempt (what N answers to one
    prompt hold), and of any attempt."""
    listed = (report.get("candidates") or {}).get("list") or []
    judged = []
    for candidate in listed:
        if candidate["verdict"] in ("invalid", "refused") or not candidate["diff"]:
            continue
        code = candidate_code(task["input"], candidate["diff"])
        judged.append({"attempt": candidate["attempt"], "index": candidate["index"], "verdict": candidate["verdict"],
                       "logprob": candidate["logprob"], "passed": code is not None and judge(code, task),
                       "same_as": _code_key(code) if code is not None else None})
    first = [row for row in judged if row["attempt"] == 1]
    return {"candidates_judged": len(judged), "first_attempt_asked": sum(c["attempt"] == 1 for c in listed),
            "any_passed": any(row["passed"] for row in first),
            "any_passed_any_attempt": any(row["passed"] for row in judged),
            "candidates_passed": sum(row["passed"] for row in judged),
            # the first attempt's passing candidates by index: candidate 0 is the greedy answer and the
            # sampled ones have seeds fixed by their index, so the first k of an N-candidate run are what
            # `--candidates k` would have asked for, and one run gives the coverage of every k up to N
            "passed_indices": sorted(row["index"] for row in first if row["passed"]),
            # every valid candidate, so that other selection rules can be scored on the same answers
            "judged": judged}


def _code_key(code: str) -> str:
    """A short digest of the code with its formatting left out (as selection by agreement compares)."""
    from vibecli.selection import normalised

    return hashlib.sha256(normalised("code.py", code).encode()).hexdigest()[:12]


def run_task(task: dict, edit_format: str, home: Path, extra: list[str], checks: bool = False,
             with_coverage: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as outside:
        repo = Path(folder)
        env = {**os.environ, "VIBECLI_HOME": str(home)}
        if checks:
            # the task's own test as vibecli's test check, kept outside the repository the model sees
            script = Path(outside) / "task_check.py"
            script.write_text(CHECK_SCRIPT.format(context=task.get("context") or "", test=task["test"]))
            extra = [*extra, "--test-cmd", f"{sys.executable} {script}"]
            env["VIBECLI_CHECK_TIMEOUT"] = "20"
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        (repo / "code.py").write_text(task["input"])
        subprocess.run([*git, "add", "code.py"], cwd=repo, check=True)
        subprocess.run([*git, "commit", "-qm", "task"], cwd=repo, check=True)
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "vibecli", "edit", task["instruction"].strip(), "code.py", "--json",
             "--format", edit_format, "--no-commit", *extra],
            cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600,
            env=env,
        )
        seconds = time.perf_counter() - started
        code = (repo / "code.py").read_text()
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {"status": "error", "message": proc.stderr.strip()[-300:], "tokens": {"completion": 0}, "run_id": ""}
    landed = report["status"] == "applied"
    covered = coverage(task, report) if with_coverage else {}
    return {
        "task_id": task["task_id"],
        "status": report["status"],
        "exit_code": proc.returncode,
        "passed": landed and judge(code, task),
        "landed_parses": parses(code) if landed else None,
        "seconds": round(seconds, 2),
        "completion_tokens": report["tokens"]["completion"],
        "attempts": report.get("attempts", 0),
        "backend": report.get("backend", ""),
        "escalated": bool(report.get("escalated_from")),
        "local_status": (report.get("escalated_from") or {}).get("status", report["status"]),
        "local_seconds": (report.get("escalated_from") or {}).get("seconds"),
        "run_id": report.get("run_id", ""),
        "message": report.get("message", "")[:200],
        "candidates": {k: v for k, v in (report.get("candidates") or {}).items() if k != "list"} or None,
        **covered,
    }


def well_formed(home: Path, run_ids: list[str]) -> tuple[int, int]:
    """Answers (free answers, or header+body pairs) that parsed as an envelope, of all answers."""
    db = sqlite3.connect(home / "logbook.db")
    good = total = 0
    for run_id in run_ids:
        rows = db.execute(
            "SELECT attempt, MAX(edits IS NOT NULL) FROM calls WHERE run_id = ? GROUP BY attempt", (run_id,)
        ).fetchall()
        total += len(rows)
        good += sum(1 for _, parsed in rows if parsed)
    return good, total


def summarize(edit_format: str, results: list[dict], home: Path) -> dict:
    n = len(results)
    landed = [r for r in results if r["status"] == "applied"]
    good, answers = well_formed(home, [r["run_id"] for r in results if r["run_id"]])
    return {
        "format": edit_format,
        "tasks": n,
        "passed": sum(r["passed"] for r in results),
        "pass_at_1": round(sum(r["passed"] for r in results) / n, 4) if n else 0,
        "landed": len(landed),
        "landed_parse_share": round(sum(bool(r["landed_parses"]) for r in landed) / len(landed), 4) if landed else None,
        "well_formed_answers": good,
        "answers": answers,
        "well_formed_share": round(good / answers, 4) if answers else 0,
        "mean_seconds": round(sum(r["seconds"] for r in results) / n, 2) if n else 0,
        "mean_completion_tokens": round(sum(r["completion_tokens"] for r in results) / n, 1) if n else 0,
        "exit_codes": {str(c): sum(r["exit_code"] == c for r in results) for c in sorted({r["exit_code"] for r in results})},
        **_escalations(results),
        **_coverage(results),
    }


def _coverage(results: list[dict]) -> dict:
    """With --coverage: tasks where some candidate of the first attempt passes (the selection ceiling)."""
    if not results or "any_passed" not in results[0]:
        return {}
    n = len(results)
    ceiling = sum(r["any_passed"] for r in results)
    asked = max(r.get("first_attempt_asked", 0) for r in results)  # N, not N times the attempts
    prefixes = [k for k in (1, 2, 4, 8, 16) if k <= asked]
    by_prefix = {str(k): sum(any(i < k for i in r.get("passed_indices", [])) for r in results) for k in prefixes}
    return {"coverage": ceiling, "coverage_share": round(ceiling / n, 4), "coverage_at": by_prefix,
            "coverage_any_attempt": sum(r["any_passed_any_attempt"] for r in results),
            "selection_share_of_ceiling": round(sum(r["passed"] for r in results) / ceiling, 4) if ceiling else None}


def _escalations(results: list[dict]) -> dict:
    """Under `--route auto`: how often the larger backend was asked, what it fixed, and the time it added."""
    escalated = [r for r in results if r.get("escalated")]
    if not escalated:
        return {"escalated": 0}
    added = sum(r["seconds"] - (r["local_seconds"] or 0) for r in escalated)
    return {
        "escalated": len(escalated),
        "escalation_rate": round(len(escalated) / len(results), 4),
        "escalated_from_status": {s: sum(r["local_status"] == s for r in escalated)
                                  for s in sorted({r["local_status"] for r in escalated})},
        "escalated_then_applied": sum(r["status"] == "applied" for r in escalated),
        "escalated_then_passed": sum(r["passed"] for r in escalated),
        "escalation_added_s": round(added, 1),
        "total_s": round(sum(r["seconds"] for r in results), 1),
        "escalation_share_of_time": round(added / sum(r["seconds"] for r in results), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--formats", default="symbol")
    parser.add_argument("--limit", type=int, default=0, help="only the first N tasks")
    parser.add_argument("--out", type=Path, help="write every result and the summaries here as JSON")
    parser.add_argument("--resume", type=Path, help="a JSON Lines file of results: done tasks are skipped, new ones appended")
    parser.add_argument("--serve", action="store_true",
                        help="run llama_cpp.server with the embedded model and pass --endpoint to every edit")
    parser.add_argument("--checks", action="store_true",
                        help="give vibecli each task's test as its --test-cmd (then not pass@1: the model sees failures)")
    parser.add_argument("--coverage", action="store_true",
                        help="also judge every candidate's result (needs -- --candidates N): any_passed per task")
    parser.add_argument("--serve-threads", type=int, default=2, help="the server's threads, with --serve")
    parser.add_argument("extra", nargs="*", help="more `vibecli edit` options, after --")
    args = parser.parse_args()
    if args.serve:
        return _served(args)
    return _run(args)


def _served(args) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from llama_server import llama_server

    from vibecli.models import default_model_path as embedded_model_path
    from vibecli.paths import cache_dir

    with llama_server(embedded_model_path(cache_dir()), n_ctx=8192, threads=args.serve_threads) as url:
        args.extra = [*args.extra, "--endpoint", url, "--endpoint-model", "gemma"]
        return _run(args)


def _run(args) -> int:
    tasks = load_tasks(args.data)
    if args.limit:
        tasks = tasks[: args.limit]
    summaries, everything = [], {}
    done = {}
    if args.resume and args.resume.exists():
        for line in args.resume.read_text().splitlines():
            row = json.loads(line)
            done[(row["format"], row["task_id"])] = row
    for edit_format in args.formats.split(","):
        home = Path(tempfile.mkdtemp(prefix=f"editeval-{edit_format}-"))
        if args.resume:
            home = args.resume.with_suffix(f".{edit_format}.home")
            home.mkdir(exist_ok=True)
        results = []
        for index, task in enumerate(tasks, 1):
            if (edit_format, task["task_id"]) in done:
                results.append(done[(edit_format, task["task_id"])])
                continue
            result = run_task(task, edit_format, home, args.extra, args.checks, args.coverage)
            results.append(result)
            if args.resume:
                with args.resume.open("a") as handle:
                    handle.write(json.dumps({"format": edit_format, **result}) + "\n")
            print(f"[{edit_format} {index}/{len(tasks)}] {task['task_id']}: {result['status']}"
                  f"{' PASS' if result['passed'] else ''}{' (escalated)' if result['escalated'] else ''} {result['seconds']}s", file=sys.stderr, flush=True)
        summary = summarize(edit_format, results, home)
        summaries.append(summary)
        everything[edit_format] = results
        print(json.dumps(summary), flush=True)
        if args.out:
            args.out.write_text(json.dumps({"summaries": summaries, "results": everything}, indent=1))
    first = summaries[0]
    print(f"{first['passed']} passed, {first['tasks'] - first['passed']} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
