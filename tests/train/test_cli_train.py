"""`vibecli train` as a user runs a long job: in the background, stopped with `kill`, resumed;
with the ledger entry beside the adapter. On a tiny model: seconds, not hours."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("torch", reason="the train extra is not installed: pip install -e '.[train]'")
pytest.importorskip("peft")

pytestmark = pytest.mark.alone  # several training processes keep both cores busy

from conftest import run_cli  # noqa: E402
from test_loop import rows  # noqa: E402
from tiny import tiny_gguf  # noqa: E402


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows()))
    return path


def _wait(predicate, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for whoever adopted it counts as finished)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _lines(path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def test_a_background_run_stopped_with_kill_keeps_its_work_and_resumes(tmp_path, data):
    base = tiny_gguf("gemma3", tmp_path)
    out = tmp_path / "run"
    common = ["train", "--data", str(data), "--model", str(base), "--out", str(out), "--batch", "2", "--rank", "4",
              "--holdout", "0", "--threads", "1", "--checkpoint-every", "5", "--minutes", "0"]
    started = subprocess.run([sys.executable, "-m", "vibecli", *common, "--steps", "100000", "--background", "--json"],
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    report = json.loads(started.stdout)
    pid = report["pid"]
    assert report["status"] == "started" and report["log"] == str(out / "train.log")
    assert (out / "train.pid").read_text().strip() == str(pid)
    _wait(lambda: len(_lines(out / "curve.jsonl")) >= 7)  # training, in a process of its own
    os.kill(pid, signal.SIGTERM)
    _wait(lambda: not _alive(pid))
    done = len(_lines(out / "curve.jsonl"))
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["step"] == done >= 7  # the last step finished is in the checkpoint
    assert (out / "adapter.gguf").is_file() and "Stopping at step" in (out / "train.log").read_text()
    resumed = run_cli(*common, "--steps", str(done + 3), "--resume", "--json")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.json["steps"] == done + 3
    assert [row["step"] for row in _lines(out / "curve.jsonl")] == list(range(1, done + 4))


def test_the_run_writes_its_ledger_entry(tmp_path, data):
    base = tiny_gguf("llama", tmp_path)
    out = tmp_path / "run"
    result = run_cli("train", "--data", str(data), "--model", str(base), "--out", str(out), "--steps", "2",
                     "--batch", "2", "--rank", "4", "--holdout", "0.25", "--threads", "1", "--json")
    assert result.exit_code == 0, result.stderr
    ledger = json.loads((out / "ledger.json").read_text())
    assert result.json["ledger"] == str(out / "ledger.json")
    assert ledger["data"]["rows"] == 12 and ledger["data"]["held_out"] == 3 and ledger["data"]["trained_examples"] == 9
    assert sum(ledger["data"]["kinds"].values()) == 12 and len(ledger["data"]["sha256"]) == 64
    assert ledger["settings"]["rank"] == 4 and ledger["settings"]["batch"] == 2 and ledger["settings"]["lr"] == 2e-4
    assert ledger["steps"] == 2 and ledger["tokens"] == result.json["tokens"] > 0 and ledger["device"] == "cpu"
    assert ledger["base"]["file"] == base.name and "editeval" not in ledger


def test_bad_pairs_and_pairs_with_full_are_usage_errors(tmp_path, data):
    bad = tmp_path / "pairs.jsonl"
    bad.write_text(json.dumps({"prompt": "p", "chosen": "a"}) + "\n")
    result = run_cli("train", "--pairs", str(bad))
    assert result.exit_code == 1 and "pairs.jsonl:1" in result.stderr and "rejected" in result.stderr
    result = run_cli("train", "--data", str(data), "--pairs", str(bad), "--full")
    assert result.exit_code == 2 and "--full" in result.stderr
    result = run_cli("train", "--data", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2 and "missing.jsonl" in result.stderr
