from __future__ import annotations

import os

import pytest

from vibecli.core import VibeError
from vibecli.edits.fileio import read_source, unchanged_on_disk, write_atomic


def test_crlf_bom_and_mode_survive_a_write(tmp_path):
    (tmp_path / "d").mkdir()
    path = tmp_path / "d" / "w.py"
    path.write_bytes(b"\xef\xbb\xbfx = 1\r\ny = 2\r\n")
    os.chmod(path, 0o750)
    src = read_source(path, "w.py", 1000)
    assert src.text == "x = 1\ny = 2\n" and src.newline == "\r\n" and src.bom
    write_atomic(src, "x = 3\ny = 2\n")
    assert path.read_bytes() == b"\xef\xbb\xbfx = 3\r\ny = 2\r\n"
    assert os.stat(path).st_mode & 0o777 == 0o750
    assert [p.name for p in path.parent.iterdir()] == ["w.py"]  # no temp file left behind


def test_mixed_line_endings_are_kept_byte_for_byte(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"a = 1\r\nb = 2\nc = 3\r\n")
    src = read_source(path, "m.py", 1000)
    write_atomic(src, src.text)
    assert path.read_bytes() == b"a = 1\r\nb = 2\nc = 3\r\n"


def test_change_on_disk_is_detected(tmp_path):
    path = tmp_path / "c.py"
    path.write_text("x = 1\n")
    src = read_source(path, "c.py", 1000)
    assert unchanged_on_disk(src)
    path.write_text("x = 2\n")
    assert not unchanged_on_disk(src)


@pytest.mark.parametrize(
    "data, message",
    [(b"\x00\x01", "binary"), ("caf\xe9".encode("latin-1"), "not UTF-8"), (b"x" * 2000, "over the limit")],
)
def test_unreadable_inputs_are_one_line_errors(tmp_path, data, message):
    path = tmp_path / "f.py"
    path.write_bytes(data)
    with pytest.raises(VibeError, match=message):
        read_source(path, "f.py", 1000)


def test_missing_file(tmp_path):
    with pytest.raises(VibeError, match="no such file"):
        read_source(tmp_path / "nope.py", "nope.py", 1000)
