"""Start-up cost of the command line, two source trees side by side.

    python benchmarks/startup.py --baseline REF [--runs 15] [--out FILE.json]

REF (any git revision, e.g. `main` or `HEAD~3`) is extracted with `git archive` into a
temporary folder; the working tree is the other side. Each command runs as a fresh
`python -m vibecli` process with that side first on PYTHONPATH, A and B alternating in every
round so that a machine shared with other work slows both alike, after one untimed run that
writes the bytecode (as an installed package has it). Reported: the median wall time of each
side, their ratio (working tree / baseline) and the load average seen.

Commands: `vibecli --help`; one shell completion (`vibecli ed<TAB>` through the bash
protocol, what every press of TAB costs); and `vibecli fix --lint-cmd true -q` in a clean git
repository whose check passes, what a pre-commit hook costs on most commits.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# name: (arguments, environment, runs in the test repository and prints nothing when it succeeds)
COMMANDS = {
    "help": (["--help"], {}, False),
    "complete": ([], {"_VIBECLI_COMPLETE": "complete_bash", "COMP_WORDS": "vibecli ed", "COMP_CWORD": "1"}, False),
    "fix, clean": (["fix", "--lint-cmd", "true", "-q"], {}, True),
}


def extract(ref: str, target: Path) -> Path:
    """The tree of `ref`, as files: the baseline side."""
    archive = target / "baseline.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), ref], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target / "tree", filter="data")
    return target / "tree"


def test_repository(work: Path) -> Path:
    """A clean git repository with one Python file, and a vibecli home of its own."""
    repo = work / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("def one():\n    return 1\n")
    for command in (["init", "-q"], ["add", "a.py"], ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "a"]):
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True)
    return repo


def wall(tree: Path, args: list[str], extra: dict[str, str], repo: Path | None = None) -> float | None:
    """Seconds of one run; None when that side cannot do it (completion before it was switched on)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIBECLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra, PYTHONPATH=str(tree))
    if repo is not None:
        env["VIBECLI_HOME"] = str(repo.parent / "home")
    started = time.perf_counter()
    # from a neutral folder (`python -m` puts the current one first on sys.path), or the test repository
    proc = subprocess.run([sys.executable, "-m", "vibecli", *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120, cwd=repo or tempfile.gettempdir())
    took = time.perf_counter() - started
    return took if proc.returncode == 0 and (repo is not None or proc.stdout.strip()) else None


def measure(sides: dict[str, Path], runs: int, repo: Path) -> dict:
    results: dict = {}
    for name, (args, extra, in_repo) in COMMANDS.items():
        where = repo if in_repo else None
        able = {side: tree for side, tree in sides.items() if wall(tree, args, extra, where) is not None}  # + bytecode
        times: dict[str, list[float]] = {side: [] for side in able}
        for round_ in range(runs):
            order = list(able.items()) if round_ % 2 == 0 else list(reversed(able.items()))
            for side, tree in order:
                times[side].append(wall(tree, args, extra, where))
        medians = {side: statistics.median(t) for side, t in times.items()}
        ratio = medians["working tree"] / medians["baseline"] if len(medians) == 2 else None
        results[name] = {"median_s": medians, "ratio": ratio, "runs": times}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a git revision to compare the working tree with")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path("startup-results.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as work:
        sides = {"baseline": extract(args.baseline, Path(work)), "working tree": ROOT}
        before = os.getloadavg()
        results = measure(sides, args.runs, test_repository(Path(work)))
        after = os.getloadavg()
    print(f"load average: {before[0]:.2f} at start, {after[0]:.2f} at end; {args.runs} runs a side, medians")
    print(f"{'':12}{'baseline':>10}{'working':>10}{'ratio':>8}")
    for name, r in results.items():
        shown = [f"{r['median_s'][side]:10.3f}" if side in r["median_s"] else f"{'n/a':>10}" for side in sides]
        print(f"{name:12}{''.join(shown)}{r['ratio']:8.3f}" if r["ratio"] else f"{name:12}{''.join(shown)}")
    report = {"baseline": args.baseline, "load_average": [before, after], "results": results}
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
