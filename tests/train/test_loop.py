"""The training loop on a tiny model: a run stopped and resumed ends exactly where the uninterrupted
run ends (data order, learning rate, optimizer), the learning curve is written as it goes, and
the data order groups similar lengths without losing or repeating an example within an epoch."""

from __future__ import annotations

import json
import random

import pytest

torch = pytest.importorskip("torch", reason="the train extra is not installed: pip install -e '.[train]'")
pytest.importorskip("peft")

from tiny import tiny_gguf  # noqa: E402
from vibecli.train import schedule  # noqa: E402
from vibecli.train.loop import TrainConfig, train  # noqa: E402

HEAD = "vibecli edits code.\n=== Example\ndef f(x):\n    return x\n=== Task\n"


def rows(count: int = 12, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name = rng.choice(["encode", "split", "weights", "tokens", "answer"])
        body = "".join(f"    y = x * {j}\n" for j in range(rng.randrange(1, 5)))
        out.append({"prompt": f"{HEAD}### File: a{i}.py\ndef {name}(x):\n{body}    return x + {i}\n"
                              f"### Request: make {name} return {i + 1}\n### Answer:\n",
                    "answer": f"@@ replace a{i}.py {name}\ndef {name}(x):\n{body}    return x + {i + 1}\n@@ done",
                    "meta": {"kind": rng.choice(["fix_bug", "rename"])}})
    return out


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    return tiny_gguf("llama", tmp_path_factory.mktemp("models"))


def config(base, out, cache, **overrides) -> TrainConfig:
    settings = dict(base=base, rows=rows(), out=out, hf_cache=cache, steps=6, batch=2, rank=4, alpha=8,
                    learning_rate=5e-3, checkpoint_every=2, threads=1)
    return TrainConfig(**{**settings, **overrides})


def adapter_weights(out) -> dict:
    from safetensors.torch import load_file

    return load_file(str(out / "checkpoint" / "adapter_model.safetensors"))


def curve(out) -> list[dict]:
    return [json.loads(line) for line in (out / "curve.jsonl").read_text().splitlines()]


def test_a_stopped_run_resumed_ends_where_the_uninterrupted_run_ends(tmp_path, tiny_llama):
    cache = tmp_path / "cache"
    whole = train(config(tiny_llama, tmp_path / "whole", cache))
    assert whole.steps == 6 and (tmp_path / "whole" / "adapter.gguf").is_file()
    steps_done = []

    def stop_after_three():
        return len(steps_done) >= 3

    class Counting:
        def start(self, total): ...
        def step(self, done, loss): steps_done.append(done) if done else None
        def note(self, text): ...
        def stop(self): ...

    halted = train(config(tiny_llama, tmp_path / "parts", cache), Counting(), should_stop=stop_after_three)
    assert halted.steps == 3  # stopped between steps, checkpoint and adapter written
    assert (tmp_path / "parts" / "adapter.gguf").is_file()
    resumed = train(config(tiny_llama, tmp_path / "parts", cache, resume=True))
    assert resumed.steps == 6
    assert resumed.losses == whole.losses and resumed.tokens == whole.tokens
    a, b = adapter_weights(tmp_path / "whole"), adapter_weights(tmp_path / "parts")
    assert a.keys() == b.keys() and len(a) > 0
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-6), name
    # the curve: one line per step, the learning rate as the uninterrupted run had it
    whole_curve, parts_curve = curve(tmp_path / "whole"), curve(tmp_path / "parts")
    assert [r["step"] for r in parts_curve] == [1, 2, 3, 4, 5, 6]
    assert [r["lr"] for r in parts_curve] == [r["lr"] for r in whole_curve]
    assert parts_curve[-1]["tokens"] == whole.tokens and parts_curve[-1]["seconds"] > 0


def test_without_the_optimizer_state_a_resumed_run_would_differ(tmp_path, tiny_llama, monkeypatch):
    """The check above can fail: resuming with a fresh optimizer gives other weights."""
    import vibecli.train.checkpoint as ckpt

    cache = tmp_path / "cache"
    train(config(tiny_llama, tmp_path / "whole", cache))
    train(config(tiny_llama, tmp_path / "parts", cache), should_stop=_stop_at(tmp_path / "parts", 2))
    monkeypatch.setattr(ckpt, "load_optimizer", lambda optimizer, folder, device: None)
    train(config(tiny_llama, tmp_path / "parts", cache, resume=True))
    a, b = adapter_weights(tmp_path / "whole"), adapter_weights(tmp_path / "parts")
    assert any(not torch.allclose(a[name], b[name], atol=1e-6) for name in a)


def _stop_at(out, step: int):
    def stop() -> bool:
        path = out / "curve.jsonl"
        return path.is_file() and len(path.read_text().splitlines()) >= step

    return stop


def test_resuming_with_other_data_is_refused(tmp_path, tiny_llama):
    from vibecli.core import VibeError

    cache = tmp_path / "cache"
    train(config(tiny_llama, tmp_path / "run", cache, steps=2))
    with pytest.raises(VibeError, match="other data"):
        train(config(tiny_llama, tmp_path / "run", cache, rows=rows(seed=1), resume=True))


def test_each_epoch_visits_every_example_once_in_batches_of_similar_length():
    rng = random.Random(3)
    lengths = tuple(rng.randrange(10, 1000) for _ in range(96))
    per_step = 4
    epoch = [i for step in range(24) for i in schedule.step_examples(step, lengths, 7, per_step)]
    assert sorted(epoch) == list(range(96))
    second = [i for step in range(24, 48) for i in schedule.step_examples(step, lengths, 7, per_step)]
    assert sorted(second) == list(range(96)) and second != epoch  # reshuffled each epoch
    spread = lambda batch: max(lengths[i] for i in batch) - min(lengths[i] for i in batch)  # noqa: E731
    grouped = sum(spread(epoch[i:i + per_step]) for i in range(0, 96, per_step))
    shuffled = list(range(96))
    random.Random(0).shuffle(shuffled)
    ungrouped = sum(spread(shuffled[i:i + per_step]) for i in range(0, 96, per_step))
    assert grouped < ungrouped / 3
    assert schedule.shard([1, 2, 3, 4], 1, 2) == [3, 4]


def test_the_learning_rate_warms_up_then_decays_to_zero():
    rates = [schedule.learning_rate(step, 100, 1e-3) for step in range(100)]
    assert rates[0] == pytest.approx(1e-4) and max(rates) == pytest.approx(rates[schedule.WARMUP - 1])
    assert rates[-1] < 1e-5 and all(a >= b for a, b in zip(rates[schedule.WARMUP:], rates[schedule.WARMUP + 1:]))


def test_every_nth_checkpoint_is_exported_evaluated_and_its_figures_join_the_curve(tmp_path, tiny_llama):
    from vibecli.backends.adapter import check_adapter

    seen = []

    def evaluate(adapter, step):
        check_adapter(adapter, tiny_llama)  # a whole adapter llama.cpp would load, written before the call
        seen.append((adapter.relative_to(tmp_path / "run").as_posix(), step))
        return {"tasks": 24, "passed": step}

    # checkpoints at steps 2, 4 and 6 of 7; every second one is evaluated: step 4 only
    train(config(tiny_llama, tmp_path / "run", tmp_path / "cache", steps=7, eval_every=2), evaluate_checkpoint=evaluate)
    assert seen == [("evals/step-4/adapter.gguf", 4)]
    rows = curve(tmp_path / "run")
    assert [r["step"] for r in rows if "loss" in r] == [1, 2, 3, 4, 5, 6, 7]
    assert [r for r in rows if "editeval" in r] == [{"step": 4, "editeval": {"tasks": 24, "passed": 4}}]
    assert rows.index({"step": 4, "editeval": {"tasks": 24, "passed": 4}}) == 4  # written when it was measured


def test_the_checkpoint_subset_is_24_fixed_editeval_tasks(tmp_path):
    from vibecli.train.evaluate import SUBSET, find_editeval, write_subset

    assert len(SUBSET) == len(set(SUBSET)) == 24
    source = find_editeval()
    if source is None:
        pytest.skip("no shared/eval/editeval.jsonl beside this checkout")
    target = tmp_path / "subset.jsonl"
    assert write_subset(source, target) == 24
    assert [json.loads(line)["task_id"] for line in target.read_text().splitlines()] == SUBSET
