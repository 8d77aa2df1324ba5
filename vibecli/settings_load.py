"""Reading the layers of vibecli.settings: defaults < user config < project .vibecli.yaml (what the user
trusts of it) < VIBECLI_* environment < flags. Every value is checked by its setting's declaration."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping

from vibecli.errors import UsageError, VibeError
from vibecli.settings import (
    DECLARED, PROJECT_FILE, USER_ONLY_KEYS, Settings, _backend_names, backend_settings, check_known, check_value,
)
from vibecli.settings_spec import parse_env

TRUST_ENV = "VIBECLI_TRUST_PROJECT"
"""`VIBECLI_TRUST_PROJECT=1` trusts the project's file for one run, as `--trust-project` does (CI).
Only a yes (1, true, yes, on) trusts: `false`, a typo or an empty value leave the file untrusted."""


def expand_checks(values: dict, source: str) -> dict:
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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VibeError(f"{path}: cannot read: {exc.strerror}") from exc


def read_yaml(path: Path, raw: bytes | None = None) -> dict:
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
    for key, item in DECLARED.items():
        raw = environ.get(item.env_name) if item.spec.env else None
        if raw is not None:
            values[key] = check_value(key, parse_env(item, raw), f"environment {item.env_name}")
        if item.spec.env_off and environ.get(item.spec.env_off, "") not in ("", "0"):
            values[key] = False
    return values


def _project_values(root: Path, base: Settings, environ: Mapping[str, str], trust_project: bool,
                    on_note: Callable[[str], None] | None) -> tuple[str, dict]:
    """The project file's values, less the keys that wait for trust (named in one note)."""
    from vibecli import trust  # it reads the user data dir; settings alone need none of it

    path = root / PROJECT_FILE
    raw = _read_bytes(path)
    values = read_yaml(path, raw)
    checks = values.get("checks")
    spelled = {f"{n}_cmd": f"checks.{n}" for n in checks} if isinstance(checks, dict) else {}
    values = expand_checks(values, str(path))
    for key in values:
        check_known(key, str(path))
    ignored = [k for k in USER_ONLY_KEYS if k in values]
    if ignored and on_note is not None:
        on_note(f"{path}: {', '.join(ignored)} ignored: only the user config may set it")
    values = {k: v for k, v in values.items() if k not in USER_ONLY_KEYS}
    if trust_project or environ.get(TRUST_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return str(path), values
    import hashlib  # only with a project file: the common pre-commit path has none to hash

    state = trust.status(path, hashlib.sha256(raw).hexdigest())
    held = [] if state == "trusted" else trust.untrusted_keys(values, base, root, Path.cwd())
    if held and on_note is not None:
        why = "changed since you trusted it" if state == "changed" else "is not trusted"
        on_note(f"{path} {why}: ignoring {', '.join(spelled.get(k, k) for k in held)} "
                "(`vibecli trust` trusts this file; --trust-project, one run)")
    return str(path), {k: v for k, v in values.items() if k not in held}


def _laid_over(settings: Settings, source: str, values: dict) -> Settings:
    checked = {k: check_value(k, v, source) for k, v in values.items()}
    if "backends" in checked:  # a later file adds profiles, or replaces one by name
        checked["backends"] = tuple(sorted({**dict(settings.backends), **dict(checked["backends"])}.items()))
    if "protected_paths" in checked:  # added to the defaults, never in their place
        checked["protected_paths"] = tuple(dict.fromkeys(settings.protected_paths + checked["protected_paths"]))
    return replace(settings, **checked)


def _flags_over(settings: Settings, flags: Mapping[str, Any]) -> Settings:
    """The flags given (a value of None was not given); a bad one is a usage error that names the flag."""
    given = {k: check_value(k, v, "option", flag=True) for k, v in flags.items() if v is not None}
    settings = replace(settings, **given)
    for key in ("backend", "remote"):
        name = given.get(key)
        if name is not None and name not in _backend_names() and name not in dict(settings.backends):
            known = ", ".join([*_backend_names(), *dict(settings.backends)])
            raise UsageError(f"{DECLARED[key].flag} must name a backend or a profile ({known}), not {name!r}")
    return settings


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
        settings = _laid_over(settings, str(user_file), expand_checks(read_yaml(user_file), str(user_file)))
    if project_root is not None and (project_root / PROJECT_FILE).is_file():
        # judged against what the user's own layers say (which profiles are local ones)
        settings = _laid_over(settings, *_project_values(project_root, settings, environ, trust_project, on_note))
    settings = replace(settings, **_from_env(environ))
    settings = _flags_over(settings, flags or {})
    backend_settings(settings)
    if settings.route != "local":
        backend_settings(settings, settings.remote)
    return settings
