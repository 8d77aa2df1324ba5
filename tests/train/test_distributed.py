"""`vibecli train` as two processes (gloo, CPU), as torchrun starts it: after the steps both
processes hold the same weights, the same as one process training on both shares, and only
rank 0 writes the adapter, the checkpoint and the curve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch", reason="the train extra is not installed: pip install -e '.[train]'")
pytest.importorskip("peft")

pytestmark = pytest.mark.alone  # several training processes keep both cores busy

from test_loop import adapter_weights, curve, rows  # noqa: E402
from tiny import tiny_gguf  # noqa: E402
from vibecli.backends.adapter import check_adapter  # noqa: E402
from vibecli.train.loop import TrainConfig, train  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config(base, out, cache, batch: int) -> TrainConfig:
    return TrainConfig(base=base, rows=rows(), out=out, hf_cache=cache, steps=3, batch=batch, rank=4, alpha=8,
                       learning_rate=5e-3, checkpoint_every=2, threads=1)


def _rank(rank: int, port: int, base, out, cache) -> None:
    """One process of the two, with the environment torchrun gives it."""
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    result = train(config(base, out, cache, batch=1))
    (out.parent / f"rank-{rank}.json").write_text(json.dumps(result.as_dict()))


def test_two_processes_end_with_the_same_weights_as_one_process_on_both_shares(tmp_path):
    import torch.multiprocessing as mp

    base = tiny_gguf("llama", tmp_path)
    cache, out = tmp_path / "cache", tmp_path / "two" / "run"
    train(config(base, tmp_path / "warm", cache, batch=1))  # the dequantized cache, made once
    mp.spawn(_rank, args=(free_port(), base, out, cache), nprocs=2, join=True)
    ranks = [json.loads((tmp_path / "two" / f"rank-{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["processes"] == ranks[1]["processes"] == 2
    assert ranks[0]["weights_sha256"] == ranks[1]["weights_sha256"]
    assert ranks[0]["losses"] == ranks[1]["losses"] and len(ranks[0]["losses"]) == 3
    # written once: one curve line per step, one checkpoint, one adapter and no half-written files
    assert [row["step"] for row in curve(out)] == [1, 2, 3]
    assert sorted(p.name for p in out.iterdir()) == ["adapter.gguf", "checkpoint", "curve.jsonl", "train.json"]
    check_adapter(out / "adapter.gguf", base)
    # one process with both shares (batch 2) takes the same steps
    single = train(config(base, tmp_path / "one", cache, batch=2))
    assert single.losses == pytest.approx(ranks[0]["losses"], abs=1e-4)
    assert single.tokens == ranks[0]["tokens"]
    a, b = adapter_weights(tmp_path / "one"), adapter_weights(out)
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-5), name


def test_torchrun_runs_the_command_and_only_rank_0_reports(tmp_path):
    base = tiny_gguf("qwen2", tmp_path)
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows()))
    out = tmp_path / "run"
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
               str(free_port()), "-m", "vibecli", "train", "--data", str(data), "--model", str(base), "--out",
               str(out), "--steps", "2", "--batch", "1", "--rank", "4", "--holdout", "0", "--threads", "1", "--json"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    reports = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == 1 and reports[0]["status"] == "done" and reports[0]["processes"] == 2
    assert reports[0]["steps"] == 2 and reports[0]["adapter_tensors"] == 14
    ledger = json.loads((out / "ledger.json").read_text())
    assert ledger["processes"] == 2 and ledger["settings"]["batch"] == 1
