"""The table of ruff intents: every rule it names is one ruff has a fix for, every intent is
reachable by a request, and the fixes do what the requests ask (real ruff)."""

from __future__ import annotations

import json
import subprocess

import pytest

from vibecli.fixers.edit import ruff_candidate
from vibecli.fixers.intents import INTENTS
from vibecli.fixers.router import route
from vibecli.fixers.ruff import ruff_command

needs_ruff = pytest.mark.skipif(ruff_command() is None, reason="ruff is part of the dev extra")

EXAMPLES = {
    "fix ruff": "fix everything ruff flags", "sort imports": "put the imports in alphabetical order",
    "clean imports": "tidy up the imports", "unused imports": "delete imports that are not used",
    "duplicate imports": "remove the duplicate imports", "split imports": "one import per line",
    "f-strings": "convert the .format() calls into f-strings", "f prefix": "fix the f-strings without placeholders",
    "comprehension": "turn the loop into a list comprehension",
    "unnecessary calls": "remove the unnecessary list() call inside sorted()",
    "collection literals": "use {} instead of dict()", "ternary": "use a conditional expression",
    "nested ifs": "merge the nested if statements", "elif": "use elif",
    "nested with": "combine the nested with statements", "yoda": "get rid of the yoda conditions",
    "simplify condition": "simplify the boolean logic", "return condition": "return the condition directly",
    "return directly": "return the result directly", "is None": "use `is not None` instead of `!= None`",
    "True/False comparisons": "fix the comparisons to True", "not in": "use `x not in y`",
    "is literal": "use == to compare strings", "negated comparison": "use != instead of not ==",
    "unused variables": "drop the unused local variables", "dict.get": "use .get() with a default",
    "get default None": "remove the None default from .get()", "any/all": "use all() instead of the loop",
    "contextlib.suppress": "use contextlib.suppress", "builtin generics": "replace Dict with dict",
    "union syntax": "use pep 604 unions", "super()": "remove the arguments to super()",
    "object base": "stop inheriting from object", "pyupgrade": "modernize the syntax to python 3.10",
    "trailing whitespace": "remove the whitespace at the end of lines",
    "final newline": "end the file with a newline", "semicolons": "remove the stray semicolons",
    "unnecessary pass": "remove the placeholder pass statements",
    "else after return": "remove the else after the return", "useless return": "remove the useless return at the end",
    "else on loop": "remove the useless else on the for loop", "raise parentheses": "remove the () after raised exceptions",
    "class parentheses": "remove the empty parentheses after the class name",
    "lru_cache": "use functools.cache instead of lru_cache(maxsize=None)",
    "redundant parentheses": "remove the extraneous parentheses", "OSError aliases": "replace IOError with OSError",
    "TimeoutError aliases": "use TimeoutError instead of asyncio.TimeoutError",
    "unicode prefix": "strip the u prefixes", "coding declaration": "delete the coding comment",
    "__future__ imports": "remove the obsolete __future__ imports", "open modes": "remove the redundant open modes",
    "encode utf-8": "remove the utf-8 argument to encode()", "quoted annotations": "unquote the type hints",
    "datetime.UTC": "use datetime.UTC", "unittest.mock": "use unittest.mock instead of mock",
    "unittest aliases": "fix the deprecated assert aliases", "unittest assertions": "use plain asserts",
    "escape sequences": "fix the invalid escape sequences", "range start": "drop the 0 from range()",
    "getattr constant": "use attribute access instead of getattr", "logging.exception": "use logger.exception",
    "bare raise": "use a bare raise", "conversion flags": "use conversion flags in f-strings",
    "removeprefix": "use str.removeprefix", "trailing commas": "add the missing trailing commas",
    "implicit concatenation": "join the adjacent string literals",
    "lambda assignment": "use a def instead of assigning a lambda",
    "membership test": "use in instead of the repeated == comparisons", "print": "remove the print calls",
    "keys()": "remove the .keys() calls",
}


def test_every_intent_has_a_request_that_routes_to_it():
    assert set(EXAMPLES) == {intent.name for intent in INTENTS}
    for name, request in EXAMPLES.items():
        found = route(request, {"m.py": "x = 1\n"})
        assert found is not None and found.args["intent"] == name, request


@needs_ruff
def test_every_rule_the_table_names_is_one_ruff_can_fix():
    listing = subprocess.run([*ruff_command(), "rule", "--all", "--output-format", "json"], capture_output=True,
                             text=True, check=True).stdout
    fixable = {rule["code"] for rule in json.loads(listing) if rule["fix"] != "Fix is not available."}
    for intent in INTENTS:
        for code in intent.codes:
            assert code in fixable or any(c.startswith(code) for c in fixable), (intent.name, code)


@needs_ruff
@pytest.mark.parametrize(
    ("request_", "before", "after"),
    [
        ("drop the redundant parentheses after raise", "def f():\n    raise ValueError()\n",
         "def f():\n    raise ValueError\n"),
        ("This class targets py3 only. Switch it to plain super().",
         "class A(B):\n    def f(self):\n        return super(A, self).f()\n",
         "class A(B):\n    def f(self):\n        return super().f()\n"),
        ("use `not in`", "def f(x, y):\n    return not x in y\n", "def f(x, y):\n    return x not in y\n"),
        ("replace Optional[X] with X | None", "from typing import Optional\n\n\ndef f(x: Optional[int]) -> None:\n"
         "    pass\n", "from typing import Optional\n\n\ndef f(x: int | None) -> None:\n    pass\n"),
        ("remove the pointless pass", 'class A:\n    """Doc."""\n\n    pass\n', 'class A:\n    """Doc."""\n\n'),
        ("use OSError instead of IOError", "try:\n    pass\nexcept IOError:\n    pass\n",
         "try:\n    pass\nexcept OSError:\n    pass\n"),
        ("get rid of the yoda conditions", "def f(x):\n    return 1 == x\n", "def f(x):\n    return x == 1\n"),
    ],
)
def test_the_fixes_do_what_the_requests_ask(request_, before, after):
    chosen = route(request_, {"m.py": before})
    candidate = ruff_candidate(chosen, {"m.py": before}, None)
    assert candidate.texts == {"m.py": after}
