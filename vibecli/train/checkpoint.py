"""Checkpoints to resume from, and the learning curve, in the run's folder.

A checkpoint is the adapter (or the whole model, for a full fine-tune), the optimizer's state and
the run's counters, written to `checkpoint.partial` and renamed over `checkpoint`: a run killed
while saving keeps the previous one. The data order and the learning rate are functions of the
step (schedule.py), so the counters are all a resumed run needs to go on exactly as the
uninterrupted one would have.

`curve.jsonl` gets one line per step ({"step", "loss", "tokens", "seconds", "lr", ...}) as it
goes, and a line {"step", "editeval": {...}} at each evaluated checkpoint; a resumed run first
drops the lines after its checkpoint's step.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from vibecli.core import VibeError

CHECKPOINT_DIR = "checkpoint"
CURVE_FILE = "curve.jsonl"
STATE_FILE = "state.json"


def save(model, optimizer, folder: Path, state: dict, *, full: bool) -> None:
    import torch

    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if full:
        from safetensors.torch import save_file

        tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
        save_file(_untied(model, tensors), str(partial / "model.safetensors"))
    else:
        model.save_pretrained(str(partial))
    torch.save(optimizer.state_dict(), partial / "optimizer.pt")
    (partial / STATE_FILE).write_text(json.dumps(state))
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def _untied(model, tensors: dict) -> dict:
    """safetensors refuses two names for one storage: a tied output layer is dropped (re-tied on load)."""
    if getattr(model.config, "tie_word_embeddings", False):
        tensors.pop("lm_head.weight", None)
    return tensors


def load_state(folder: Path) -> dict:
    try:
        return json.loads((folder / STATE_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise VibeError(f"--resume: cannot read the checkpoint in {folder}: {exc}") from None


def load_weights(model, folder: Path, *, full: bool, device: str):
    """The model with the checkpoint's weights: for LoRA a trainable peft model around `model`."""
    if full:
        from safetensors.torch import load_file

        model.load_state_dict(load_file(str(folder / "model.safetensors"), device="cpu"), strict=False)
        model.tie_weights()
        return model
    from peft import PeftModel

    return PeftModel.from_pretrained(model, str(folder), is_trainable=True)


def load_optimizer(optimizer, folder: Path, device: str) -> None:
    import torch

    optimizer.load_state_dict(torch.load(folder / "optimizer.pt", map_location=device))


def check_same_run(state: dict, fingerprint: dict) -> None:
    """A checkpoint resumes only the run that made it: same data, seed and batch shape."""
    saved = state.get("fingerprint", {})
    differ = [key for key in fingerprint if key in saved and saved[key] != fingerprint[key]]
    if differ:
        raise VibeError(f"--resume: the checkpoint was made with other {', '.join(differ)} "
                        f"({', '.join(f'{k} {saved[k]} now {fingerprint[k]}' for k in differ)})")


class Curve:
    """The learning curve, appended to as training goes (flushed line by line: `tail -f` it)."""

    def __init__(self, path: Path, resume_step: int | None):
        self.path = path
        kept = []
        if resume_step is not None and path.is_file():
            for line in path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except ValueError:
                    continue  # a line cut short when the run was killed
                if row.get("step", 0) <= resume_step:
                    kept.append(line)
        path.write_text("".join(line + "\n" for line in kept))

    def add(self, row: dict) -> None:
        with self.path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
