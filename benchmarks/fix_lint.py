"""`vibecli fix` on the embedded model against files with real lint errors (written for
vibecli, not taken from any data set), each with a small test of its behaviour.

    python benchmarks/fix_lint.py

Reports the share fixed so that the linter passes and the test still passes, mean seconds per
file, how often a second round of the check loop was needed, and the time `fix` takes when
there is nothing to fix, next to the time the linter alone takes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINT = f"{sys.executable} -m ruff check --no-cache --select E,F --output-format concise mod.py"
CASES = [
    ("unused imports", "import os\nimport sys\n\n\ndef add(a, b):\n    return a + b\n", "assert mod.add(1, 2) == 3"),
    ("undefined name", "def area(r):\n    return pi * r * r\n", "assert abs(mod.area(1) - 3.14159) < 1e-3"),
    ("bare except", "def parse(s):\n    try:\n        return int(s)\n    except:\n        return None\n",
     "assert mod.parse('x') is None and mod.parse('4') == 4"),
    ("comparison to None", "def is_missing(x):\n    return x == None\n", "assert mod.is_missing(None) and not mod.is_missing(0)"),
    ("comparison to True", "def check(flag):\n    if flag == True:\n        return 'yes'\n    return 'no'\n",
     "assert mod.check(True) == 'yes' and mod.check(False) == 'no'"),
    ("f-string without placeholders", 'def hello(name):\n    return f"Hello, " + name\n', "assert mod.hello('a') == 'Hello, a'"),
    ("unused variable", "def total(xs):\n    count = len(xs)\n    return sum(xs)\n", "assert mod.total([1, 2]) == 3"),
    ("not in", "def absent(x, xs):\n    return not x in xs\n", "assert mod.absent(3, [1]) and not mod.absent(1, [1])"),
    ("lambda assignment", "square = lambda x: x * x\n", "assert mod.square(3) == 9"),
    ("ambiguous name", "def first(items):\n    l = list(items)\n    return l[0]\n", "assert mod.first('ab') == 'a'"),
    ("undefined name in a loop", "def names(users):\n    out = []\n    for u in users:\n        out.append(user.name)\n    return out\n",
     "import types\nassert mod.names([types.SimpleNamespace(name='a')]) == ['a']"),
    ("redefined function", "def size(x):\n    return len(x)\n\n\ndef size(x):\n    return len(x)\n", "assert mod.size('ab') == 2"),
]


def repo_with(code: str, test: str) -> Path:
    repo = Path(tempfile.mkdtemp(prefix="fixlint-"))
    (repo / "mod.py").write_text(code)
    (repo / "check_mod.py").write_text(f"import mod\n{test}\n")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "case"], cwd=repo, check=True)
    return repo


def vibecli(repo: Path, home: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "vibecli", *args], cwd=repo, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env={**os.environ, "VIBECLI_HOME": str(home)}, timeout=900)
    return proc, time.perf_counter() - started


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="fixlint-home-"))
    nothing_to_fix(home)
    if "--nothing-only" in sys.argv:
        return 0
    test_cmd = f"{sys.executable} check_mod.py"
    fixed, seconds, second_round, rows = 0, [], 0, []
    for name, code, test in CASES:
        repo = repo_with(code, test)
        proc, took = vibecli(repo, home, "fix", "mod.py", "--lint-cmd", LINT, "--test-cmd", test_cmd, "--json",
                             "--threads", "2")
        report = json.loads(proc.stdout) if proc.stdout.strip() else {"status": "error", "rounds": 0}
        lint_ok = subprocess.run(LINT, shell=True, cwd=repo, capture_output=True).returncode == 0
        test_ok = subprocess.run(test_cmd, shell=True, cwd=repo, capture_output=True).returncode == 0
        ok = proc.returncode == 0 and lint_ok and test_ok
        fixed += ok
        seconds.append(took)
        second_round += report.get("rounds", 0) >= 2
        rows.append((name, proc.returncode, report.get("status"), report.get("rounds"), ok, round(took, 1)))
        print(f"{name:32} exit {proc.returncode} {report.get('status'):14} rounds {report.get('rounds')} "
              f"{'FIXED' if ok else '-'} {took:.1f}s", flush=True)
    n = len(CASES)
    print(f"fixed (lint passes, test passes): {fixed}/{n} = {fixed / n:.0%}")
    print(f"mean seconds per file: {statistics.mean(seconds):.1f}")
    print(f"needed a second round: {second_round}/{n}")
    print(f"{fixed} passed, {n - fixed} failed")
    return 0


def nothing_to_fix(home: Path) -> None:
    """`vibecli fix` on a clean file next to the linter alone, and next to the full command line
    (`--json` is not on the fast path), interleaved, median of 5."""
    clean = repo_with("def add(a, b):\n    return a + b\n", "assert mod.add(1, 2) == 3")
    times: dict[str, list[float]] = {"lint": [], "fix": [], "fix --json": []}
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(LINT, shell=True, cwd=clean, capture_output=True, check=True)
        times["lint"].append(time.perf_counter() - started)
        for label, extra in (("fix", []), ("fix --json", ["--json"])):
            proc, took = vibecli(clean, home, "fix", "--lint-cmd", LINT, *extra)
            assert proc.returncode == 0, proc.stderr
            times[label].append(took)
    lint_s, fix_s, full_s = (statistics.median(times[k]) for k in ("lint", "fix", "fix --json"))
    print(f"nothing to fix: vibecli fix {fix_s:.3f}s, the linter alone {lint_s:.3f}s (ratio {fix_s / lint_s:.1f}x); "
          f"through the full command line (--json) {full_s:.3f}s ({full_s / lint_s:.1f}x); median of 5", flush=True)


if __name__ == "__main__":
    sys.exit(main())
