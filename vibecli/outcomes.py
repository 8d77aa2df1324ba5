"""What became of vibecli's commits, read from git history: kept, reverted, or amended by a human.

Runs at the start of each run in a repository, and costs almost nothing when HEAD has not
moved since the last look (each run remembers the HEAD it was checked against). For each
committed run still `applied`, the first-parent commits after vibecli's commit are read in
order; the first one that touches the run's files decides:

- it carries `Vibecli-Undo: RUN` or says `This reverts commit SHA` -> `reverted` (by `undo`, `revert`);
- it puts every file back as it was before vibecli's commit -> `reverted` (by `restored`);
- it is another vibecli commit -> the change was built on; nothing more to learn;
- otherwise a person changed vibecli's work -> `amended`, with the diff and the files' text
  before vibecli and after the person (the human-corrected answer `vibecli data export` uses).
"""

from __future__ import annotations

import json

from vibecli.git import RUN_TRAILER, UNDO_TRAILER, GitRepo, commits_after, file_at, parent_of
from vibecli.logbook import Logbook

MAX_RUNS = 200
"""Runs looked at per update, oldest first; the rest wait for the next run."""


def update_outcomes(logbook: Logbook, repo: GitRepo) -> dict[str, str]:
    """{run id: new outcome} for the runs whose outcome changed."""
    head = repo.head_sha()
    if head is None:
        return {}
    pending = logbook.pending_outcomes(str(repo.root), head)[:MAX_RUNS]
    updates, changed = [], {}
    for run in pending:
        outcome, detail = judge(repo, run["commit_sha"], run["id"], json.loads(run["files"] or "[]"))
        updates.append((run["id"], outcome, detail))
        if outcome:
            changed[run["id"]] = outcome
    if updates:
        logbook.set_outcomes(updates, head)
    return changed


def judge(repo: GitRepo, sha: str, run_id: str, files: list[str]) -> tuple[str | None, dict | None]:
    """(new outcome, detail), or (None, None) while the change stands unchallenged."""
    later = commits_after(repo, sha)
    if not later:
        return None, None
    parent = parent_of(repo, sha)
    for commit in later:
        if commit.trailers.get(UNDO_TRAILER) == run_id:
            return "reverted", {"by": "undo", "commit": commit.sha}
        if f"This reverts commit {sha}" in commit.message:
            return "reverted", {"by": "revert", "commit": commit.sha}
        touched = [f for f in files if f in commit.files]
        if not touched:
            continue
        before = {f: file_at(repo, parent, f) if parent else None for f in files}
        after = {f: file_at(repo, commit.sha, f) for f in files}
        if all(after[f] == before[f] for f in files):
            return "reverted", {"by": "restored", "commit": commit.sha}
        if RUN_TRAILER in commit.trailers:
            return None, None
        ours = {f: file_at(repo, sha, f) for f in files}
        return "amended", {
            "by": "human", "commit": commit.sha, "files": touched,
            "diff": repo.diff_between(sha, commit.sha, touched),
            "before": before, "vibecli": ours, "after": after,
        }
    return None, None
