from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from vibecli.cli import app


def pytest_configure(config):
    # Hundreds of tests run vibecli as a user does, in its own process. Where the environment
    # turns bytecode caching off (PYTHONDONTWRITEBYTECODE), each of those processes compiled
    # vibecli's source again (~0.1 s; an installed vibecli has its bytecode). They share one
    # bytecode cache outside the checkout instead.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(_test_cache() / "bytecode"))


GREET = 'def greet(name):\n    print("Hello, " + name)\n\n\ndef main():\n    greet("world")\n'


@pytest.fixture(autouse=True)
def vibecli_home(tmp_path, monkeypatch):
    """Every test gets its own user dir; no VIBECLI_* setting leaks in from the environment."""
    for key in list(os.environ):
        if key.startswith("VIBECLI_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("VIBECLI_HOME", str(home))
    cache = _test_cache()
    # the embedded model is assembled once for the whole suite, not once per test
    (home / "cache").mkdir(parents=True)
    (home / "cache" / "models").symlink_to(_shared_models(cache), target_is_directory=True)
    return home


@pytest.fixture(autouse=True)
def one_model_at_a_time(request):
    """A test that runs the real model runs alone: it waits for every other test to finish (in
    this run's other workers, and in other pytest runs and checkouts), and they wait for it.
    llama.cpp keeps every core busy; beside other work on a small CPU it runs 10-20x slower.
    Other tests share the lock, so they still run side by side (pytest -n)."""
    folder = _test_cache()
    folder.mkdir(parents=True, exist_ok=True)
    exclusive = any(request.node.get_closest_marker(name) is not None for name in ("model", "alone"))
    with open(folder / "model-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


def _test_cache() -> Path:
    return Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test"))


def _shared_models(cache: Path) -> Path:
    folder = cache / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """A script under benchmarks/ or scripts/ (not a package) as a module, for its tests."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # a dataclass in it looks its module up while it is defined
    spec.loader.exec_module(module)
    return module


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A real git repository with one committed Python file, as the current directory."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    (root / "greet.py").write_text(GREET)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    monkeypatch.chdir(root)
    return root


def replay_file(tmp_path: Path, *texts: str) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    return path


def answer(path: str, symbol: str | None, code: str, op: str = "replace") -> str:
    head = f"@@ {op} {path}" + (f" {symbol}" if symbol else "")
    return f"{head}\n```python\n{code}```\n@@ done"


LINT_SCRIPT = '''import sys
bad = [i for i, line in enumerate(open("greet.py"), 1) if "print(" in line]
for i in bad:
    print(f"greet.py:{i}:5: T201 `print` found")
sys.exit(1 if bad else 0)
'''
"""A stand-in linter: flags every `print(` in greet.py, in the `path:line:col: message` format."""


RETURN_GREET = answer("greet.py", "greet", 'def greet(name):\n    return "Hello, " + name\n')


class Result:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr

    @property
    def json(self) -> dict:
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        assert len(lines) == 1, self.stdout
        return json.loads(lines[0])


def run_cli(*args: str) -> Result:
    return Result(CliRunner().invoke(app, list(args), catch_exceptions=False))


def edit_replay(tmp_path: Path, instruction: str, *paths_and_flags: str, answers: tuple[str, ...]) -> Result:
    replay = replay_file(tmp_path, *answers)
    return run_cli("edit", instruction, *paths_and_flags, "--backend", "replay", "--replay-file", str(replay), "--json")


@pytest.fixture(scope="session")
def embedded_model(tmp_path_factory) -> Path:
    """The real embedded GGUF, assembled once into the shared test cache."""
    from vibecli.models import default_model_path as embedded_model_path

    cache = _test_cache()
    _shared_models(cache)
    return embedded_model_path(cache)


@pytest.fixture(scope="session")
def vocab(embedded_model):
    """The embedded model's vocabulary alone (no weights): enough to compile grammars."""
    import llama_cpp

    from vibecli.backends.llama_lib import quiet_stderr

    with quiet_stderr(True):
        llm = llama_cpp.Llama(str(embedded_model), vocab_only=True, verbose=False)
    yield llm._model.vocab
    llm.close()  # only after the tests that use the vocabulary pointer are done
