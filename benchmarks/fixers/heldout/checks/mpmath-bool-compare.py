import ast

from support import findings, load, node, original, text

assert not findings("test_basic_ops.py", "E712")


def calls(source, name="test_isnan_etc"):
    asserts = [n for n in ast.walk(node(source, name)) if isinstance(n, ast.Assert)]
    return [ast.dump(c) for a in asserts for c in ast.walk(a.test) if isinstance(c, ast.Call)]


assert calls(text("test_basic_ops.py")) == calls(original("test_basic_ops.py"))  # the same checks, in order
load("test_basic_ops.py").test_isnan_etc()
