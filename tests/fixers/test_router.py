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


PROJECT = {
    "pkg/io.py": "import os\n\n\ndef load(path):\n    return open(path).read()\n\n\nclass Store(object):\n"
                 "    def save(self, x):\n        super(Store, self).save()\n        return '%s' % x\n\n\n"
                 "def collect(xs):\n    return set(x for x in xs)\n\n\ndef check(a, b):\n    if a:\n        if b:\n"
                 "            return True\n    return False\n",
    "pkg/cli.py": "from pkg.io import load\n\n\ndef main():\n    return load('x')\n",
}


@pytest.mark.parametrize(
    ("request_", "intent", "symbols"),
    [
        # a place that is one of the files, the project or the file as a whole
        ("sort the imports in io.py pls", "sort imports", ()),
        ("get rid of unused imports from pkg/io.py", "unused imports", ()),
        ("remove the unused imports across the whole project", "unused imports", ()),
        ("organize imports throughout the package, thanks!", "sort imports", ()),
        ("In the io module, sort the imports", "sort imports", ()),
        # greetings, politeness and filler
        ("Hey, could you drop the unused imports in this module?", "unused imports", ()),
        ("I'd like you to switch the %-formatting in Store.save over to f-strings", "f-strings", ("Store.save",)),
        ("ok so just use f-strings in load, ty", "f-strings", ("load",)),
        ("f-strings please", "f-strings", ()),
        # a short reason after the request, or a context sentence before it
        ("use a set comprehension in collect (it builds a set from a generator)", "comprehension", ("collect",)),
        ("use builtin generics, since the project requires 3.11", "builtin generics", ()),
        ("This module is py3-only. Switch it to plain super().", "super()", ()),
        ("Ruff keeps complaining about this file. Fix whatever ruff reports.", "fix ruff", ()),
        ("Fix what it reports. Ruff is unhappy.", "fix ruff", ()),
        ("This file fails ruff. Fix the lint errors ruff reports.", "fix ruff", ()),
        # ruff-fixable changes named in words of their own
        ("drop the pointless parentheses after raise", "raise parentheses", ()),
        ("use `not in` instead of `not x in y`", "not in", ()),
        ("collapse the nested ifs in check", "nested ifs", ("check",)),
        ("replace Optional[str] with str | None", "union syntax", ()),
        ("clean up the `if flag == True` comparisons", "True/False comparisons", ()),
        ("remove the pointless pass from Store", "unnecessary pass", ("Store",)),
        ("use list[str] instead of List[str]", "builtin generics", ()),
        ("remove the `# -*- coding: utf-8 -*-` line", "coding declaration", ()),
        ("use OSError instead of IOError", "OSError aliases", ()),
        ("please use is None for the None checks", "is None", ()),
        ("Remove (object) from the Store class", "object base", ("Store",)),
        ("use a list comprehension instead of append in a loop", "comprehension", ()),
        ("get rid of the extra parentheses on raise ValueError()", "raise parentheses", ()),
    ],
)
def test_requests_as_people_write_them_route_to_ruff(request_, intent, symbols):
    found = route(request_, PROJECT)
    assert found is not None and found.name == "ruff", request_
    assert found.args["intent"] == intent and found.args["symbols"] == symbols


def test_a_line_range_in_parentheses_is_the_scope():
    assert route("simplify the condition (lines 19-21)", PROJECT).args["lines"] == ((19, 21),)


@pytest.mark.parametrize(
    ("request_", "old", "new"),
    [
        ("rename `load` -> `read_config`", "load", "read_config"),
        ("rename Store => Repository everywhere", "Store", "Repository"),
        ("please change the name of load to read_config", "load", "read_config"),
        ("load should be called read_config", "load", "read_config"),
        ("call it read_config instead of load", "load", "read_config"),
        ("`load` => `read_config`", "load", "read_config"),
        ("i want load renamed to read_config", "load", "read_config"),
        ("rename the `Store` class to `Repository` in io.py and update its callers", "Store", "Repository"),
    ],
)
def test_ways_to_say_a_rename(request_, old, new):
    found = route(request_, PROJECT)
    assert found is not None and found.name == "rename", request_
    assert found.args == {"old": old, "new": new, "file": "pkg/io.py"}


@pytest.mark.parametrize(
    "request_",
    [
        # a second intent, however it is attached
        "sort the imports and add a docstring to load",
        "use f-strings, then log the result",
        "remove the unused imports (and the dead code too)",
        "use f-strings (and add type hints)",
        "use f-strings because we need to log them",
        "Use f-strings. Sort the imports.",
        "rename load to read_config and make it return bytes",
        "rename load to read_config. Add a docstring to it.",
        "rename load to read_config but keep an alias",
        "sort the imports, but keep os first",
        # a context sentence that reports a problem or a wish
        "This function is broken. Use f-strings.",
        "load should raise on missing files. Use f-strings.",
        # renames that are not of a top-level name, or not renames
        "rename the local variable total in collect to subtotal",
        "rename Store.save to Store.persist",
        "rename the path parameter to filename",
        "rename load to read_config in main",
        "load -> str",
        "load -> Config",
        "change MODE to fast",
        # places the tool cannot honour, vague removals, other requests
        "sort the imports in setup.cfg",
        "use f-strings in the loop",
        "remove the parentheses",
        "remove the else in load",
        "use a list instead of a tuple",
        "use f-strings instead of string concatenation",  # not what ruff's f-string rules rewrite
        "use any() instead of all()",
        "remove the spaces",
        "chattr is not supported here",  # a statement, not a target to use
        "all",
        "don't use f-strings here",
        "explain why the imports are sorted this way",
        "add tests for load",
        "fix the lint errors",
        "fix what it reports",
        "why is ruff complaining?",
        "make collect faster",
    ],
)
def test_look_alikes_as_people_write_them_decline(request_):
    assert route(request_, PROJECT) is None
