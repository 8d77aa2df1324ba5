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

from vibecli.backends.llama import _flatten, _partial_stop
from vibecli.core import Backend, Candidates, Generation, Message, Usage, VibeError
from vibecli.settings import DIALECTS, ENDPOINT_APIS

# DIALECTS, what the engine accepts beyond the standard fields: `llama.cpp` (its server and
# llama-cpp-python's: `grammar`, `top_k`, `min_p`, `repeat_penalty`), `vllm` (`guided_grammar`),
# `plain` (nothing: the answer is parsed and validated exactly as a local one). ENDPOINT_APIS: see
# the module's docstring.

MAX_STOPS = 4  # the OpenAI API takes at most four stop strings; the rest are applied here
BACKOFF_S = 0.5
MAX_WAIT_S = 30.0


class EndpointError(VibeError):
    """The serving engine failed in a way the user must fix or wait out (exit 1)."""


class EndpointUnreachable(EndpointError):
    """Connection refused, unknown host, TLS failure."""


class EndpointAuth(EndpointError):
    """401/403: the key is missing or wrong."""


class EndpointModelMissing(EndpointError):
    """404: the server does not serve that model (or that path)."""


class EndpointBusy(EndpointError):
    """429 or 5xx after every retry."""


class EndpointTimeout(EndpointError):
    """No byte from the server for `endpoint_timeout` seconds."""


class EndpointProtocolError(EndpointError):
    """A stream that is not server-sent events of completion chunks, or one that dropped for good."""


class _Retry(Exception):
    """A failure worth another try (429, 5xx, a dropped connection), carrying what to report if none is left."""

    def __init__(self, error: EndpointError, wait: float | None = None):
        super().__init__(error.message)
        self.error = error
        self.wait = wait


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
    ):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EndpointError(f"endpoint must be an http:// or https:// URL, not {endpoint!r}")
        if dialect not in DIALECTS:
            raise EndpointError(f"endpoint_dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
        self.endpoint = endpoint.rstrip("/")
        self._parts = parts
        self.model_name = model or "default"
        self.model = model
        self.model_sha256 = ""
        self._api_key = api_key
        if api not in ENDPOINT_APIS:
            raise EndpointError(f"endpoint_api must be one of {', '.join(ENDPOINT_APIS)}, not {api!r}")
        self.dialect = dialect
        self.api = api
        self.takes_prefill = api == "chat"
        """generate(prompt, prefill=...) under `chat`: the prompt is the user's message, the prefill
        the start of the assistant's; under `completions` both are one text."""
        route = "/chat/completions" if api == "chat" else "/completions"
        self._path = parts.path.rstrip("/") + route
        self._url = self.endpoint + route
        self.timeout = timeout
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
            messages = _messages(prompt)

            def request(received: str) -> dict:
                start = prefill + received
                return {"messages": messages + [{"role": "assistant", "content": start}] if start else messages}
        else:
            text = _flatten(prompt) + prefill

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
            if grammar:
                body["grammar"] = grammar
        elif self.dialect == "vllm" and grammar:
            body["guided_grammar"] = grammar
        return body

    def _stream(
        self, request, grammar: str | None, stop: list[str], max_tokens: int, temp: float, usage: Usage
    ) -> Iterator[str]:
        started = time.perf_counter()
        first_at = None
        received = ""  # every character the server sent, emitted or held back
        emitted = ""
        held = ""
        longest_stop = max((len(s) for s in stop), default=0)
        counted = 0
        usage.finish = "cancelled"
        failures = 0
        try:
            while True:
                # after a drop mid-answer, ask for the rest: the answer so far is continued
                body = self._body(request(received), grammar, stop, max_tokens - counted, temp)
                base = counted
                try:
                    conn, response = self._open(body)
                    for piece, finish, reported in self._events(conn, response):
                        if reported:
                            usage.prompt_tokens = reported.get("prompt_tokens") or usage.prompt_tokens
                            usage.completion_tokens = base + (reported.get("completion_tokens") or 0)
                        if finish:
                            usage.finish = "length" if finish == "length" else "stop"
                        if not piece:
                            continue
                        if first_at is None:
                            first_at = time.perf_counter()
                            usage.prompt_eval_s = first_at - started
                        counted += 1
                        usage.completion_tokens = max(usage.completion_tokens, counted)
                        received += piece
                        window = emitted[-longest_stop:] + held + piece if longest_stop else held + piece
                        piece = held + piece
                        hit = min((i for i in (window.find(s) for s in stop) if i >= 0), default=-1)
                        if hit >= 0:
                            tail_len = len(window) - len(piece)
                            if hit > tail_len:
                                yield piece[: hit - tail_len]
                            held, usage.finish = "", "stop"
                            return
                        keep = _partial_stop(piece, stop)
                        out, held = piece[: len(piece) - keep], piece[len(piece) - keep:]
                        if out:
                            emitted += out
                            yield out
                    if held:
                        yield held
                    if usage.finish == "cancelled":
                        usage.finish = "stop"
                    return
                except _Retry as retry:
                    failures += 1
                    # a grammar-constrained answer cannot be resumed: the grammar would start over mid-answer
                    if failures > self.retries or (received and grammar) or counted >= max_tokens:
                        raise retry.error from None
                    time.sleep(retry.wait if retry.wait is not None else self.backoff_s * 2 ** (failures - 1))
        finally:
            if first_at is not None:
                usage.generate_s = time.perf_counter() - first_at

    def _open(self, body: dict) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """POST the request; a 200 response, a `_Retry`, or the EndpointError that ends the run."""
        parts = self._parts
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=self.timeout)
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        url = self._url
        self.requests += 1
        try:
            conn.request("POST", self._path, json.dumps(body).encode(), headers)
            response = conn.getresponse()
        except ConnectionRefusedError:
            conn.close()
            raise _Retry(EndpointUnreachable(f"cannot connect to {self.endpoint}: connection refused "
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
            raise _Retry(EndpointProtocolError(f"{url} dropped the connection: {_describe(exc)}")) from None
        except OSError as exc:
            conn.close()
            raise EndpointUnreachable(f"cannot connect to {self.endpoint}: {exc.strerror or exc}") from None
        if response.status == 200:
            return conn, response
        detail = _error_detail(response)
        conn.close()
        status = response.status
        if status in (401, 403):
            raise EndpointAuth(f"{url} refused the request ({status}): {detail or 'bad or missing API key'}; "
                               "check the variable named by api_key_env")
        if status == 404:
            raise EndpointModelMissing(f"{url}: 404 {detail or 'not found'} (model {self.model_name!r}; "
                                       "check --endpoint and --endpoint-model)")
        if status == 429:
            wait = _retry_after(response.getheader("Retry-After"))
            raise _Retry(EndpointBusy(f"{url}: 429 too many requests, still after {self.retries} retries"
                                      + (f": {detail}" if detail else "")), wait)
        if status >= 500:
            raise _Retry(EndpointBusy(f"{url}: server error {status}, still after {self.retries} retries"
                                      + (f": {detail}" if detail else "")))
        hint = "; set endpoint_dialect: plain if the engine rejects `grammar`" if "grammar" in detail else ""
        raise EndpointError(f"{url} rejected the request ({status}): {detail or response.reason}{hint}")

    def _events(
        self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse
    ) -> Iterator[tuple[str, str | None, dict | None]]:
        """(text, finish_reason, usage) per server-sent event; a dropped stream is a `_Retry`."""
        url = self._url
        try:
            if response.getheader("Content-Type", "").startswith("application/json"):
                # an engine that ignores `stream` answers with one JSON object
                yield from _chunk(_json(response.read(), url), url)
                return
            ended = False
            for raw in response:
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
                for event in _chunk(_json(data.encode(), url), url):
                    ended = ended or event[1] is not None
                    yield event
            if not ended:
                raise _Retry(EndpointProtocolError(f"{url} dropped the connection mid-answer, "
                                                   f"still after {self.retries} retries"))
        except TimeoutError:
            raise EndpointTimeout(f"{url} sent nothing for {self.timeout:g} s (endpoint_timeout)") from None
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Retry(EndpointProtocolError(f"{url} dropped the connection mid-answer ({_describe(exc)}), "
                                               f"still after {self.retries} retries")) from None
        finally:
            # closing the socket is how the server learns to stop generating an answer nobody reads
            response.close()
            conn.close()


def _messages(prompt: str | list[Message]) -> list[dict]:
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return [{"role": m.role, "content": m.content} for m in prompt]


def _json(data: bytes, url: str) -> dict:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise EndpointProtocolError(f"malformed stream from {url}: not JSON: {data[:60]!r}") from None
    if not isinstance(obj, dict):
        raise EndpointProtocolError(f"malformed stream from {url}: a chunk that is not an object")
    return obj


def _chunk(obj: dict, url: str) -> Iterator[tuple[str, str | None, dict | None]]:
    if "error" in obj:
        error = obj["error"]
        message = error.get("message") if isinstance(error, dict) else error
        raise EndpointError(f"{url} failed mid-answer: {message}")
    usage = obj.get("usage") if isinstance(obj.get("usage"), dict) else None
    choices = obj.get("choices") or []
    if not isinstance(choices, list):
        raise EndpointProtocolError(f"malformed stream from {url}: 'choices' is not a list")
    if not choices:
        if usage is None:
            raise EndpointProtocolError(f"malformed stream from {url}: a chunk with neither choices nor usage")
        yield "", None, usage
        return
    choice = choices[0]
    text = choice.get("text") if isinstance(choice, dict) else None
    if text is None and isinstance(choice, dict) and isinstance(choice.get("delta"), dict):
        text = choice["delta"].get("content")  # a chat completion chunk
    if not isinstance(text, (str, type(None))):
        raise EndpointProtocolError(f"malformed stream from {url}: a choice without text")
    yield text or "", choice.get("finish_reason"), usage


def _error_detail(response: http.client.HTTPResponse) -> str:
    """The server's own one-line reason, from an OpenAI-style error body or its text."""
    try:
        raw = response.read(4096)
    except (OSError, http.client.HTTPException):
        return ""
    try:
        obj = json.loads(raw)
        error = obj.get("error", obj.get("detail", "")) if isinstance(obj, dict) else ""
        message = error.get("message", "") if isinstance(error, dict) else str(error)
    except (json.JSONDecodeError, UnicodeDecodeError):
        message = raw.decode("utf-8", errors="replace")
    return " ".join(message.split())[:200]


def _retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), MAX_WAIT_S) if value is not None else None
    except ValueError:
        return None


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def api_key_from(env_name: str | None, environ=os.environ) -> str | None:
    """The key itself, from the environment variable that config names; the name alone is ever stored."""
    if not env_name:
        return None
    value = environ.get(env_name, "")
    if not value:
        raise EndpointAuth(f"api_key_env names {env_name}, but {env_name} is not set in the environment")
    return value
