"""Routing: the requests the table knows go to their fixer; look-alikes decline."""

from __future__ import annotations

import pytest

from vibecli.fixers.router import route

FILES = {
    "pkg/io.py": "import os\n\n\ndef load(path):\n    return open(path).read()\n\n\nclass Store:\n"
                 "    def save(self, x):\n        return '%s' % x\n",
    "pkg/cli.py": "from pkg.io import load\n\n\ndef main():\n    return load('x')\n",
}


@pytest.mark.parametrize(
    ("request_", "codes"),
    [
        ("use f-strings", ("UP031", "UP032")),
        ("Please convert the .format calls to f-strings.", ("UP031", "UP032")),
        ("remove unused imports", ("F401",)),
        ("Sort the imports", ("I001",)),
        ("use a list comprehension here", ("PERF401", "C400", "C401", "C402", "C403", "C404", "C417")),
        ("simplify the condition", None),
        ("fix what ruff reports", ()),
        ("remove trailing whitespace in this file", ("W291", "W293")),
    ],
)
def test_known_requests_route_to_ruff(request_, codes):
    found = route(request_, FILES)
    assert found is not None and found.name == "ruff"
    if codes is not None:
        assert found.args["codes"] == codes


def test_a_named_definition_and_lines_become_the_scope():
    assert route("use f-strings in Store.save", FILES).args["symbols"] == ("Store.save",)
    assert route("in `load`, use f-strings", FILES).args["symbols"] == ("load",)
    assert route("simplify the condition on lines 3-5", FILES).args["lines"] == ((3, 5),)


def test_rename_routes_with_its_defining_file():
    found = route("Rename `load` to `read_config` everywhere", FILES)
    assert found.name == "rename" and found.args == {"old": "load", "new": "read_config", "file": "pkg/io.py"}


@pytest.mark.parametrize(
    "request_",
    [
        "don't use f-strings",
        "convert the f-strings to .format()",
        "use f-strings and add a docstring to load",
        "use f-strings in parse_args",  # no such definition: a scope it cannot narrow to
        "use f-strings in the loop",
        "remove unused imports and dead code",
        "sort the list of users by name",
        "sort the imports in README.md",
        "rename the file to loader.py",
        "rename save to store",  # a method: attribute uses elsewhere cannot be found exactly
        "rename load to main",  # a name the files define already
        "rename missing to present",
        "rename load to class",
        "make load faster",
        "simplify load",
        "explain why load uses f-strings",
        "use f-strings\nand then add logging",
    ],
)
def test_look_alikes_decline(request_):
    assert route(request_, FILES) is None


def test_only_python_files_route():
    assert route("sort the imports", {"a.js": "import x from 'y'\n"}) is None
    assert route("sort the imports", {}) is None
