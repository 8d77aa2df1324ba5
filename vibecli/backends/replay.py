"""Scripted model answers: JSON Lines, one object per model call with the key `text`.

An answer may also have `delay`: seconds to wait before each word it streams, so that tests
can watch the progress and interrupt a generation midway, as with a real model.

Its tokens are words. Like every backend it stops an answer at `max_tokens` of them (and at
MAX_TOKEN_CHARS characters a token), and a call at `call_timeout` seconds.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Iterator

from vibecli.backends.bounds import DEFAULT_CALL_TIMEOUT, MAX_TOKEN_CHARS, Bound
from vibecli.core import Generation, Message, Usage, VibeError

_WORDS = re.compile(r"\s*\S+\s*|\s+")


class ReplayExhausted(VibeError):
    """Every scripted answer has been used."""


class ReplayBackend:
    name = "replay"

    def __init__(self, path: Path, model_name: str = "replay", call_timeout: float | None = DEFAULT_CALL_TIMEOUT):
        self.path = path
        self.call_timeout = call_timeout
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
        text, delay = self.answers[len(self.prompts) - 1]
        finish = "eog"
        cuts = [i for i in (text.find(s) for s in stop or []) if i >= 0]
        if cuts:
            text, finish = text[: min(cuts)], "stop"
        text, cut = _within(text, max_tokens)
        finish = "length" if cut else finish
        if not delay:
            usage = Usage(prompt_tokens=len(self.prompts[-1].split()), completion_tokens=len(text.split()), finish=finish)
            return Generation(iter([text]), usage)
        usage = Usage(prompt_tokens=len(self.prompts[-1].split()), finish="cancelled")
        bound = Bound(max_tokens, self.call_timeout, f"the replay backend ({self.path.name})")
        return Generation(_slowly(text, delay, finish, usage, bound), usage)


def _within(text: str, max_tokens: int) -> tuple[str, bool]:
    """The answer cut to `max_tokens` words and MAX_TOKEN_CHARS characters a word; whether it was cut."""
    limit = max_tokens * MAX_TOKEN_CHARS
    cut = len(text) > limit
    text = text[:limit]
    for count, word in enumerate(_WORDS.finditer(text), 1):
        if count == max_tokens:
            return text[: word.end()], cut or word.end() < len(text)
    return text, cut


def _slowly(text: str, delay: float, finish: str, usage: Usage, bound: Bound) -> Iterator[str]:
    """One word at a time, `delay` seconds apart; `finish` is set only if every word went out."""
    for count, word in enumerate(_WORDS.findall(text), 1):
        time.sleep(min(delay, max(bound.remaining(), 0.0)))
        bound.check_time()
        usage.completion_tokens = count
        yield word
    usage.finish = finish


def _read(path: Path) -> list[tuple[str, float]]:
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
        delay = obj.get("delay", 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise VibeError(f"{path}:{number}: 'delay' must be a number of seconds, 0 or more")
        answers.append((obj["text"], float(delay)))
    if not answers:
        raise VibeError(f"replay file has no answers: {path}")
    return answers
