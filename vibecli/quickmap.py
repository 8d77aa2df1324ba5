"""`vibecli map` when nothing changed: the remembered map, printed without the full command line.

The tag cache remembers the last few maps by the state of the files and the request
(RepoMap.recall). Asking again costs a `git ls-files`, a stat of each file and one lookup;
importing Typer, Rich and Typer's pydantic coercion would cost three times that. Anything
this path does not understand (--json, --explain, --help, a bad value), and any map not
remembered, goes to the full command line, which builds the map and remembers it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_VALUE_FLAGS = {"--tokens": "tokens", "--instruction": "instruction", "-i": "instruction", "--model": "model"}


def remembered_map(args: list[str]) -> int | None:
    """0 once the remembered map is printed; None when the full command line must answer."""
    given = _parse(args)
    if given is None:
        return None
    from vibecli import paths
    from vibecli.models import model_key
    from vibecli.context.cache import cache_file
    from vibecli.context.repomap import RepoMap
    from vibecli.context.sources import work_tree_root
    from vibecli.core import VibeError
    from vibecli.settings_load import load_settings
    from vibecli.workspace import Workspace

    cwd = Path.cwd()
    root = work_tree_root(cwd)
    if root is None:
        return None
    try:
        settings = load_settings(user_file=paths.user_config_file(), project_root=root, environ=os.environ,
                                 flags={"model": given.get("model")})
        counter = "estimate" if given.get("estimate") else model_key(settings, paths.cache_dir())
        focus = [Workspace(root).user_path(p, cwd) for p in given["paths"]]
    except VibeError:
        return None  # the full command line reports it
    budget = given.get("tokens") or settings.map_tokens
    repo_map = RepoMap(root, cache_file(paths.cache_dir(), root), settings.max_file_bytes)
    found = repo_map.recall(focus, given.get("instruction") or "", budget, counter)
    if found is None:
        return None
    try:
        data = found.text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return None  # the full command line knows how to print it here
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return 0


def _parse(args: list[str]) -> dict | None:
    given: dict = {"paths": []}
    it = iter(args)
    for arg in it:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _VALUE_FLAGS:
            value = value if eq else next(it, None)
            if value is None:
                return None
            given[_VALUE_FLAGS[name]] = value
        elif arg == "--estimate":
            given["estimate"] = True
        elif arg == "--":
            given["paths"].extend(it)
        elif arg.startswith("-"):
            return None  # --json, --explain, --help ...: the full command line
        else:
            given["paths"].append(arg)
    if "tokens" in given:
        try:
            given["tokens"] = int(given["tokens"])
        except ValueError:
            return None
        if given["tokens"] < 1:
            return None
    return given
