"""`vibecli train` on a handful of steps with the real base model, and its adapter in llama.cpp.

Needs the `train` extra (torch, transformers, peft, gguf); skipped, with the reason, without it."""

from __future__ import annotations

import json

import pytest

for _module in ("torch", "transformers", "peft", "gguf"):
    pytest.importorskip(_module, reason="the train extra is not installed: pip install -e '.[train]'")

from conftest import run_cli  # noqa: E402
from vibecli.backends.adapter import check_adapter  # noqa: E402
from vibecli.core import VibeError  # noqa: E402

pytestmark = pytest.mark.model

PROMPT = "### Request: name two animals\n### Answer:\n"
ANSWER = "zebra quokka zebra quokka"


def _generate(model, cache, adapter=None, scale=1.0) -> str:
    from vibecli.backends import make_backend
    from vibecli.settings import Settings

    backend = make_backend(Settings(model=str(model), adapter=str(adapter) if adapter else None, adapter_scale=scale,
                                    threads=2), cache)
    return "".join(backend.generate(PROMPT, max_tokens=8, temperature=0.0))


def test_a_few_steps_train_export_load_in_llama_cpp_and_resume(tmp_path, embedded_model):
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"prompt": PROMPT, "answer": ANSWER}) + "\n")
    out = tmp_path / "adapter"
    common = ["train", "--data", str(data), "--out", str(out), "--model", str(embedded_model), "--holdout", "0",
              "--rank", "8", "--alpha", "16", "--learning-rate", "0.01", "--max-length", "64", "--threads", "2",
              "--checkpoint-every", "3", "--batch", "1", "--json"]
    result = run_cli(*common, "--steps", "6")
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["steps"] == 6 and report["examples"] == 1
    losses = json.loads((out / "train.json").read_text())["losses"]
    assert len(losses) == 6 and losses[-1] < losses[0]
    adapter = out / "adapter.gguf"
    info = check_adapter(adapter, embedded_model)
    assert check_adapter(out, embedded_model).path == adapter  # `--adapter DIR`: the folder train wrote
    assert info.rank == 8 and info.alpha == 16 and info.tensors == 18 * 7
    assert report["adapter_bytes"] == adapter.stat().st_size
    # llama.cpp applies it over the quantized base, and the output moves the way training pushed it
    plain = _generate(embedded_model, tmp_path / "cache")
    assert not plain.strip().startswith("zebra quokka")
    assert _generate(embedded_model, tmp_path / "cache", adapter).strip().startswith("zebra quokka")
    # `adapter_scale` reaches llama.cpp: at 0 the adapter is there but moves nothing
    assert _generate(embedded_model, tmp_path / "cache", adapter, scale=0.0) == plain
    # the speed with the adapter is measured the way the model's own is
    bench = run_cli("model", "bench", "--model", str(embedded_model), "--adapter", str(adapter), "--prompt-tokens", "64",
                    "--gen-tokens", "4", "--threads", "2", "--json")
    assert bench.exit_code == 0, bench.stderr
    assert bench.json["adapter"] == str(adapter) and bench.json["gen_tok_s"] > 0
    # resuming continues from the checkpoint's step
    resumed = run_cli(*common, "--steps", "8", "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.json["steps"] == 8
    assert len(json.loads((out / "train.json").read_text())["losses"]) == 8
    curve = [json.loads(line) for line in (out / "curve.jsonl").read_text().splitlines()]
    assert [row["step"] for row in curve] == list(range(1, 9))
    assert json.loads((out / "ledger.json").read_text())["steps"] == 8


def test_training_sees_the_tokens_llama_cpp_sees(tmp_path, embedded_model):
    import llama_cpp

    from vibecli.train.dataset import encode
    from vibecli.train.models import load_base

    _, tokenizer = load_base(embedded_model, embedded_model.parent, "cpu")
    vocab = llama_cpp.Llama(str(embedded_model), vocab_only=True, verbose=False)
    prompt = "=== Task\n### File: a.py\n```python\ndef f(x):\n    return x  # ünïcode, tabs\t\n```\n### Answer:\n"
    answer = "@@ rewrite a.py\n```python\ndef f(x):\n    return x + 1\n```\n@@ done"
    item = encode(tokenizer, prompt, answer)
    assert item.input_ids[: item.prompt_len] == vocab.tokenize(prompt.encode(), add_bos=True, special=False)
    assert item.input_ids[item.prompt_len : -1] == vocab.tokenize(answer.encode(), add_bos=False, special=False)
    assert item.input_ids[-1] == vocab.token_eos()
    vocab.close()


def test_an_adapter_that_does_not_fit_the_model_is_refused_before_llama_cpp_sees_it(tmp_path, embedded_model):
    import gguf
    import numpy as np

    bad = tmp_path / "bad.gguf"
    writer = gguf.GGUFWriter(str(bad), "gemma3")
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", 16.0)
    writer.add_tensor("blk.0.attn_q.weight.lora_a", np.zeros((8, 123), dtype=np.float16))
    writer.add_tensor("blk.0.attn_q.weight.lora_b", np.zeros((1024, 8), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(VibeError, match="do not fit"):
        check_adapter(bad, embedded_model)
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(bad.read_bytes()[:-100])
    with pytest.raises(VibeError, match="truncated"):
        check_adapter(truncated, embedded_model)
    with pytest.raises(VibeError, match="directory without adapter.gguf"):
        check_adapter(tmp_path, embedded_model)
    result = run_cli("edit", "x", "--adapter", str(bad), "--model", str(embedded_model), "--no-git", "--json")
    assert result.exit_code == 1 and "do not fit" in result.json["message"]


def test_train_needs_data(tmp_path):
    result = run_cli("train")
    assert result.exit_code == 2 and "--data" in result.stderr


def test_eval_runs_editeval_for_base_and_adapter_and_sets_the_default_only_on_a_win(tmp_path, embedded_model):
    import yaml

    from vibecli import paths

    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"prompt": PROMPT, "answer": ANSWER}) + "\n")
    tasks = tmp_path / "editeval.jsonl"
    tasks.write_text("".join(json.dumps(t) + "\n" for t in [
        {"task_id": "Tiny/0", "instruction": "Fix add so that it returns the sum of a and b.",
         "input": "def add(a, b):\n    return a - b\n", "context": "",
         "test": "def check():\n    assert add(2, 3) == 5\n"},
        {"task_id": "Tiny/1", "instruction": "Make greet end the greeting with an exclamation mark.",
         "input": "def greet(name):\n    return 'Hello ' + name\n", "context": "",
         "test": "def check():\n    assert greet('Bo') == 'Hello Bo!'\n"},
    ]))
    out = tmp_path / "adapter"
    result = run_cli("train", "--data", str(data), "--out", str(out), "--model", str(embedded_model), "--holdout", "0",
                     "--rank", "4", "--steps", "1", "--batch", "1", "--max-length", "64", "--threads", "2", "--eval",
                     "--eval-data", str(tasks), "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json["eval"]
    base, adapter = report["editeval_base"], report["editeval_adapter"]
    assert base["tasks"] == adapter["tasks"] == 2
    assert base["answers"] >= 2 and adapter["answers"] >= 2  # every task was asked of the model, both ways
    # the shipping rule asks for 5 more tasks than the adapter in effect: two tasks cannot give that
    assert report["adapter_wins"] is False and "+5" in report["verdict"]
    config = paths.user_config_file()
    chosen = (yaml.safe_load(config.read_text()) or {}).get("adapter") if config.is_file() else None
    assert chosen is None
    ledger = json.loads((out / "ledger.json").read_text())
    assert ledger["editeval"]["tasks"] == 2 and ledger["editeval"]["passed"] == adapter["passed"]
    assert {"landed", "no_change", "rejected", "well_formed_share"} <= set(ledger["editeval"])
    assert ledger["verdict"] == {"ships": False, "reason": report["verdict"]}


def test_eval_data_that_does_not_exist_is_a_usage_error(tmp_path):
    data = tmp_path / "rows.jsonl"
    data.write_text(json.dumps({"prompt": PROMPT, "answer": ANSWER}) + "\n")
    result = run_cli("train", "--data", str(data), "--eval", "--eval-data", str(tmp_path / "none.jsonl"))
    assert result.exit_code == 2 and "--eval-data" in result.stderr


def test_the_unlikelihood_term_pushes_down_the_copy_token_only_where_the_answer_departs():
    import torch

    from vibecli.train.dataset import Encoded
    from vibecli.train.losses import plain_loss

    class Logits(torch.nn.Module):  # stands in for the model: its logits are the parameters
        def __init__(self):
            super().__init__()
            self.table = torch.nn.Parameter(torch.zeros(4, 6))

        def forward(self, input_ids, logits_to_keep):
            return type("Out", (), {"logits": self.table[-logits_to_keep:].unsqueeze(0)})()

    item = Encoded(input_ids=[1, 3, 4, 5, 2], weights=[0, 0, 1, 1, 1], prompt_len=2, avoid=[-1, -1, -1, 0, -1])
    model = Logits()
    plain = plain_loss(model, item, "cpu")
    assert torch.isclose(plain, torch.log(torch.tensor(6.0)))  # uniform logits: cross-entropy is log(vocabulary)
    with_term = plain_loss(model, item, "cpu", unlikelihood=2.0)
    assert torch.isclose(with_term, plain - 2.0 * torch.log1p(torch.tensor(-1 / 6)))
    with_term.backward()
    base = Logits()
    plain_loss(base, item, "cpu").backward()
    marked = -2  # the row that predicts the departing answer token (5), where copying would give 0
    assert model.table.grad[marked, 0] > base.table.grad[marked, 0] > 0  # descent lowers the copy token more
    assert torch.equal(model.table.grad[[0, 1, 3]], base.table.grad[[0, 1, 3]])  # elsewhere: cross-entropy alone
