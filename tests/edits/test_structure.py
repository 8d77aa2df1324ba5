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
