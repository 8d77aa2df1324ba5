"""Several answers to one prompt from an OpenAI-compatible server (`OpenAIBackend.generate_many`).

The greedy answer is one request at temperature 0. The sampled ones are one request with the
`n` parameter where the engine honours it (vLLM; OpenAI itself: dialects `vllm` and `plain`),
else one request each, with a seed each, sent together: llama.cpp's servers take `n` for some
routes and versions only, and llama-cpp-python's ignores it (it answers one choice), so for the
`llama.cpp` dialect parallel requests are the reliable way. An engine that answers fewer choices
than asked gets the rest as separate requests. Requests run in threads; their pieces come back
to the calling thread, which runs the stop strings (`StopScanner`, as every answer does), the
loop check and `on_progress`, so callbacks never run on another thread.
"""

from __future__ import annotations

import copy
import queue
import threading
import time
from collections.abc import Callable, Iterator

from vibecli.backends.stops import StopScanner
from vibecli.core import (
    CANDIDATE_TEMPERATURE,
    CANDIDATE_TOP_P,
    Candidate,
    Candidates,
    Message,
    Usage,
    VibeError,
    candidate_seeds,
)

RECENT = 64
_counting = threading.Lock()


def generate_many(backend, prompt: str | list[Message], n: int, *, stop: list[str] | None = None,
                  max_tokens: int = 512, temperature: float = CANDIDATE_TEMPERATURE, top_p: float = CANDIDATE_TOP_P,
                  seeds: list[int] | None = None, grammar: str | None = None,
                  on_progress: Callable[[list[Candidate]], bool | None] | None = None,
                  looping: Callable[[str], bool] | None = None, prefill: str = "") -> Candidates:
    """`Backend.generate_many` for an `OpenAIBackend`. A grammar is not sent: candidates are decoded free."""
    if grammar:
        raise ValueError("generate_many over HTTP takes no grammar")
    if not 1 <= n <= backend.max_candidates:
        raise ValueError(f"generate_many makes 1 to {backend.max_candidates} answers, not {n}")
    sampled = candidate_seeds(backend.seed, n, seeds)
    candidates = [Candidate()] + [Candidate(temperature=temperature, seed=s) for s in sampled]
    run = _Run(candidates, stop or [], looping, on_progress)
    requests: list[tuple[list[int], Callable[[], Iterator[tuple]]]] = [
        ([0], lambda: _single(backend, prompt, prefill, stop, max_tokens, 0.0, backend.seed, top_p))]
    if len(sampled) > 1 and backend.dialect in ("vllm", "plain"):
        indexes = list(range(1, n))
        requests.append((indexes, lambda: _choices(backend, prompt, prefill, stop, max_tokens, temperature,
                                                   sampled[0], top_p, len(indexes))))
    else:
        for index, seed in enumerate(sampled, 1):
            requests.append(([index], lambda seed=seed: _single(backend, prompt, prefill, stop, max_tokens,
                                                                  temperature, seed, top_p)))
    usage = run.collect(requests)
    missing = [i for i, c in enumerate(candidates) if not c.finish]
    if missing and not run.cancelled:  # the engine answered fewer choices than asked
        usage.add(run.collect([([i], lambda i=i: _single(backend, prompt, prefill, stop, max_tokens, temperature,
                                                          candidates[i].seed, top_p)) for i in missing]))
    for candidate in candidates:
        candidate.finish = candidate.finish or "cancelled"
    usage.completion_tokens = sum(c.tokens for c in candidates)
    usage.finish = candidates[0].finish
    return Candidates(candidates, usage)


class _Run:
    """The answers as their pieces arrive from the request threads."""

    def __init__(self, candidates: list[Candidate], stop: list[str], looping, on_progress):
        self.candidates = candidates
        self.stop = stop
        self.looping = looping
        self.on_progress = on_progress
        self.scanners = [StopScanner(stop) for _ in candidates]
        self.pieces: list[list[str]] = [[] for _ in candidates]
        self.cancelled = False

    def collect(self, requests: list[tuple[list[int], Callable[[], Iterator[tuple]]]]) -> Usage:
        """Run the requests together; each yields (choice, text, finish, tokens) and last ("usage", Usage)."""
        events: queue.Queue = queue.Queue()
        ends = [threading.Event() for _ in requests]
        threads = [threading.Thread(target=_pump, args=(request, indexes, events, end), daemon=True)
                   for (indexes, request), end in zip(requests, ends)]
        for thread in threads:
            thread.start()
        usage, running, error = Usage(), len(threads), None
        while running:
            kind, *data = events.get()
            if kind == "done":
                running -= 1
                usage.add(data[0])
            elif kind == "error":
                running -= 1
                error = error or data[0]
                for end in ends:
                    end.set()
            elif not self.cancelled and self._piece(*data):
                self.cancelled = True  # what is still on its way is dropped
                for end in ends:
                    end.set()
        if error is not None:
            raise error
        return usage

    def _piece(self, index: int, text: str, finish: str | None, tokens: int) -> bool:
        """Take a piece of answer `index`; whether the caller asked to stop."""
        candidate = self.candidates[index]
        if candidate.finish:
            return False
        candidate.tokens = max(candidate.tokens, tokens)
        scanner = self.scanners[index]
        out = scanner.feed(text.encode("utf-8")) if text else ""
        if out:
            self.pieces[index].append(out)
            candidate.text += out
        if scanner.stopped:
            candidate.finish = "stop"
        elif out and self.looping is not None and self.looping("".join(self.pieces[index][-RECENT:])):
            candidate.finish = "loop"
        elif finish:
            candidate.finish = finish
            candidate.text += scanner.flush()
        return bool(self.on_progress is not None and self.on_progress(self.candidates))


def _pump(request: Callable[[], Iterator[tuple]], indexes: list[int], events: queue.Queue,
          end: threading.Event) -> None:
    """Send one request's events to the calling thread until it is done or told to end."""
    try:
        stream = request()
        try:
            for event in stream:
                if event[0] == "usage":
                    events.put(("done", event[1]))
                    return
                choice, text, finish, tokens = event
                events.put(("piece", indexes[choice], text, finish, tokens))
                if end.is_set():
                    break
        finally:
            stream.close()  # closing the socket is how the server learns to stop
        events.put(("done", Usage()))
    except VibeError as exc:
        events.put(("error", exc))
    except BaseException as exc:  # a thread must always report back, or the caller waits forever
        events.put(("error", VibeError(f"request failed: {type(exc).__name__}: {exc}")))


def _single(backend, prompt, prefill: str, stop, max_tokens: int, temperature: float, seed: int,
            top_p: float) -> Iterator[tuple]:
    """One answer through the backend's own streaming path (retries, stop strings over 4)."""
    # the seed is a setting of the backend instance; a copy per request leaves openai.py as it is
    clone = copy.copy(backend)
    clone.seed = seed
    if temperature > 0:  # the caller's nucleus, over the dialect's default one
        body = clone._body  # bound to the clone: its seed
        clone._body = lambda *args: {**body(*args), "top_p": top_p}
    sent = clone.requests
    extra = {"prefill": prefill} if prefill else {}
    generation = clone.generate(prompt, stop=stop, max_tokens=max_tokens, temperature=temperature, **extra)
    try:
        for piece in generation:
            yield 0, piece, None, generation.usage.completion_tokens
    finally:
        generation.close()
        with _counting:
            backend.requests += clone.requests - sent
    usage = generation.usage
    yield 0, "", usage.finish if usage.finish != "cancelled" else "stop", usage.completion_tokens
    yield "usage", usage


def _choices(backend, prompt, prefill: str, stop, max_tokens: int, temperature: float, seed: int, top_p: float,
             n: int) -> Iterator[tuple]:
    """n sampled answers from one streamed request with `n` (choices told apart by `index`)."""
    from vibecli.backends.bounds import Bound
    from vibecli.backends.openai import MAX_STOPS
    from vibecli.backends.prompt_text import flatten
    from vibecli.backends.openai_wire import Retry, Watchdog, as_messages, parse_json

    if backend.api == "chat":
        messages = as_messages(prompt)
        request: dict = {"messages": messages + [{"role": "assistant", "content": prefill}] if prefill else messages}
    else:
        request = {"prompt": flatten(prompt) + prefill}
    body = backend._body(request, None, (stop or [])[:MAX_STOPS], max_tokens, temperature)
    body.update(n=n, seed=seed, top_p=top_p)
    started = time.perf_counter()
    # every answer counted here, whatever the server does with max_tokens, and the call cut at call_timeout
    bound = Bound(max_tokens * n, backend.call_timeout, backend.endpoint)
    watchdog = Watchdog(bound)
    try:
        conn, response = backend._open(body, bound, watchdog)
    except Retry as retry:  # no retries for a request of several choices: the caller may ask again
        watchdog.cancel()
        raise retry.error from None
    usage, counts, first_at, full = Usage(), [0] * n, None, False
    try:
        for raw in _lines(response, backend, watchdog, bound):
            if full:
                break
            line = raw.decode("utf-8", errors="replace").strip()
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            obj = parse_json(data.encode(), backend._url)
            if isinstance(obj.get("usage"), dict):
                usage.prompt_tokens = obj["usage"].get("prompt_tokens") or usage.prompt_tokens
            for choice in obj.get("choices") or []:
                index, text, finish = _choice(choice, n)
                if index is None or counts[index] >= max_tokens:
                    continue  # a choice past max_tokens has ended, whatever the server sends for it
                if text:
                    first_at = first_at or time.perf_counter()
                    counts[index] += 1
                    text, full = bound.take(text)
                    if counts[index] >= max_tokens:
                        finish = "length"
                    if full:  # every answer together reached the bound: the server is read no further
                        finish = "length"
                yield index, text, _finish(finish), counts[index]
                if full:
                    break
    finally:
        watchdog.cancel()
        response.close()
        conn.close()
    usage.prompt_eval_s = (first_at or time.perf_counter()) - started
    usage.generate_s = time.perf_counter() - (first_at or started)
    yield "usage", usage


def _lines(response, backend, watchdog, bound) -> Iterator[bytes]:
    """The stream's lines, capped as every server's are; a timeout or a dropped connection as the
    error it is (the watchdog's shutdown is the call's own timeout)."""
    from vibecli.backends.openai_wire import EndpointProtocolError, EndpointTimeout, capped_lines

    try:
        yield from capped_lines(response, backend._url)
    except TimeoutError:
        raise EndpointTimeout(f"{backend._url} sent nothing for {backend.timeout:g} s (endpoint_timeout)") from None
    except OSError as exc:
        if watchdog.fired:
            raise bound.timeout() from None
        raise EndpointProtocolError(f"{backend._url} dropped the connection mid-answer ({exc})") from None
    if watchdog.fired:
        raise bound.timeout()


def _choice(choice, n: int) -> tuple[int | None, str, str | None]:
    if not isinstance(choice, dict) or not isinstance(choice.get("index", 0), int):
        return None, "", None
    index = choice.get("index", 0)
    if not 0 <= index < n:
        return None, "", None
    text = choice.get("text")
    if text is None and isinstance(choice.get("delta"), dict):
        text = choice["delta"].get("content")
    return index, text if isinstance(text, str) else "", choice.get("finish_reason")


def _finish(reason) -> str | None:
    if reason is None:
        return None
    return "length" if reason == "length" else "stop"
