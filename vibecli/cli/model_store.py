"""`vibecli model pull|list|use|rm`: getting models, and choosing the one vibecli uses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from vibecli import paths
from vibecli.cli import options as o
from vibecli.cli.console import Env
from vibecli.cli.wiring import find_repo, handled, settings_for
from vibecli.core import VibeError


def register(app: typer.Typer) -> None:
    app.command(epilog=o.EXIT_CODES_HELP)(pull)
    app.command("list", epilog=o.EXIT_CODES_HELP)(list_models)
    app.command(epilog=o.EXIT_CODES_HELP)(use)
    app.command("rm", epilog=o.EXIT_CODES_HELP)(rm)


def pull(
    repo: Annotated[str, typer.Argument(help="A Hugging Face repository, OWNER/NAME.")],
    file: Annotated[Optional[str], typer.Option("--file", help="The .gguf file to pull (default: chosen for this machine's memory).")] = None,
    revision: Annotated[Optional[str], typer.Option("--revision", help="A branch, tag or commit (default: main).")] = None,
    json_: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Download a GGUF from the Hugging Face hub (HF_ENDPOINT, HF_TOKEN), checked by sha256 and GGUF header."""
    from vibecli.models import hub
    from vibecli.models.fit import available_ram

    env = Env(json=json_, quiet=quiet)
    bar = _DownloadBar(env)
    with handled(env):
        listing = hub.list_gguf(repo, revision)
        available = available_ram()
        chosen, reason = hub.choose(listing, file, available)
        if file and available and chosen.size > available * hub.HEADROOM:
            env.info(f"note: {chosen.name} ({hub.human(chosen.size)}) leaves little of the {hub.human(available)} of "
                     "memory available; the fit check may refuse to load it")
        if not file and not env.machine and not quiet:
            _show_listing(env, listing, chosen)
            env.info(f"Pulling {chosen.name}: {reason}")
        try:
            pulled = hub.pull(listing, chosen, paths.pulled_models_dir(), bar.update)
        except KeyboardInterrupt:
            from vibecli import interrupts

            bar.close()
            env.error(VibeError("interrupted; the partial download is kept: run the same command to resume"))
            interrupts.settled()  # this line tells what happened; the entry point adds none of its own
            raise typer.Exit(130) from None
        finally:
            bar.close()
    name = pulled.path.stem
    facts = {
        "name": name, "path": str(pulled.path), "repo": pulled.repo, "file": pulled.file, "commit": pulled.commit,
        "size_bytes": pulled.size, "sha256": pulled.sha256, "quantization": chosen.quantization, "reason": reason,
        "already_pulled": pulled.already, "resumed_from": pulled.resumed_from, "seconds": round(pulled.seconds, 3),
    }
    if env.json:
        env.emit_json(facts)
        return
    if pulled.already:
        env.info(f"{name} is already pulled (sha256 matches the hub): {pulled.path}")
    else:
        resumed = f", resumed at {hub.human(pulled.resumed_from)}" if pulled.resumed_from else ""
        env.info(f"Pulled {name} ({hub.human(pulled.size)}{resumed}): sha256 and GGUF header checked")
    if not quiet:
        env.out.print(Text(str(pulled.path)))
        env.info(f"Make it the default with: vibecli model use {name}")


def list_models(json_: o.Json = False) -> None:
    """The embedded model, pulled models and local files named in config; `*` marks the active one."""
    from vibecli.models import catalog as registry

    env = Env(json=json_)
    with handled(env):
        root = _project_root()
        settings = settings_for(root, {}, env)
        configured = {"user config": _configured(paths.user_config_file())}
        if root is not None:
            configured["project config"] = _project_model(root)
        found = registry.entries(paths.cache_dir(), paths.pulled_models_dir(), configured, settings.model)
    if env.json:
        env.emit_json({"models": [e.to_json() for e in found]})
        return
    from vibecli.models.hub import human

    columns = ("", "NAME", "SOURCE", "SIZE", "ARCH", "PARAMS", "QUANT", "CONTEXT", "FORMAT", "NOTE")
    rows = [
        (
            "*" if e.active else "", e.name, e.source, human(e.size) if e.size else "-", e.architecture or "-",
            _count(e.parameters), e.quantization or "-", str(e.context_length or "-"),
            {True: "chat", False: "plain", None: "-"}[e.chat_template], e.note,
        )
        for e in found
    ]
    if not env.out.is_terminal:  # for scripts: one model a line, tab-separated, no header
        for row in rows:
            env.write("\t".join(row) + "\n")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    env.out.print(table)


def use(
    name: Annotated[str, typer.Argument(help="A name from `vibecli model list` (the embedded model: gemma-3-270m-q4_k_m, or `embedded`), or a path to a GGUF.")],
    project: Annotated[bool, typer.Option("--project", help="Write the project's .vibecli.yaml instead of the user config.")] = False,
    json_: o.Json = False,
) -> None:
    """Make a model the default (the `model` key of the user config, or of the project's with --project)."""
    from vibecli.models import catalog as registry
    from vibecli.models.gguf_info import read_gguf

    env = Env(json=json_)
    with handled(env):
        if registry.is_embedded(name):
            value = name
        elif registry.looks_like_path(name) or Path(name).expanduser().is_file():
            path = Path(name).expanduser().resolve()
            read_gguf(path)
            value = str(path)
        else:
            value = name
            read_gguf(registry.model_path(name, paths.pulled_models_dir()))
        if project:
            root = _project_root()
            if root is None:
                raise VibeError("--project needs a git repository (its root holds .vibecli.yaml)")
            target = root / ".vibecli.yaml"
        else:
            target = paths.user_config_file()
        still_theirs = project and _nothing_foreign(target)
        registry.write_model_setting(target, value)
        if still_theirs:  # a file the user trusted, or one that held nothing needing trust, plus their own change
            from vibecli import trust

            trust.trust(target, target.read_bytes())
    if env.json:
        env.emit_json({"model": value, "config": str(target)})
        return
    env.info(f"model: {value} (written to {target})")
    if os.environ.get("VIBECLI_MODEL"):
        env.info("note: VIBECLI_MODEL is set in the environment and overrides this")


def rm(
    name: Annotated[str, typer.Argument(help="A pulled model's name (see `vibecli model list`).")],
    json_: o.Json = False,
) -> None:
    """Delete a pulled model to free its space."""
    from vibecli.models import catalog as registry
    from vibecli.models.hub import human

    env = Env(json=json_)
    with handled(env):
        model, freed = registry.remove(name, paths.pulled_models_dir())
        still = [
            str(f) for f in (paths.user_config_file(), (_project_root() or Path("/nonexistent")) / ".vibecli.yaml")
            if _configured(f) in (model.name, model.qualified, str(model.path))
        ]
    if env.json:
        env.emit_json({"removed": model.name, "path": str(model.path), "freed_bytes": freed, "still_configured_in": still})
        return
    env.info(f"Removed {model.name}: {human(freed)} freed")
    for config in still:
        env.info(f"note: {config} still names it; choose another with `vibecli model use NAME`")


def _project_model(root: Path) -> str | None:
    """The project's `model`, unless it names a file outside the repository that is not trusted yet."""
    from vibecli import trust
    from vibecli.settings import Settings

    path = root / ".vibecli.yaml"
    value = _configured(path)
    try:
        if value is None or trust.status(path, trust.digest(path.read_bytes())) == "trusted":
            return value
    except OSError:
        return None
    return None if trust.untrusted_keys({"model": value}, Settings(), root, Path.cwd()) else value


def _nothing_foreign(path: Path) -> bool:
    """Whether the project's file is trusted already, or holds nothing (yet) that would need trust."""
    from vibecli import trust
    from vibecli.cli.trust import held_keys

    if not path.exists():
        return True
    try:
        raw = path.read_bytes()
        return trust.status(path, trust.digest(raw)) == "trusted" or not held_keys(path, raw)
    except (OSError, VibeError):
        return False


def _project_root() -> Path | None:
    try:
        repo = find_repo(Path.cwd())
    except VibeError:
        return None
    return repo.root if repo else None


def _configured(config_file: Path) -> str | None:
    import yaml

    try:
        data = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    value = data.get("model") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _count(n: int | None) -> str:
    if not n:
        return "-"
    if n >= 1e9:
        return f"{n / 1e9:.1f}B"
    return f"{n / 1e6:.0f}M" if n >= 1e6 else f"{n / 1e3:.0f}K"


def _show_listing(env: Env, listing, chosen) -> None:
    from vibecli.models.hub import human

    if len(listing.files) < 2:
        return
    env.info(f"{listing.repo} holds {len(listing.files)} GGUF files:")
    for f in listing.files:
        mark = "->" if f is chosen else "  "
        env.info(f" {mark} {f.quantization:8} {human(f.size):>9}  {f.name}")


class _DownloadBar:
    """A Rich progress bar on stderr, only at a terminal."""

    def __init__(self, env: Env):
        self.env, self.progress, self.task = env, None, None

    def update(self, done: int, total: int) -> None:
        if not self.env.interactive:
            return
        if self.progress is None:
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

            self.progress = Progress(
                TextColumn("Downloading"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
                console=self.env.err,
            )
            self.progress.start()
            self.task = self.progress.add_task("pull", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
