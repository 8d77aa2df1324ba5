"""Shell completion (bash, zsh, fish) through Typer's `_VIBECLI_COMPLETE` protocol, run as a shell runs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = {
    "bash": "complete -o default -F _vibecli_completion vibecli",
    "zsh": "compdef _vibecli_completion vibecli",
    "fish": "complete --command vibecli",
}


def _vibecli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vibecli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_the_completion_script_of_each_shell(shell):
    result = _vibecli({"_VIBECLI_COMPLETE": f"source_{shell}"})
    assert result.returncode == 0, result.stderr
    assert SCRIPTS[shell] in result.stdout
    assert f"_VIBECLI_COMPLETE=complete_{shell}" in result.stdout


def _complete(shell: str, words: str) -> list[str]:
    """The candidates the shell's completion function gets back for the command line `words`."""
    if shell == "bash":
        env = {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        env = {"_TYPER_COMPLETE_ARGS": words}
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = _vibecli({"_VIBECLI_COMPLETE": f"complete_{shell}", **env})
    assert result.returncode == 0, result.stderr
    if shell == "zsh":  # _arguments '*: :(("edit":"help..." ...))'
        return re.findall(r'"([^"]+)":"', result.stdout)
    return [line.split("\t")[0] for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_commands_and_options_complete(shell):
    assert _complete(shell, "vibecli ed") == ["edit"]
    assert _complete(shell, "vibecli model u") == ["use"]
    assert _complete(shell, "vibecli edit --dry") == ["--dry-run"]
    assert {"edit", "fix", "log", "model", "undo"} <= set(_complete(shell, "vibecli "))


def test_bash_completes_commands_and_options_through_its_own_script(tmp_path):
    """The script `--install-completion` would install, sourced by a real bash, asked as TAB asks."""
    wrapper = tmp_path / "bin" / "vibecli"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m vibecli "$@"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"}
    script = subprocess.run(["vibecli"], env={**env, "_VIBECLI_COMPLETE": "source_bash"}, capture_output=True,
                            text=True, check=True).stdout
    (tmp_path / "completion.sh").write_text(script)

    def tab(*words: str) -> list[str]:
        program = (f'source "{tmp_path / "completion.sh"}"; COMP_WORDS=({" ".join(words)}); '
                   f"COMP_CWORD={len(words) - 1}; _vibecli_completion vibecli; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        done = subprocess.run(["bash", "--norc", "-c", program], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert tab("vibecli", "ed") == ["edit"]
    assert tab("vibecli", "edit", "--dry") == ["--dry-run"]
    assert tab("vibecli", "log", "--se") == ["--search"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash to be detected as the user's shell")
def test_install_completion_writes_the_script_and_the_rc_line(tmp_path):
    home = tmp_path / "user"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    # run from bash, so that bash is the shell Typer detects, as at a user's prompt; a second command
    # keeps bash from replacing itself with the first (then the shell found would be pytest's caller's)
    done = subprocess.run(["bash", "--norc", "-c", f'"{sys.executable}" -m vibecli --install-completion; exit $?'],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    installed = home / ".bash_completions" / "vibecli.sh"
    assert SCRIPTS["bash"] in installed.read_text()
    assert f"source '{installed}'" in (home / ".bashrc").read_text()


def test_help_lists_the_completion_options():
    shown = _vibecli({}, "--help").stdout
    assert "--install-completion" in shown and "--show-completion" in shown


def test_completion_is_documented():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "--install-completion" in readme and "_VIBECLI_COMPLETE=source_bash" in readme and "source_zsh" in readme
