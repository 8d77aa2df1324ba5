"""A small OpenAI-compatible server on 127.0.0.1 that plays scripted behaviours, one per request,
for the failures a real engine shows only now and then: drops, stalls, 429, 5xx, garbage."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def stream(*texts: str, finish: str = "stop", usage: dict | None = None) -> dict:
    return {"kind": "stream", "texts": list(texts), "finish": finish, "usage": usage}


def status(code: int, body: str | dict = "", **headers: str) -> dict:
    return {"kind": "status", "code": code, "body": body, "headers": headers}


def drop(*texts: str) -> dict:
    """Some chunks, then the connection closes with no finish and no [DONE]."""
    return {"kind": "drop", "texts": list(texts)}


def stall(*texts: str, seconds: float = 5.0) -> dict:
    return {"kind": "stall", "texts": list(texts), "seconds": seconds}


def raw(data: bytes, content_type: str = "text/event-stream") -> dict:
    return {"kind": "raw", "data": data, "content_type": content_type}


def endless(text: str = "x ", every: float = 0.0, first: str = "") -> dict:
    """`first`, then chunks of `text` for as long as anyone reads, ignoring max_tokens; `every` seconds apart."""
    return {"kind": "endless", "texts": [text], "every": every, "first": first}


def trickle(every: float = 0.2) -> dict:
    """One byte every `every` seconds, forever, never a whole line: no read ever times out."""
    return {"kind": "trickle", "texts": [], "every": every}


class FakeOpenAI:
    def __init__(self, *script: dict):
        self.script = list(script)
        self.requests: list[dict] = []
        """Every request: its path, headers and JSON body."""
        self.hung_up = threading.Event()
        """Set when a client closed a connection that an endless behaviour was still writing to."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next_behaviour(self, body: dict) -> dict:
        """The answer to a request: the script's next, in the order requests arrive (a subclass may
        choose by the request's `body` instead, where requests sent together race)."""
        return self.script.pop(0) if self.script else status(500, {"error": {"message": "script exhausted"}})


def _sse(obj) -> bytes:
    return f"data: {json.dumps(obj)}\n\n".encode()


def _chunk(text: str, finish: str | None = None, chat: bool = False) -> bytes:
    if chat:  # the chat API streams deltas of the assistant's message
        return _sse({"id": "chatcmpl-1", "object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}]})
    return _sse({"id": "cmpl-1", "object": "text_completion", "choices": [{"index": 0, "text": text,
                                                                          "finish_reason": finish}]})


def _handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            behaviour = fake.next_behaviour(body)
            kind = behaviour["kind"]
            if kind == "status":
                payload = behaviour["body"]
                data = json.dumps(payload).encode() if isinstance(payload, dict) else payload.encode()
                self.send_response(behaviour["code"])
                for name, value in behaviour["headers"].items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self.send_response(200)
            self.send_header("Content-Type", behaviour.get("content_type", "text/event-stream"))
            self.end_headers()
            if kind == "raw":
                self.wfile.write(behaviour["data"])
                return
            chat = self.path.endswith("/chat/completions")
            if kind in ("endless", "trickle"):
                self._forever(behaviour, chat)
                return
            for text in behaviour["texts"]:
                self.wfile.write(_chunk(text, chat=chat))
                self.wfile.flush()
            if kind == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if kind == "stall":
                time.sleep(behaviour["seconds"])
                return
            self.wfile.write(_chunk("", behaviour["finish"], chat=chat))
            if behaviour["usage"]:
                self.wfile.write(_sse({"choices": [], "usage": behaviour["usage"]}))
            self.wfile.write(b"data: [DONE]\n\n")

        def _forever(self, behaviour: dict, chat: bool) -> None:
            try:
                if behaviour["kind"] == "trickle":
                    self.wfile.write(b"data: ")
                elif behaviour.get("first"):
                    self.wfile.write(_chunk(behaviour["first"], chat=chat))
                while True:
                    if behaviour["kind"] == "trickle":
                        self.wfile.write(b"x")
                    else:
                        self.wfile.write(_chunk(behaviour["texts"][0], chat=chat))
                    self.wfile.flush()
                    time.sleep(behaviour["every"])
            except OSError:  # the client hung up: what it should do
                fake.hung_up.set()

    return Handler
