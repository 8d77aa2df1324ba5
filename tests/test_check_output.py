"""Check output as the real tools print it: recorded from each tool (tests/fixtures/check_output,
see SOURCES.md there), and produced live by ruff and pytest (installed wherever the tests run) and
by the other tools where they are on PATH."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vibecli.check_output import mentioned_files, parse_problems, plain, repository_path
from vibecli.checks import run_check

SAMPLES = Path(__file__).parent / "fixtures" / "check_output"
PROJECT_FILES = ["util.py", "test_util.py", "test_raises.py", "test_broken.py", "broken.py", "app.js", "app.ts",
                 "main.go", "typeerr/bad.go", "src/main.rs"]


@pytest.fixture
def root(tmp_path) -> Path:
    project = tmp_path / "project"
    for rel in PROJECT_FILES:
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text("x\n")
    return project


def sample(name: str, root: Path) -> str:
    text = (SAMPLES / name).read_text()
    return (text.replace("{root}", str(root)).replace("{site}", "/opt/python/site-packages")
            .replace("{stdlib}", "/opt/python/lib"))


def found(name: str, root: Path) -> list[tuple[str, int | None]]:
    return [(p.path, p.line) for p in parse_problems(sample(name, root), root)]


UTIL_RUFF = [("util.py", 1), ("util.py", 2), ("util.py", 6)]


@pytest.mark.parametrize("name, expected", [
    ("ruff_full.txt", UTIL_RUFF),
    ("ruff_concise.txt", UTIL_RUFF),
    ("flake8.txt", UTIL_RUFF),
    ("pylint.txt", [("util.py", 1), ("util.py", 5), ("util.py", 6), ("util.py", 10), ("util.py", 1), ("util.py", 2)]),
    ("mypy.txt", [("util.py", 11)]),
    ("pyright.txt", [("util.py", 11)]),
    ("pytest_default.txt", [("test_util.py", 5), ("test_raises.py", 7), ("test_raises.py", 4), ("test_util.py", None),
                            ("test_raises.py", None)]),
    ("pytest_tb_short.txt", [("test_raises.py", 7), ("test_raises.py", 4), ("test_raises.py", None)]),
    ("pytest_tb_line.txt", [("test_util.py", 5), ("test_util.py", None)]),
    ("pytest_collection_error.txt", [("test_broken.py", 1), ("broken.py", 1), ("test_broken.py", None)]),
    ("eslint_stylish.txt", [("app.js", 1), ("app.js", 2), ("app.js", 3)]),
    ("eslint_unix.txt", [("app.js", 1), ("app.js", 2), ("app.js", 3)]),
    ("tsc.txt", [("app.ts", 2), ("app.ts", 4)]),
    ("tsc_pretty.txt", [("app.ts", 2), ("app.ts", 4)]),
    ("go_vet.txt", [("typeerr/bad.go", 4), ("main.go", 7)]),
    ("cargo.txt", [("src/main.rs", 7), ("src/main.rs", 2)]),
])
def test_recorded_output_of_each_tool_names_its_files_and_lines(root, name, expected):
    assert found(name, root) == expected


def test_messages_come_with_the_problem(root):
    ruff = parse_problems(sample("ruff_full.txt", root), root)
    assert ruff[0].message == "F401 [*] `os` imported but unused"
    cargo = parse_problems(sample("cargo.txt", root), root)
    assert [p.message for p in cargo] == ["error[E0308]: mismatched types", "warning: unused variable: `unused`"]
    pyright = parse_problems(sample("pyright.txt", root), root)
    assert pyright[0].message.startswith("error: Type \"str\" is not assignable")
    tsc = parse_problems(sample("tsc_pretty.txt", root), root)
    assert tsc[0].message == "error TS2322: Type 'string' is not assignable to type 'number'."
    assert "\x1b" not in plain(sample("tsc_pretty.txt", root))


def test_frames_outside_the_repository_are_left_out(root):
    problems = parse_problems(sample("pytest_collection_error.txt", root), root)
    assert all(not p.path.startswith("/") for p in problems)
    text = f"{root.parent}/elsewhere.py:3: error: x\n{root}/.git/hooks/x.py:1: bad\n../up.py:2: nope\n"
    assert parse_problems(text, root) == []


def test_files_mentioned_anywhere_when_no_line_parses(root):
    output = "Traceback? no. Something is wrong near util.py and in typeerr/bad.go (see app.ts).\nnope.py too\n"
    assert parse_problems("lint failed: util.py is bad", root) == []
    assert mentioned_files(output, root) == ["util.py", "typeerr/bad.go", "app.ts"]
    assert mentioned_files("/etc/passwd.d and ../x.py", root) == []


def test_repository_paths(root):
    assert repository_path(f"{root}/util.py", root) == "util.py"
    assert repository_path("./typeerr/bad.go", root) == "typeerr/bad.go"
    assert repository_path("/etc/hosts", root) is None
    assert repository_path(".git/config", root) is None


# -- live: the real tools

def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "live"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


UTIL = "import os\nimport sys\n\n\ndef double(x):\n    unused = 1\n    return 2 * x\n"


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ruff"]


@pytest.mark.parametrize("fmt", [None, "concise", "full"])
def test_live_ruff_in_each_format(tmp_path, fmt):
    root = _project(tmp_path, {"pkg/util.py": UTIL, "clean.py": "X = 1\n"})
    command = " ".join(_ruff() + ["check", "--no-cache", "."] + (["--output-format", fmt] if fmt else []))
    result = run_check("lint", command, root)
    assert not result.passed
    assert [(p.path, p.line) for p in result.problems] == [("pkg/util.py", 1), ("pkg/util.py", 2), ("pkg/util.py", 6)]


def test_live_pytest_failures_name_the_test_and_the_code_it_ran(tmp_path):
    root = _project(tmp_path, {
        "calc.py": "def ratio(a, b):\n    return a / b\n",
        "tests/test_calc.py": "from calc import ratio\n\n\ndef test_ratio():\n    assert ratio(1, 0) == 0\n",
    })
    command = f"{sys.executable} -m pytest -p no:cacheprovider -p no:randomly tests"
    result = run_check("test", command, root)
    assert not result.passed
    paths = {p.path for p in result.problems}
    assert {"calc.py", "tests/test_calc.py"} <= paths
    assert any(p.path == "calc.py" and p.line == 2 for p in result.problems)


def test_live_pytest_collection_error(tmp_path):
    root = _project(tmp_path, {"broken.py": "def f(:\n    pass\n", "test_b.py": "import broken\n"})
    result = run_check("test", f"{sys.executable} -m pytest -p no:cacheprovider test_b.py", root)
    assert not result.passed
    assert ("broken.py", 1) in [(p.path, p.line) for p in result.problems]


TOOLS = {
    "flake8": ("flake8 util.py", {"util.py": UTIL}, [("util.py", 1), ("util.py", 2), ("util.py", 6)]),
    "pylint": ("pylint --disable=C util.py", {"util.py": UTIL}, [("util.py", 6), ("util.py", 1), ("util.py", 2)]),
    "mypy": ("mypy --no-incremental util.py", {"util.py": "def f() -> int:\n    return 'x'\n"}, [("util.py", 2)]),
    "pyright": ("pyright util.py", {"util.py": "def f() -> int:\n    return 'x'\n"}, [("util.py", 2)]),
    "eslint": ("eslint --no-config-lookup --rule 'no-undef: error' app.js", {"app.js": "nme;\n"}, [("app.js", 1)]),
    "tsc": ("tsc --noEmit app.ts", {"app.ts": "const x: number = 'a';\n"}, [("app.ts", 1)]),
}


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_live_tools_where_installed(tmp_path, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not on PATH (its recorded output is tested above)")
    command, files, expected = TOOLS[tool]
    root = _project(tmp_path, files)
    result = run_check("lint", command, root, timeout=300)
    assert not result.passed, result.output
    assert [(p.path, p.line) for p in result.problems] == expected, result.output


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not on PATH (its recorded output is tested above)")
def test_live_go_vet(tmp_path):
    root = _project(tmp_path, {"go.mod": "module sample\n\ngo 1.19\n",
                               "main.go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Printf("%d\\n", "x")\n}\n'})
    result = run_check("lint", "GOPROXY=off GOFLAGS=-mod=mod go vet ./...", root, timeout=300)
    assert not result.passed, result.output
    assert [(p.path, p.line) for p in result.problems] == [("main.go", 6)]


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not on PATH (its recorded output is tested above)")
def test_live_cargo(tmp_path):
    root = _project(tmp_path, {
        "Cargo.toml": '[package]\nname = "s"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/main.rs": "fn main() {\n    let s: String = 1;\n    println!(\"{}\", s);\n}\n",
    })
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = run_check("lint", "cargo build --offline --color never", root, timeout=300)
    assert not result.passed, result.output
    assert ("src/main.rs", 2) in [(p.path, p.line) for p in result.problems]


@pytest.mark.parametrize("junk", ["n" * 3_000_000, "a.b" * 1_000_000, ("x" * 5000 + "\n") * 600, "\x1b]" * 1_000_000,
                                  "util.py:" * 200_000])
def test_runaway_output_is_read_in_bounded_time(root, junk):
    import time

    started = time.perf_counter()
    parse_problems(junk, root)
    mentioned_files(junk, root)
    assert time.perf_counter() - started < 5


def test_the_end_of_a_runaway_output_is_still_read(root):
    output = "noise\n" * 500_000 + "util.py:3:1: E1 the real problem\n"
    assert [(p.path, p.line) for p in parse_problems(output, root)] == [("util.py", 3)]
