from __future__ import annotations

from vibecli.edits.structure import structural_problem

SHAPES = "class A:\n    def m(self):\n        return 1\n\n\nclass B:\n    def n(self):\n        return 2\n"


def test_a_definition_the_request_does_not_name_may_not_go():
    problem = structural_problem("remove m from A and add z", "s.py", SHAPES, "class A:\n    def z(self):\n        return 1\n")
    assert problem and "B, B.n" in problem and "A.m" not in problem


def test_named_definitions_their_members_and_inner_helpers_may_go():
    assert structural_problem("delete class B", "s.py", SHAPES, SHAPES.split("\n\n\nclass B")[0] + "\n") is None
    assert structural_problem("rename m to k", "s.py", SHAPES, SHAPES.replace("def m", "def k")) is None
    inner = "def f():\n    def helper():\n        return 1\n    return helper()\n"
    assert structural_problem("inline the helper of f", "f.py", inner, "def f():\n    return 1\n") is None


def test_dropping_most_of_a_file_needs_a_request_to_delete():
    long = SHAPES + "".join(f"X{i} = {i}\n" for i in range(10))
    assert "keeps" in structural_problem("add a docstring to A", "s.py", long, SHAPES)
    assert structural_problem("remove the constants", "s.py", long, SHAPES) is None
    assert structural_problem("add a line", "notes.txt", "a\nb\nc\nd\ne\nf\ng\n", "a\n") is not None


def test_a_name_nothing_defines_is_a_problem_the_model_reads():
    greet = 'def greet(name):\n    print("Hello, " + name)\n\n\ndef main():\n    greet("world")\n'
    wrong = greet.replace('greet("world")', 'print("Hello, " + name)')
    problem = structural_problem("make greet() return the greeting", "greet.py", greet, wrong)
    assert problem == ("the result uses name in greet.py, which nothing there defines or imports; use the names that "
                       "exist, or define or import what the code needs")
    right = greet.replace("print(", "return (")
    assert structural_problem("make greet() return the greeting", "greet.py", greet, right) is None
    assert structural_problem("use x", "notes.txt", "a\n", "print(name)\n") is None  # Python files only


def test_a_rename_to_a_name_the_request_gives_and_a_function_moved_into_a_class_are_kept():
    search = "def search(items):\n    return max(items)\n\n\ndef other():\n    return 0\n"
    renamed = search.replace("def search", "def h_index")
    assert structural_problem("Rename the function to h_index", "s.py", search, renamed) is None
    # the new name stands in for one definition beside it, not for a second one that went too
    problem = structural_problem("Rename the function to h_index", "s.py", search, "def h_index(items):\n    return 1\n")
    assert problem and "other" in problem and "search" not in problem
    moved = "class Solver:\n    def search(self, items):\n        return max(items)\n\n    def other(self):\n        return 0\n"
    assert structural_problem("Put the functions into a class Solver", "s.py", search, moved) is None


def test_a_request_to_remove_unnamed_methods_may_drop_methods_but_not_a_class():
    three = SHAPES.replace("        return 2\n", "        return 2\n\n    def o(self):\n        return 3\n")
    assert structural_problem("Remove obsolete methods.", "s.py", three, three.replace(
        "    def o(self):\n        return 3\n", "")) is None
    problem = structural_problem("Remove obsolete methods.", "s.py", three, SHAPES.split("\n\n\nclass B")[0] + "\n")
    assert problem and "B, B.n, B.o" in problem


def test_the_one_function_of_a_file_may_be_rewritten_shorter_but_the_rest_of_a_file_may_not_go():
    one = "def count(s, sub):\n    n = 0\n    for i in range(len(s)):\n        if s[i:].startswith(sub):\n" \
          "            n += 1\n    return n\n"
    short = "def count(s, sub):\n    return s.count(sub)\n"
    assert structural_problem("Count without overlapping.", "c.py", one, short) is None
    constants = "".join(f"X{i} = {i}\n" for i in range(10))
    problem = structural_problem("Count without overlapping.", "c.py", one + constants, short)
    assert problem and "keeps 2 of the 16 lines" in problem
    # a file that does not parse gives no spans to trust: only a whole file that shrinks is a drop
    broken = "def f(xs):\n      r = []\n  for x in xs:\n         r.append(x)\nreturn r\n"
    fixed = "def f(xs):\n    r = []\n    for x in xs:\n        r.append(x)\n    return r\n"
    assert structural_problem("Fix indent.", "f.py", broken + constants[:24], fixed + constants[:24]) is None
