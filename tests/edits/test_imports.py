"""Imports an answer forgot: added where the standard library means one thing only, left to the
unbound-name guard (and the model's next attempt) otherwise."""

from __future__ import annotations

import sys

import pytest

from conftest import GREET, answer, edit_replay, git
from vibecli.edits.imports import add_missing_imports

PLAIN = "def total(xs):\n    return sum(xs)\n"


def test_a_typing_name_and_a_module_go_below_the_file_s_own_imports():
    old = '"""Sums."""\nimport os\n\n\n' + PLAIN
    new = old.replace("def total(xs):", "def total(xs: List[float]) -> int:").replace("sum(xs)", "math.floor(sum(xs))")
    result, added = add_missing_imports(old, new)
    assert added == ["import math", "from typing import List"]
    assert result == new.replace("import os\n", "import os\nimport math\nfrom typing import List\n")


def test_without_imports_they_go_below_the_docstring_or_at_the_top_and_keep_the_line_endings():
    assert add_missing_imports('"""S."""\n' + PLAIN, '"""S."""\n' + PLAIN.replace("xs)", "xs: Any)", 1))[0] == \
        '"""S."""\nfrom typing import Any\n\n\n' + PLAIN.replace("xs)", "xs: Any)", 1)
    assert add_missing_imports(PLAIN, PLAIN.replace("sum(xs)", "math.fsum(xs)"))[0] == \
        "import math\n\n\n" + PLAIN.replace("sum(xs)", "math.fsum(xs)")
    shebang = "#!/usr/bin/env python\r\nx = 1\r\n"
    assert add_missing_imports(shebang, shebang.replace("1", "math.pi"))[0] == \
        "#!/usr/bin/env python\r\nimport math\r\n\r\nx = math.pi\r\n"
    future = "from __future__ import annotations\n\nx = 1\n"
    assert add_missing_imports(future, future.replace("1", "deque()"))[0] == \
        "from __future__ import annotations\nfrom collections import deque\n\nx = deque()\n"


def test_an_import_of_the_file_s_own_that_the_answer_dropped_comes_back_as_written():
    old = "import numpy as np\nfrom typing import List, Tuple\n\n\ndef f(xs: List[int]):\n    return np.array(xs)\n"
    body = old.split("\n\n\n", 1)[1].replace("return", "return 2 *")  # the answer began at the def
    result, added = add_missing_imports(old, body)
    assert added == ["import numpy as np", "from typing import List, Tuple"]
    assert result == "import numpy as np\nfrom typing import List, Tuple\n\n\n" + body


@pytest.mark.parametrize("new", [
    PLAIN.replace("sum(xs)", "queue.pop()"),  # a variable the answer forgot: the module has no pop
    PLAIN.replace("sum(xs)", "string.split(xs)"),
    PLAIN.replace("sum(xs)", "math.sqrt(xs) + math"),  # read as more than a module
    PLAIN.replace("sum(xs)", "helper(xs)"),  # nothing in the standard library
    PLAIN.replace("sum(xs)", "xor(xs)"),  # operator.xor, or a function the answer meant to write
])
def test_a_name_that_could_mean_something_else_is_left_to_the_guard(new):
    assert add_missing_imports(PLAIN, new) == (new, [])


def test_a_hostile_answer_cannot_make_vibecli_import_a_module_of_its_choosing():
    # importing looks attributes up in this process: only the listed modules are ever imported
    for module in ("antigravity", "this", "webbrowser", "turtle"):
        sys.modules.pop(module, None)
        new = PLAIN.replace("sum(xs)", f"{module}.open(xs)")
        assert add_missing_imports(PLAIN, new) == (new, [])
        assert module not in sys.modules


def test_a_name_the_file_already_left_unbound_is_the_file_s_business():
    old = "x: List = []\n"
    assert add_missing_imports(old, old + "y = 2\n") == (old + "y = 2\n", [])


def test_an_answer_that_forgot_its_import_lands_with_it(repo, tmp_path):
    typed = answer("greet.py", "greet", "def greet(names: List[str]):\n    return \"Hello, \" + \", \".join(names)\n")
    result = edit_replay(tmp_path, "make greet() take a list of names and return the greeting", "greet.py",
                         answers=(typed,))
    assert result.exit_code == 0, result.stdout
    text = (repo / "greet.py").read_text()
    assert text.startswith("from typing import List\n\n\ndef greet(names: List[str]):\n")
    assert text.endswith(GREET.split("\n\n\n", 1)[1])
    assert "+from typing import List" in git(repo, "show", "HEAD")


def test_an_answer_that_reads_a_forgotten_variable_is_still_rejected(repo, tmp_path):
    forgot = answer("greet.py", "greet", "def greet(name):\n    return queue.pop() + name\n")
    result = edit_replay(tmp_path, "make greet() return the greeting", "greet.py", answers=(forgot,) * 3)
    assert result.exit_code == 3, result.stdout
    assert result.json["status"] == "rejected" and "uses queue in greet.py" in result.json["message"]
    assert (repo / "greet.py").read_text() == GREET
