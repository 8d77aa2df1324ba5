"""Layered settings: defaults < user config < project .vibecli.yaml < VIBECLI_* environment < flags.

Each setting is declared once, as a field of `Settings`: its type and default, and in `setting(...)`
how it is checked, its flag, its help, the commands that take it and what it means (vibecli.settings_spec).
The checks, the environment and file loaders, every command's flags and docs/configuration.md's tables
are derived from that declaration."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from vibecli.errors import VibeError
from vibecli.settings_spec import check, declared, setting

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

# Which commands take a setting's flag: the ones that run edit requests, and these others.
EDITING = ("edit", "chat", "fix", "batch")
NEW = ("new",)

# The tables of docs/configuration.md, in this order.
MODEL = "The model"
ROUTING = "Backends and routing"
EDITS = "Edits"
CHECKS = "Checks"
CONTEXT = "Context: the repo map"


def _names_a_backend(value: str, source: str) -> str:
    if not value:
        raise ValueError(f"must name a backend ({', '.join(_backend_names())}) or a profile")
    return value


def _http_url(value: str | None, source: str) -> str | None:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _on_off(value: bool | str, source: str) -> str:
    return {True: "on", False: "off"}.get(value, value)  # type: ignore[arg-type]


def _patterns(value: list, source: str) -> tuple:
    if not all(isinstance(p, str) and p.strip() and "\0" not in p for p in value):
        raise ValueError("must be a list of path patterns")
    return tuple(value)


def _profiles(value: dict | None, source: str) -> tuple:
    return _check_profiles(value or {}, source)


@dataclass(frozen=True)
class Settings:
    # The model
    model: str | None = setting(
        None, trust=OUTSIDE, section=MODEL, shown_default="(the embedded model)",
        flag="--model", commands=(*EDITING, *NEW, "map", "model info", "model bench", "train"),
        help="Path to any GGUF model (default: the embedded gemma-3-270m).",
        doc="a path to a GGUF file, the name of a pulled model (`vibecli model list`), `ollama:NAME:TAG`, or "
            "`embedded`. `train` uses only its `--model` flag: without it, it trains over the embedded model "
            "whatever this key says")
    adapter: str | None = setting(
        None, trust=OUTSIDE, section=MODEL, shown_default="(the shipped adapter)",
        flag="--adapter", commands=(*EDITING, "model info", "model bench"),
        help="A GGUF LoRA adapter (from `vibecli train`) applied over the model; `none` for none (default: the "
             "shipped adapter over the embedded model).",
        doc="a GGUF LoRA adapter applied over the model: a file, or the folder `vibecli train --out` wrote. "
            "Unset: the [shipped adapter](training.md#the-shipped-adapter) over the embedded model, none over any "
            "other model. `none`: no adapter. Checked against the model before loading (exit 1 if it does not fit)")
    adapter_scale: float = setting(
        1.0, section=MODEL, minimum=0,
        doc="how strongly the adapter applies (llama.cpp's LoRA scale): 1 as trained, 0.5 halfway back to the "
            "base model, 0 not at all")
    threads: int | None = setting(
        None, section=MODEL, minimum=1, shown_default="all cores",
        flag="--threads", commands=(*EDITING, *NEW, "model bench", "train"),
        help="CPU threads for llama.cpp (default: all cores).",
        doc="CPU threads for llama.cpp")
    gpu_layers: int = setting(
        0, section=MODEL, minimum=-1,
        flag="--gpu-layers", commands=(*EDITING, *NEW, "model bench"),
        help="Layers to offload to a GPU; -1 = all (needs a GPU build of llama-cpp-python).",
        doc="layers offloaded to a GPU, -1 for all; needs a [GPU build](models.md#gpu-builds-of-llama-cpp-python)")
    fit_check: bool = setting(
        True, section=MODEL,
        flag="--fit-check/--no-fit-check", commands=EDITING,
        help="Refuse a model that would not fit in free memory (default), or load it anyway.",
        doc="refuse (exit 5) to load a model whose weights and KV cache would not fit in free memory "
            "([fit check](models.md#fit-check))")
    seed: int = setting(
        0, section=MODEL,
        flag="--seed", commands=(*EDITING, *NEW),
        help="Sampling seed.",
        doc="sampling seed")
    temperature: float = setting(
        0.0, section=MODEL, minimum=0,
        doc="0 is greedy; a retry after a rejected answer samples at 0.5 at least")
    max_tokens: int = setting(
        768, section=MODEL, minimum=1,
        flag="--max-tokens", commands=(*EDITING, *NEW),
        help="Most tokens to generate for one answer.",
        doc="most tokens per answer (also capped by the size of the files in context)")
    prompt_cache_mb: int = setting(
        512, section=MODEL, minimum=0,
        doc="disk space for the [prompt cache](speed.md#the-prompt-cache) (KV state of earlier prompts, reused "
            "across runs); 0 turns it off")
    lookup: str = setting(
        "auto", section=MODEL, choices=LOOKUP_MODES, accepts=(bool, str), convert=_on_off,
        shown_type="`auto`, `on`, `off` (or true/false)",
        doc="[prompt-lookup decoding](speed.md#prompt-lookup-decoding) of greedy answers: `auto` uses it where "
            "this llama.cpp build makes it exact; `on` always; `off` never")

    # Backends and routing
    backend: str = setting(
        "llama", trust=NETWORK, section=ROUTING, convert=_names_a_backend,
        flag="--backend", commands=(*EDITING, *NEW),
        help="llama (llama.cpp in process), replay, openai (an OpenAI-compatible server) or a profile name from "
             "`backends:`.",
        doc="`llama` (llama.cpp in process), `replay` (scripted answers from `replay_file`), `openai` (an "
            "OpenAI-compatible server, the `endpoint*` keys), or the name of a profile from `backends`")
    replay_file: str | None = setting(
        None, trust=OUTSIDE, section=ROUTING,
        flag="--replay-file", commands=(*EDITING, *NEW),
        help="JSON Lines of scripted answers for --backend replay.",
        doc="for `replay`: JSON Lines, one object per model call with the key `text` (the raw answer), used in "
            "order; an optional `delay` (seconds) streams that answer a word at a time, that many seconds apart")
    endpoint: str | None = setting(
        None, trust=ALWAYS, section=ROUTING, convert=_http_url, shown_type="http(s) URL",
        flag="--endpoint", commands=EDITING,
        help="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.",
        doc="for `openai`: the server's base URL, with its `/v1` (`http://127.0.0.1:8080/v1`)")
    endpoint_model: str | None = setting(
        None, trust=ALWAYS, section=ROUTING,
        flag="--endpoint-model", commands=EDITING,
        help="The model name to ask that server for.",
        doc="the `model` to ask the server for; empty sends none (servers that serve one model). A project's file "
            "sets it only when trusted: on a paid API it chooses what the user is billed for")
    api_key_env: str | None = setting(
        None, trust=ALWAYS, section=ROUTING,
        doc="the **name** of the environment variable holding the API key, sent as `Authorization: Bearer`; the "
            "key itself is never read from a file nor stored")
    endpoint_dialect: str = setting(
        "llama.cpp", section=ROUTING, choices=DIALECTS,
        doc="what the engine accepts besides the standard fields ([serving](serving.md#constrained-decoding)): "
            "`llama.cpp` sends `grammar` and llama.cpp's sampling fields, `vllm` `guided_grammar`")
    endpoint_api: str = setting(
        "completions", section=ROUTING, choices=ENDPOINT_APIS,
        doc="`completions`: the prompt as plain text to continue (base models); `chat`: the prompt as a user "
            "message under the server's chat template, the answer's start as an assistant prefill "
            "(instruction-tuned models)")
    endpoint_timeout: float = setting(
        120.0, section=ROUTING, above=0,
        doc="seconds without a byte from the server before the run fails")
    endpoint_retries: int = setting(
        2, section=ROUTING, minimum=0,
        doc="retries, with backoff, after a 429, a 5xx, a refused or a dropped connection")
    route: str = setting(
        "local", trust=NETWORK, section=ROUTING, choices=ROUTES,
        flag="--route", commands=EDITING,
        help="local (only --backend), remote (only the `remote` backend) or auto (local first; on exit 3 or 4, the "
             "remote one).",
        doc="`local`: only `backend`; `remote`: only `remote`; `auto`: `backend` first and, when its answer is "
            "rejected or fails the checks, `remote` ([routing](serving.md#routing-route-auto))")
    remote: str = setting(
        "openai", trust=NETWORK, section=ROUTING, convert=_names_a_backend,
        doc="the larger backend for `route: remote` or `auto`: `openai` (the `endpoint*` keys) or a profile name")
    backends: tuple = setting(
        (), trust=ALWAYS, section=ROUTING, accepts=(dict, type(None)), convert=_profiles, env=False,
        shown_type="mapping", shown_default="",
        doc="named profiles, `{NAME: {type: llama\\|replay\\|openai, KEY: VALUE...}}` "
            "([profiles](#backend-profiles))")

    # Edits
    edit_format: str = setting(
        "auto", section=EDITS, choices=EDIT_FORMATS,
        flag="--format", commands=(*EDITING, *NEW),
        help="Edit format: auto (default: whole for small files, else symbol), symbol, search or whole.",
        doc="the [edit format](edit-format.md#edit-formats) the model answers in; `auto`: whole files when every "
            "file in context has at most 60 lines, else symbol-anchored edits")
    grammar: str = setting(
        "lazy", section=EDITS, choices=GRAMMAR_MODES,
        flag="--grammar", commands=(*EDITING, *NEW),
        help="lazy (default), always or off.",
        doc="how the envelope grammar is used ([how an answer is checked](edit-format.md#how-an-answer-is-checked)):"
            " `lazy` decodes free and re-decodes under the grammar on a miss")
    max_attempts: int = setting(
        3, section=EDITS, minimum=1,
        flag="--max-attempts", commands=(*EDITING, *NEW),
        help="Answers to try before exit 3.",
        doc="answers to try before exit 3; each rejection goes back to the model")
    timeout: int | None = setting(
        None, section=EDITS, minimum=1, shown_default="(none)",
        flag="--timeout", commands=(*EDITING, *NEW),
        help="Seconds the model may take over the whole run.",
        doc="seconds the model may take over one run, every attempt together (exit 1 when it runs past)")
    call_timeout: float = setting(
        600.0, section=EDITS, above=0,
        doc="seconds one model call may take in all, in every backend (a server that streams forever, ignoring "
            "`max_tokens`, is cut here, exit 1); `timeout` bounds the whole run")
    max_file_bytes: int = setting(
        1_000_000, section=EDITS, minimum=1,
        doc="larger files are refused as edit targets, and left out of the repo map")
    commit: bool = setting(
        True, section=EDITS,
        flag="--no-commit", switch=False, commands=EDITING,
        help="Leave the change in the work tree.",
        doc="commit each applied edit; also off under `--dry-run`, `fix --check` and in a pre-commit hook")
    confirm: bool = setting(
        False, section=EDITS,
        flag="--confirm", switch=True, commands=("chat",),
        help="Show each change and ask before writing it (as confirm: true).",
        doc="show the diff and ask before writing; `--yes`/`-y` turns it off for a run. Without a terminal, or "
            "with `CI` set, a run that would ask is refused (exit 5) unless `--yes`")
    protected_paths: tuple = setting(
        PROTECTED_PATHS, section=EDITS, accepts=(list,), convert=_patterns, env=False,
        shown_type="list of patterns", shown_default="(see [security.md](security.md))",
        doc="files written only when named on the command line (vibecli's and git's config, hooks, CI, editor "
            "tasks); glob patterns, case-insensitive, a name without `/` at any depth. The user config's list is "
            "added to the defaults, a project's is ignored")
    lock_wait: int = setting(
        600, section=EDITS, minimum=0,
        doc="seconds a run waits for another vibecli run in the same repository before giving up (exit 1)")
    candidates: int = setting(
        1, section=EDITS, minimum=1, maximum=16,
        flag="--candidates", commands=(*EDITING, *NEW),
        help="Answers asked for at each attempt, 1 to 16 (default 1): the first greedy, the others sampled; "
             "the checks, or their agreement, pick one.",
        doc="answers asked for at each attempt: the first greedy, the others sampled; each is validated, and the "
            "checks (run on each in a copy of the tree) or their agreement pick the one written "
            "([several candidates](checks.md#several-candidates))")
    select: str = setting(
        "agree", section=EDITS, choices=SELECT_RULES,
        flag="--select", commands=(*EDITING, *NEW),
        help="Without checks, how a candidate is picked: agree (default: the largest group with the same code) "
             "or greedy.",
        doc="without checks, how the written candidate is picked: `agree` (the largest group of candidates with "
            "the same code, ties by the model's mean log-probability; greedy when none agree) or `greedy`")
    fixers: bool = setting(
        True, section=EDITS,
        flag="--fixers/--no-fixers", commands=("edit", "chat", "fix"),
        help="Carry out requests an exact tool does (ruff's fixes, a rename) with that tool before asking the "
             "model (default), or always ask the model.",
        doc="carry out a request that an exact tool does (ruff's own fixes, a rename across the project) with "
            "that tool, checked like a model's answer, before asking the model; `fix` applies ruff's fixes first "
            "([fixers](fixers.md))")
    route_model: bool = setting(
        False, section=EDITS,
        flag="--route-model/--no-route-model", commands=("edit", "chat"),
        help="When the fixer rules decline a request, let the embedded model with its route adapter choose a "
             "fixer or none.",
        doc="when the fixers' rules decline a request, ask the embedded model (with its route adapter) to choose "
            "among the fixers that could apply, or none; it applies with the embedded model and the `fixers` "
            "setting on ([fixers](fixers.md#the-models-route))")
    unsafe_fixes: bool = setting(
        False, section=EDITS,
        doc="let the ruff fixer apply ruff's unsafe fixes too (they may change what the code does); user config, "
            "environment or flag only: a repository's file may not turn it on")
    log: bool = setting(
        True, section=EDITS, env_off="VIBECLI_NO_LOG",
        doc="record every run in the [logbook](commands.md#vibecli-log-the-logbook)")

    # Checks
    lint_cmd: str | None = setting(
        None, trust=ALWAYS, section=CHECKS,
        flag="--lint-cmd", commands=EDITING,
        help="Lint command run after the edit; failures go back to the model.",
        doc="a lint command run after each edit, through the shell, at the repository root; failures go back to "
            "the model ([checks](checks.md)). In YAML also `checks: {lint: CMD}`")
    test_cmd: str | None = setting(
        None, trust=ALWAYS, section=CHECKS,
        flag="--test-cmd", commands=EDITING,
        help="Test command run after the lint command.",
        doc="a test command run after the lint command passes. In YAML also `checks: {test: CMD}`")
    max_rounds: int = setting(
        3, section=CHECKS, minimum=1,
        flag="--max-rounds", commands=EDITING,
        help="Edits to try against failing checks before exit 4.",
        doc="edits to try against failing checks before exit 4")
    check_timeout: int = setting(
        600, section=CHECKS, minimum=1,
        doc="seconds each check may run")

    # Context: the repo map
    map_tokens: int = setting(
        1024, section=CONTEXT, minimum=0,
        doc="tokens of [repo map](repo-map.md) (the definitions of the other files that matter most) in each "
            "prompt; 0 for none. Always cut to fit the model's context too; `map --tokens` overrides it for that "
            "command")
    auto_files: int = setting(
        2, section=CONTEXT, minimum=1, maximum=8,
        doc="when no file is named, how many files the repo map chooses to show the model")


DECLARED = declared(Settings)
"""Every setting's declaration, by key, in the order of the fields."""


def check_value(key: str, value: Any, source: str, flag: bool = False) -> Any:
    """The value checked and converted by the key's declaration; an unknown key is an error too."""
    check_known(key, source)
    return check(DECLARED[key], value, source, flag)


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
            values[key] = check_value(key, value, f"{source}: backends.{name}")
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


def check_known(key: str, source: str) -> None:
    if key not in DECLARED:
        raise VibeError(f"{source}: unknown key '{key}' (known: {', '.join(sorted(DECLARED))})")


def _backend_names() -> tuple[str, ...]:
    """The registered backends (vibecli.backends.registry), read when a check needs them."""
    from vibecli.backends import registry

    return registry.names()
