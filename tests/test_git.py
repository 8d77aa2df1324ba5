from __future__ import annotations

import pytest

from conftest import GREET, git
from vibecli.core import Refused, VibeError
from vibecli.git import GitRepo, commit_message, parse_trailers


def test_find_outside_a_repository(tmp_path):
    with pytest.raises(VibeError, match="not inside a git work tree"):
        GitRepo.find(tmp_path)


def test_dirty_sees_modified_staged_and_untracked(repo):
    g = GitRepo.find(repo)
    assert g.dirty(["greet.py"]) == []
    (repo / "greet.py").write_text(GREET + "# wip\n")
    (repo / "new.py").write_text("x = 1\n")
    assert g.dirty(["greet.py", "new.py"]) == ["greet.py", "new.py"]


def test_commit_paths_leaves_other_staged_work_alone(repo):
    (repo / "other.py").write_text("y = 1\n")
    git(repo, "add", "other.py")
    (repo / "greet.py").write_text(GREET + "\n# edited\n")
    (repo / "fresh.py").write_text("z = 1\n")
    g = GitRepo.find(repo)
    sha = g.commit_paths(["greet.py", "fresh.py"], commit_message("edit it", "body", "m", "run1"))
    assert sorted(git(repo, "show", "--name-only", "--format=", sha).split()) == ["fresh.py", "greet.py"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["other.py"]


def test_commit_message_subject_is_at_most_72_characters():
    message = commit_message("word " * 40, "body", "gemma", "abc123")
    subject = message.splitlines()[0]
    assert len(subject) <= 72 and subject.endswith("...")
    assert parse_trailers(message) == {"Vibecli-Model": "gemma", "Vibecli-Run": "abc123"}


def test_commit_without_a_configured_identity_still_works(repo, monkeypatch):
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(repo.parent))  # no global identity either
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (repo / "greet.py").write_text(GREET + "\n# edited\n")
    g = GitRepo.find(repo)
    g.commit_paths(["greet.py"], commit_message("edit", "body", "m", "r"))
    assert git(repo, "log", "-1", "--format=%an").strip() == "vibecli"


def test_undo_reverts_a_vibecli_commit_and_only_that(repo):
    g = GitRepo.find(repo)
    (repo / "greet.py").write_text(GREET + "\n# edited\n")
    (repo / "fresh.py").write_text("z = 1\n")
    g.commit_paths(["greet.py", "fresh.py"], commit_message("edit", "body", "m", "run42"))
    (repo / "unrelated.txt").write_text("keep me\n")
    result = g.undo_head("m")
    assert (repo / "greet.py").read_text() == GREET
    assert not (repo / "fresh.py").exists()
    assert (repo / "unrelated.txt").read_text() == "keep me\n"
    assert "Vibecli-Undo: run42" in git(repo, "log", "-1", "--format=%B")
    assert result.sha == git(repo, "rev-parse", "HEAD").strip()
    with pytest.raises(Refused, match="not a vibecli commit"):
        g.undo_head("m")  # the revert itself is not an edit to undo


def test_undo_refuses_a_human_commit(repo):
    with pytest.raises(Refused, match="not a vibecli commit"):
        GitRepo.find(repo).undo_head("m")


def test_undo_refuses_when_the_files_changed_since(repo):
    g = GitRepo.find(repo)
    (repo / "greet.py").write_text(GREET + "\n# edited\n")
    g.commit_paths(["greet.py"], commit_message("edit", "body", "m", "r"))
    (repo / "greet.py").write_text("# human work\n")
    with pytest.raises(Refused, match="changed since"):
        g.undo_head("m")
    assert (repo / "greet.py").read_text() == "# human work\n"


def test_commit_files_commits_the_bytes_given_not_what_the_work_tree_holds(repo):
    (repo / "greet.py").write_text("# saved by the user meanwhile\n")
    g = GitRepo.find(repo)
    sha = g.commit_files({"greet.py": b"# vibecli's\n"}, commit_message("edit", "body", "m", "r"))
    assert git(repo, "show", f"{sha}:greet.py") == "# vibecli's\n"
    assert (repo / "greet.py").read_text() == "# saved by the user meanwhile\n"
    assert git(repo, "diff", "--cached", "--name-only") == ""  # the index follows the commit


def test_paths_reach_git_literally(repo):
    for name in ("util.py", "other.py"):
        (repo / name).write_text("x = 1\n")
    git(repo, "add", "util.py")
    (repo / "*.py").write_text("y = 2\n")
    g = GitRepo.find(repo)
    sha = g.commit_files({"*.py": b"y = 2\n"}, commit_message("edit", "body", "m", "r"))
    assert git(repo, "show", "--name-only", "--format=", sha).split() == ["*.py"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["util.py"]  # the user's staging untouched
    assert g.dirty(["*.py"]) == [] and g.dirty(["[gu]*.py"]) == []


def test_a_long_message_goes_on_stdin(repo):
    g = GitRepo.find(repo)
    body = "word " * 400_000  # 2 MB: more than a command line takes
    sha = g.commit_files({"greet.py": b"# edited\n"}, commit_message("edit", body, "m", "r"))
    assert len(git(repo, "log", "-1", "--format=%B", sha)) > 2_000_000
