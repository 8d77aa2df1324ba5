"""A model behind an OpenAI-compatible HTTP server: llama.cpp's server, llama-cpp-python's, vLLM, Ollama.

By default it speaks the completions API (`POST {endpoint}/completions`, streamed as server-sent
events) with the same flattened prompt the in-process backend decodes: vibecli's prompts are
plain text that a constrained answer continues (`prompt + "@@ replace ...\\n```python\\n"`),
which is what a base model wants. `api="chat"` (`endpoint_api: chat`) sends the prompt as a user
message through the server's chat template instead, for instruction-tuned models, and the
answer's decided start as a final assistant message that the engine continues (llama.cpp's
server does so by itself; vLLM is asked with `continue_final_message`). Only the standard
library: no HTTP client is imported at start-up.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from vibecli.backends.bounds import DEFAULT_CALL_TIMEOUT, Bound
from vibecli.backends.openai_wire import (
    MAX_LINE_BYTES, EndpointAuth, EndpointBusy, EndpointError, EndpointModelMissing, EndpointProtocolError,
    EndpointTimeout, EndpointUnreachable, Retry, Watchdog, as_messages, capped_lines, chunk_events, describe,
    error_detail, parse_json, retry_after,
)
from vibecli.backends.prompt_text import flatten
from vibecli.backends.proxy import connection, proxy_for
from vibecli.backends.stops import StopScanner
from vibecli.core import Backend, Candidates, Generation, Message, Usage
from vibecli.settings import DIALECTS, ENDPOINT_APIS

# DIALECTS, what the engine accepts beyond the standard fields: `llama.cpp` (its server and
# llama-cpp-python's: `grammar`, `top_k`, `min_p`, `repeat_penalty`), `vllm` (`guided_grammar`),
# `plain` (nothing: the answer is parsed and validated exactly as a local one). ENDPOINT_APIS: see
# the module's docstring.

MAX_STOPS = 4  # the OpenAI API takes at most four stop strings; the rest are applied here
BACKOFF_S = 0.5


class OpenAIBackend(Backend):
    name = "openai"
    max_candidates = 16

    def __init__(
        self,
        endpoint: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        dialect: str = "llama.cpp",
        api: str = "completions",
        timeout: float = 120.0,
        retries: int = 2,
        seed: int = 0,
        temperature: float = 0.0,
        backoff_s: float = BACKOFF_S,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
    ):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EndpointError(f"endpoint must be an http:// or https:// URL, not {endpoint!r}")
        if dialect not in DIALECTS:
            raise EndpointError(f"endpoint_dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
        self.endpoint = endpoint.rstrip("/")
        self.model_location = self.endpoint
        self._parts = parts
        self.model_name = model or "default"
        self.model = model
        self.model_sha256 = ""
        self._api_key = api_key
        if api not in ENDPOINT_APIS:
            raise EndpointError(f"endpoint_api must be one of {', '.join(ENDPOINT_APIS)}, not {api!r}")
        self.dialect = dialect
        self.api = api
        self.takes_grammar = dialect != "plain"
        """`llama.cpp` sends a grammar as `grammar`, `vllm` as `guided_grammar`; `plain` sends none."""
        self.takes_prefill = api == "chat"
        """generate(prompt, prefill=...) under `chat`: the prompt is the user's message, the prefill
        the start of the assistant's; under `completions` both are one text."""
        route = "/chat/completions" if api == "chat" else "/completions"
        self._path = parts.path.rstrip("/") + route
        self._url = self.endpoint + route
        self.timeout = timeout
        self.call_timeout = call_timeout
        """Seconds one call may take in all, retries included (`timeout` bounds each wait for a byte)."""
        self.retries = retries
        self.seed = seed
        self.temperature = temperature
        self.backoff_s = backoff_s
        self.requests = 0
        """HTTP requests sent, retries included."""

    def generate(
        self,
        prompt: str | list[Message],
        *,
        grammar: str | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 512,
        temperature: float | None = None,
        prefill: str = "",
    ) -> Generation:
        usage = Usage()
        temp = self.temperature if temperature is None else temperature
        if self.api == "chat":
            messages = as_messages(prompt)

            def request(received: str) -> dict:
                start = prefill + received
                return {"messages": messages + [{"role": "assistant", "content": start}] if start else messages}
        else:
            text = flatten(prompt) + prefill

            def request(received: str) -> dict:
                return {"prompt": text + received}
        return Generation(self._stream(request, grammar, stop or [], max_tokens, temp, usage), usage)

    def generate_many(self, prompt: str | list[Message], n: int, **options) -> Candidates:
        """`Backend.generate_many`: `n` where the engine takes it, else requests sent together."""
        from vibecli.backends.openai_candidates import generate_many

        return generate_many(self, prompt, n, **options)

    def _body(self, request: dict, grammar: str | None, stop: list[str], max_tokens: int, temp: float) -> dict:
        body: dict = {**request, "max_tokens": max_tokens, "temperature": temp, "stream": True,
                      "seed": self.seed, "stream_options": {"include_usage": True}}
        if "messages" in request and request["messages"][-1]["role"] == "assistant" and self.dialect == "vllm":
            # vLLM continues a final assistant message only when asked (llama.cpp's server always does)
            body.update(continue_final_message=True, add_generation_prompt=False)
        if self.model:
            body["model"] = self.model
        if stop:
            body["stop"] = stop[:MAX_STOPS]
        if self.dialect == "llama.cpp":
            greedy = temp <= 0
            # the sampling the in-process backend uses, so that both paths give the same answer
            body.update(top_k=1 if greedy else 40, top_p=1.0 if greedy else 0.95, min_p=0.0 if greedy else 0.05,
                        repeat_penalty=1.0)
        if grammar and self.takes_grammar:
            body["guided_grammar" if self.dialect == "vllm" else "grammar"] = grammar
        return body

    def _stream(
        self, request, grammar: str | None, stop: list[str], max_tokens: int, temp: float, usage: Usage
    ) -> Iterator[str]:
        started = time.perf_counter()
        answer = _Answer(stop)
        # counted here, whatever the server does with max_tokens, and cut at call_timeout
        bound = Bound(max_tokens, self.call_timeout, self.endpoint)
        watchdog = Watchdog(bound)
        usage.finish = "cancelled"
        failures = 0
        try:
            while True:
                # after a drop mid-answer, ask for the rest: the answer so far is continued
                body = self._body(request(answer.received), grammar, stop, max_tokens - bound.tokens, temp)
                try:
                    yield from self._attempt(body, bound, watchdog, answer, usage, started)
                    return
                except Retry as retry:
                    failures += 1
                    if watchdog.fired:
                        raise bound.timeout() from None
                    # a grammar-constrained answer cannot be resumed: the grammar would start over mid-answer
                    if failures > self.retries or (answer.received and grammar) or bound.tokens >= max_tokens:
                        raise retry.error from None
                    wait = retry.wait if retry.wait is not None else self.backoff_s * 2 ** (failures - 1)
                    if wait >= bound.remaining():
                        raise bound.timeout() from None
                    time.sleep(wait)
                except EndpointError:
                    if watchdog.fired:
                        raise bound.timeout() from None
                    raise
        finally:
            watchdog.cancel()
            if answer.first_at is not None:
                usage.generate_s = time.perf_counter() - answer.first_at

    def _attempt(self, body: dict, bound: Bound, watchdog: Watchdog, answer: "_Answer", usage: Usage,
                 started: float) -> Iterator[str]:
        """One request's share of the answer."""
        base = bound.tokens
        conn, response = self._open(body, bound, watchdog)
        events = self._events(conn, response, bound)
        try:
            for piece, finish, reported in events:
                if reported:
                    usage.prompt_tokens = reported.get("prompt_tokens") or usage.prompt_tokens
                    usage.completion_tokens = base + (reported.get("completion_tokens") or 0)
                if finish:
                    usage.finish = "length" if finish == "length" else "stop"
                if not piece:
                    continue
                if answer.first_at is None:
                    answer.first_at = time.perf_counter()
                    usage.prompt_eval_s = answer.first_at - started
                piece, full = bound.take(piece)
                usage.completion_tokens = max(usage.completion_tokens, bound.tokens)
                out, stopped = answer.feed(piece, final=full)
                if out:
                    yield out
                if stopped or full:  # past max_tokens, the server is not read any further
                    usage.finish = "stop" if stopped else "length"
                    return
        finally:
            events.close()  # closing the socket is how the server learns to stop generating
        rest = answer.flush()
        if rest:
            yield rest
        if usage.finish == "cancelled":
            usage.finish = "stop"

    def _open(self, body: dict, bound: Bound, watchdog: "Watchdog") -> tuple[http.client.HTTPConnection,
                                                                              http.client.HTTPResponse]:
        """POST the request; a 200 response, a `Retry`, or the EndpointError that ends the run."""
        parts = self._parts
        proxy = proxy_for(parts)
        bound.check_time()
        # each wait for a byte is bounded by endpoint_timeout, and never past the call's end
        conn, target = connection(parts._replace(path=self._path), min(self.timeout, bound.remaining()), proxy)
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if proxy is not None and proxy.authorization and parts.scheme == "http":
            headers["Proxy-Authorization"] = proxy.authorization
        url = self._url
        self.requests += 1
        try:
            conn.connect()
            watchdog.sock = conn.sock  # the response keeps reading it after the connection lets go
            conn.request("POST", target, json.dumps(body).encode(), headers)
            response = conn.getresponse()
        except ConnectionRefusedError:
            conn.close()
            raise Retry(EndpointUnreachable(f"cannot connect to {self.endpoint}: connection refused "
                                             "(is the server running?)")) from None
        except TimeoutError:
            conn.close()
            raise EndpointTimeout(f"{url} sent nothing for {self.timeout:g} s (endpoint_timeout)") from None
        except socket.gaierror as exc:
            conn.close()
            raise EndpointUnreachable(f"cannot resolve {parts.hostname}: {exc.strerror}") from None
        except ssl.SSLError as exc:
            conn.close()
            raise EndpointUnreachable(f"TLS with {self.endpoint} failed: {exc.reason or exc}") from None
        except (ConnectionError, http.client.HTTPException) as exc:
            conn.close()
            raise Retry(EndpointProtocolError(f"{url} dropped the connection: {describe(exc)}")) from None
        except OSError as exc:
            conn.close()
            raise EndpointUnreachable(f"cannot connect to {self.endpoint}: {exc.strerror or exc}") from None
        if response.status == 200:
            return conn, response
        detail = error_detail(response)
        conn.close()
        status = response.status
        if status in (401, 403):
            raise EndpointAuth(f"{url} refused the request ({status}): {detail or 'bad or missing API key'}; "
                               "check the variable named by api_key_env")
        if status == 404:
            raise EndpointModelMissing(f"{url}: 404 {detail or 'not found'} (model {self.model_name!r}; "
                                       "check --endpoint and --endpoint-model)")
        if status == 429:
            wait = retry_after(response.getheader("Retry-After"))
            raise Retry(EndpointBusy(f"{url}: 429 too many requests, still after {self.retries} retries"
                                      + (f": {detail}" if detail else "")), wait)
        if status >= 500:
            raise Retry(EndpointBusy(f"{url}: server error {status}, still after {self.retries} retries"
                                      + (f": {detail}" if detail else "")))
        hint = "; set endpoint_dialect: plain if the engine rejects `grammar`" if "grammar" in detail else ""
        raise EndpointError(f"{url} rejected the request ({status}): {detail or response.reason}{hint}")

    def _events(
        self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse, bound: Bound
    ) -> Iterator[tuple[str, str | None, dict | None]]:
        """(text, finish_reason, usage) per server-sent event; a dropped stream is a `Retry`."""
        url = self._url
        try:
            if response.getheader("Content-Type", "").startswith("application/json"):
                # an engine that ignores `stream` answers with one JSON object (JSON may spell a
                # character in six bytes)
                limit = 6 * bound.max_chars + MAX_LINE_BYTES
                data = response.read(limit + 1)
                if len(data) > limit:
                    raise EndpointProtocolError(f"{url} answered with more than {limit} bytes for "
                                                f"{bound.max_tokens} tokens; stopped reading")
                yield from chunk_events(parse_json(data, url), url)
                return
            ended = False
            for raw in capped_lines(response, url):
                try:
                    line = raw.decode("utf-8").strip()
                except UnicodeDecodeError:
                    raise EndpointProtocolError(f"malformed stream from {url}: bytes that are not UTF-8") from None
                if not line or line.startswith(":") or line.split(":", 1)[0] in ("event", "id", "retry"):
                    continue
                if not line.startswith("data:"):
                    raise EndpointProtocolError(f"malformed stream from {url}: not server-sent events: {line[:60]!r}")
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                for event in chunk_events(parse_json(data.encode(), url), url):
                    ended = ended or event[1] is not None
                    yield event
            if not ended:
                raise Retry(EndpointProtocolError(f"{url} dropped the connection mid-answer, "
                                                   f"still after {self.retries} retries"))
        except TimeoutError:
            if bound.remaining() <= 0:
                raise bound.timeout() from None
            raise EndpointTimeout(f"{url} sent nothing for {self.timeout:g} s (endpoint_timeout)") from None
        except (OSError, http.client.HTTPException) as exc:
            raise Retry(EndpointProtocolError(f"{url} dropped the connection mid-answer ({describe(exc)}), "
                                               f"still after {self.retries} retries")) from None
        finally:
            # closing the socket is how the server learns to stop generating an answer nobody reads
            response.close()
            conn.close()


class _Answer:
    """The text as it arrives, cut at the first stop string by the `StopScanner` every backend uses."""

    def __init__(self, stop: list[str]):
        self.scanner = StopScanner(stop)
        self.received = ""
        """Every character the server sent, emitted or held back (a resumed request continues it)."""
        self.first_at: float | None = None

    def feed(self, piece: str, final: bool = False) -> tuple[str, bool]:
        """What may be shown now, and whether a stop string ended the answer. `final`: nothing more
        comes (max_tokens), so nothing is held back for a stop string that cannot complete."""
        self.received += piece
        out = self.scanner.feed(piece.encode("utf-8"))
        if self.scanner.stopped:
            return out, True
        return (out + self.scanner.flush() if final else out), False

    def flush(self) -> str:
        return self.scanner.flush()


def api_key_from(env_name: str | None, environ=os.environ) -> str | None:
    """The key itself, from the environment variable that config names; the name alone is ever stored."""
    if not env_name:
        return None
    value = environ.get(env_name, "")
    if not value:
        raise EndpointAuth(f"api_key_env names {env_name}, but {env_name} is not set in the environment")
    return value


def make(settings, wiring) -> OpenAIBackend:
    """The registry's factory (`backend: openai`)."""
    return OpenAIBackend(
        settings.endpoint,
        model=settings.endpoint_model,
        api_key=api_key_from(settings.api_key_env),
        dialect=settings.endpoint_dialect,
        api=settings.endpoint_api,
        timeout=settings.endpoint_timeout,
        call_timeout=settings.call_timeout,
        retries=settings.endpoint_retries,
        seed=settings.seed,
        temperature=settings.temperature,
    )
