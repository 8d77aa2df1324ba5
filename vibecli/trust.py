"""Which projects' .vibecli.yaml the user trusts: each file's absolute path and the sha256 of the exact
bytes that were trusted, kept in the user data dir (not in the repository, which anyone can write).

A file that changed since is not trusted, as direnv treats an edited .envrc: the user looks again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from vibecli import paths
from vibecli.backends.registry import is_local
from vibecli.errors import VibeError
from vibecli.settings import ALWAYS, NETWORK, OUTSIDE, Settings

STORE_VERSION = 1


@dataclass(frozen=True)
class Entry:
    path: str
    sha256: str
    trusted_at: float


def untrusted_keys(values: Mapping[str, Any], base: Settings, root: Path, cwd: Path | None = None) -> list[str]:
    """The keys of a project file's values that wait for the user's trust (see ALWAYS, NETWORK, OUTSIDE).
    `base`: the settings the user's own layers give, which decide what a backend name means."""
    rules = {f.name: f.metadata.get("trust") for f in fields(Settings)}
    profiles = dict(base.backends)

    def network(name: Any) -> bool:
        if is_local(name):
            return False
        return not (isinstance(name, str) and name in profiles and is_local(dict(profiles[name])["type"]))

    held = []
    for key, value in values.items():
        rule = rules.get(key)
        if rule == ALWAYS["trust"] or (rule == OUTSIDE["trust"] and value is not None and not _inside(value, root, cwd)):
            held.append(key)
        elif rule == NETWORK["trust"] and key != "route" and network(value):
            held.append(key)
    remote = values["remote"] if "remote" in values and "remote" not in held else base.remote
    if values.get("route", "local") != "local" and network(remote):
        held.append("route")
    return held


def _inside(value: Any, root: Path, cwd: Path | None) -> bool:
    """A relative path that stays in the repository, read from its root or from where vibecli runs."""
    if not isinstance(value, str) or not value or value.startswith("~") or ":" in value or "\0" in value:
        return False
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        return False
    top = root.resolve()
    bases = [root] + ([cwd] if cwd is not None and cwd.resolve().is_relative_to(top) else [])
    try:
        return all((base / path).resolve().is_relative_to(top) for base in bases)
    except (OSError, RuntimeError):  # a link loop
        return False


def store_file() -> Path:
    return paths.data_dir() / "trusted-projects.json"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key(path: Path) -> str:
    """The file's absolute path, its folders resolved (the repository as the user reaches it)."""
    return str(path.parent.resolve() / path.name)


def entries() -> dict[str, Entry]:
    """Every trusted file; an unreadable store trusts nothing."""
    try:
        data = json.loads(store_file().read_text(encoding="utf-8"))
        return {p: Entry(p, e["sha256"], float(e.get("trusted_at", 0))) for p, e in data["projects"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def status(path: Path, sha256: str) -> str:
    """`trusted`, `changed` (trusted once, with other content) or `untrusted`."""
    entry = entries().get(key(path))
    if entry is None:
        return "untrusted"
    return "trusted" if entry.sha256 == sha256 else "changed"


def trust(path: Path, data: bytes) -> Entry:
    entry = Entry(key(path), digest(data), time.time())
    found = entries()
    found[entry.path] = entry
    _save(found)
    return entry


def revoke(path: Path) -> bool:
    found = entries()
    if found.pop(key(path), None) is None:
        return False
    _save(found)
    return True


def _save(found: dict[str, Entry]) -> None:
    target = store_file()
    body = {"version": STORE_VERSION,
            "projects": {p: {"sha256": e.sha256, "trusted_at": round(e.trusted_at, 3)} for p, e in sorted(found.items())}}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".trusted-projects.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, indent=1)
                handle.write("\n")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise VibeError(f"cannot write {target}: {exc.strerror}") from None
