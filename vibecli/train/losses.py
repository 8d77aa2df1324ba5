"""The answer loss, computed the way a CPU affords it.

Only answer tokens carry a loss, so the prompt runs without gradients and without logits (the
output layer, 262k words by 640 on the embedded model, costs more than the rest of the network
per token). Every prompt starts with the same instructions and few-shot examples: their keys and
values are computed once per optimizer step, for the current adapter, and every example of the
step continues from a copy of them. The loss is the one the plain forward pass gives (checked to
~1e-5 in the tests); the gradient leaves out the prompt's own share through the adapted key and
value projections, as it always has here.

The output layer and the cross-entropy run in chunks of answer positions, and the gradient with
respect to the hidden states is computed in the same pass, so the full logits (positions x 262k
floats) never exist at once and are never recomputed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from vibecli.train.dataset import Encoded

CHUNK = 128
"""Answer positions per chunk of the output layer: small enough that a chunk's logits stay in cache-sized memory."""


def shared_prefix(items: list[Encoded]) -> int:
    """Tokens every example's prompt starts with, keeping at least one prompt token of each to
    begin its answer pass (the position whose logits predict the first answer token)."""
    if not items:
        return 0
    first = items[0].input_ids
    length = min(item.prompt_len for item in items) - 1
    for item in items[1:]:
        ids = item.input_ids
        n = 0
        while n < length and ids[n] == first[n]:
            n += 1
        length = n
    return max(length, 0)


def parts(model):
    """(decoder, output layer, logit soft-cap or None, config) of a causal LM, under peft or not."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.get_decoder(), base.get_output_embeddings(), getattr(base.config, "final_logit_softcapping", None), base.config


def prefix_cache(model, ids: list[int], device: str):
    """The keys and values of `ids` under the model's current weights, without gradients."""
    import torch
    from transformers import DynamicCache

    decoder, _, _, config = parts(model)
    cache = DynamicCache(config=config)
    if ids:
        with torch.no_grad():
            decoder(input_ids=torch.tensor([list(ids)], device=device), cache=cache, use_cache=True)
    return cache


@dataclass
class Terms:
    """Per answer position: the cross-entropy weight and the unlikelihood weight (already divided
    by what each example's mean divides by), the target token and the token to push down (-1: none)."""

    ce_weight: object
    ul_weight: object
    targets: object
    avoid: object


def _terms(items: list[Encoded], starts: list[int], unlikelihood: float, scale: float, device: str):
    """Gathers, for each example, its loss positions from `start` on, and the weights that turn
    the per-token terms into the mean per example times `scale`."""
    import torch

    ce_w, ul_w, targets, avoid = [], [], [], []
    for item, start in zip(items, starts):
        weights = item.weights[start + 1:]
        total = sum(weights) or 1e-6
        keep = [i for i, w in enumerate(weights) if w > 0]
        ce_w.extend(weights[i] * scale / total for i in keep)
        targets.extend(item.input_ids[start + 1 + i] for i in keep)
        marks = (item.avoid or [-1] * len(item.input_ids))[start + 1:]
        departures = sum(1 for i in keep if marks[i] >= 0) if unlikelihood else 0
        for i in keep:
            mark = marks[i] if departures else -1
            avoid.append(mark)
            ul_w.append(unlikelihood * scale / departures if mark >= 0 else 0.0)
    as_tensor = lambda values, dtype: torch.tensor(values, dtype=dtype, device=device)  # noqa: E731
    return Terms(as_tensor(ce_w, torch.float32), as_tensor(ul_w, torch.float32), as_tensor(targets, torch.long),
                 as_tensor(avoid, torch.long))


def _positions(items: list[Encoded], starts: list[int], width: int) -> list[int]:
    """Flat indices (row * width + column) of the loss positions in a batch of hidden states
    whose row i starts at token `starts[i]`."""
    out = []
    for row, (item, start) in enumerate(zip(items, starts)):
        weights = item.weights[start + 1:]
        out.extend(row * width + i for i, w in enumerate(weights) if w > 0)
    return out


def batch_loss(model, items: list[Encoded], prefix, prefix_len: int, device: str, *, unlikelihood: float = 0.0,
               scale: float = 1.0, chunk: int = CHUNK):
    """`scale` times the sum over `items` of each one's answer loss (weighted cross-entropy, plus
    `unlikelihood` times the mean -log(1 - p) of the copy token where the answer departs from the
    file), continuing from `prefix` (the keys and values of the first `prefix_len` tokens, shared).

    The examples run side by side, right-padded: the part of the prompts they all still have runs
    without gradients, the rest with. Sorting a batch by prompt length keeps that rest small."""
    import torch

    decoder, head, softcap, config = parts(model)
    split = min(item.prompt_len for item in items) - 1
    if prefix is None:
        from transformers import DynamicCache

        cache, prefix_len = DynamicCache(config=config), 0
    else:
        cache = copy.deepcopy(prefix)
        if len(items) > 1:
            cache.batch_repeat_interleave(len(items))
    if split > prefix_len:
        shared = torch.tensor([list(item.input_ids[prefix_len:split]) for item in items], device=device)
        with torch.no_grad():
            decoder(input_ids=shared, cache=cache, use_cache=True)
    width = max(len(item.input_ids) for item in items) - 1 - split
    pad = 0
    rows = [list(item.input_ids[split:-1]) + [pad] * (width - (len(item.input_ids) - 1 - split)) for item in items]
    hidden = decoder(input_ids=torch.tensor(rows, device=device), cache=cache, use_cache=True).last_hidden_state
    starts = [split] * len(items)
    flat = hidden.reshape(-1, hidden.shape[-1])
    chosen = flat.index_select(0, torch.tensor(_positions(items, starts, width), device=device))
    terms = _terms(items, starts, unlikelihood, scale, device)
    return FusedAnswerLoss.apply(chosen, head.weight, terms.ce_weight, terms.ul_weight, terms.targets, terms.avoid,
                                 softcap, chunk)


def _fused_forward(hidden, weight, ce_w, ul_w, targets, avoid, softcap, chunk, need_weight_grad):
    """Loss and gradients, chunk by chunk, in the vocabulary-major layout (vocabulary x positions):
    `weight @ h.T` runs half again as fast as `h @ weight.T` on a CPU, and every pass over a chunk's
    logits after the first works in place, since fresh 100 MB buffers cost page faults."""
    import torch

    loss = torch.zeros((), dtype=torch.float32, device=hidden.device)
    grad_hidden = torch.empty_like(hidden)
    grad_weight = torch.zeros_like(weight, dtype=torch.float32) if need_weight_grad else None
    for at in range(0, hidden.shape[0], chunk):
        h = hidden[at:at + chunk]
        cols = torch.arange(h.shape[0], device=h.device)
        t, a = targets[at:at + chunk], avoid[at:at + chunk]
        cw, uw = ce_w[at:at + chunk], ul_w[at:at + chunk]
        z = (weight @ h.t()).float()  # vocabulary x positions
        if softcap:
            z.div_(softcap).tanh_()  # the capped logits are softcap * z; the gradient needs 1 - z**2
            capped = z.clone()
            z.mul_(softcap)
        target_logit, avoid_logit = z[t, cols], z[a.clamp(min=0), cols]
        top = z.amax(dim=0)
        probs = z.sub_(top).exp_()
        total = probs.sum(dim=0)
        probs.div_(total)
        lse = top + total.log()
        ce = lse - target_logit
        p_avoid = torch.where(a >= 0, torch.exp(avoid_logit - lse), torch.zeros_like(lse)).clamp(max=1 - 1e-6)
        loss = loss + (cw * ce).sum() + (uw * -torch.log1p(-p_avoid)).sum()
        # d/dlogits of w*CE + u*-log(1-p_a): w*(softmax - onehot_t) + c*(onehot_a - softmax), c = u*p_a/(1-p_a)
        c = uw * p_avoid / (1 - p_avoid)
        grad = probs.mul_(cw - c)
        grad[t, cols] -= cw
        grad[a.clamp(min=0), cols] += torch.where(a >= 0, c, torch.zeros_like(c))
        if softcap:
            grad.mul_(capped.square_().neg_().add_(1))
        grad = grad.to(weight.dtype)
        grad_hidden[at:at + chunk] = grad.t() @ weight
        if grad_weight is not None:
            grad_weight.add_(grad.float() @ h.float())
    return loss, grad_hidden, grad_weight


def _autograd_function():
    import torch

    class Fused(torch.autograd.Function):
        """The weighted loss over chunks of the output layer, its gradient computed on the way."""

        @staticmethod
        def forward(ctx, hidden, weight, ce_w, ul_w, targets, avoid, softcap, chunk):
            with torch.no_grad():
                loss, grad_hidden, grad_weight = _fused_forward(hidden, weight, ce_w, ul_w, targets, avoid, softcap,
                                                                chunk, weight.requires_grad)
            ctx.save_for_backward(grad_hidden, grad_weight if grad_weight is not None else torch.empty(0))
            ctx.has_weight_grad = grad_weight is not None
            return loss

        @staticmethod
        def backward(ctx, grad_loss):
            grad_hidden, grad_weight = ctx.saved_tensors
            weight_grad = (grad_weight * grad_loss).to(grad_hidden.dtype) if ctx.has_weight_grad else None
            return grad_hidden * grad_loss, weight_grad, None, None, None, None, None, None

    return Fused


class _Lazy:
    """Defines the autograd function on first use, so importing this module does not import torch."""

    function = None

    def apply(self, *args):
        if _Lazy.function is None:
            _Lazy.function = _autograd_function()
        return _Lazy.function.apply(*args)


FusedAnswerLoss = _Lazy()


def plain_loss(model, item: Encoded, device: str, unlikelihood: float = 0.0):
    """The same loss from one full forward pass (logits only at answer positions): the reference
    the fast path is checked against."""
    import torch

    ids = torch.tensor([list(item.input_ids)], device=device)
    n = item.prompt_len
    targets = ids[0, n:]
    weights = torch.tensor(list(item.weights[n:]), device=device)
    logits = model(input_ids=ids[:, :-1], logits_to_keep=len(targets)).logits[0].float()
    losses = torch.nn.functional.cross_entropy(logits, targets, reduction="none")
    loss = (losses * weights).sum() / weights.sum().clamp(min=1e-6)
    if not unlikelihood or not item.avoid:
        return loss
    avoid = torch.tensor(list(item.avoid[n:]), device=device)
    rows = (avoid >= 0).nonzero().flatten()
    if len(rows):
        p = torch.softmax(logits[rows], dim=-1).gather(1, avoid[rows].unsqueeze(1)).squeeze(1)
        loss = loss + unlikelihood * -torch.log1p(-p.clamp(max=1 - 1e-6)).mean()
    return loss
