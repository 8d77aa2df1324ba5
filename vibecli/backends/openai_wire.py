"""The OpenAI-compatible wire: the errors a server can give, its lines and chunks, and the watchdog on a call."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator

from vibecli.backends.bounds import Bound
from vibecli.core import Message, VibeError

MAX_WAIT_S = 30.0
MAX_LINE_BYTES = 1 << 20
"""A server-sent event line longer than this is not a completion chunk (one token is ~200 bytes)."""


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


class Retry(Exception):
    """A failure worth another try (429, 5xx, a dropped connection), carrying what to report if none is left."""

    def __init__(self, error: EndpointError, wait: float | None = None):
        super().__init__(error.message)
        self.error = error
        self.wait = wait


class Watchdog:
    """Shuts the connection in use when the call's time is up. A socket timeout bounds one wait for
    a byte; a server that sends a byte every few seconds, forever, would never trip it."""

    def __init__(self, bound: Bound):
        self.sock: socket.socket | None = None
        self.fired = False
        self.timer = None
        if bound.seconds is not None:
            self.timer = threading.Timer(max(bound.remaining(), 0.0), self._fire)
            self.timer.daemon = True
            self.timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


def as_messages(prompt: str | list[Message]) -> list[dict]:
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return [{"role": m.role, "content": m.content} for m in prompt]


def capped_lines(response: http.client.HTTPResponse, url: str) -> Iterator[bytes]:
    """The response's lines as they arrive. A line is read to at most MAX_LINE_BYTES + 1 bytes and
    refused past MAX_LINE_BYTES, so a server that never ends a line cannot fill the memory."""
    while raw := response.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES:
            raise EndpointProtocolError(f"malformed stream from {url}: a line longer than {MAX_LINE_BYTES} bytes")
        yield raw


def parse_json(data: bytes, url: str) -> dict:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise EndpointProtocolError(f"malformed stream from {url}: not JSON: {data[:60]!r}") from None
    if not isinstance(obj, dict):
        raise EndpointProtocolError(f"malformed stream from {url}: a chunk that is not an object")
    return obj


def chunk_events(obj: dict, url: str) -> Iterator[tuple[str, str | None, dict | None]]:
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


def error_detail(response: http.client.HTTPResponse) -> str:
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


def retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), MAX_WAIT_S) if value is not None else None
    except ValueError:
        return None


def describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
