"""Preference pairs: a few DPO steps on a tiny model raise the chosen answer over the rejected one,
measured against the base model (the reference)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch", reason="the train extra is not installed: pip install -e '.[train]'")
pytest.importorskip("peft")

from test_loop import rows  # noqa: E402
from tiny import tiny_gguf, tiny_model  # noqa: E402
from vibecli.train.dpo import Pair, answer_logprobs, encode_pair, reference_logprobs, token_logprobs  # noqa: E402
from vibecli.train.loop import TrainConfig, train  # noqa: E402
from vibecli.train.models import load_base  # noqa: E402


def pairs() -> list[dict]:
    """The accepted answer against one with the arithmetic the other way round."""
    return [{"prompt": r["prompt"], "chosen": r["answer"], "rejected": r["answer"].replace("x + ", "x - ")}
            for r in rows()]


def margins(model, tokenizer, data: list[dict]) -> list[float]:
    out = []
    with torch.no_grad():
        for row in data:
            pair = encode_pair(tokenizer, row)
            chosen, rejected = answer_logprobs(model, pair, "cpu")
            ref_chosen, ref_rejected = reference_logprobs(model, pair, "cpu")
            out.append(float((chosen - ref_chosen) - (rejected - ref_rejected)))
    return out


def test_a_few_dpo_steps_raise_the_chosen_over_the_rejected_answer(tmp_path):
    from peft import PeftModel

    base_file = tiny_gguf("gemma3", tmp_path)
    out = tmp_path / "run"
    result = train(TrainConfig(base=base_file, rows=[], pairs=pairs(), out=out, hf_cache=tmp_path / "cache", steps=8,
                               batch=2, rank=4, alpha=8, learning_rate=0.02, beta=0.1, threads=1, checkpoint_every=0))
    assert result.pairs == 12 and result.examples == 0 and (out / "adapter.gguf").is_file()
    base, tokenizer = load_base(base_file, tmp_path / "cache", "cpu")
    trained = PeftModel.from_pretrained(base, str(out / "checkpoint"))
    after = margins(trained, tokenizer, pairs())
    assert sum(after) / len(after) > 0.5 and sum(m > 0 for m in after) >= 10
    curve = [json.loads(line) for line in (out / "curve.jsonl").read_text().splitlines()]
    assert len(curve) == 8 and all("margin" in row for row in curve)
    assert curve[-1]["margin"] > curve[0]["margin"]
    assert curve[-1]["loss"] < curve[0]["loss"]


def test_the_reference_is_the_model_without_its_adapter(tmp_path):
    """Before any step the adapter changes nothing (peft starts B at zero): every margin is 0."""
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(tiny_model("llama"), LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    pair = Pair([2, 40, 41, 42, 43], [50, 51, 1], [60, 61, 62, 1])
    with torch.no_grad():
        chosen, rejected = answer_logprobs(model, pair, "cpu")
        assert reference_logprobs(model, pair, "cpu") == pytest.approx((float(chosen), float(rejected)), abs=1e-5)
        for param in model.parameters():
            param.add_(0.05) if param.requires_grad else None
        moved, _ = answer_logprobs(model, pair, "cpu")
        assert reference_logprobs(model, pair, "cpu")[0] == pytest.approx(float(chosen), abs=1e-5)
        assert abs(float(moved) - float(chosen)) > 1e-3


def test_token_logprobs_are_log_softmax_at_the_targets_and_carry_the_gradient():
    hidden = torch.randn(300, 16, requires_grad=True)  # more than one chunk
    weight = torch.randn(50, 16)
    targets = torch.randint(0, 50, (300,))
    fast = token_logprobs(hidden, weight, targets, softcap=30.0)
    logits = torch.tanh((hidden @ weight.t()) / 30.0) * 30.0
    plain = torch.log_softmax(logits, dim=-1).gather(1, targets.unsqueeze(1)).squeeze(1)
    assert torch.allclose(fast, plain, atol=1e-5)
    (grad_fast,) = torch.autograd.grad(fast.sum(), hidden)
    (grad_plain,) = torch.autograd.grad(plain.sum(), hidden)
    assert torch.allclose(grad_fast, grad_plain, atol=1e-5)
