"""Scripted model answers: JSON Lines, one object per model call with the key `text`.

An answer may also have `delay`: seconds to wait before each word it streams, so that tests
can watch the progress and interrupt a generation midway, as with a real model.

For `generate_many`, one line may script every answer of the call: `{"candidates": ["...",
{"text": "...", "logprob": -0.4}, ...]}` (the first n are used; `generate` takes the first);
without such a line, the call takes n consecutive lines, one answer each.

Its tokens are words. Like every backend it stops an answer at `max_tokens` of them (and at
MAX_TOKEN_CHARS characters a token), and a call at `call_timeout` seconds.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from vibecli.backends.bounds import DEFAULT_CALL_TIMEOUT, MAX_TOKEN_CHARS, Bound
from vibecli.core import (
    CANDIDATE_TEMPERATURE,
    CANDIDATE_TOP_P,
    Backend,
    Candidate,
    Candidates,
    Generation,
    Message,
    Usage,
    VibeError,
    candidate_seeds,
)

_WORDS = re.compile(r"\s*\S+\s*|\s+")


class ReplayExhausted(VibeError):
    """Every scripted answer has been used."""


@dataclass(frozen=True)
class Answer:
    text: str
    delay: float = 0.0
    candidates: tuple[tuple[str, float | None], ...] = ()
    """(text, logprob) of each scripted candidate, when the line has `candidates`."""


class ReplayBackend(Backend):
    name = "replay"
    max_candidates = 16

    def __init__(self, path: Path, model_name: str = "replay", call_timeout: float | None = DEFAULT_CALL_TIMEOUT):
        self.path = path
        self.model_location = str(path)
        self.call_timeout = call_timeout
        self.model_name = model_name
        self.model_sha256 = ""
        self.answers = _read(path)
        self.prompts: list[str] = []
        """Every prompt asked, in order (one per call), so tests can see what the model was shown."""
        self._used = 0
        """Lines of the script used so far."""

    def _next(self, prompt: str | list[Message]) -> Answer:
        self.prompts.append(prompt if isinstance(prompt, str) else "\n".join(m.content for m in prompt))
        if self._used >= len(self.answers):
            raise ReplayExhausted(f"{self.path}: no scripted answer left for model call {len(self.prompts)}")
        self._used += 1
        return self.answers[self._used - 1]

    def generate(
        self,
        prompt: str | list[Message],
        *,
        grammar: str | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Generation:
        answer = self._next(prompt)
        text, finish = _cut(answer.text, stop, max_tokens)
        delay = answer.delay
        if not delay:
            usage = Usage(prompt_tokens=len(self.prompts[-1].split()), completion_tokens=len(text.split()), finish=finish)
            return Generation(iter([text]), usage)
        usage = Usage(prompt_tokens=len(self.prompts[-1].split()), finish="cancelled")
        bound = Bound(max_tokens, self.call_timeout, f"the replay backend ({self.path.name})")
        return Generation(_slowly(text, delay, finish, usage, bound), usage)

    def generate_many(
        self,
        prompt: str | list[Message],
        n: int,
        *,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float = CANDIDATE_TEMPERATURE,
        top_p: float = CANDIDATE_TOP_P,
        seeds: list[int] | None = None,
        grammar: str | None = None,
        on_progress: Callable[[list[Candidate]], bool | None] | None = None,
        looping: Callable[[str], bool] | None = None,
    ) -> Candidates:
        """The scripted answers of one call: a `candidates` line, or n consecutive lines."""
        if not 1 <= n <= self.max_candidates:
            raise ValueError(f"generate_many makes 1 to {self.max_candidates} answers, not {n}")
        sampled = [None, *candidate_seeds(self.seed, n, seeds)]
        answer = self._next(prompt)
        scripted = list(answer.candidates)
        if not scripted:
            scripted = [(answer.text, None)]
            while len(scripted) < n:
                if self._used >= len(self.answers):
                    raise ReplayExhausted(f"{self.path}: model call {len(self.prompts)} asked for {n} answers; "
                                          f"the script has {len(scripted)} left")
                self._used += 1
                scripted.append((self.answers[self._used - 1].text, None))
        elif len(scripted) < n:
            raise ReplayExhausted(f"{self.path}: model call {len(self.prompts)} asked for {n} answers; "
                                  f"its line scripts {len(scripted)}")
        result = Candidates([], Usage(prompt_tokens=len(self.prompts[-1].split())))
        for (text, logprob), seed in zip(scripted[:n], sampled):
            text, finish = _cut(text, stop, max_tokens)
            candidate = Candidate(text, finish, len(text.split()), logprob,
                                  0.0 if seed is None else temperature, seed)
            if looping is not None and looping(text):
                candidate.finish = "loop"
            result.candidates.append(candidate)
            result.usage.completion_tokens += candidate.tokens
        result.usage.finish = result.candidates[0].finish
        if on_progress is not None:
            on_progress(result.candidates)
        return result


def _cut(text: str, stop: list[str] | None, max_tokens: int) -> tuple[str, str]:
    """The answer up to its first stop string and within `max_tokens`, and why it ended."""
    cuts = [i for i in (text.find(s) for s in stop or []) if i >= 0]
    text, finish = (text[: min(cuts)], "stop") if cuts else (text, "eog")
    text, cut = _within(text, max_tokens)
    return text, "length" if cut else finish


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


def _read(path: Path) -> list[Answer]:
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
        if isinstance(obj, dict) and "candidates" in obj:
            candidates = _candidates(obj["candidates"], f"{path}:{number}")
            answers.append(Answer(candidates[0][0], candidates=candidates))
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise VibeError(f"{path}:{number}: each line must be an object with a string 'text' or a list 'candidates'")
        delay = obj.get("delay", 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise VibeError(f"{path}:{number}: 'delay' must be a number of seconds, 0 or more")
        answers.append(Answer(obj["text"], float(delay)))
    if not answers:
        raise VibeError(f"replay file has no answers: {path}")
    return answers


def _candidates(value, where: str) -> tuple[tuple[str, float | None], ...]:
    if not isinstance(value, list) or not value:
        raise VibeError(f"{where}: 'candidates' must be a non-empty list")
    found = []
    for item in value:
        if isinstance(item, str):
            found.append((item, None))
            continue
        logprob = item.get("logprob") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not (
                logprob is None or (isinstance(logprob, (int, float)) and not isinstance(logprob, bool))):
            raise VibeError(f"{where}: each candidate must be a string or an object with a string 'text' "
                            "and a number 'logprob'")
        found.append((item["text"], None if logprob is None else float(logprob)))
    return tuple(found)


def make(settings, wiring) -> ReplayBackend:
    """The registry's factory (`backend: replay`)."""
    return ReplayBackend(Path(settings.replay_file).expanduser(), call_timeout=settings.call_timeout)
