"""The `vibecli-fix` hook, run by the real pre-commit tool against a temporary repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GREET, LINT_SCRIPT, answer, git, run_cli

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _try_repo(repo: Path, home: Path, env_extra: dict) -> subprocess.CompletedProcess:
    cache = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test")) / "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "VIBECLI_HOME": str(home), **env_extra}
    env.pop("PYTHONPATH", None)  # the hook runs from its own environment, as for a user
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "vibecli-fix", "--files", "greet.py"],
        cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1500, env=env,
    )


def _hook_repo(repo: Path, tmp_path: Path, config: str) -> None:
    (repo / "lint.py").write_text(LINT_SCRIPT)
    (repo / ".vibecli.yaml").write_text(config)
    git(repo, "add", "lint.py", ".vibecli.yaml")
    git(repo, "commit", "-qm", "hook setup")
    (repo / "greet.py").write_text(GREET + "\n\nprint(greet)\n")  # a change being committed
    git(repo, "add", "greet.py")
    assert run_cli("trust").exit_code == 0  # the hook runs the project's checks: the user trusts its file


def test_hook_with_the_replay_backend_fixes_and_fails_the_commit(repo, tmp_path, vibecli_home):
    answers = tmp_path / "answers.jsonl"
    fixed = GREET.replace('print("Hello, " + name)', 'return "Hello, " + name') + "\n\nmessage = greet\n"
    answers.write_text(json.dumps({"text": answer("greet.py", None, fixed, op="rewrite")}) + "\n")
    _hook_repo(repo, tmp_path, f"checks:\n  lint: python lint.py\nbackend: replay\nreplay_file: {answers}\n")
    proc = _try_repo(repo, vibecli_home, {})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "vibecli fix" in proc.stdout and "Failed" in proc.stdout
    text = (repo / "greet.py").read_text()
    assert 'return "Hello, " + name' in text, proc.stdout + proc.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "hook setup"  # the hook never commits


@pytest.mark.model
def test_hook_with_the_embedded_model_never_leaves_an_invalid_file(repo, tmp_path, vibecli_home, embedded_model):
    _hook_repo(repo, tmp_path, "checks:\n  lint: python lint.py\nmax_rounds: 1\n")
    proc = _try_repo(repo, vibecli_home, {})
    assert proc.returncode == 1, proc.stdout + proc.stderr  # fixed (files changed) or not: the hook fails
    assert "Traceback" not in proc.stdout + proc.stderr
    compile((repo / "greet.py").read_text(), "greet.py", "exec")
