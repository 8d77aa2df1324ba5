"""Layered settings: defaults < user config < project .vibecli.yaml < VIBECLI_* environment < flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from vibecli.core import VibeError

PROJECT_FILE = ".vibecli.yaml"
GRAMMAR_MODES = ("lazy", "always", "off")
EDIT_FORMATS = ("auto", "symbol", "search", "whole")
BACKENDS = ("llama", "replay")


@dataclass(frozen=True)
class Settings:
    model: str | None = None
    """Path to a GGUF model; empty means the embedded gemma-3-270m."""
    adapter: str | None = None
    """A GGUF LoRA adapter (from `vibecli train`) that llama.cpp applies over the model."""
    backend: str = "llama"
    """`llama` (llama.cpp in process) or `replay` (scripted answers from `replay_file`)."""
    replay_file: str | None = None
    """JSON Lines of scripted model answers, for `backend: replay`."""
    threads: int | None = None
    """CPU threads for llama.cpp; empty means all cores."""
    gpu_layers: int = 0
    """Layers to offload to a GPU (-1 = all); needs a GPU build of llama-cpp-python."""
    seed: int = 0
    """Sampling seed."""
    temperature: float = 0.0
    """0 is greedy decoding."""
    max_tokens: int = 768
    """Most tokens the model may generate for one answer."""
    max_attempts: int = 3
    """Answers to try before giving up with exit 3; each rejection goes back to the model."""
    edit_format: str = "auto"
    """`auto` (whole files when every file in context is small, else symbol), `symbol` (edits addressed
    by definition), `search` (search/replace blocks) or `whole` (whole files)."""
    grammar: str = "lazy"
    """`lazy`: decode free, re-decode under the envelope grammar on a miss; `always`; `off`."""
    max_file_bytes: int = 1_000_000
    """Files larger than this are refused as edit targets."""
    log: bool = True
    """Record every run in the logbook."""
    commit: bool = True
    """Commit each applied edit."""
    lint_cmd: str | None = None
    """A lint command run after each edit (`checks: {lint: ...}` in YAML); failures go back to the model."""
    test_cmd: str | None = None
    """A test command run after the lint command (`checks: {test: ...}`)."""
    max_rounds: int = 3
    """Edits to try against failing checks before giving up with exit 4."""
    check_timeout: int = 600
    timeout: int | None = None
    """Seconds the model may take over one run (every attempt together); empty means no limit."""
    """Seconds each check may run."""
    confirm: bool = False
    """Show the diff and ask before writing (only at a terminal; `--yes` skips the question)."""


_FIELDS = {f.name: f for f in fields(Settings)}
_TYPES = {
    "model": (str, type(None)),
    "adapter": (str, type(None)),
    "backend": (str,),
    "replay_file": (str, type(None)),
    "threads": (int, type(None)),
    "gpu_layers": (int,),
    "seed": (int,),
    "temperature": (float, int),
    "max_tokens": (int,),
    "max_attempts": (int,),
    "grammar": (str,),
    "edit_format": (str,),
    "max_file_bytes": (int,),
    "log": (bool,),
    "commit": (bool,),
    "confirm": (bool,),
    "lint_cmd": (str, type(None)),
    "test_cmd": (str, type(None)),
    "max_rounds": (int,),
    "check_timeout": (int,),
    "timeout": (int, type(None)),
}


def _check(key: str, value: Any, source: str) -> Any:
    if key not in _FIELDS:
        raise VibeError(f"{source}: unknown key '{key}' (known: {', '.join(sorted(_FIELDS))})")
    allowed = _TYPES[key]
    if isinstance(value, bool) and bool not in allowed:
        raise VibeError(f"{source}: '{key}' must be {_type_names(allowed)}, not {value!r}")
    if not isinstance(value, allowed):
        raise VibeError(f"{source}: '{key}' must be {_type_names(allowed)}, not {value!r}")
    if key == "backend" and value not in BACKENDS:
        raise VibeError(f"{source}: 'backend' must be one of {', '.join(BACKENDS)}, not {value!r}")
    if key == "edit_format" and value not in EDIT_FORMATS:
        raise VibeError(f"{source}: 'edit_format' must be one of {', '.join(EDIT_FORMATS)}, not {value!r}")
    if key == "grammar" and value not in GRAMMAR_MODES:
        raise VibeError(f"{source}: 'grammar' must be one of {', '.join(GRAMMAR_MODES)}, not {value!r}")
    if key in ("max_tokens", "max_attempts", "max_file_bytes", "threads", "max_rounds", "check_timeout", "timeout") \
            and value is not None and value < 1:
        raise VibeError(f"{source}: '{key}' must be at least 1, not {value!r}")
    if key == "gpu_layers" and value < -1:
        raise VibeError(f"{source}: 'gpu_layers' must be -1 (all) or more, not {value!r}")
    if key == "temperature" and value < 0:
        raise VibeError(f"{source}: 'temperature' must not be negative, not {value!r}")
    return float(value) if key == "temperature" else value


def _expand_checks(values: dict, source: str) -> dict:
    """`checks: {lint: CMD, test: CMD}` is the YAML spelling of lint_cmd and test_cmd."""
    if "checks" not in values:
        return values
    values = dict(values)
    checks = values.pop("checks")
    if checks is None:
        return values
    if not isinstance(checks, dict):
        raise VibeError(f"{source}: 'checks' must be a mapping with 'lint' and/or 'test'")
    for name, command in checks.items():
        if name not in ("lint", "test"):
            raise VibeError(f"{source}: unknown key 'checks.{name}' (known: lint, test)")
        values[f"{name}_cmd"] = command
    return values


def _type_names(types: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", type(None): "empty"}
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _read_yaml(path: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VibeError(f"{path}: cannot read: {exc.strerror}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise VibeError(f"{path}: not valid YAML: {first}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise VibeError(f"{path}: must be a mapping of keys to values")
    return data


def _from_env(environ: Mapping[str, str]) -> dict:
    values: dict[str, Any] = {}
    for key in _FIELDS:
        raw = environ.get(f"VIBECLI_{key.upper()}")
        if raw is None:
            continue
        values[key] = _parse_env(key, raw)
    if environ.get("VIBECLI_NO_LOG", "") not in ("", "0"):
        values["log"] = False
    return values


def _parse_env(key: str, raw: str) -> Any:
    source = f"environment VIBECLI_{key.upper()}"
    allowed = _TYPES[key]
    if raw == "" and type(None) in allowed:
        return None
    try:
        if bool in allowed:
            lowered = raw.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if int in allowed and float not in allowed:
            return int(raw)
        if float in allowed:
            return float(raw)
    except ValueError:
        raise VibeError(f"{source}: '{key}' must be {_type_names(allowed)}, not {raw!r}") from None
    return raw


def load_settings(
    *,
    user_file: Path | None,
    project_root: Path | None,
    environ: Mapping[str, str] = os.environ,
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge every layer; flags whose value is None are not given."""
    settings = Settings()
    layers: list[tuple[str, dict]] = []
    if user_file is not None and user_file.is_file():
        layers.append((str(user_file), _read_yaml(user_file)))
    if project_root is not None and (project_root / PROJECT_FILE).is_file():
        path = project_root / PROJECT_FILE
        layers.append((str(path), _read_yaml(path)))
    for source, values in layers:
        values = _expand_checks(values, source)
        settings = replace(settings, **{k: _check(k, v, source) for k, v in values.items()})
    settings = replace(settings, **{k: _check(k, v, "environment") for k, v in _from_env(environ).items()})
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    settings = replace(settings, **{k: _check(k, v, f"option --{k.replace('_', '-')}") for k, v in given.items()})
    if settings.backend == "replay" and not settings.replay_file:
        raise VibeError("the replay backend needs --replay-file FILE (or replay_file in config)")
    return settings
