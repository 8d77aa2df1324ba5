"""Check output parsed into file, line and message, for the tools people run."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from vibecli.checks import MAX_OUTPUT_CHARS, CheckResult, Problem, parse_problems, run_check


@pytest.mark.parametrize(
    "output, expected",
    [
        ("greet.py:3:5: F401 [*] `os` imported but unused\nFound 1 error.\n",  # ruff
         [Problem("greet.py", 3, "F401 [*] `os` imported but unused")]),
        ("./pkg/a.py:10:1: E722 do not use bare 'except'\n", [Problem("pkg/a.py", 10, "E722 do not use bare 'except'")]),  # flake8
        ("a.py:2:1: undefined name 'x'\n", [Problem("a.py", 2, "undefined name 'x'")]),  # pyflakes
        ("a.py:4: error: Incompatible return value type  [return-value]\nFound 1 error in 1 file\n",  # mypy
         [Problem("a.py", 4, "error: Incompatible return value type  [return-value]")]),
        ("FAILED tests/test_a.py::test_add - assert 1 == 2\n",  # pytest summary
         [Problem("tests/test_a.py", None, "test_add assert 1 == 2")]),
        ("src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n",  # tsc
         [Problem("src/a.ts", 3, "error TS2322: Type 'string' is not assignable to type 'number'.")]),
        ("# example.com/m\nvet: ./m.go:5:2: unreachable code\n", [Problem("m.go", 5, "unreachable code")]),  # go vet
    ],
)
def test_known_formats(output, expected, tmp_path):
    assert parse_problems(output, tmp_path) == expected


def test_eslint_stylish_format(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.js").write_text("x\n")
    output = "src/app.js\n  3:7   error  'y' is assigned a value but never used  no-unused-vars\n\n1 problem\n"
    assert parse_problems(output, tmp_path) == [Problem("src/app.js", 3, "'y' is assigned a value but never used  no-unused-vars")]


def test_unknown_output_goes_back_raw_and_trimmed():
    result = CheckResult("test", "make check", 2, "boom " * 2000, 0.1)
    text = result.feedback(limit=300)
    assert text.startswith("`make check` failed (exit 2):") and "characters left out" in text
    assert len(text) < 400


def test_run_check_reports_exit_and_problems(tmp_path):
    result = run_check("lint", "echo 'a.py:1:1: E1 bad' && exit 3", tmp_path)
    assert (result.exit_code, result.passed, result.problems) == (3, False, [Problem("a.py", 1, "E1 bad")])
    assert run_check("lint", "true", tmp_path).passed


def test_run_check_time_limit_kills_the_whole_command(tmp_path):
    result = run_check("test", "sleep 30 & sleep 30", tmp_path, timeout=0.5)
    assert result.exit_code == 124 and result.seconds < 5


def test_run_check_keeps_the_start_and_end_of_an_endless_output(tmp_path):
    # 40 MB between the first and the last line: kept in bounded memory, both ends still read
    script = ("import sys\nprint('a.py:1:1: E1 first')\nline = 'n' * 999 + '\\n'\n"
              "for _ in range(40_000):\n    sys.stdout.write(line)\nprint('b.py:2:1: E2 last')\nsys.exit(1)\n")
    (tmp_path / "noisy.py").write_text(script)
    result = run_check("lint", f"{sys.executable} noisy.py", tmp_path)
    assert result.exit_code == 1 and len(result.output) < MAX_OUTPUT_CHARS + 100
    assert result.output.startswith("a.py:1:1: E1 first") and result.output.endswith("b.py:2:1: E2 last\n")
    assert "characters of output left out" in result.output
    assert [(p.path, p.line) for p in result.problems] == [("a.py", 1), ("b.py", 2)]


def test_run_check_does_not_wait_for_a_process_it_left_behind(tmp_path):
    # the background sleep keeps the output pipe open after the check itself has ended
    command = "echo 'a.py:1:1: E1 bad'; printf 'b.py:2:1: E2 crlf\\r\\n'; sleep 60 & echo $! > bg.pid; exit 3"
    result = run_check("lint", command, tmp_path)
    assert result.exit_code == 3 and result.seconds < 15
    assert result.output == "a.py:1:1: E1 bad\nb.py:2:1: E2 crlf\n"
    assert [(p.path, p.line) for p in result.problems] == [("a.py", 1), ("b.py", 2)]
    stat = Path("/proc", (tmp_path / "bg.pid").read_text().strip(), "stat")
    deadline = time.monotonic() + 5
    while _state(stat) not in ("", "Z") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _state(stat) in ("", "Z")  # it ended with the check (gone, or not yet reaped)


def _state(stat: Path) -> str:
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""
