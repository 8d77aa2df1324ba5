"""The shipped examples, exercised as far as this machine allows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import LINT_SCRIPT, RETURN_GREET, git, replay_file

ROOT = Path(__file__).resolve().parent.parent


def test_github_actions_fix_step_runs_and_commits(repo, tmp_path, vibecli_home):
    workflow = yaml.safe_load((ROOT / "examples" / "github-actions.yml").read_text())
    step = next(s for s in workflow["jobs"]["fix"]["steps"] if s.get("id") == "fix")
    (repo / "lint.py").write_text(LINT_SCRIPT)
    git(repo, "add", "lint.py")
    git(repo, "commit", "-qm", "lint")
    replay = replay_file(tmp_path, RETURN_GREET)
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ, "LINT_CMD": f"{sys.executable} lint.py", "VIBECLI_HOME": str(vibecli_home),
        "VIBECLI_BACKEND": "replay", "VIBECLI_REPLAY_FILE": str(replay), "CI": "true",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(repo, "log", "-1", "--format=%an").strip() == "vibecli"
    assert 'return "Hello, " + name' in (repo / "greet.py").read_text()


def test_pre_commit_config_example_names_the_shipped_hooks():
    text = (ROOT / "examples" / "pre-commit-config.yaml").read_text()
    config = yaml.safe_load(text)
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["vibecli-fix", "vibecli-fix-system"]
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["vibecli-fix"]  # one runs; the other is shown
    assert "# - id: vibecli-fix-system" in text
    assert hooks[0]["require_serial"] is True and hooks[0]["entry"] == "vibecli fix"
