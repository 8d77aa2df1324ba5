"""Rendering a scaffold: every file in memory first, then written to a temporary folder beside
the target and renamed into place, so a failure leaves no half-written project.

Files whose name ends in `.jinja` are Jinja templates (StrictUndefined: a missing variable fails
loudly), written without the suffix; other files are copied byte for byte. Every path part is
rendered too (`src/{{ package_name }}/`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from vibecli.core import VibeError
from vibecli.scaffolds.spec import Scaffold, ScaffoldError

SUFFIX = ".jinja"


@dataclass(frozen=True)
class RenderedFile:
    relpath: str
    content: bytes
    mode: int


def template_context(scaffold: Scaffold, values: dict, description: str) -> dict:
    """The variables, plus `package_name` (project_name as an import name) and `description`."""
    return {**values, "package_name": values["project_name"].replace("-", "_"), "description": description,
            "scaffold": scaffold.name}


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def pascal(word: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_\s]+", word) if part)


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def environment():
    import jinja2

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False,
    )
    env.filters.update(plural=plural, pascal=pascal, toml=toml_string,
                       pystr=lambda text: json.dumps(text, ensure_ascii=False))
    return env


def render_files(scaffold: Scaffold, context: dict) -> list[RenderedFile]:
    """Every file of the scaffold, rendered in memory; raises ScaffoldError naming the file."""
    import jinja2

    env = environment()
    files = []
    root = scaffold.template
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        relsource = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise ScaffoldError(f"{scaffold.name}: {relsource}: a template may not be a symbolic link")
        try:
            parts = [env.from_string(part).render(context) for part in path.relative_to(root).parts]
            if path.name.endswith(SUFFIX):
                parts[-1] = parts[-1][: -len(SUFFIX)]
                content = env.from_string(path.read_text(encoding="utf-8")).render(context).encode("utf-8")
            else:
                content = path.read_bytes()
        except jinja2.TemplateError as exc:
            raise ScaffoldError(f"scaffold {scaffold.name}: {relsource}: cannot render: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScaffoldError(f"scaffold {scaffold.name}: {relsource}: cannot read: {exc}") from None
        if any(p in ("", ".", "..", ".git") or "/" in p or "\\" in p for p in parts):
            raise ScaffoldError(f"scaffold {scaffold.name}: {relsource}: renders to a bad path {'/'.join(parts)!r}")
        files.append(RenderedFile("/".join(parts), content, path.stat().st_mode & 0o777))
    if not files:
        raise ScaffoldError(f"scaffold {scaffold.name}: its template/ folder is empty")
    return files


def render_text(text: str, context: dict) -> str:
    """One template string (a path in scaffold.yaml); raises ScaffoldError when it cannot render."""
    import jinja2

    try:
        return environment().from_string(text).render(context)
    except jinja2.TemplateError as exc:
        raise ScaffoldError(f"cannot render {text!r}: {exc}") from None


def is_empty_or_missing(target: Path) -> bool:
    if not target.exists() and not target.is_symlink():
        return True
    return target.is_dir() and not target.is_symlink() and not any(target.iterdir())


def write_project(files: list[RenderedFile], target: Path) -> None:
    """Write the files into a temporary folder beside `target`, then rename it into place."""
    target = target.absolute()
    created_parent = None
    if not target.parent.exists():
        created_parent = next(p for p in [target.parent, *target.parent.parents] if p.exists())
    staging = target.parent / f".{target.name}.vibecli-new-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        for item in files:
            path = staging / item.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(item.content)
            path.chmod(item.mode)
        if target.is_dir():
            target.rmdir()  # empty (checked before); rename needs it gone or empty
        os.rename(staging, target)
    except OSError as exc:
        _remove_created(staging, target.parent, created_parent)
        raise VibeError(f"cannot write the project to {target}: {exc.strerror or exc}; nothing was left behind") from None
    except BaseException:
        _remove_created(staging, target.parent, created_parent)
        raise


def _remove_created(staging: Path, parent: Path, created_from: Path | None) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    if created_from is None:
        return
    for folder in [parent, *parent.parents]:  # the folders we made for the target, innermost first
        if folder == created_from:
            break
        try:
            folder.rmdir()
        except OSError:
            break
