"""Preference pairs (`data export --pairs`: a prompt, the accepted answer, a rejected one) as a
DPO loss (Rafailov et al. 2023) over the same model and the same prompt handling as the answer loss.

The reference policy is the base model: the same weights with the adapter disabled (peft's
`disable_adapter()`), so no second copy of the model is kept. The loss for a pair is
-log sigmoid(beta * margin), margin = (log p(chosen) - log p_ref(chosen)) - (log p(rejected) -
log p_ref(rejected)), each log p summed over the answer's tokens given the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

from vibecli.train.losses import CHUNK, parts


@dataclass
class Pair:
    prompt: list[int]
    """The prompt's tokens, BOS first."""
    chosen: list[int]
    """The accepted answer's tokens, EOS last."""
    rejected: list[int]

    def __len__(self) -> int:
        return len(self.prompt) + len(self.chosen) + len(self.rejected)


def encode_pair(tokenizer, row: dict) -> Pair:
    prompt = tokenizer(row["prompt"], add_special_tokens=False)["input_ids"]
    if tokenizer.bos_token_id is not None:
        prompt = [tokenizer.bos_token_id] + prompt
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    answer = lambda text: list(tokenizer(text, add_special_tokens=False)["input_ids"]) + eos  # noqa: E731
    return Pair(list(prompt), answer(row["chosen"]), answer(row["rejected"]))


def _chunk_logprobs(hidden, weight, targets, softcap):
    import torch

    logits = (hidden @ weight.t()).float()
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    return logits.gather(1, targets.unsqueeze(1)).squeeze(1) - torch.logsumexp(logits, dim=-1)


def token_logprobs(hidden, weight, targets, softcap, chunk: int = CHUNK):
    """log p of each target under the output layer, chunk by chunk; each chunk's logits are
    recomputed in the backward pass instead of kept."""
    import torch
    from torch.utils.checkpoint import checkpoint

    pieces = [checkpoint(_chunk_logprobs, hidden[at:at + chunk], weight, targets[at:at + chunk], softcap,
                         use_reentrant=False) for at in range(0, len(targets), chunk)]
    return torch.cat(pieces)


def answer_logprobs(model, pair: Pair, device: str):
    """(log p(chosen), log p(rejected)) given the prompt, which runs once, without gradients."""
    import copy

    import torch
    from transformers import DynamicCache

    decoder, head, softcap, config = parts(model)
    cache = DynamicCache(config=config)
    with torch.no_grad():
        decoder(input_ids=torch.tensor([pair.prompt[:-1]], device=device), cache=cache, use_cache=True)
    out = []
    for answer in (pair.chosen, pair.rejected):
        inputs = torch.tensor([[pair.prompt[-1]] + answer[:-1]], device=device)
        hidden = decoder(input_ids=inputs, cache=copy.deepcopy(cache), use_cache=True).last_hidden_state[0]
        out.append(token_logprobs(hidden, head.weight, torch.tensor(answer, device=device), softcap).sum())
    return out


def reference_logprobs(model, pair: Pair, device: str) -> tuple[float, float]:
    """The same under the base model (the adapter switched off)."""
    import torch

    with torch.no_grad(), model.disable_adapter():
        chosen, rejected = answer_logprobs(model, pair, device)
    return float(chosen), float(rejected)


def dpo_loss(model, pair: Pair, device: str, beta: float, scale: float = 1.0):
    """(`scale` times the pair's DPO loss, its margin as a float)."""
    import torch

    ref_chosen, ref_rejected = reference_logprobs(model, pair, device)
    chosen, rejected = answer_logprobs(model, pair, device)
    margin = (chosen - ref_chosen) - (rejected - ref_rejected)
    return -torch.nn.functional.logsigmoid(beta * margin) * scale, float(margin.detach())
