"""Ruff's own fixes, run on copies of the files in a temporary folder (never the user's tree)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path, PurePosixPath

RUFF_TIMEOUT_S = 60
CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
"""Copied next to the files, from the folders between them and the root, so that ruff fixes them as
the project configured it (line length, isort sections); `--select` and the unsafe-fixes flag given
here override what those files say."""
MAX_CONFIG_BYTES = 1 << 20
_CODE = re.compile(r"[A-Z]{1,4}[0-9]{1,4}")
_RUFF_COMMAND = re.compile(r"(?:^|[\s/])(?:ruff|python3?\s+-m\s+ruff)\s+check\b")


@lru_cache(maxsize=1)
def ruff_command() -> tuple[str, ...] | None:
    """Ruff from the environment: `ruff` on PATH, else this Python's `-m ruff`; None when neither."""
    found = shutil.which("ruff")
    if found:
        return (found,)
    if importlib.util.find_spec("ruff") is not None:
        return (sys.executable, "-m", "ruff")
    return None


def is_ruff_check(command: str) -> bool:
    """A check command that runs `ruff check` (alone, or first in a chain)."""
    return bool(_RUFF_COMMAND.search(command.split("&&")[0].split(";")[0]))


def rule_codes(messages: list[str]) -> tuple[str, ...]:
    """The rule codes ruff's findings name (`F401 [*] ...`, `F401 ...`), each once, in order."""
    codes = []
    for message in messages:
        match = _CODE.match(message.strip())
        if match:
            codes.append(match.group(0))
    return tuple(dict.fromkeys(codes))


def fix_texts(texts: dict[str, str], codes: tuple[str, ...], root: Path | None, unsafe: bool = False) -> dict[str, str] | None:
    """The texts after `ruff check --fix-only --select CODES`, for the files it changed; None when
    ruff is missing or fails (the fixer is then simply not available)."""
    command = ruff_command()
    if command is None or not texts:
        return None
    with tempfile.TemporaryDirectory(prefix="vibecli-ruff-") as folder:
        tmp = Path(folder)
        for relpath, text in texts.items():
            target = tmp / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
        if root is not None:
            _copy_config(root, tmp, list(texts))
        args = [*command, "check", "--fix-only", "--no-cache", "--quiet", "--exit-zero",
                "--unsafe-fixes" if unsafe else "--no-unsafe-fixes"]
        if codes:
            args += ["--select", ",".join(codes)]
        if _run(args + ["--", *texts], tmp) is None:
            return None
        after = {}
        for relpath, text in texts.items():
            try:
                new = (tmp / relpath).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            if new != text:
                after[relpath] = new
        return after


def findings(texts: dict[str, str], codes: tuple[str, ...]) -> dict[str, int] | None:
    """How many findings of `codes` ruff reports in each text (isolated from any configuration)."""
    reported = _report(texts, codes, None, isolated=True)
    if reported is None:
        return None
    counts = dict.fromkeys(texts, 0)
    for relpath, _item in reported:
        counts[relpath] = counts.get(relpath, 0) + 1
    return counts


def locate(texts: dict[str, str], codes: tuple[str, ...], root: Path | None) -> dict[str, list[tuple[str, int, int]]] | None:
    """Where ruff reports `codes` in each text, as the project configured it (its configuration
    copied beside the texts, as for the fixes): (code, row, column), 1-based, in file order; None
    when ruff is missing or fails."""
    reported = _report(texts, codes, root, isolated=False) if codes else None
    if reported is None:
        return None
    located: dict[str, list[tuple[str, int, int]]] = {}
    try:
        for relpath, item in reported:
            location = item["location"]
            located.setdefault(relpath, []).append((str(item["code"]), int(location["row"]), int(location["column"])))
    except (KeyError, TypeError, ValueError):
        return None
    return {relpath: sorted(items, key=lambda f: (f[1], f[2])) for relpath, items in located.items() if relpath in texts}


def _report(texts: dict[str, str], codes: tuple[str, ...], root: Path | None, isolated: bool) -> list[tuple[str, dict]] | None:
    """Ruff's JSON findings of `codes` in copies of the texts, each with the relpath it is in; with
    `isolated` no configuration is read, else the project's (from `root`) is copied beside them."""
    command = ruff_command()
    if command is None or not texts:
        return None
    with tempfile.TemporaryDirectory(prefix="vibecli-ruff-") as folder:
        tmp = Path(folder)
        for relpath, text in texts.items():
            (tmp / relpath).parent.mkdir(parents=True, exist_ok=True)
            (tmp / relpath).write_text(text, encoding="utf-8", newline="")
        if root is not None and not isolated:
            _copy_config(root, tmp, list(texts))
        args = [*command, "check", *(["--isolated"] if isolated else []), "--no-cache", "--exit-zero",
                "--output-format", "json", "--select", ",".join(codes), "--", *texts]
        out = _run(args, tmp, capture=True)
        if out is None:
            return None
        try:
            return [(Path(item["filename"]).resolve().relative_to(tmp.resolve()).as_posix(), item)
                    for item in json.loads(out or "[]")]
        except (ValueError, KeyError, TypeError):
            return None


def _run(args: list[str], cwd: Path, capture: bool = False) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    try:
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=RUFF_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout if capture else ""


def _copy_config(root: Path, tmp: Path, relpaths: list[str]) -> None:
    folders = {PurePosixPath()}
    for relpath in relpaths:
        folders.update(PurePosixPath(relpath).parents)
    for folder in folders:
        for name in CONFIG_FILES:
            source = root / folder / name
            try:
                if source.is_symlink() or not source.is_file() or source.stat().st_size > MAX_CONFIG_BYTES:
                    continue
                (tmp / folder).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, tmp / folder / name)
            except OSError:
                continue
