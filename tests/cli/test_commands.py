"""`vibecli undo`, `log`, `model info`, `--version` and `--help`."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import GREET, RETURN_GREET, edit_replay, git, run_cli

from vibecli import __version__


def test_version_and_help():
    assert run_cli("--version").stdout.strip() == f"vibecli {__version__}"
    for command in (["--help"], ["edit", "--help"], ["undo", "--help"], ["log", "--help"], ["log", "show", "--help"],
                    ["model", "--help"], ["model", "info", "--help"]):
        result = run_cli(*command)
        assert result.exit_code == 0 and "Usage" in result.stdout, command
    assert "3 not carried out" in run_cli("edit", "--help").stdout


def test_unknown_option_is_exit_2():
    assert run_cli("edit", "x", "--no-such-flag").exit_code == 2


def test_help_does_not_import_the_model_runtime():
    code = "import sys, vibecli.cli; assert 'llama_cpp' not in sys.modules and 'git' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_undo_after_edit_then_refuses_again(repo, tmp_path):
    assert edit_replay(tmp_path, "return it", "greet.py", answers=(RETURN_GREET,)).exit_code == 0
    result = run_cli("undo", "--json")
    assert result.exit_code == 0 and result.json["status"] == "reverted"
    assert (repo / "greet.py").read_text() == GREET
    again = run_cli("undo")
    assert again.exit_code == 5 and "not a vibecli commit" in again.stderr


def test_undo_refuses_a_human_head(repo):
    result = run_cli("undo")
    assert result.exit_code == 5
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_log_lists_and_shows_runs(repo, tmp_path):
    first = edit_replay(tmp_path, "return it", "greet.py", answers=(RETURN_GREET,)).json["run_id"]
    runs = run_cli("log", "--json").json["runs"]
    assert [r["id"] for r in runs] == [first] and runs[0]["files"] == ["greet.py"]
    assert first in run_cli("log").stdout
    shown = run_cli("log", "show", first[:6], "--json").json
    assert shown["instruction"] == "return it" and shown["calls"][0]["output"].startswith("@@ replace")
    plain = run_cli("log", "show", first)
    assert "--- prompt ---" in plain.stdout and "+    return" in plain.stdout
    missing = run_cli("log", "show", "zzzz")
    assert missing.exit_code == 1 and "no run with id zzzz" in missing.stderr


def test_model_info_reads_the_embedded_gguf(embedded_model):
    info = run_cli("model", "info", "--json").json
    assert info["embedded"] is True and info["architecture"] == "gemma3"
    assert info["quantization"] == "Q4_K_M" and info["context_length"] == 32768
    assert info["size_bytes"] == embedded_model.stat().st_size
    assert len(info["sha256"]) == 64 and 250_000_000 < info["parameters"] < 300_000_000
    plain = run_cli("model", "info")
    assert "sha256:" in plain.stdout and "Q4_K_M" in plain.stdout


def test_corrupt_gguf_is_one_line_exit_1(embedded_model, tmp_path):
    truncated = tmp_path / "truncated.gguf"
    with embedded_model.open("rb") as src, truncated.open("wb") as dst:
        dst.write(src.read(50_000_000))
    result = run_cli("model", "info", "--model", str(truncated))
    assert result.exit_code == 1 and "truncated" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "junk.gguf").write_bytes(b"not a model at all")
    assert run_cli("model", "info", "--model", str(tmp_path / "junk.gguf")).exit_code == 1
    assert "not found" in run_cli("model", "info", "--model", str(tmp_path / "none.gguf")).stderr


def test_edit_with_a_corrupt_model_is_exit_1_and_writes_nothing(repo, embedded_model, tmp_path):
    truncated = tmp_path / "truncated.gguf"
    shutil.copyfile(embedded_model, truncated)
    with truncated.open("r+b") as handle:
        handle.truncate(100_000_000)
    result = run_cli("edit", "return it", "greet.py", "--model", str(truncated))
    assert result.exit_code == 1 and "truncated" in result.stderr and "Traceback" not in result.stderr
    assert (repo / "greet.py").read_text() == GREET


def test_symbols_lists_several_files_and_json(repo):
    (repo / "b.go").write_text("package b\n\ntype T struct{}\n\nfunc (t T) M() {}\n")
    result = run_cli("symbols", "greet.py", "b.go")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "greet.py\tgreet\tfunction\t1\t2", "greet.py\tmain\tfunction\t5\t6",
        "b.go\tT\ttype\t3\t3", "b.go\tT.M\tmethod\t5\t5",
    ]
    data = run_cli("symbols", "greet.py", "--json").json
    assert data["symbols"][0] == {"path": "greet.py", "name": "greet", "kind": "function", "start_line": 1, "end_line": 2}


def test_symbols_of_an_unknown_kind_of_file_is_exit_1(repo):
    (repo / "notes.xyz").write_text("hello\n")
    result = run_cli("symbols", "notes.xyz")
    assert result.exit_code == 1 and "no grammar" in result.stderr
    assert run_cli("symbols", "missing.py").exit_code == 1
