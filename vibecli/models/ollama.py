"""Models Ollama has already downloaded, used in place without running Ollama.

Ollama keeps a manifest per model tag, `OLLAMA_MODELS/manifests/HOST/NAMESPACE/MODEL/TAG` (JSON,
OCI-like), whose layer of media type `application/vnd.ollama.image.model` is the GGUF itself,
stored as `OLLAMA_MODELS/blobs/sha256-HEX`. OLLAMA_MODELS defaults to ~/.ollama/models.
Names are written as in Ollama (`qwen2.5-coder:7b`, `library/` and `registry.ollama.ai/` left
out), prefixed with `ollama:`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from vibecli.core import VibeError

PREFIX = "ollama:"
MODEL_LAYER = "application/vnd.ollama.image.model"
DEFAULT_HOST = "registry.ollama.ai"


@dataclass(frozen=True)
class OllamaModel:
    name: str
    """`ollama:MODEL:TAG` (with `NAMESPACE/` or `HOST/NAMESPACE/` when they are not the defaults)."""
    path: Path
    digest: str


def store() -> Path:
    return Path(os.environ.get("OLLAMA_MODELS") or Path.home() / ".ollama" / "models").expanduser()


def models(root: Path | None = None) -> list[OllamaModel]:
    root = root or store()
    manifests = root / "manifests"
    if not manifests.is_dir():
        return []
    found = []
    for manifest in sorted(p for p in manifests.glob("*/*/*/*") if p.is_file()):
        model = _model_of(root, manifest)
        if model is not None:
            found.append(model)
    return found


def _model_of(root: Path, manifest: Path) -> OllamaModel | None:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    layers = data.get("layers") if isinstance(data, dict) else None
    for layer in layers or []:
        if isinstance(layer, dict) and layer.get("mediaType") == MODEL_LAYER:
            digest = str(layer.get("digest", ""))
            blob = root / "blobs" / digest.replace(":", "-")
            if not blob.is_file():
                return None
            host, namespace, model, tag = manifest.relative_to(root / "manifests").parts
            name = f"{model}:{tag}"
            if namespace != "library" or host != DEFAULT_HOST:
                name = f"{namespace}/{name}" if host == DEFAULT_HOST else f"{host}/{namespace}/{name}"
            return OllamaModel(PREFIX + name, blob, digest)
    return None


def find(value: str, root: Path | None = None) -> OllamaModel:
    """`ollama:NAME[:TAG]` (tag `latest` when left out)."""
    name = value[len(PREFIX):]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    for model in models(root):
        if model.name == PREFIX + name:
            return model
    raise VibeError(
        f"Ollama has no model {name!r} in {root or store()} (`ollama pull {name}` fetches it; OLLAMA_MODELS moves the store)"
    )
