"""The models vibecli knows: the embedded one, pulled ones, and local files named in config.

A model setting (`model:` in config, `--model`, `VIBECLI_MODEL`) is a path to a GGUF, the name of
a pulled model (its file stem, or OWNER/REPO/STEM when two repositories hold the same file name),
a model Ollama downloaded (`ollama:NAME:TAG`), or the embedded model (`gemma-3-270m-q4_k_m`, or
its alias `embedded`). Only GGUF headers are read here, never whole files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from vibecli.core import UsageError, VibeError
from vibecli.models import DEFAULT_ALIAS as EMBEDDED
from vibecli.models import DEFAULT_NAME as EMBEDDED_NAME


def is_embedded(value: str | None) -> bool:
    """Whether a model setting names the embedded model: its name (which wins over a pulled model
    of the same file name: that one is OWNER/REPO/NAME) or its alias."""
    return value in (EMBEDDED, EMBEDDED_NAME)


@dataclass(frozen=True)
class PulledModel:
    name: str
    qualified: str
    path: Path
    record: dict


@dataclass
class Entry:
    name: str
    source: str
    """`embedded`, `pulled`, `ollama`, `user config` or `project config`."""
    path: Path | None
    size: int | None = None
    architecture: str | None = None
    parameters: int | None = None
    quantization: str | None = None
    context_length: int | None = None
    chat_template: bool | None = None
    active: bool = False
    note: str = ""

    def to_json(self) -> dict:
        return {
            "name": self.name, "source": self.source, "path": str(self.path) if self.path else None,
            "size_bytes": self.size, "architecture": self.architecture, "parameters": self.parameters,
            "quantization": self.quantization, "context_length": self.context_length,
            "chat_template": self.chat_template, "active": self.active, "note": self.note,
        }


def pulled_models(root: Path) -> list[PulledModel]:
    found = []
    if not root.is_dir():
        return found
    for record_file in sorted(root.glob("*/*.gguf.json")):
        model = record_file.with_name(record_file.name[: -len(".json")])
        if not model.is_file():
            continue
        try:
            record = json.loads(record_file.read_text())
        except (OSError, ValueError):
            record = {}
        repo = record.get("repo") or record_file.parent.name.replace("--", "/", 1)
        found.append(PulledModel(model.stem, f"{repo}/{model.stem}", model, record))
    return found


def find_pulled(value: str, root: Path) -> PulledModel | None:
    """The pulled model a name means; an ambiguous name is an error that lists the full names."""
    value = value.removesuffix(".gguf")
    matches = [m for m in pulled_models(root) if value in (m.name, m.qualified)]
    if len(matches) > 1:
        raise UsageError(f"{value!r} names several pulled models: {', '.join(m.qualified for m in matches)}")
    return matches[0] if matches else None


def looks_like_path(value: str) -> bool:
    return value.endswith(".gguf") and ("/" in value or "\\" in value or Path(value).exists()) or value.startswith(("/", ".", "~"))


def model_path(value: str, pulled_root: Path) -> Path | None:
    """The file a model setting means; None for the embedded model."""
    if is_embedded(value):
        return None
    if value.startswith("ollama:"):
        from vibecli.models import ollama

        return ollama.find(value).path
    path = Path(value).expanduser()
    if path.is_file() or looks_like_path(value):
        return path
    pulled = find_pulled(value, pulled_root)
    if pulled is not None:
        return pulled.path
    raise VibeError(
        f"no model named {value!r}: give a path to a GGUF, a name from `vibecli model list`, "
        "or pull it with `vibecli model pull OWNER/REPO`"
    )


_FACTS = ("size", "architecture", "parameters", "quantization", "context_length", "chat_template")


def describe(entry: Entry, memo_dir: Path | None = None) -> Entry:
    """Fill in an entry's facts from its GGUF header (or a one-line note when the header is bad).
    With `memo_dir`, facts are remembered by path, size and mtime: a header with a 262k-token
    vocabulary takes ~0.1 s to walk."""
    from vibecli.models.gguf_info import read_gguf

    if entry.path is None:
        return entry
    memo = _memo_file(entry.path, memo_dir)
    if memo is not None:
        try:
            facts = json.loads(memo.read_text())
            for key in _FACTS:
                setattr(entry, key, facts[key])
            return entry
        except (OSError, ValueError, KeyError):
            pass
    try:
        info = read_gguf(entry.path)
    except VibeError as exc:
        entry.note = exc.message
        return entry
    entry.size, entry.architecture, entry.parameters = info.size, info.architecture, info.parameters
    entry.quantization, entry.context_length = info.quantization, info.context_length
    entry.chat_template = isinstance(info.metadata.get("tokenizer.chat_template"), str)
    if memo is not None:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo.write_text(json.dumps({key: getattr(entry, key) for key in _FACTS}))
        except OSError:
            pass
    return entry


def _memo_file(path: Path, memo_dir: Path | None) -> Path | None:
    if memo_dir is None:
        return None
    try:
        st = path.stat()
        key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    except OSError:
        return None
    import hashlib

    return memo_dir / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def entries(cache_dir: Path, pulled_root: Path, configured: dict[str, str | None], active: str | None) -> list[Entry]:
    """Every known model, described from its header. `configured` maps a config layer to its `model` value."""
    result = [_embedded_entry(cache_dir)]
    for model in pulled_models(pulled_root):
        entry = Entry(model.qualified if is_embedded(model.name) else model.name, "pulled", model.path)
        entry.note = model.record.get("repo", "")
        result.append(entry)
    from vibecli.models import ollama

    for model in ollama.models():
        result.append(Entry(model.name, "ollama", model.path, note=model.digest[:19]))
    known = {e.path.resolve() for e in result if e.path is not None and e.path.exists()}
    for layer, value in configured.items():
        if not value or is_embedded(value) or value.startswith("ollama:") or not looks_like_path(value) and not Path(value).expanduser().exists():
            continue
        path = Path(value).expanduser()
        if path.exists() and path.resolve() in known:
            continue
        known.add(path.resolve() if path.exists() else path)
        result.append(Entry(path.stem, layer, path))
    active_path = None
    if active and not is_embedded(active):
        try:
            active_path = model_path(active, pulled_root)
        except VibeError:
            active_path = None
    for entry in result:
        describe(entry, cache_dir / "gguf-facts")
        if active_path is None and not active or is_embedded(active):
            entry.active = entry.source == "embedded"
        elif active_path is not None and entry.path is not None:
            entry.active = _same(entry.path, active_path)
    return result


def _embedded_entry(cache_dir: Path) -> Entry:
    from vibecli.models import default_package as model_package

    try:
        package = model_package()
    except VibeError:
        return Entry(EMBEDDED_NAME, "embedded", None, note="the embedded model package is not installed")
    path = cache_dir / "models" / package.MODEL_NAME
    if path.is_file():
        return Entry(EMBEDDED_NAME, "embedded", path)
    try:
        size = sum(chunk.stat().st_size for chunk in package.chunk_paths())
    except (OSError, FileNotFoundError):
        size = None
    return Entry(EMBEDDED_NAME, "embedded", None, size=size, note="assembled on first use")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def remove(value: str, pulled_root: Path) -> tuple[PulledModel, int]:
    """Delete a pulled model (and any partial download of it); returns it and the bytes freed."""
    if is_embedded(value):
        raise UsageError("the embedded model ships with vibecli and cannot be removed")
    model = find_pulled(value, pulled_root)
    if model is None:
        raise VibeError(f"no pulled model named {value!r} (see `vibecli model list`); vibecli removes only models it pulled")
    freed = 0
    for path in (model.path, model.path.with_name(model.path.name + ".json"),
                 model.path.with_name(model.path.name + ".part"), model.path.with_name(model.path.name + ".part.json")):
        try:
            size = path.stat().st_size
            path.unlink()
            freed += size
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise VibeError(f"cannot remove {path}: {exc.strerror}") from None
    try:
        model.path.parent.rmdir()  # only when it is empty
    except OSError:
        pass
    return model, freed


_MODEL_LINE = re.compile(r"^model\s*:.*$", re.MULTILINE)


def write_model_setting(config_file: Path, value: str | None) -> None:
    """Set the top-level `model:` key of a YAML config file, keeping its other lines and comments."""
    line = f"model: {json.dumps(value)}" if value is not None else "model: null"
    try:
        text = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise VibeError(f"cannot read {config_file}: {exc}") from None
    if _MODEL_LINE.search(text):
        text = _MODEL_LINE.sub(lambda _: line, text, count=1)
    else:
        text = text + ("" if not text or text.endswith("\n") else "\n") + line + "\n"
    try:
        config_file.parent.mkdir(parents=True, exist_ok=True)
        partial = config_file.with_name(config_file.name + ".tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(config_file)
    except OSError as exc:
        raise VibeError(f"cannot write {config_file}: {exc.strerror}") from None
