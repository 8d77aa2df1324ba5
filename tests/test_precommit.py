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


def _try_repo(repo: Path, home: Path, env_extra: dict, hook: str = "vibecli-fix",
              pre_commit_home: Path | None = None) -> subprocess.CompletedProcess:
    cache = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test")) / "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home or cache), "VIBECLI_HOME": str(home), **env_extra}
    env.pop("PYTHONPATH", None)  # the hook runs from its own environment, as for a user
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", "greet.py"],
        cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1500, env=env,
    )


def _installed_vibecli(tmp_path: Path) -> Path:
    """A `vibecli` command on PATH, as pipx or pip installs one: this checkout's code."""
    folder = tmp_path / "installed-bin"
    folder.mkdir()
    command = folder / "vibecli"
    command.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m vibecli "$@"\n')
    command.chmod(0o755)
    return folder


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


def test_system_hook_uses_the_installed_vibecli_and_builds_nothing(repo, tmp_path, vibecli_home):
    answers = tmp_path / "answers.jsonl"
    fixed = GREET.replace('print("Hello, " + name)', 'return "Hello, " + name') + "\n\nmessage = greet\n"
    answers.write_text(json.dumps({"text": answer("greet.py", None, fixed, op="rewrite")}) + "\n")
    _hook_repo(repo, tmp_path, f"checks:\n  lint: python lint.py\nbackend: replay\nreplay_file: {answers}\n")
    fresh = tmp_path / "pre-commit-home"  # nothing cached: an environment build would show here
    path = f"{_installed_vibecli(tmp_path)}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    proc = _try_repo(repo, vibecli_home, {"PATH": path}, hook="vibecli-fix-system", pre_commit_home=fresh)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "vibecli fix (installed vibecli)" in proc.stdout and "Failed" in proc.stdout
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text(), proc.stdout + proc.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "hook setup"
    assert not list(fresh.rglob("py_env-*"))  # no Python environment, so no llama.cpp build


def test_system_hook_without_vibecli_installed_says_so(repo, tmp_path, vibecli_home):
    _hook_repo(repo, tmp_path, "checks:\n  lint: python lint.py\n")
    bare = f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin"
    bare = os.pathsep.join(p for p in bare.split(os.pathsep) if not (Path(p) / "vibecli").exists())
    proc = _try_repo(repo, vibecli_home, {"PATH": bare}, hook="vibecli-fix-system", pre_commit_home=tmp_path / "pch")
    assert proc.returncode == 1 and "Executable `vibecli` not found" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.model
def test_hook_with_the_embedded_model_never_leaves_an_invalid_file(repo, tmp_path, vibecli_home, embedded_model):
    _hook_repo(repo, tmp_path, "checks:\n  lint: python lint.py\nmax_rounds: 1\n")
    proc = _try_repo(repo, vibecli_home, {})
    assert proc.returncode == 1, proc.stdout + proc.stderr  # fixed (files changed) or not: the hook fails
    assert "Traceback" not in proc.stdout + proc.stderr
    compile((repo / "greet.py").read_text(), "greet.py", "exec")
