"""Every backend bounds an answer itself: max_tokens counted as it arrives, call_timeout on the whole
call, whatever the server (a real loopback one) or the script does; and the proxy variables."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from fake_openai import FakeOpenAI, endless, raw, stream, trickle

from vibecli.backends.bounds import MAX_TOKEN_CHARS, CallTimeout
from vibecli.backends.openai import EndpointProtocolError, EndpointUnreachable, OpenAIBackend
from vibecli.backends.openai_wire import MAX_LINE_BYTES
from vibecli.backends.proxy import proxy_for
from vibecli.backends.replay import ReplayBackend


def backend(url: str, **kwargs) -> OpenAIBackend:
    kwargs.setdefault("backoff_s", 0.01)
    return OpenAIBackend(url, **kwargs)


def test_a_server_that_ignores_max_tokens_is_read_no_further():
    with FakeOpenAI(endless("tok ")) as fake:
        generation = backend(fake.url).generate("p", max_tokens=50)
        text = "".join(generation)
        assert fake.hung_up.wait(5)  # the connection was closed, so the server stops generating
    assert text == "tok " * 50
    assert generation.usage.finish == "length" and generation.usage.completion_tokens == 50


def test_huge_chunks_are_cut_by_characters_too():
    with FakeOpenAI(endless("y" * 10_000)) as fake:
        generation = backend(fake.url).generate("p", max_tokens=10)
        text = "".join(generation)
    assert len(text) == 10 * MAX_TOKEN_CHARS and generation.usage.finish == "length"


def test_a_server_that_trickles_forever_is_cut_at_call_timeout():
    with FakeOpenAI(trickle(every=0.1)) as fake:
        started = time.monotonic()
        with pytest.raises(CallTimeout, match="call_timeout"):
            "".join(backend(fake.url, timeout=30, call_timeout=1.0).generate("p", max_tokens=100))
        assert time.monotonic() - started < 5
        assert fake.hung_up.wait(5)


def test_a_slow_endless_stream_is_cut_at_call_timeout_between_tokens():
    with FakeOpenAI(endless("a ", every=0.05)) as fake:
        with pytest.raises(CallTimeout):
            "".join(backend(fake.url, call_timeout=0.6).generate("p", max_tokens=100_000))


def test_a_line_longer_than_any_chunk_is_refused():
    line = b"data: " + b"z" * (MAX_LINE_BYTES + 10) + b"\n\n"
    with FakeOpenAI(raw(line)) as fake:
        with pytest.raises(EndpointProtocolError, match="longer than"):
            "".join(backend(fake.url).generate("p", max_tokens=10))


def test_a_json_answer_larger_than_max_tokens_allows_is_refused():
    body = json.dumps({"choices": [{"text": "w" * 3_000_000, "finish_reason": "stop"}]}).encode()
    with FakeOpenAI(raw(body, content_type="application/json")) as fake:
        with pytest.raises(EndpointProtocolError, match="more than"):
            "".join(backend(fake.url).generate("p", max_tokens=10))


def test_replay_answers_stop_at_max_tokens_words():
    def one(tmp, text, **kwargs):
        path = tmp / "a.jsonl"
        path.write_text(json.dumps({"text": text, **kwargs}) + "\n")
        return ReplayBackend(path, call_timeout=kwargs.get("timeout", 600))

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        generation = one(tmp, "one two three four five").generate("p", max_tokens=3)
        assert "".join(generation) == "one two three " and generation.usage.finish == "length"
        generation = one(tmp, "x" * 10_000_000).generate("p", max_tokens=100)
        assert len("".join(generation)) == 100 * MAX_TOKEN_CHARS and generation.usage.finish == "length"
        slow = one(tmp, "a b c d e f g h", delay=0.3)
        slow.call_timeout = 0.5
        with pytest.raises(CallTimeout):
            "".join(slow.generate("p", max_tokens=100))


# -- proxies

class _Recorder:
    """A loopback 'proxy' that records the first line and headers of each request and refuses it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests.append(data.decode("latin-1"))
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self):
        self.sock.close()


def test_http_goes_through_the_proxy_with_an_absolute_url(monkeypatch):
    with FakeOpenAI(stream("via the proxy")) as proxy:
        port = urlsplit(proxy.url).port
        monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        text = "".join(backend("http://model.internal:8080/v1").generate("p", max_tokens=10))
    assert text == "via the proxy"
    request = proxy.requests[0]
    assert request["path"] == "http://model.internal:8080/v1/completions"
    assert request["headers"]["Proxy-Authorization"] == "Basic dXNlcjpzZWNyZXQ="


def test_https_goes_through_a_connect_tunnel(monkeypatch):
    recorder = _Recorder()
    try:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{recorder.port}")
        with pytest.raises(EndpointUnreachable):
            "".join(backend("https://api.example.com/v1", retries=0).generate("p", max_tokens=10))
    finally:
        recorder.close()
    assert recorder.requests and recorder.requests[0].startswith("CONNECT api.example.com:443 ")
    assert "/v1/completions" not in recorder.requests[0]  # the request itself goes inside the tunnel


def test_no_proxy_and_loopback_connect_directly(monkeypatch):
    recorder = _Recorder()
    try:
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{recorder.port}")
        monkeypatch.setenv("no_proxy", "example.org,.internal")
        assert proxy_for(urlsplit("http://model.internal:8080/v1")) is None
        assert proxy_for(urlsplit("http://api.example.org/v1")) is None
        assert proxy_for(urlsplit("http://other.example.com/v1")).port == recorder.port
        for url in ("http://127.0.0.1:8080/v1", "http://localhost:1/v1", "http://[::1]:8080/v1"):
            assert proxy_for(urlsplit(url)) is None, url
        with FakeOpenAI(stream("direct")) as fake:  # on loopback: reached although a proxy is set
            assert "".join(backend(fake.url).generate("p", max_tokens=5)) == "direct"
    finally:
        recorder.close()
    assert recorder.requests == []


def test_a_proxy_vibecli_cannot_speak_to_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(Exception, match="not an http:// proxy"):
        "".join(backend("https://api.example.com/v1").generate("p", max_tokens=5))
