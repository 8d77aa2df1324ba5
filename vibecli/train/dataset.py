"""Training examples as token ids, with the loss only on the answer.

The prompt is tokenized alone (with BOS), as llama.cpp tokenizes it before generating, and the
answer after it, ending with EOS; prompt tokens get no loss. Inside the answer, a line that
only copies a line of the file shown in the prompt weighs `copy_weight`: a small model learns
to copy first, and a copy-dominated loss teaches it nothing else.

Where the answer has been copying the file and then departs from it, the token that copying
would have given next is kept as `avoid`: the loss can push it down there (unlikelihood), which
is the one decision a copying model gets wrong when it answers with the file unchanged. Only
departures inside lines the answer changes count: at a copied line, a closing fence, a blank line
or the end, "copying" and "stopping" share tokens, and pushing those down taught the model not
to stop (adapter 5: 82 of 191 answers ran on past the code).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TASK_MARK = "=== Task"


@dataclass
class Encoded:
    input_ids: list[int]
    weights: list[float]
    """One per token: 0 for the prompt, `copy_weight` for copied answer lines, 1 for the rest."""
    prompt_len: int
    avoid: list[int] | None = None
    """One per token: where the answer departs from a copy of the file, the token copying would
    give (to push down); -1 elsewhere."""

    @property
    def answer_tokens(self) -> int:
        return len(self.input_ids) - self.prompt_len


def _task(prompt: str) -> str:
    """The part of the prompt after its few-shot examples: the files this answer edits."""
    return prompt[prompt.rfind(TASK_MARK):] if TASK_MARK in prompt else prompt


def _shown_lines(prompt: str) -> set[str]:
    return {line.strip() for line in _task(prompt).split("\n") if line.strip()}


COPY_RUN = 4
"""Answer tokens in a row that must match the file before a departure counts."""


def departures(shown: list[int], answer: list[int], run: int = COPY_RUN) -> list[int]:
    """For each answer token, the token a copy of `shown` would have given instead, where the
    answer was copying `shown` (at least `run` tokens in a row) and leaves it here; else -1."""
    follows: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(shown) - run):  # what follows each run-gram of the file, latest last
        follows.setdefault(tuple(shown[i : i + run]), []).append(shown[i + run])
    out = []
    for i, token in enumerate(answer):
        after = follows.get(tuple(answer[i - run : i]), []) if i >= run else []
        out.append(after[-1] if after and token not in after else -1)
    return out


def encode(tokenizer, prompt: str, answer: str, copy_weight: float = 0.3) -> Encoded:
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    if tokenizer.bos_token_id is not None:
        prompt_ids = [tokenizer.bos_token_id] + prompt_ids
    answer_enc = tokenizer(answer, add_special_tokens=False, return_offsets_mapping=True)
    answer_ids = list(answer_enc["input_ids"])
    offsets = list(answer_enc["offset_mapping"])
    shown = _shown_lines(prompt)
    line_ends, end = [], 0  # where each answer line ends (its newline included), and whether it copies
    for line in answer.split("\n"):
        end += len(line) + 1
        line_ends.append((end, line.strip() in shown or line.startswith("```") or not line.strip()))
    copied = [next((c for e, c in line_ends if start < e), False) for start, _end in offsets]
    weights = [copy_weight if c else 1.0 for c in copied]
    if tokenizer.eos_token_id is not None:
        answer_ids.append(tokenizer.eos_token_id)
        weights.append(1.0)
        copied.append(True)  # the end: no departure is marked there
    avoid = departures(tokenizer(_task(prompt), add_special_tokens=False)["input_ids"], answer_ids)
    avoid = [-1 if c else a for a, c in zip(avoid, copied)]
    return Encoded(prompt_ids + answer_ids, [0.0] * len(prompt_ids) + weights, len(prompt_ids),
                   [-1] * len(prompt_ids) + avoid)


def split(rows: list[dict], holdout: float, seed: int) -> tuple[list[dict], list[dict]]:
    """A seeded train/held-out split."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    cut = int(round(len(rows) * holdout))
    held = [rows[i] for i in order[:cut]]
    train = [rows[i] for i in order[cut:]]
    return train, held
