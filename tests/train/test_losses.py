"""The fast answer loss (shared prefix, prompt without logits, fused output layer) against the
plain forward pass, on tiny models of each family: the same loss, and the same gradient."""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch", reason="the train extra is not installed: pip install -e '.[train]'")
pytest.importorskip("peft")

from tiny import FAMILIES, WINDOW, tiny_model  # noqa: E402
from vibecli.train.dataset import Encoded  # noqa: E402
from vibecli.train.losses import batch_loss, plain_loss, prefix_cache, shared_prefix  # noqa: E402

PREFIX = 2 * WINDOW + 3
"""Shared tokens, longer than the sliding window: the sliding layers' cache wraps inside the prefix."""


def lora(model, seed: int = 1):
    from peft import LoraConfig, get_peft_model

    from vibecli.train.models import lora_targets

    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=lora_targets(model),
                                             task_type="CAUSAL_LM"))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # peft starts B at zero; a random adapter makes every gradient count
        for name, param in model.named_parameters():
            if "lora_" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.2)
    return model


def examples(count: int = 4, seed: int = 0, vocab: int = 384) -> list[Encoded]:
    rng = random.Random(seed)
    prefix = [2] + [rng.randrange(4, vocab) for _ in range(PREFIX - 1)]
    out = []
    for _ in range(count):
        task = [rng.randrange(4, vocab) for _ in range(rng.randrange(3, 15))]
        answer = [rng.randrange(4, vocab) for _ in range(rng.randrange(4, 20))] + [1]
        prompt = prefix + task
        weights = [0.0] * len(prompt) + [rng.choice([1.0, 0.3]) for _ in answer]
        avoid = [-1] * len(prompt) + [rng.randrange(4, vocab) if rng.random() < 0.3 else -1 for _ in answer]
        out.append(Encoded(prompt + answer, weights, len(prompt), avoid))
    return out


def legacy_loss(model, item: Encoded, unlikelihood: float = 0.0):
    """The loop's former loss: prompt without gradients through the whole model, answer logits in full."""
    ids = torch.tensor([item.input_ids])
    n = item.prompt_len
    with torch.no_grad():
        past = model(input_ids=ids[:, : n - 1], use_cache=True).past_key_values
    logits = model(input_ids=ids[:, n - 1 : -1], cache=past, use_cache=True).logits[0].float()
    reference = plain_loss(_Fixed(logits), item, "cpu", unlikelihood)
    return reference


class _Fixed:
    """Hands given logits to `plain_loss`, which then applies the same weighting to them."""

    def __init__(self, logits):
        self.logits = logits

    def __call__(self, input_ids, logits_to_keep):
        return type("Out", (), {"logits": self.logits[-logits_to_keep:].unsqueeze(0)})()


def grads(model) -> dict:
    out = {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad(set_to_none=True)
    return out


@pytest.mark.parametrize("family", FAMILIES)
def test_the_fast_loss_is_the_plain_forward_loss(family):
    model = lora(tiny_model(family))
    items = examples()
    n = shared_prefix(items)
    assert n == PREFIX
    with torch.no_grad():
        prefix = prefix_cache(model, items[0].input_ids[:n], "cpu")
        for item in items:
            for weight in (0.0, 0.7):
                plain = float(plain_loss(model, item, "cpu", unlikelihood=weight))
                fast = float(batch_loss(model, [item], prefix, n, "cpu", unlikelihood=weight))
                assert fast == pytest.approx(plain, abs=1e-5, rel=1e-5)
        # side by side, right-padded, the sum of each example's loss (times `scale`)
        side_by_side = float(batch_loss(model, sorted(items, key=lambda i: i.prompt_len), prefix, n, "cpu", scale=0.25))
        mean = sum(float(plain_loss(model, item, "cpu")) for item in items) / 4
        assert side_by_side == pytest.approx(mean, abs=1e-5, rel=1e-5)


@pytest.mark.parametrize("family", ["gemma2", "gemma3", "llama"])
def test_the_fast_gradient_is_the_former_loops_gradient(family):
    model = lora(tiny_model(family))
    items = examples(3, seed=5)
    for item in items:
        legacy_loss(model, item, unlikelihood=0.5).backward()
    reference = grads(model)
    n = shared_prefix(items)
    prefix = prefix_cache(model, items[0].input_ids[:n], "cpu")
    for item in items:
        batch_loss(model, [item], prefix, n, "cpu", unlikelihood=0.5).backward()
    fast = grads(model)
    assert reference.keys() == fast.keys() and len(fast) > 0
    for name in reference:
        # float32 summed in another order: gemma3's gradients differed by up to 3e-5 (of 0.69) on an
        # AVX-512 CPU, a per-element 1e-5 there; an error in the loss would be of the gradient's own size
        scale = reference[name].abs().max().item()
        assert (fast[name] - reference[name]).abs().max().item() <= 1e-4 * scale + 1e-7, name


def test_in_a_full_fine_tune_the_output_layer_gets_its_gradient_too():
    model = tiny_model("gemma2")  # soft-capped logits, tied embeddings
    model.train()
    items = examples(2, seed=3)
    for item in items:
        legacy_loss(model, item, unlikelihood=0.5).backward()
    reference = grads(model)
    n = shared_prefix(items)
    prefix = prefix_cache(model, items[0].input_ids[:n], "cpu")
    for item in items:
        batch_loss(model, [item], prefix, n, "cpu", unlikelihood=0.5).backward()
    fast = grads(model)
    assert "model.embed_tokens.weight" in fast and reference.keys() == fast.keys()
    for name in reference:
        # float32 summed in another order: gemma3's gradients differed by up to 3e-5 (of 0.69) on an
        # AVX-512 CPU, a per-element 1e-5 there; an error in the loss would be of the gradient's own size
        scale = reference[name].abs().max().item()
        assert (fast[name] - reference[name]).abs().max().item() <= 1e-4 * scale + 1e-7, name
