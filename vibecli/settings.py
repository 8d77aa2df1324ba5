"""Layered settings: defaults < user config < project .vibecli.yaml < VIBECLI_* environment < flags."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from vibecli.core import UsageError, VibeError

PROJECT_FILE = ".vibecli.yaml"
GRAMMAR_MODES = ("lazy", "always", "off")
EDIT_FORMATS = ("auto", "symbol", "search", "whole")
ROUTES = ("local", "remote", "auto")
LOOKUP_MODES = ("auto", "on", "off")
DIALECTS = ("llama.cpp", "vllm", "plain")
ENDPOINT_APIS = ("completions", "chat")
SELECT_RULES = ("agree", "greedy")
MAX_CANDIDATES = 16
PROFILE_KEYS = (
    "model", "replay_file", "threads", "gpu_layers", "seed", "temperature", "endpoint", "endpoint_model",
    "api_key_env", "endpoint_dialect", "endpoint_api", "endpoint_timeout", "endpoint_retries", "call_timeout",
)
"""What a named backend profile (`backends: {NAME: {type: ..., ...}}`) may set, besides its `type`."""
PROTECTED_PATHS = (
    ".vibecli.yaml", ".gitmodules", ".gitattributes", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml",
    ".github/workflows/**", ".github/actions/**", ".gitlab-ci.yml", ".gitlab/ci/**", ".circleci/**",
    ".travis.yml", "azure-pipelines.yml", ".buildkite/**", "bitbucket-pipelines.yml", "Jenkinsfile", ".drone.yml",
    ".husky/**", ".githooks/**", ".envrc", ".vscode/tasks.json", ".vscode/settings.json", ".vscode/launch.json",
    ".devcontainer/**", "mise.toml", ".mise.toml",
)
"""Files that make something run without the user asking (vibecli's config, git's, hooks, CI, editors'
workspace tasks): written only when the user names them for the run. `.git` is refused always."""
USER_ONLY_KEYS = ("protected_paths", "unsafe_fixes")
"""Keys that only the user config may set: a repository must not loosen what guards it."""

# Trusting a project's configuration. A project's .vibecli.yaml came with the repository, so it is
# someone else's until the user trusts that exact file (`vibecli trust`). Each setting that could
# run a command, read a secret or reach a network says so in its declaration, with one of:
ALWAYS = {"trust": "always"}
"""Whatever its value: the checks (run through the shell), the endpoint and what is sent to it, the
name of the variable holding a secret, backend profiles (each may hold all of those)."""
NETWORK = {"trust": "network"}
"""Only when its value picks a backend that is not a local one (llama, replay): `backend`, `remote`,
and `route` when the remote it would use is such a backend."""
OUTSIDE = {"trust": "outside"}
"""Only when the file it names lies outside the repository: absolute, `~`, `..`, `NAME:` (Ollama's
store), or a link that leads out."""
# Every other setting (edit_format, max_tokens, map_tokens, timeouts, ...) shapes what vibecli does
# with the model and the files it was given anyway, and keeps working in an untrusted file.


@dataclass(frozen=True)
class Settings:
    model: str | None = field(default=None, metadata=OUTSIDE)
    """Path to a GGUF model; empty means the embedded gemma-3-270m."""
    adapter: str | None = field(default=None, metadata=OUTSIDE)
    """A GGUF LoRA adapter (from `vibecli train`) that llama.cpp applies over the model."""
    adapter_scale: float = 1.0
    """How strongly the adapter applies (llama.cpp's lora_scale): 1 as trained, 0.5 half-way to the base."""
    backend: str = field(default="llama", metadata=NETWORK)
    """`llama` (llama.cpp in process) or `replay` (scripted answers from `replay_file`)."""
    replay_file: str | None = field(default=None, metadata=OUTSIDE)
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
    lint_cmd: str | None = field(default=None, metadata=ALWAYS)
    """A lint command run after each edit (`checks: {lint: ...}` in YAML); failures go back to the model."""
    test_cmd: str | None = field(default=None, metadata=ALWAYS)
    """A test command run after the lint command (`checks: {test: ...}`)."""
    max_rounds: int = 3
    """Edits to try against failing checks before giving up with exit 4."""
    check_timeout: int = 600
    """Seconds each check may run."""
    timeout: int | None = None
    """Seconds the model may take over one run (every attempt together); empty means no limit."""
    confirm: bool = False
    """Show the diff and ask before writing (only at a terminal; `--yes` skips the question)."""
    prompt_cache_mb: int = 512
    """Disk space for the prompt cache (KV state of earlier prompts, reused across runs); 0 turns it off."""
    lookup: str = "auto"
    """Prompt-lookup decoding of greedy answers: `auto` (where this llama.cpp build makes it exact), `on`, `off`."""
    map_tokens: int = 1024
    """Tokens of repo map (the definitions of the other files that matter most) in each prompt; 0 for none.
    Always cut to fit both this and the model's context."""
    auto_files: int = 2
    """When no file is named, how many files the repo map chooses to show the model."""
    fit_check: bool = True
    """Refuse (exit 5) to load a model whose weights and KV cache would not fit in free memory."""
    endpoint: str | None = field(default=None, metadata=ALWAYS)
    """Base URL of an OpenAI-compatible server, with its `/v1` (for `backend: openai`)."""
    endpoint_model: str | None = field(default=None, metadata=ALWAYS)
    """The `model` to ask that server for; empty sends none (servers that serve one model). Needs trust in a
    project file: on a paid API it chooses what the user is billed for."""
    api_key_env: str | None = field(default=None, metadata=ALWAYS)
    """The NAME of the environment variable that holds the API key (the key is never stored)."""
    endpoint_dialect: str = "llama.cpp"
    """`llama.cpp` (sends `grammar` and llama.cpp's sampling fields), `vllm` (`guided_grammar`) or `plain`."""
    endpoint_api: str = "completions"
    """`completions` (the prompt as plain text to continue: base models) or `chat` (the prompt as a
    user message under the server's chat template, the answer's start as an assistant prefill:
    instruction-tuned models)."""
    endpoint_timeout: float = 120.0
    """Seconds without a byte from the server before the run fails."""
    endpoint_retries: int = 2
    """Retries, with backoff, after a 429, a 5xx, a refused or a dropped connection."""
    call_timeout: float = 600.0
    """Seconds one model call may take in all, from the request to its last token, in every backend: a
    server that streams forever, ignoring max_tokens, is cut here (exit 1)."""
    route: str = field(default="local", metadata=NETWORK)
    """`local` (only `backend`), `remote` (only `remote`) or `auto` (`backend`, then `remote` when the
    answer is rejected or the checks fail)."""
    remote: str = field(default="openai", metadata=NETWORK)
    """The larger backend for `route: remote|auto`: `openai` (the endpoint_* keys) or a profile name."""
    backends: tuple = field(default=(), metadata=ALWAYS)
    """Named profiles, `backends: {NAME: {type: llama|replay|openai, KEY: VALUE...}}`, kept as sorted pairs."""
    protected_paths: tuple = PROTECTED_PATHS
    """Glob patterns (case-insensitive; without `/`: a name at any depth) of files written only when named
    on the command line; the user config's list is added to these, a project's is ignored."""
    lock_wait: int = 600
    """Seconds a run waits for another vibecli run in the same repository before giving up (exit 1)."""
    candidates: int = 1
    """Answers asked for at each attempt (1 to 16): the first greedy, the others sampled; each is validated,
    and the project's checks (run on each in a copy of the tree) or their agreement pick the one written."""
    select: str = "agree"
    """Without checks, how the written candidate is picked: `agree` (the largest group of candidates with
    the same code, ties by the model's mean log-probability; greedy when none agree) or `greedy`."""
    fixers: bool = True
    """Carry out a request that an exact tool does (ruff's own fixes, a rename across the project) with that
    tool, checked like a model's answer, before asking the model; `fix` applies ruff's fixes first."""
    unsafe_fixes: bool = False
    """Let the ruff fixer apply ruff's unsafe fixes too (they may change what the code does). User config,
    environment or flag only: a repository's file may not turn it on."""


_FIELDS = {f.name: f for f in fields(Settings)}
_TYPES = {
    "model": (str, type(None)),
    "adapter": (str, type(None)),
    "adapter_scale": (float, int),
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
    "prompt_cache_mb": (int,),
    "lookup": (bool, str),
    "map_tokens": (int,),
    "auto_files": (int,),
    "fit_check": (bool,),
    "endpoint": (str, type(None)),
    "endpoint_model": (str, type(None)),
    "api_key_env": (str, type(None)),
    "endpoint_dialect": (str,),
    "endpoint_api": (str,),
    "endpoint_timeout": (float, int),
    "endpoint_retries": (int,),
    "call_timeout": (float, int),
    "route": (str,),
    "remote": (str,),
    "backends": (dict, type(None)),
    "protected_paths": (list,),
    "lock_wait": (int,),
    "candidates": (int,),
    "select": (str,),
    "fixers": (bool,),
    "unsafe_fixes": (bool,),
}


def _check(key: str, value: Any, source: str) -> Any:
    _check_known(key, source)
    allowed = _TYPES[key]
    if isinstance(value, str) and "\0" in value:
        raise UsageError(f"{source}: '{key}' holds a NUL character")
    if isinstance(value, bool) and bool not in allowed:
        raise VibeError(f"{source}: '{key}' must be {_type_names(allowed)}, not {value!r}")
    if not isinstance(value, allowed):
        raise VibeError(f"{source}: '{key}' must be {_type_names(allowed)}, not {value!r}")
    if key in ("backend", "remote") and not value:
        raise VibeError(f"{source}: '{key}' must name a backend ({', '.join(_backend_names())}) or a profile")
    if key == "route" and value not in ROUTES:
        raise VibeError(f"{source}: 'route' must be one of {', '.join(ROUTES)}, not {value!r}")
    if key == "endpoint_dialect" and value not in DIALECTS:
        raise VibeError(f"{source}: 'endpoint_dialect' must be one of {', '.join(DIALECTS)}, not {value!r}")
    if key == "endpoint_api" and value not in ENDPOINT_APIS:
        raise VibeError(f"{source}: 'endpoint_api' must be one of {', '.join(ENDPOINT_APIS)}, not {value!r}")
    if key == "endpoint" and value and not value.startswith(("http://", "https://")):
        raise VibeError(f"{source}: 'endpoint' must be an http:// or https:// URL, not {value!r}")
    if key in ("endpoint_timeout", "call_timeout") and value <= 0:
        raise VibeError(f"{source}: '{key}' must be positive, not {value!r}")
    if key == "endpoint_retries" and value < 0:
        raise VibeError(f"{source}: 'endpoint_retries' must not be negative, not {value!r}")
    if key == "backends":
        return _check_profiles(value or {}, source)
    if key == "protected_paths":
        if not all(isinstance(p, str) and p.strip() and "\0" not in p for p in value):
            raise VibeError(f"{source}: 'protected_paths' must be a list of path patterns")
        return tuple(value)
    if key == "candidates" and not 1 <= value <= MAX_CANDIDATES:
        raise VibeError(f"{source}: 'candidates' must be from 1 to {MAX_CANDIDATES}, not {value!r}")
    if key == "select" and value not in SELECT_RULES:
        raise VibeError(f"{source}: 'select' must be one of {', '.join(SELECT_RULES)}, not {value!r}")
    if key == "lock_wait" and value < 0:
        raise VibeError(f"{source}: 'lock_wait' must not be negative, not {value!r}")
    if key == "lookup":
        value = {True: "on", False: "off"}.get(value, value)
        if value not in LOOKUP_MODES:
            raise VibeError(f"{source}: 'lookup' must be one of {', '.join(LOOKUP_MODES)}, not {value!r}")
        return value
    if key == "edit_format" and value not in EDIT_FORMATS:
        raise VibeError(f"{source}: 'edit_format' must be one of {', '.join(EDIT_FORMATS)}, not {value!r}")
    if key == "grammar" and value not in GRAMMAR_MODES:
        raise VibeError(f"{source}: 'grammar' must be one of {', '.join(GRAMMAR_MODES)}, not {value!r}")
    if key in ("max_tokens", "max_attempts", "max_file_bytes", "threads", "max_rounds", "check_timeout", "timeout") \
            and value is not None and value < 1:
        raise VibeError(f"{source}: '{key}' must be at least 1, not {value!r}")
    if key == "prompt_cache_mb" and value < 0:
        raise VibeError(f"{source}: 'prompt_cache_mb' must not be negative, not {value!r}")
    if key in ("map_tokens",) and value < 0:
        raise VibeError(f"{source}: '{key}' must be 0 or more, not {value!r}")
    if key == "auto_files" and not 1 <= value <= 8:
        raise VibeError(f"{source}: 'auto_files' must be from 1 to 8, not {value!r}")
    if key == "gpu_layers" and value < -1:
        raise VibeError(f"{source}: 'gpu_layers' must be -1 (all) or more, not {value!r}")
    if key in ("temperature", "adapter_scale") and value < 0:
        raise VibeError(f"{source}: '{key}' must not be negative, not {value!r}")
    return float(value) if key in ("temperature", "endpoint_timeout", "call_timeout", "adapter_scale") else value


def _check_profiles(profiles: dict, source: str) -> tuple:
    checked = []
    for name, profile in profiles.items():
        if not isinstance(name, str) or name in _backend_names():
            raise VibeError(f"{source}: backends: {name!r} is not a name a profile may take")
        if not isinstance(profile, dict) or profile.get("type") not in _backend_names():
            raise VibeError(f"{source}: backends.{name} needs 'type', one of {', '.join(_backend_names())}")
        values = {}
        for key, value in profile.items():
            if key == "type":
                continue
            if key not in PROFILE_KEYS:
                raise VibeError(f"{source}: unknown key 'backends.{name}.{key}' (known: type, {', '.join(PROFILE_KEYS)})")
            values[key] = _check(key, value, f"{source}: backends.{name}")
        checked.append((name, (("type", profile["type"]), *sorted(values.items()))))
    return tuple(sorted(checked))


def backend_settings(settings: Settings, name: str | None = None) -> Settings:
    """The settings of one backend, `settings.backend` by default: a registered backend, or a profile laid over one."""
    from vibecli.backends import registry

    name = name or settings.backend
    profiles = dict(settings.backends)
    if name in registry.names():
        resolved = replace(settings, backend=name)
    elif name in profiles:
        values = dict(profiles[name])
        resolved = replace(settings, backend=values.pop("type"), **values)
    else:
        known = ", ".join([*registry.names(), *profiles])
        raise VibeError(f"unknown backend {name!r} (known: {known})")
    kind = registry.get(resolved.backend)
    missing = kind.missing(resolved) if kind is not None else None
    if missing:
        raise VibeError(f"the {resolved.backend} backend{'' if name == resolved.backend else f' of {name!r}'} "
                        f"needs {missing}")
    return resolved


def _backend_names() -> tuple[str, ...]:
    from vibecli.backends import registry

    return registry.names()


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VibeError(f"{path}: cannot read: {exc.strerror}") from exc


def _read_yaml(path: Path, raw: bytes | None = None) -> dict:
    """The mapping in a config file; `raw`: its bytes, already read (what was hashed is what is parsed)."""
    import yaml

    try:
        data = yaml.safe_load((_read_bytes(path) if raw is None else raw).decode("utf-8"))
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
        if key in ("backends", "protected_paths"):
            continue  # a mapping, a list: config files only
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
            if str in allowed:
                return raw
            raise ValueError(raw)
        if int in allowed and float not in allowed:
            return int(raw)
        if float in allowed:
            return float(raw)
    except ValueError:
        raise VibeError(f"{source}: '{key}' must be {_type_names(allowed)}, not {raw!r}") from None
    return raw


TRUST_ENV = "VIBECLI_TRUST_PROJECT"
"""`VIBECLI_TRUST_PROJECT=1` trusts the project's file for one run, as `--trust-project` does (CI).
Only a yes (1, true, yes, on) trusts: `false`, a typo or an empty value leave the file untrusted."""


def _project_values(root: Path, base: Settings, environ: Mapping[str, str], trust_project: bool,
                    on_note: Callable[[str], None] | None) -> tuple[str, dict]:
    """The project file's values, less the keys that wait for trust (named in one note)."""
    from vibecli import trust  # it reads the user data dir; settings alone need none of it

    path = root / PROJECT_FILE
    raw = _read_bytes(path)
    values = _read_yaml(path, raw)
    checks = values.get("checks")
    spelled = {f"{n}_cmd": f"checks.{n}" for n in checks} if isinstance(checks, dict) else {}
    values = _expand_checks(values, str(path))
    for key in values:
        _check_known(key, str(path))
    ignored = [k for k in USER_ONLY_KEYS if k in values]
    if ignored and on_note is not None:
        on_note(f"{path}: {', '.join(ignored)} ignored: only the user config may set it")
    values = {k: v for k, v in values.items() if k not in USER_ONLY_KEYS}
    if trust_project or environ.get(TRUST_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return str(path), values
    state = trust.status(path, hashlib.sha256(raw).hexdigest())
    held = [] if state == "trusted" else trust.untrusted_keys(values, base, root, Path.cwd())
    if held and on_note is not None:
        why = "changed since you trusted it" if state == "changed" else "is not trusted"
        on_note(f"{path} {why}: ignoring {', '.join(spelled.get(k, k) for k in held)} "
                "(`vibecli trust` trusts this file; --trust-project, one run)")
    return str(path), {k: v for k, v in values.items() if k not in held}


def _laid_over(settings: Settings, source: str, values: dict) -> Settings:
    checked = {k: _check(k, v, source) for k, v in values.items()}
    if "backends" in checked:  # a later file adds profiles, or replaces one by name
        checked["backends"] = tuple(sorted({**dict(settings.backends), **dict(checked["backends"])}.items()))
    if "protected_paths" in checked:  # added to the defaults, never in their place
        checked["protected_paths"] = tuple(dict.fromkeys(settings.protected_paths + checked["protected_paths"]))
    return replace(settings, **checked)


def _check_known(key: str, source: str) -> None:
    if key not in _FIELDS:
        raise VibeError(f"{source}: unknown key '{key}' (known: {', '.join(sorted(_FIELDS))})")


def load_settings(
    *,
    user_file: Path | None,
    project_root: Path | None,
    environ: Mapping[str, str] = os.environ,
    flags: Mapping[str, Any] | None = None,
    trust_project: bool = False,
    on_note: Callable[[str], None] | None = None,
) -> Settings:
    """Merge every layer; flags whose value is None are not given. The project's file counts whole only
    when the user trusts it (`vibecli trust`, `trust_project`, VIBECLI_TRUST_PROJECT); otherwise its keys
    that run commands or reach a network are left out, and `on_note` hears which."""
    settings = Settings()
    if user_file is not None and user_file.is_file():
        settings = _laid_over(settings, str(user_file), _expand_checks(_read_yaml(user_file), str(user_file)))
    if project_root is not None and (project_root / PROJECT_FILE).is_file():
        # judged against what the user's own layers say (which profiles are local ones)
        settings = _laid_over(settings, *_project_values(project_root, settings, environ, trust_project, on_note))
    settings = replace(settings, **{k: _check(k, v, "environment") for k, v in _from_env(environ).items()})
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    settings = replace(settings, **{k: _check(k, v, f"option --{k.replace('_', '-')}") for k, v in given.items()})
    backend_settings(settings)
    if settings.route != "local":
        backend_settings(settings, settings.remote)
    return settings
