"""A fixer's result as an edit: routed, made, narrowed to the request's scope and validated the
way a model's answer is (paths, protected paths, syntax, sizes) before anything is written."""

from __future__ import annotations

import os
import re

from vibecli.core import ApplyError, Edit, Refused, VibeError
from vibecli.edits.apply import Change, apply_edits
from vibecli.edits.fileio import SourceFile, read_source
from vibecli.fixers import Candidate, Route
from vibecli.fixers import ruff as ruff_fixer
from vibecli.fixers.rename import Declined, rename_symbol
from vibecli.fixers.router import route as route_request
from vibecli.fixers.scope import definition_spans, narrow
from vibecli.workspace import Workspace

MAX_RENAME_FILES = 2000
"""Python files a rename looks through; a larger repository is left to the model."""


def fixer_changes(instruction: str, files: dict[str, SourceFile], workspace: Workspace, repo, settings,
                  make_picker=None) -> tuple[Route, list[Change]] | None:
    """The checked changes of the fixer the request routes to; None when none applies, the tool is
    missing, it changes nothing, or its result is not one vibecli would write. With `make_picker`
    (which loads the embedded model with the route adapter, or gives None), the model chooses where
    the rules decline."""
    texts = {p: s.text for p, s in files.items()}
    chosen = route_request(instruction, texts)
    picker = make_picker() if chosen is None and make_picker is not None else None
    if picker is not None:
        from vibecli.fixers.model_router import model_route

        chosen, picked = model_route(instruction, texts, picker)
        if chosen is not None:
            chosen = Route(chosen.name, {**chosen.args, "by": "model", "probability": round(picked.probability, 3)})
    if chosen is None:
        return None
    candidate = make_candidate(chosen, files, workspace, repo, settings)
    if candidate is None or not candidate.texts:
        return None
    changes = validated(candidate, files, workspace, repo, settings.max_file_bytes)
    return (chosen, changes) if changes else None


def make_candidate(chosen: Route, files: dict[str, SourceFile], workspace: Workspace, repo, settings
                   ) -> Candidate | None:
    if chosen.name == "ruff":
        return ruff_candidate(chosen, {p: s.text for p, s in files.items()}, workspace.root,
                              getattr(settings, "unsafe_fixes", False))
    if chosen.name == "rename":
        return rename_candidate(chosen, files, workspace, repo, settings.max_file_bytes)
    return None


def ruff_candidate(chosen: Route, texts: dict[str, str], root, unsafe: bool = False) -> Candidate | None:
    fixed = ruff_fixer.fix_texts(texts, tuple(chosen.args.get("codes", ())), root, unsafe)
    if fixed is None:
        return None
    symbols, lines = tuple(chosen.args.get("symbols", ())), list(chosen.args.get("lines", ()))
    if not symbols and not lines:
        return Candidate(chosen, fixed)
    kept, dropped = {}, 0
    for relpath, new in fixed.items():
        old = texts[relpath]
        spans = definition_spans(old, relpath, symbols) + lines
        narrowed, left_out = narrow(old, new, spans)
        dropped += left_out
        if narrowed == old:
            continue
        if left_out and _names_lost(old, narrowed, relpath):
            continue  # the part kept needs a part left out (an import the fix added)
        kept[relpath] = narrowed
    return Candidate(chosen, kept, dropped)


def _names_lost(old: str, new: str, relpath: str) -> bool:
    counts = ruff_fixer.findings({relpath: old}, ("F821",)), ruff_fixer.findings({relpath: new}, ("F821",))
    if counts[0] is None or counts[1] is None:
        return True
    return counts[1][relpath] > counts[0][relpath]


def rename_candidate(chosen: Route, files: dict[str, SourceFile], workspace: Workspace, repo, max_bytes: int
                     ) -> Candidate | None:
    old, new, defining = chosen.args["old"], chosen.args["new"], chosen.args["file"]
    sources = {p: s.text for p, s in files.items()}
    word = re.compile(rf"\b{re.escape(old)}\b")
    for relpath in _python_files(workspace, repo):
        if relpath in sources:
            continue
        try:
            text = read_source(workspace.absolute(relpath), relpath, max_bytes).text
        except VibeError:
            continue
        if word.search(text):
            sources[relpath] = text
    try:
        return Candidate(chosen, rename_symbol(sources, defining, old, new))
    except Declined:
        return None


def _python_files(workspace: Workspace, repo) -> list[str]:
    if repo is not None:
        try:
            tracked = repo.tracked_files()
        except VibeError:
            return []
        found = [p for p in tracked if p.endswith(".py")]
    else:
        found = []
        for folder, dirs, names in os.walk(workspace.root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
            base = os.path.relpath(folder, workspace.root)
            found += [os.path.normpath(os.path.join(base, n)).replace(os.sep, "/") for n in names if n.endswith(".py")]
    return found[:MAX_RENAME_FILES] if len(found) <= MAX_RENAME_FILES else []


def validated(candidate: Candidate, files: dict[str, SourceFile], workspace: Workspace, repo, max_bytes: int
              ) -> list[Change]:
    """The candidate as changes vibecli may write, or [] when any file of it may not be: the same
    path checks as a model's answer, and for a file the request did not name (a rename's other
    files), no uncommitted changes and not read-only."""
    changes = []
    try:
        for relpath, text in candidate.texts.items():
            workspace.checked(relpath)
            source = files.get(relpath)
            if source is None:
                source = read_source(workspace.absolute(relpath), relpath, max_bytes)
                if (repo is not None and repo.dirty([relpath])) or not (source.mode or 0) & 0o222 \
                        or not os.access(source.path, os.W_OK):
                    return []
            if "\0" in text or len(source.encode(text)) > max_bytes:
                return []
            changes += apply_edits([Edit("rewrite", relpath, text)], {relpath: source}, {})
    except (Refused, VibeError, ApplyError):
        return []
    return [c for c in changes if c.new_text != c.source.text]
