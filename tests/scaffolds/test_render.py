"""Rendering: Jinja with StrictUndefined, path parts rendered, nothing half-written on failure."""

from __future__ import annotations

import os

import pytest

from vibecli.core import VibeError
from vibecli.scaffolds.render import RenderedFile, plural, render_files, template_context, write_project
from vibecli.scaffolds.spec import ScaffoldError, load_scaffold

SPEC = """\
name: tiny
description: A tiny project.
variables:
  project_name: {type: name, default: tiny-app}
  entity: {type: identifier, default: box}
"""


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "tiny"
    package = folder / "template" / "src" / "{{ package_name }}"
    package.mkdir(parents=True)
    (folder / "scaffold.yaml").write_text(SPEC)
    (package / "{{ entity }}.py.jinja").write_text('NAME = {{ description | pystr }}\nTABLE = "{{ entity | plural }}"\n')
    (package / "raw.html").write_text("{{ not rendered }}\n")
    script = folder / "template" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return load_scaffold(folder)


def test_paths_and_jinja_files_are_rendered_other_files_copied(tiny):
    context = template_context(tiny, {"project_name": "my-app", "entity": "box"}, 'say "hi"')
    files = {f.relpath: f for f in render_files(tiny, context)}
    assert sorted(files) == ["run.sh", "src/my_app/box.py", "src/my_app/raw.html"]
    assert files["src/my_app/box.py"].content.decode() == 'NAME = "say \\"hi\\""\nTABLE = "boxes"\n'
    assert files["src/my_app/raw.html"].content == b"{{ not rendered }}\n"
    assert files["run.sh"].mode & 0o111


def test_a_missing_variable_fails_naming_the_file(tiny):
    (tiny.template / "bad.txt.jinja").write_text("{{ nowhere }}\n")
    with pytest.raises(ScaffoldError, match="bad.txt.jinja: cannot render: 'nowhere' is undefined"):
        render_files(tiny, template_context(tiny, {"project_name": "a", "entity": "box"}, "d"))


def test_write_project_renames_into_place_and_keeps_modes(tiny, tmp_path):
    files = render_files(tiny, template_context(tiny, {"project_name": "a", "entity": "box"}, "d"))
    target = tmp_path / "deep" / "er" / "app"
    write_project(files, target)
    assert (target / "src" / "a" / "box.py").is_file()
    assert os.access(target / "run.sh", os.X_OK)
    assert sorted(p.name for p in target.parent.iterdir()) == ["app"]  # no staging folder left


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    # the second file needs `a` to be a folder, but the first made it a file: the write fails midway
    files = [RenderedFile("a", b"x", 0o644), RenderedFile("a/b", b"y", 0o644)]
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(VibeError, match="nothing was left behind"):
        write_project(files, work / "new" / "app")
    assert list(work.iterdir()) == []  # neither the staging folder nor the parents it made


def test_an_existing_empty_target_is_filled(tmp_path):
    target = tmp_path / "work" / "app"
    target.mkdir(parents=True)
    write_project([RenderedFile("README.md", b"hi", 0o644)], target)
    assert (target / "README.md").read_bytes() == b"hi"
    assert sorted(p.name for p in target.parent.iterdir()) == ["app"]


def test_plural():
    assert [plural(w) for w in ("item", "box", "category", "day", "match")] == [
        "items", "boxes", "categories", "days", "matches"]
