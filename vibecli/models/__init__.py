"""The model store: which GGUF a model setting means, and where it comes from (the embedded
default, pulled from the hub, Ollama's store, a path). Apart from the backends that run models.

The default model is named here and nowhere else: every other module asks this one for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vibecli.core import VibeError
from vibecli.models import embedded as _default

DEFAULT_NAME = _default.NAME
"""The default model's one name: `model list`, `model info`, the banner, the logbook, the commit trailer."""
DEFAULT_ALIAS = _default.ALIAS
Progress = _default.Progress


@dataclass(frozen=True)
class ModelFile:
    path: Path
    name: str
    sha256: str
    context_length: int | None
    embedded: bool


def default_model_path(cache_dir: Path, progress: Progress | None = None) -> Path:
    """The default model's GGUF, assembled into the cache on first use."""
    return _default.embedded_model_path(cache_dir, progress)


def default_sha256() -> str:
    return _default.expected_sha256()


def default_package():
    """The installed package that ships the default model (a VibeError when it is missing)."""
    return _default.model_package()


def resolve_model(settings, cache_dir: Path, progress: Progress | None = None) -> ModelFile:
    """The GGUF to use: --model/config, or the embedded one (assembled on first use). Checks its header."""
    from vibecli.models.catalog import model_path
    from vibecli.models.digest import file_sha256
    from vibecli.models.gguf_info import read_gguf

    path = model_path(settings.model, cache_dir / "pulled") if settings.model else None
    if path is not None:
        info = read_gguf(path)
        sha = file_sha256(path, cache_dir)
        name = settings.model if settings.model.startswith("ollama:") else path.stem
        return ModelFile(path, name, sha, info.context_length, embedded=False)
    path = default_model_path(cache_dir, progress)
    info = read_gguf(path)
    return ModelFile(path, DEFAULT_NAME, default_sha256(), info.context_length, embedded=True)


def model_key(settings, cache_dir: Path) -> str:
    """Which model the settings mean, without reading it (what its tokenizer's counts are kept
    under): the embedded model's sha256, or the file's path, size and modification time."""
    from vibecli.models.catalog import model_path

    path = model_path(settings.model, cache_dir / "pulled") if settings.model else None
    if path is None:
        return f"sha256:{default_sha256()}"
    try:
        st = path.stat()
        return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    except OSError as exc:
        raise VibeError(f"cannot read the model {path}: {exc.strerror}") from None
