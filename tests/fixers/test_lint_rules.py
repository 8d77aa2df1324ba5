"""vibecli's exact fixes for ruff findings ruff has no fix for, with the real ruff: what each rule
fixes, and every case where scoping would make a rename inexact, which must decline instead."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import git, replay_file, run_cli
from vibecli.fixers.lint_rules import fix_findings, fix_one
from vibecli.fixers.ruff import ruff_command

pytestmark = pytest.mark.skipif(ruff_command() is None, reason="ruff is part of the dev extra")


def fixed(text: str, *codes: str) -> tuple[str, dict]:
    new, counts = fix_findings({"m.py": text}, codes)
    return new.get("m.py", text), counts


def test_bare_except_catches_exception():
    text = "def f(g):\n    try:\n        return g()\n    except:  # keep me\n        return None\n"
    assert fixed(text, "E722") == (text.replace("except:", "except Exception:"), {"E722": 1})


def test_raise_in_except_chains_the_handled_exception():
    text = "def f(d, k):\n    try:\n        return d[k]\n    except KeyError:\n        raise ValueError(k)\n"
    want = "def f(d, k):\n    try:\n        return d[k]\n    except KeyError as err:\n        raise ValueError(k) from err\n"
    assert fixed(text, "B904") == (want, {"B904": 1})


def test_raise_from_uses_the_handlers_own_name_and_a_fresh_one_otherwise():
    named = "def f(x):\n    try:\n        return int(x)\n    except ValueError as e:\n        if x:\n            raise TypeError(x)\n"
    assert fixed(named, "B904")[0] == named.replace("raise TypeError(x)", "raise TypeError(x) from e")
    # the function already uses `err`: binding it in the handler would unbind it after
    taken = "def f(err):\n    try:\n        return int(err)\n    except ValueError:\n        raise TypeError(err)\n"
    assert "except ValueError as error:\n        raise TypeError(err) from error" in fixed(taken, "B904")[0]


def test_a_bare_except_gets_its_type_and_then_its_name():
    text = "def f(g):\n    try:\n        g()\n    except:\n        raise RuntimeError('no')\n"
    new, counts = fixed(text, "E722", "B904")
    assert counts == {"E722": 1, "B904": 1}
    assert "except Exception as err:\n        raise RuntimeError('no') from err" in new


def test_a_loop_variable_assigned_over_is_split():
    text = ("def f(lines):\n    out = []\n    for line in lines:\n        line = line.strip()\n"
            "        if line:\n            out.append(line)\n    return out\n")
    new, counts = fixed(text, "PLW2901")
    assert counts == {"PLW2901": 1}
    assert "    for raw_line in lines:\n        line = raw_line.strip()\n        if line:\n            out.append(line)\n" in new


@pytest.mark.parametrize("text", [
    # under an `if`: reads after it see either value
    "def f(xs):\n    for x in xs:\n        if x:\n            x = x + 1\n        print(x)\n",
    # read after the loop: it holds the last value assigned, not the loop's
    "def f(xs):\n    for x in xs:\n        x = x + 1\n    return x\n",
    # read in the loop's `else`
    "def f(xs):\n    for x in xs:\n        x = x + 1\n    else:\n        print(x)\n",
    # a closure made before the assignment reads the name late
    "def f(xs):\n    fs = []\n    for x in xs:\n        fs.append(lambda: x)\n        x = x + 1\n    return fs\n",
    # the new name is already a word of the file (in a string, too)
    "def f(xs):\n    for x in xs:\n        x = x + 1\n        print('raw_x', x)\n",
])
def test_loop_variable_split_declines_where_it_would_not_be_exact(text):
    assert fixed(text, "PLW2901") == (text, {})


def test_a_local_shadowing_a_builtin_is_renamed_everywhere_in_its_function():
    text = ("import os\n\n\ndef f(*parts):\n    dir = os.path.join(*parts)\n    try:\n        dir = os.path.abspath(dir)\n"
            "    except OSError:\n        pass\n    return dir, os.sep.join([dir]), dict(dir=dir)\n\n\ndef g():\n    return dir()\n")
    new, counts = fixed(text, "A001")
    assert counts == {"A001": 1}
    # a keyword argument's name and another function's builtin stay as they were
    assert "    return dir_, os.sep.join([dir_]), dict(dir=dir_)\n" in new and new.endswith("    return dir()\n")
    assert new.count("dir_") == 6


@pytest.mark.parametrize("text", [
    "list = [1]\n",  # module level: another module may import it
    "class C:\n    id = 1\n",  # a class attribute is its interface
    "def f():\n    global dir\n    dir = 1\n",
    "def f():\n    dir = 1\n    return locals()['dir']\n",
    "def f():\n    dir = 1\n    return eval('dir')\n",
    "def f():\n    dir = 1\n    def g():\n        return dir\n    return g\n",  # a closure reads it
    "def f(xs):\n    return [list for list in xs]\n",  # the comprehension's own variable
    "def f():\n    from os import sep as dir\n    return dir\n",
    "def f():\n    def list(x):\n        return list(x)\n    return list\n",  # a definition's own name
])
def test_builtin_rename_declines_where_scoping_is_not_plain(text):
    assert fixed(text, "A001") == (text, {})


def test_a_local_in_capitals_is_lowercased_unless_taken():
    text = "import os\n\n\ndef f():\n    PATHEXT = os.environ.get('PATHEXT')\n    return PATHEXT\n"
    assert fixed(text, "N806") == (text.replace("    PATHEXT =", "    pathext =").replace("return PATHEXT", "return pathext"),
                                   {"N806": 1})
    taken = "def f(pathext):\n    PATHEXT = pathext\n    return PATHEXT\n"
    assert fixed(taken, "N806") == (taken, {})


def test_an_unused_loop_variable_gets_an_underscore_unless_read_after_the_loop():
    text = "def f(xs):\n    n = 0\n    for i, x in enumerate(xs):\n        n += x\n    return n\n"
    assert fixed(text, "B007") == (text.replace("for i, x", "for _i, x"), {"B007": 1})
    after = "def f(xs):\n    for i, x in enumerate(xs):\n        print(x)\n    return i\n"
    assert fixed(after, "B007") == (after, {})


def test_ambiguous_names_are_left_to_the_model():
    text = "def f(xs):\n    l = len(xs)\n    return l\n"
    assert fixed(text, "E741") == (text, {})


def test_hostile_files_give_no_fix_and_no_error():
    assert fix_one("def f(:\n", "E722", 1, 1) is None  # does not parse
    assert fix_one("def f():\n    pass\n", "E722", 99, 1) is None  # nothing at that place
    assert fix_one("def f():\n    pass\n", "X999", 1, 1) is None  # a rule it does not know
    # only the rules it knows, only where ruff reports them
    text = "def f():\n    try:\n        pass\n    except:\n        pass\n"
    assert fix_findings({"m.py": text}, ("F401",)) == ({}, {})


def test_vibecli_fix_commits_exact_fixes_without_asking_the_model(repo, tmp_path):
    text = ("def parse(d, k):\n    try:\n        return d[k]\n    except KeyError:\n        raise ValueError(k)\n\n\n"
            "def safe(g):\n    try:\n        return g()\n    except:\n        return None\n")
    (repo / "tool.py").write_text(text)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "add")
    replay = replay_file(tmp_path, "no answer a parser takes")
    lint = f"{sys.executable} -m ruff check --isolated --select E722,B904"
    result = run_cli("fix", "tool.py", "--lint-cmd", lint, "--backend", "replay", "--replay-file", str(replay), "--json")
    report = result.json
    assert result.exit_code == 0, result.stdout
    assert report["attempts"] == 0 and report["fixer"]["fixed"] == {"ruff": 2, "model": 0}
    assert report["fixer"]["args"]["own"] == {"B904": 1, "E722": 1}
    assert "except KeyError as err:\n        raise ValueError(k) from err" in (repo / "tool.py").read_text()
    assert "    except Exception:\n        return None\n" in (repo / "tool.py").read_text()
    assert report["commit"] and git(repo, "status", "--porcelain") == ""
    assert "vibecli's exact ones" in git(repo, "log", "-1", "--format=%B")


# LibCST's native parser recursed once per term of an `or` chain and killed the process with
# SIGSEGV on an 8 MB stack; each runs in a child process so that a regression fails one test only
@pytest.mark.parametrize("call, printed", [
    ("print(fix_one(DEEP, 'A001', 2, 5))", "None"),
    ("print(rename_symbol({'a.py': 'def load():\\n    return 1\\n', 'b.py': 'from a import load\\n' + DEEP}, 'a.py', 'load', 'read'))",
     "declined b.py is nested too deeply to analyse"),
    ("print(type(parse_module('x = ' + '(' * 5000 + '1' + ')' * 5000)).__name__)", "Module"),
])
def test_a_file_nested_deeper_than_the_native_stack_does_not_crash_vibecli(call, printed):
    code = ("from vibecli.fixers.lint_rules import fix_one\n"
            "from vibecli.fixers.rename import rename_symbol, Declined\n"
            "from vibecli.edits.cst_parse import parse_module\n"
            "DEEP = 'def f():\\n    dir = a' + ' or a' * 30000 + '\\n    return dir\\n'\n"
            f"try:\n    {call}\nexcept Declined as exc:\n    print('declined', exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == printed
