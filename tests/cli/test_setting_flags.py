"""Every command takes exactly the setting flags the declarations give it (vibecli/settings.py), as declared.

The commands are read from the Typer app itself, as the shell sees them."""

from __future__ import annotations

import json
import sys

import pytest
import typer.main
from conftest import RETURN_GREET, git, replay_file, run_cli

from vibecli.cli import app
from vibecli.settings import CHECKS, DECLARED, MODEL

OWN_OPTIONS = {
    ("train", "--seed"): "the seed of the split, the order and the initial weights, not sampling",
    ("data synth", "--seed"): "the seed of the choices made per file",
    ("data synth", "--format"): "the edit format of the examples written, not of a run",
}
"""Options of a command that share a setting's flag but are its own, with what they mean there."""


def _commands(group, prefix: str = "") -> dict:
    """Every command by its path as typed (`model bench`); a group that runs alone (`log`) is one too."""
    found = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):  # Typer's click is its own copy: no isinstance with click's classes
            found.update(_commands(command, f"{path} "))
        found[path] = command
    return found


def _options(command) -> list:
    return [p for p in command.params if p.param_type_name == "option"]


COMMANDS = _commands(typer.main.get_command(app))


def test_every_command_a_declaration_names_exists():
    named = {command for item in DECLARED.values() for command in item.spec.commands}
    assert named <= set(COMMANDS), named - set(COMMANDS)
    assert {"edit", "chat", "fix", "batch", "new", "map", "model info", "model bench", "train"} <= named


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_a_command_takes_the_setting_flags_declared_for_it_and_no_others(path):
    options = {p.name: p for p in _options(COMMANDS[path])}
    flags = {flag: p.name for p in options.values() for flag in (*p.opts, *p.secondary_opts)}
    for key, item in DECLARED.items():
        spec = item.spec
        if path in spec.commands:
            option = options.get(key)
            assert option is not None, f"{path} lacks {spec.flag} ({key})"
            assert (*option.opts, *option.secondary_opts) == (*spec.flag_names(),), (path, key)
            assert option.help == spec.help, (path, key)
            assert option.is_flag == (spec.switch is not None or "/" in (spec.flag or "")), (path, key)
        else:
            stray = [f for f in spec.flag_names() if f in flags and (path, f) not in OWN_OPTIONS]
            assert not stray, f"{path} takes {stray} by hand; declare it for {path} in vibecli/settings.py"
            assert key not in options or (path, spec.flag) in OWN_OPTIONS, f"{path} has a parameter {key} by hand"


def test_the_commands_that_write_files_take_yes():
    for path in ("edit", "chat", "fix", "batch", "new", "undo"):
        assert any("--yes" in p.opts and "-y" in p.opts for p in _options(COMMANDS[path])), path


def test_batch_takes_the_model_flags_edit_takes():
    def setting_flags(path):
        return {p.name for p in COMMANDS[path].params if p.name in DECLARED}

    model_and_checks = {k for k, item in DECLARED.items() if item.spec.section in (MODEL, CHECKS)}
    assert setting_flags("edit") & model_and_checks == setting_flags("batch") & model_and_checks
    assert {"gpu_layers", "seed", "max_tokens", "grammar", "max_rounds"} <= setting_flags("batch")


@pytest.mark.parametrize("args, named", [
    (("--format", "foo"), "--format must be one of auto, symbol, search, whole, not 'foo'"),
    (("--max-tokens", "0"), "--max-tokens must be at least 1"),
    (("--route", "sideways"), "--route must be one of local, remote, auto"),
    (("--backend", "nosuch"), "--backend must name a backend or a profile"),
    (("--endpoint", "localhost:8080"), "--endpoint must be an http:// or https:// URL"),
])
def test_a_bad_flag_value_names_the_flag_as_typed_and_is_exit_2(repo, tmp_path, args, named):
    replay = replay_file(tmp_path, RETURN_GREET)
    for command in (["edit", "return it", "greet.py"], ["fix", "--lint-cmd", "false"]):
        result = run_cli(*command, "--backend", "replay", "--replay-file", str(replay), *args)
        assert result.exit_code == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1 and named in result.stderr and "option" not in result.stderr
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_a_bad_value_in_a_file_or_the_environment_stays_exit_1_and_names_its_source(repo, tmp_path, monkeypatch):
    replay = replay_file(tmp_path, RETURN_GREET)
    monkeypatch.setenv("VIBECLI_MAX_TOKENS", "0")
    result = run_cli("edit", "return it", "greet.py", "--backend", "replay", "--replay-file", str(replay))
    assert result.exit_code == 1 and "environment VIBECLI_MAX_TOKENS: 'max_tokens' must be at least 1" in result.stderr
    monkeypatch.delenv("VIBECLI_MAX_TOKENS")
    (repo / ".vibecli.yaml").write_text("edit_format: foo\n")
    result = run_cli("edit", "return it", "greet.py", "--backend", "replay", "--replay-file", str(replay))
    assert result.exit_code == 1 and ".vibecli.yaml: 'edit_format' must be one of" in result.stderr


def test_batch_passes_the_model_flags_on_to_its_runs(repo, tmp_path):
    replay = replay_file(tmp_path, RETURN_GREET)
    tasks = tmp_path / "tasks.yaml"
    tasks.write_text('- {instruction: "return the greeting", paths: [greet.py]}\n')
    result = run_cli("batch", str(tasks), "--backend", "replay", "--replay-file", str(replay), "--seed", "7",
                     "--max-tokens", "99", "--grammar", "off", "--max-rounds", "2", "--gpu-layers", "0", "--yes",
                     "--json")
    assert result.exit_code == 0, result.stderr
    run_id = result.json["results"][0]["run_id"]
    settings = json.loads(run_cli("log", "show", run_id, "--json").json["settings"])
    assert (settings["seed"], settings["max_tokens"], settings["grammar"], settings["max_rounds"]) == (7, 99, "off", 2)


def test_yes_is_taken_where_nothing_asks(repo, tmp_path):
    replay = replay_file(tmp_path, RETURN_GREET)
    assert run_cli("edit", "return it", "greet.py", "--backend", "replay", "--replay-file", str(replay),
                   "--yes").exit_code == 0
    undone = run_cli("undo", "--yes", "--json")
    assert undone.exit_code == 0 and undone.json["status"] == "reverted"
    (repo / "lint.py").write_text("import sys\nsys.exit(0)\n")
    fixed = run_cli("fix", "--lint-cmd", f"{sys.executable} lint.py", "-y", "--json")
    assert fixed.exit_code == 0 and fixed.json["status"] == "no_change"
