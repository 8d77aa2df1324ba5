"""`vibecli edit` end to end on the real embedded model, as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import git

pytestmark = pytest.mark.model

MODULE = '''def greet(name):
    print("Hello, " + name)


def farewell(name):
    return "Bye, " + name
'''


@pytest.mark.parametrize("grammar", ["lazy", "always"])
def test_edit_on_the_embedded_model_lands_or_rejects_cleanly(repo, grammar, vibecli_home):
    (repo / "greet.py").write_text(MODULE)
    git(repo, "commit", "-qam", "module")
    before = (repo / "greet.py").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "vibecli", "edit", "make greet() return the greeting instead of printing it",
         "greet.py", "--json", "--grammar", grammar, "--threads", "2"],
        cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home)},
    )
    assert proc.returncode in (0, 3), proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] in ("applied", "no_change", "rejected")
    assert report["exit_code"] == {"applied": 0, "no_change": 3, "rejected": 3}[report["status"]]
    assert report["backend"] == "llama" and report["model"] == "gemma-3-270m-q4_k_m"
    assert report["tokens"]["prompt"] > 0 and report["timings"]["total_s"] > 0
    compile((repo / "greet.py").read_text(), "greet.py", "exec")  # never an invalid file
    assert git(repo, "status", "--porcelain") == ""  # never a dirty tree
    if report["status"] == "applied":
        assert report["commit"] == git(repo, "rev-parse", "HEAD").strip()
        assert f"Vibecli-Run: {report['run_id']}" in git(repo, "log", "-1", "--format=%B")
    else:
        assert (repo / "greet.py").read_bytes() == before


def test_ctrl_c_during_generation_leaves_everything_as_it_was(repo, vibecli_home):
    import signal

    before = (repo / "greet.py").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vibecli", "edit", "make greet() return the greeting", "greet.py", "--json-lines",
         "--threads", "2"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, "VIBECLI_HOME": str(vibecli_home)},
    )
    first = json.loads(proc.stdout.readline())  # the model is loaded and generating
    assert first["event"] == "model_loaded"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert (repo / "greet.py").read_bytes() == before
    assert git(repo, "status", "--porcelain") == ""
