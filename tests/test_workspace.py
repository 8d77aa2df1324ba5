from __future__ import annotations

import pytest

from vibecli.core import Refused
from vibecli.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "root"
    (root / "pkg").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "out").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "inlink.py").symlink_to(root / "pkg")
    return Workspace(root)


@pytest.mark.parametrize("path", ["pkg/a.py", "new/dir/b.py", ".github/x.yml"])
def test_safe_paths(ws, path):
    assert ws.checked(path) == path


@pytest.mark.parametrize(
    "path, reason",
    [
        ("../x.py", "leaves"),
        ("pkg/../../x.py", "leaves"),
        ("/etc/passwd", "not a path inside"),
        (".git/config", ".git"),
        ("pkg/.GIT/hooks/x", ".git"),
        ("out/x.py", "symbolic link"),
        ("inlink.py", "symbolic link"),
        ("", "not a path inside"),
        (".", "not a path inside"),
    ],
)
def test_unsafe_paths_are_refused(ws, path, reason):
    with pytest.raises(Refused, match=reason):
        ws.checked(path)


def test_user_paths_are_relative_to_cwd_or_absolute_inside(ws):
    assert ws.user_path("a.py", ws.root / "pkg") == "pkg/a.py"
    assert ws.user_path(str(ws.root / "pkg" / "a.py"), ws.root) == "pkg/a.py"
    with pytest.raises(Refused, match="outside the repository"):
        ws.user_path("../../x.py", ws.root / "pkg")


def test_a_root_reached_through_a_link_is_the_root(tmp_path):
    root = tmp_path / "root"
    (root / "pkg").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "inner").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "alias").symlink_to(root, target_is_directory=True)
    (tmp_path / "alias_out").symlink_to(tmp_path / "outside", target_is_directory=True)
    ws = Workspace(root)
    assert ws.user_path(str(tmp_path / "alias" / "pkg" / "a.py"), tmp_path) == "pkg/a.py"
    with pytest.raises(Refused, match="outside the repository"):
        ws.user_path(str(tmp_path / "alias_out" / "a.py"), tmp_path)
    with pytest.raises(Refused, match="symbolic link"):  # a link below the root is still a link
        ws.user_path(str(tmp_path / "alias" / "inner" / "a.py"), tmp_path)
