"""One vibecli run at a time in a repository."""

from __future__ import annotations

import os

import pytest

from vibecli.core import VibeError
from vibecli.repolock import HELD_ENV, RepoLock


def test_a_second_holder_waits_says_so_and_gives_up(tmp_path, monkeypatch):
    waited = []
    with RepoLock(tmp_path / "repo", tmp_path / "locks", 1):
        monkeypatch.delenv(HELD_ENV)  # as for another process, which does not inherit the holder's environment
        second = RepoLock(tmp_path / "repo", tmp_path / "locks", 0.2, waited.append)
        with pytest.raises(VibeError, match="lock_wait"):
            second.__enter__()
    assert waited == [0]
    with RepoLock(tmp_path / "repo", tmp_path / "locks", 0.2):  # free again
        pass


def test_another_repository_has_its_own_lock(tmp_path, monkeypatch):
    with RepoLock(tmp_path / "one", tmp_path / "locks", 1):
        monkeypatch.delenv(HELD_ENV)
        with RepoLock(tmp_path / "two", tmp_path / "locks", 0.1):
            pass


def test_a_child_of_the_holder_goes_on_under_its_lock(tmp_path):
    with RepoLock(tmp_path / "repo", tmp_path / "locks", 1) as held:
        assert os.environ[HELD_ENV] == held.path.name
        with RepoLock(tmp_path / "repo", tmp_path / "locks", 0.1):  # as a process started by the holder would
            pass
    assert HELD_ENV not in os.environ


def test_the_lock_is_never_inside_the_repository(tmp_path):
    lock = RepoLock(tmp_path / "repo", tmp_path / "locks", 1)
    assert not lock.path.is_relative_to(tmp_path / "repo")
