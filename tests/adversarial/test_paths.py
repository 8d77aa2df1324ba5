"""Paths as an attacker writes them: git pathspec magic, globs, names that start with `-`, names
that collide by case, names that leave the repository. Every path vibecli hands to git is literal,
and a name that is not a plain one inside the work tree is refused (exit 5)."""

from __future__ import annotations

import unicodedata

import pytest

from harness import RETURN_GREET, Snapshot, answer, check, git

NEW_CODE = "def added():\n    return 1\n"

# names git would read as patterns or magic, or a shell or option parser would trip on; all are
# plain file names on Linux, and vibecli must create exactly that one file and commit only it
HOSTILE_NEW_NAMES = [
    "*.py", "[gsu]*.py", "?reet.py", "*", "pkg/**/x.py", "pkg/:(top)x.py", "pkg/:!greet.py", "pkg/:(glob)*",
    ":(top)greet.py", ":!greet.py", ":(exclude)pkg", ":(attr:x)y.py", "ab:c.py",
    "-rf.py", "--all.py", "-", "pkg/-n.py", "$(id).py", "`id`.py", ";rm.py", "it's.py", '"q".py',
    "héllo.py", "pkg/日本.py", "x" * 200 + ".py", "pkg/.py",
]


@pytest.mark.parametrize("name", HOSTILE_NEW_NAMES)
def test_a_new_file_with_a_pattern_like_name_is_created_and_committed_alone(sandbox, name):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("add a helper", "greet.py", answers=(answer(name, None, NEW_CODE, op="create"),))
    check(sandbox, before, run, exit_code=0, committed=[name], commit_text={name: NEW_CODE})
    assert (sandbox.repo / name).read_text() == NEW_CODE


# tracked files whose names are patterns that match the user's other (changed) files
PATTERN_TRACKED = ["[id].py", "*.py", "?.py", "-n.py", "--.py", "pkg/[a-z]*.py"]


@pytest.mark.parametrize("name", PATTERN_TRACKED)
def test_an_existing_file_with_a_pattern_name_is_edited_alone(sandbox, name):
    folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    lookalikes = {f"{folder}i.py": "I = 1\n", f"{folder}d.py": "D = 1\n", f"{folder}x.py": "X = 1\n"}
    sandbox.commit({name: "def greet(name):\n    print(name)\n", **lookalikes})
    sandbox.write({rel: text + "# the user's edit\n" for rel, text in lookalikes.items()})  # unstaged
    git(sandbox.repo, "add", "--", f"{folder}x.py")  # and one of them staged
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", answers=(answer(name, "greet", RETURN_GREET),), after=(name,))
    check(sandbox, before, run, exit_code=0, committed=[name], commit_text={name: RETURN_GREET})


@pytest.mark.parametrize("name", ["*.py", "[gu]*.py", "pkg/*"])
def test_a_failed_check_after_a_create_unstages_nothing_else(sandbox, name):
    """The clean-up after failing checks once staged every tracked `.py` for deletion."""
    before = Snapshot.take(sandbox)
    run = sandbox.edit("add a helper", "greet.py", "--test-cmd", "false", "--max-rounds", "1",
                       answers=(answer(name, None, NEW_CODE, op="create"),))
    check(sandbox, before, run, exit_code=4)


CASE_TWINS = [
    "GREET.py", "Greet.py", "greet.PY", "PKG/new.py", "pkg/CORE.py", "Util.py", "SCRATCH.py", "NOTES.TXT",
    "Pkg/Core.py",
]


@pytest.mark.parametrize("name", CASE_TWINS)
def test_a_new_name_that_collides_by_case_is_refused(sandbox, name):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("add a helper", "greet.py", answers=(answer(name, None, NEW_CODE, op="create"),))
    check(sandbox, before, run, exit_code=5)
    assert "collides" in run.stderr


def test_a_name_that_differs_only_in_accent_composition_is_refused(sandbox):
    composed = unicodedata.normalize("NFC", "café.py")
    sandbox.commit({composed: "X = 1\n"})
    before = Snapshot.take(sandbox)
    decomposed = unicodedata.normalize("NFD", "café.py")
    run = sandbox.edit("add a helper", "greet.py", answers=(answer(decomposed, None, NEW_CODE, op="create"),))
    check(sandbox, before, run, exit_code=5)


def test_a_user_named_path_that_starts_with_a_dash(sandbox):
    sandbox.commit({"-v.py": "def greet(name):\n    print(name)\n"})
    before = Snapshot.take(sandbox)
    run = sandbox.edit("return it", answers=(answer("-v.py", "greet", RETURN_GREET),), after=("-v.py",))
    check(sandbox, before, run, exit_code=0, committed=["-v.py"], commit_text={"-v.py": RETURN_GREET})


LEAVING = [
    "../outside/canary.py", "pkg/../../outside/canary.py", "/etc/passwd", "C:x.py", "pkg\\x.py", "link/evil.py",
    "a\x1b]0;pwned\x07.py", "a\x00b.py", "a\x7fb.py", "pkg/\x9bx.py",
]


@pytest.mark.parametrize("name", LEAVING)
def test_a_path_outside_the_work_tree_or_not_a_plain_name_is_refused(sandbox, name):
    (sandbox.repo / "link").symlink_to(sandbox.base / "outside", target_is_directory=True)
    before = Snapshot.take(sandbox)
    run = sandbox.edit("add a helper", "greet.py", answers=(answer(name, None, NEW_CODE, op="create"),))
    check(sandbox, before, run, exit_code=5)


def test_an_absolute_path_inside_the_repository_from_the_model_is_refused(sandbox):
    before = Snapshot.take(sandbox)
    target = str(sandbox.repo / "greet.py")
    run = sandbox.edit("return it", "greet.py", answers=(answer(target, "greet", RETURN_GREET),))
    check(sandbox, before, run, exit_code=5)


def test_a_name_too_long_for_the_file_system_is_refused(sandbox):
    before = Snapshot.take(sandbox)
    run = sandbox.edit("add a helper", "greet.py", answers=(answer("y" * 300 + ".py", None, NEW_CODE, op="create"),))
    check(sandbox, before, run, exit_code=5)
