"""Models in Ollama's store, used in place: manifests and blobs as Ollama writes them."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from vibecli.models import ollama, resolve_model
from vibecli.core import VibeError
from vibecli.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import run_cli  # noqa: E402
from fakehub import make_gguf  # noqa: E402


def add_model(store: Path, host: str, namespace: str, model: str, tag: str, gguf: Path) -> Path:
    data = gguf.read_bytes()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blob = store / "blobs" / digest.replace(":", "-")
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    manifest = store / "manifests" / host / namespace / model / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:" + "c" * 64, "size": 10},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": digest, "size": len(data)},
            {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "d" * 64, "size": 10},
        ],
    }))
    return blob


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "ollama"
    monkeypatch.setenv("OLLAMA_MODELS", str(root))
    return root


def test_models_are_found_by_their_ollama_names(store, tmp_path):
    coder = add_model(store, "registry.ollama.ai", "library", "coder", "7b", make_gguf(tmp_path / "a.gguf"))
    add_model(store, "hf.co", "acme", "tiny-GGUF", "Q4_K_M", make_gguf(tmp_path / "b.gguf", layers=3))
    assert [m.name for m in ollama.models()] == ["ollama:hf.co/acme/tiny-GGUF:Q4_K_M", "ollama:coder:7b"]
    assert ollama.find("ollama:coder:7b").path == coder


def test_use_an_ollama_model_and_run_it_from_its_blob(store, tmp_path, vibecli_home):
    blob = add_model(store, "registry.ollama.ai", "library", "coder", "latest", make_gguf(tmp_path / "a.gguf"))
    assert run_cli("model", "use", "ollama:coder").exit_code == 0
    listed = json.loads(run_cli("model", "list", "--json").stdout)["models"]
    active = [m for m in listed if m["active"]]
    assert [(m["name"], m["source"], m["path"]) for m in active] == [("ollama:coder:latest", "ollama", str(blob))]
    resolved = resolve_model(Settings(model="ollama:coder:latest"), vibecli_home / "cache")
    assert resolved.path == blob and resolved.name == "ollama:coder:latest"


def test_a_model_ollama_does_not_have_is_one_line(store):
    with pytest.raises(VibeError, match=r"Ollama has no model 'coder:latest' in .*ollama pull coder:latest"):
        ollama.find("ollama:coder")
    result = run_cli("model", "use", "ollama:coder:13b")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
