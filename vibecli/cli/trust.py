"""`vibecli trust`: let this repository's .vibecli.yaml run its checks and reach its servers."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

import typer

from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import handled

app = typer.Typer(rich_markup_mode=None)


@app.command("trust", epilog=o.EXIT_CODES_HELP)
def trust_(
    show: Annotated[bool, typer.Option("--show", help="List the trusted files, and whether each is as it was trusted.")] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop trusting this repository's .vibecli.yaml.")] = False,
    json_: o.Json = False,
) -> None:
    """Trust this repository's .vibecli.yaml exactly as it is now.

    Until then the keys of a project's file that run commands or reach a network (checks, endpoint,
    api_key_env, backends, a remote backend, paths outside the repository) are ignored, with a note.
    The file is pinned by its sha256: once it changes, it needs trusting again."""
    from vibecli import trust

    env = Env(json=json_)
    with handled(env):
        if show:
            _show(env, trust.entries())
            return
        path = _project_file()
        if revoke:
            removed = trust.revoke(path)
            _done(env, {"revoked": removed, "path": trust.key(path)},
                  f"{path}: {'no longer trusted' if removed else 'was not trusted'}")
            return
        raw = _read(path)
        held = held_keys(path, raw)
        entry = trust.trust(path, raw)
        listed = "; ".join(f"{k}: {v}" for k, v in held.items()) or "nothing that needs trust, as it stands"
        _done(env, {"trusted": entry.path, "sha256": entry.sha256, "keys": held},
              f"trusted {entry.path} (sha256 {entry.sha256[:12]}); it may now use {listed}")


def _project_file() -> Path:
    from vibecli.cli.runner import locate
    from vibecli.core import VibeError
    from vibecli.settings import PROJECT_FILE

    place = locate(False)
    path = place.root / PROJECT_FILE
    if not path.is_file() and not path.is_symlink():
        raise VibeError(f"{path}: no such file; there is nothing to trust")
    return path


def _read(path: Path) -> bytes:
    from vibecli.core import VibeError

    try:
        return path.read_bytes()
    except OSError as exc:
        raise VibeError(f"{path}: cannot read: {exc.strerror}") from None


def held_keys(path: Path, raw: bytes) -> dict[str, str]:
    """What trusting this file lets it do: each key that waits for trust, with its value (a YAML error
    is reported here, not after the file was trusted)."""
    import os

    from vibecli import paths
    from vibecli.settings_load import expand_checks, load_settings, read_yaml
    from vibecli.trust import untrusted_keys

    values = expand_checks(read_yaml(path, raw), str(path))
    base = load_settings(user_file=paths.user_config_file(), project_root=None, environ={})
    held = untrusted_keys(values, base, path.parent, Path(os.getcwd()))
    return {k: str(values[k]) for k in held}


def _show(env: Env, entries: dict) -> None:
    from vibecli.trust import digest

    rows = []
    for entry in entries.values():
        try:
            state = "as trusted" if digest(Path(entry.path).read_bytes()) == entry.sha256 else "changed since"
        except OSError:
            state = "missing"
        rows.append({"path": entry.path, "sha256": entry.sha256, "trusted_at": entry.trusted_at, "state": state})
    if env.json:
        env.emit_json({"trusted": rows})
        return
    if not rows:
        env.info("no project's .vibecli.yaml is trusted")
    for row in rows:
        when = datetime.datetime.fromtimestamp(row["trusted_at"]).strftime("%Y-%m-%d %H:%M")
        env.show(f"{row['path']}\t{row['sha256'][:12]}\t{when}\t{row['state']}")


def _done(env: Env, obj: dict, line: str) -> None:
    if env.json:
        env.emit_json(obj)
    else:
        env.info(line)
