"""git's own rules for the names a file system could take for `.git`, and the protected paths."""

from __future__ import annotations

import pytest

from vibecli.protected import is_dotgit, protected_by
from vibecli.settings import PROTECTED_PATHS


@pytest.mark.parametrize("name", [".git", ".GIT", ".Git", ".git.", ".git ", ".git. .", ".git::$INDEX_ALLOCATION",
                                  "git~1", "GIT~1", ".g\u200cit", ".gi\u200dt", "\ufeff.git", ".git\u206a"])
def test_names_git_itself_refuses(name):
    assert is_dotgit(name)


@pytest.mark.parametrize("name", [".github", ".gitx", "git", "git~2", ".gi", "x.git", ".git.x", "gitignore"])
def test_names_that_are_not_git(name):
    assert not is_dotgit(name)


@pytest.mark.parametrize("path, pattern", [
    (".vibecli.yaml", ".vibecli.yaml"), ("deep/er/.Vibecli.Yaml", ".vibecli.yaml"), (".vibecli.yaml. ", ".vibecli.yaml"),
    (".envrc:stream", ".envrc"), ("GITMOD~1", ".gitmodules"), ("gi7eba~9", ".gitmodules"), ("GI7D29~1", ".gitattributes"),
    (".github/workflows/ci.yml", ".github/workflows/**"), (".GITHUB/WORKFLOWS/a/b.yml", ".github/workflows/**"),
    (".github/workflows", ".github/workflows/**"), (".husky/_/h", ".husky/**"), ("ci/Jenkinsfile", "Jenkinsfile"),
    (".vs\u200ccode/tasks.json", ".vscode/tasks.json"),
])
def test_protected_paths_in_every_spelling(path, pattern):
    assert protected_by(path, PROTECTED_PATHS) == pattern


@pytest.mark.parametrize("path", ["greet.py", ".github/CODEOWNERS", "sub/.github/workflows/x.yml", "Makefile",
                                  ".gitignore", "vibecli.yaml", "gi7eba~12", "docs/.vscode.md"])
def test_ordinary_paths_are_not_protected(path):
    assert protected_by(path, PROTECTED_PATHS) is None


def test_a_user_pattern_with_a_slash_is_anchored_and_one_without_is_a_name_anywhere():
    assert protected_by("secrets/a/b.txt", ["secrets/**"]) == "secrets/**"
    assert protected_by("x/secrets/b.txt", ["secrets/**"]) is None
    assert protected_by("x/y/key.PEM", ["*.pem"]) == "*.pem"
