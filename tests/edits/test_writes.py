"""What is on disk decides: a write needs the file as vibecli saw it, a restore puts back only
vibecli's bytes, and the original comes back by rename (same inode, mode and bytes)."""

from __future__ import annotations

import os

import pytest

from vibecli.core import Refused, VibeError
from vibecli.edits.apply import Change
from vibecli.edits.fileio import new_source, read_source
from vibecli.edits.writes import SUFFIX, Conflict, WriteSet, rescue_patch


def _change(tmp_path, name="a.py", old="x = 1\n", new="x = 2\n") -> Change:
    path = tmp_path / name
    path.write_text(old)
    os.chmod(path, 0o640)
    return Change(read_source(path, name, 10_000), new)


def _leftovers(folder):
    return [p.name for p in folder.rglob("*") if p.name.endswith(SUFFIX)]


def test_a_restore_puts_the_original_inode_back(tmp_path):
    change = _change(tmp_path)
    inode = change.source.path.stat().st_ino
    writes = WriteSet(10_000)
    writes.write([change])
    assert change.source.path.read_text() == "x = 2\n" and _leftovers(tmp_path)
    assert writes.restore() == []
    stat = change.source.path.stat()
    assert (change.source.path.read_text(), stat.st_ino, stat.st_mode & 0o777) == ("x = 1\n", inode, 0o640)
    assert not _leftovers(tmp_path)


def test_a_file_someone_saved_is_kept_and_reported(tmp_path):
    change = _change(tmp_path)
    writes = WriteSet(10_000)
    writes.write([change])
    change.source.path.write_text("theirs\n")
    assert writes.moved() == ["a.py"]
    assert writes.restore() == ["a.py"]
    assert change.source.path.read_text() == "theirs\n" and not _leftovers(tmp_path)


def test_a_write_over_a_file_changed_since_it_was_read_is_refused(tmp_path):
    change = _change(tmp_path)
    change.source.path.write_text("theirs\n")
    with pytest.raises(Conflict, match="changed on disk"):
        WriteSet(10_000).write([change])
    assert change.source.path.read_text() == "theirs\n"


def test_a_new_file_goes_with_the_folders_made_for_it(tmp_path):
    path = tmp_path / "new" / "deep" / "b.py"
    change = Change(new_source(path, "new/deep/b.py"), "y = 1\n")
    writes = WriteSet(10_000)
    writes.write([change])
    assert path.read_text() == "y = 1\n"
    writes.restore()
    assert not (tmp_path / "new").exists()


def test_a_new_file_never_replaces_one_that_appeared_meanwhile(tmp_path):
    path = tmp_path / "b.py"
    change = Change(new_source(path, "b.py"), "y = 1\n")
    path.write_text("theirs\n")
    with pytest.raises(Conflict):
        WriteSet(10_000).write([change])
    assert path.read_text() == "theirs\n"


def test_a_failed_write_leaves_nothing_to_put_back(tmp_path):
    change = _change(tmp_path)
    os.chmod(tmp_path, 0o500)
    try:
        writes = WriteSet(10_000)
        if os.access(tmp_path, os.W_OK):
            pytest.skip("root writes into a read-only folder")
        with pytest.raises(VibeError, match="cannot write a.py"):
            writes.write([change])
        assert writes.restore() == []
    finally:
        os.chmod(tmp_path, 0o700)
    assert change.source.path.read_text() == "x = 1\n"


def test_text_over_the_size_limit_is_never_written(tmp_path):
    change = _change(tmp_path, new="x = 2\n" * 100)
    with pytest.raises(Refused, match="max_file_bytes"):
        WriteSet(100).write([change])
    assert change.source.path.read_text() == "x = 1\n"


def test_the_rescue_patch_applies_to_the_files_as_read(tmp_path):
    change = _change(tmp_path)
    patch = rescue_patch([change], tmp_path / "rescued", "run1")
    assert patch.name == "run1.patch" and "-x = 1\n+x = 2\n" in patch.read_text()
