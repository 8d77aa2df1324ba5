"""Scripted model answers: JSON Lines, one object per model call with the key `text`."""

from __future__ import annotations

import json
from pathlib import Path

from vibecli.core import Generation, Message, Usage, VibeError


class ReplayExhausted(VibeError):
    """Every scripted answer has been used."""


class ReplayBackend:
    name = "replay"

    def __init__(self, path: Path, model_name: str = "replay"):
        self.path = path
        self.model_name = model_name
        self.model_sha256 = ""
        self.answers = _read(path)
        self.prompts: list[str] = []
        """Every prompt asked, in order, so tests can see what the model was shown."""

    def generate(
        self,
        prompt: str | list[Message],
        *,
        grammar: str | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float | None = None,
    ) -> Generation:
        self.prompts.append(prompt if isinstance(prompt, str) else "\n".join(m.content for m in prompt))
        if len(self.prompts) > len(self.answers):
            raise ReplayExhausted(f"{self.path}: no scripted answer left for model call {len(self.prompts)}")
        text = self.answers[len(self.prompts) - 1]
        finish = "eog"
        cuts = [i for i in (text.find(s) for s in stop or []) if i >= 0]
        if cuts:
            text, finish = text[: min(cuts)], "stop"
        usage = Usage(prompt_tokens=len(self.prompts[-1].split()), completion_tokens=len(text.split()), finish=finish)
        return Generation(iter([text]), usage)


def _read(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise VibeError(f"cannot read replay file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise VibeError(f"replay file is not UTF-8 text: {path}") from None
    answers = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise VibeError(f"{path}:{number}: not JSON: {exc.msg}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise VibeError(f"{path}:{number}: each line must be an object with a string 'text'")
        answers.append(obj["text"])
    if not answers:
        raise VibeError(f"replay file has no answers: {path}")
    return answers
