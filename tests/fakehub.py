"""A real HTTP server on 127.0.0.1 that answers the hub paths huggingface_hub uses to pull a file.

- GET  /api/models/OWNER/NAME[/revision/REV]?blobs=true   model info with siblings (size, LFS sha256)
- HEAD /OWNER/NAME/resolve/REV/FILE                        X-Repo-Commit, ETag, X-Linked-Etag (the
                                                           sha256), X-Linked-Size, Content-Length
- GET  /OWNER/NAME/resolve/REV/FILE                        the bytes, with Range (206) support

as huggingface_hub's file_download.py (get_hf_file_metadata, http_get) and hf_api.py (model_info)
expect them. Knobs for the failure cases: a private repo (401 without the right token), a lying
sha256, a rate limit, and a connection dropped after N bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HubFile:
    path: Path
    sha256: str = ""
    advertised_sha256: str | None = None
    """What the hub claims (a wrong value makes the checksum case)."""

    def __post_init__(self):
        if not self.sha256:
            digest = hashlib.sha256()
            with self.path.open("rb") as src:
                while block := src.read(4 << 20):
                    digest.update(block)
            self.sha256 = digest.hexdigest()


@dataclass
class HubRepo:
    files: dict[str, HubFile]
    token: str | None = None
    """When set, the repository is private: requests need `Authorization: Bearer TOKEN`."""


@dataclass
class FakeHub:
    repos: dict[str, HubRepo] = field(default_factory=dict)
    rate: int | None = None
    """Bytes per second for file bodies (None: as fast as possible)."""
    drop_after: int | None = None
    """Close the connection after this many body bytes, once."""
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(method, path, Range header) of every request, in order."""
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeHub":
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_GET(self) -> None:
        self._route(head=False)

    def _route(self, head: bool) -> None:
        path = self.path.split("?")[0]
        self.hub.requests.append((self.command, path, self.headers.get("Range")))
        try:
            if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?", path):
                self._info(m.group(1), head)
            elif m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
                self._resolve(m.group(1), m.group(3), head)
            else:
                self._error(404, "EntryNotFound", "no such path")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _repo(self, name: str) -> HubRepo | None:
        repo = self.hub.repos.get(name)
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {name} not found")
            return None
        if repo.token and self.headers.get("Authorization") != f"Bearer {repo.token}":
            self._error(401, None, "Invalid username or password.")
            return None
        return repo

    def _info(self, name: str, head: bool) -> None:
        repo = self._repo(name)
        if repo is None:
            return
        siblings = [
            {
                "rfilename": fname, "size": f.path.stat().st_size, "blobId": f.sha256[:40],
                "lfs": {"sha256": f.advertised_sha256 or f.sha256, "size": f.path.stat().st_size, "pointerSize": 134},
            }
            for fname, f in repo.files.items()
        ]
        siblings.append({"rfilename": "README.md", "size": 12, "blobId": "f" * 40})
        body = json.dumps({"id": name, "modelId": name, "sha": COMMIT, "private": bool(repo.token),
                           "siblings": siblings}).encode()
        self._send(200, body, {"Content-Type": "application/json"}, head)

    def _resolve(self, name: str, fname: str, head: bool) -> None:
        repo = self._repo(name)
        if repo is None:
            return
        f = repo.files.get(fname)
        if f is None:
            self._error(404, "EntryNotFound", f"{fname} does not exist", {"X-Repo-Commit": COMMIT})
            return
        self._blob(f, head)

    def _blob(self, f: HubFile, head: bool) -> None:
        path = f.path
        size = path.stat().st_size
        start, status = 0, 200
        if rng := self.headers.get("Range"):
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
            if m:
                start, status = int(m.group(1)), 206
        headers = {
            "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", "X-Repo-Commit": COMMIT,
            "ETag": f'"{f.sha256[:40]}"', "X-Linked-Etag": f'"{f.advertised_sha256 or f.sha256}"', "X-Linked-Size": str(size),
        }
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        if head:
            return
        sent, began = 0, time.monotonic()
        with path.open("rb") as src:
            src.seek(start)
            while block := src.read(64 << 10):
                if self.hub.drop_after is not None and sent + len(block) > self.hub.drop_after:
                    self.wfile.write(block[: max(0, self.hub.drop_after - sent)])
                    self.wfile.flush()
                    self.hub.drop_after = None
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(block)
                sent += len(block)
                if self.hub.rate:
                    ahead = sent / self.hub.rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)

    def _error(self, status: int, code: str | None, message: str, extra: dict | None = None) -> None:
        headers = {"X-Error-Message": message, "Content-Type": "application/json", **(extra or {})}
        if code:
            headers["X-Error-Code"] = code
        self._send(status, json.dumps({"error": message}).encode(), headers, self.command == "HEAD")

    def _send(self, status: int, body: bytes, headers: dict, head: bool) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def make_gguf(path: Path, *, chat_template: str | None = None, layers: int = 2, embd: int = 64,
              context: int = 2048, file_type: int = 15, name: str = "tiny", claimed_layers: int | None = None) -> Path:
    """A small, real GGUF written with the `gguf` package (random weights, llama-shaped header).
    `claimed_layers` puts another block count in the header than the tensors hold (a huge "model")."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_block_count(claimed_layers or layers)
    writer.add_context_length(context)
    writer.add_embedding_length(embd)
    writer.add_feed_forward_length(embd * 2)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(file_type)
    if chat_template is not None:
        writer.add_chat_template(chat_template)
    rng = np.random.default_rng(0)
    writer.add_tensor("token_embd.weight", rng.standard_normal((32, embd), dtype=np.float32))
    for i in range(layers):
        writer.add_tensor(f"blk.{i}.attn_q.weight", rng.standard_normal((embd, embd), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
