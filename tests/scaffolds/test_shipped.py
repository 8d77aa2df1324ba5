"""CI for the scaffolds: generate every shipped one with `vibecli new --scaffold NAME --no-edit`
and run its own test command in the new project.

The Python scaffolds share one virtual environment for the whole session (fastapi, flask,
typer, httpx2, pytest from PyPI through pip's cache), linked in as each project's `.venv`, so
their test command runs exactly as written. The Node scaffolds need no install.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv

import pytest
from conftest import git, replay_file, run_cli

from vibecli.paths import package_data
from vibecli.scaffolds.spec import discover

SHIPPED = discover([(package_data("scaffolds"), "shipped")])
PYTHON_DEPS = ["fastapi", "flask", "typer", "httpx2", "pytest"]

# values unlike the defaults, so that the templates are exercised beyond them
# (an entity with an irregular plural, a title with punctuation, another port)
FILLS = {
    "project_name": "acme-thing",
    "title": "Acme Thing: v2 (beta)",
    "entity": "category",
    "port": 4321,
}


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaffold-venv") / "venv"
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", *PYTHON_DEPS], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_generated_project_passes_its_own_tests(name, tmp_path, monkeypatch, request):
    scaffold = SHIPPED[name]
    monkeypatch.chdir(tmp_path)
    fill = {v.name: FILLS[v.name] for v in scaffold.variables if v.name != "project_name"}
    replay = replay_file(tmp_path, " " + json.dumps(fill))
    target = tmp_path / "acme-thing"
    result = run_cli("new", "a project for the tests", "--scaffold", name, "--no-edit", "--dir", str(target),
                     "--backend", "replay", "--replay-file", str(replay), "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["scaffold"] == name and report["status"] == "created"
    assert report["variables"] == {"project_name": "acme-thing", **fill}
    assert report["test_command"] == scaffold.test and len(report["commits"]) == 1
    assert git(target, "rev-parse", "HEAD").strip() == report["commits"][0]
    assert git(target, "status", "--porcelain") == ""
    assert (target / "README.md").is_file() and (target / ".gitignore").is_file()
    assert sorted(git(target, "ls-files").split()) == sorted(report["files"])
    if scaffold.language == "python":
        (target / ".venv").symlink_to(request.getfixturevalue("shared_venv"), target_is_directory=True)
        assert git(target, "status", "--porcelain") == ""  # .venv is ignored
    elif shutil.which("node") is None:
        pytest.fail("node is needed to test the JavaScript scaffolds")
    proc = subprocess.run(scaffold.test, shell=True, cwd=target, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "passed" in proc.stdout or "# pass" in proc.stdout


def test_python_scaffolds_are_importable_without_install(tmp_path, monkeypatch):
    """The src layout finds its package through pytest's `pythonpath`, so the tests need no install."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "lib"
    assert run_cli("new", "a library", "--scaffold", "python-lib", "--no-edit", "--defaults", "--dir",
                   str(target)).exit_code == 0
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=target,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]
