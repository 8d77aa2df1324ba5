"""`vibecli fix` with ruff as the failing check: ruff's own safe fixes first, then vibecli's exact fixes
for findings ruff has no fix for (`lint_rules`), in place through vibecli's write path (so that a
later failure puts the files back), then the model on what remains."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vibecli.core import VibeError
from vibecli.edits.apply import Change
from vibecli.edits.diff import unified_diff
from vibecli.edits.fileio import SourceFile, read_source
from vibecli.edits.writes import WriteSet
from vibecli.fixers import Candidate, Route
from vibecli.fixers.edit import validated
from vibecli.fixers.lint_rules import fix_findings
from vibecli.fixers.ruff import fix_texts, is_ruff_check, rule_codes
from vibecli.workspace import Workspace


@dataclass
class RuffPass:
    """What ruff's own fixes did before the model was asked."""

    route: Route
    changes: list[Change]
    writes: WriteSet | None = None
    """The writes, while they may still have to be put back; None in a dry run (nothing written)."""
    before: int = 0
    """Findings of the ruff check before its fixes."""
    after: int | None = None
    """... and after them (None until the checks ran again)."""
    results: list = field(default_factory=list)

    @property
    def diff(self) -> str:
        return "".join(unified_diff(c.relpath, c.source.text, c.new_text, c.source.exists) for c in self.changes)

    @property
    def who(self) -> str:
        """Whose fixes these are, for messages: ruff's, and vibecli's exact ones where it made any."""
        own = self.route.args.get("own")
        if not own:
            return "ruff's own fixes"
        return "ruff's fixes and vibecli's exact ones (" + ", ".join(f"{c} {n}" for c, n in own.items()) + ")"

    def to_json(self, model_fixed: int) -> dict:
        fixed = {"ruff": max(self.before - (self.after or 0), 0), "model": model_fixed}
        return {**self.route.to_json(), "fixed": fixed}


def ruff_findings(results) -> int:
    return sum(len(r.problems) for r in results if is_ruff_check(r.command))


def ruff_first(failed, relpaths: list[str], workspace: Workspace, repo, settings) -> RuffPass | None:
    """Ruff's fixes for the rules its failing check reports, in the files in question, checked like
    any edit; None when no failing check is ruff, ruff is missing, or it changes nothing."""
    ruff_results = [r for r in failed if is_ruff_check(r.command)]
    codes = rule_codes([p.message for r in ruff_results for p in r.problems])
    if not codes:
        return None
    files: dict[str, SourceFile] = {}
    for relpath in relpaths:
        if not relpath.endswith((".py", ".pyi")):
            continue
        try:
            files[relpath] = read_source(workspace.absolute(relpath), relpath, settings.max_file_bytes)
        except VibeError:
            return None
    if not files or (repo is not None and repo.dirty(list(files))):
        return None  # a file with uncommitted work is left to the usual refusal
    texts = {p: s.text for p, s in files.items()}
    fixed = fix_texts(texts, codes, workspace.root, settings.unsafe_fixes) or {}
    own, counts = fix_findings({**texts, **fixed}, codes, workspace.root)
    fixed.update(own)
    route = Route("ruff", {"codes": codes, **({"own": counts} if counts else {})})
    changes = validated(Candidate(route, fixed), files, workspace, repo, settings.max_file_bytes)
    if not changes:
        return None
    return RuffPass(route, changes, before=sum(len(r.problems) for r in ruff_results))


def write(ruff: RuffPass, max_bytes: int) -> None:
    """Into the work tree; the caller puts them back (`ruff.writes.restore()`) if the fix fails."""
    ruff.writes = WriteSet(max_bytes)
    try:
        ruff.writes.write(ruff.changes)
    except BaseException:
        ruff.writes.restore()
        raise


def commit_text(root: Path, relpaths: list[str]) -> dict[str, bytes]:
    return {p: (root / p).read_bytes() for p in relpaths}
