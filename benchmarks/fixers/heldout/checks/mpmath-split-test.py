import ast

from support import load, node, original, text

module = load("test_basic_ops.py")
assert not hasattr(module, "test_isnan_etc")


def called(source, name):
    return [c.func.id for c in ast.walk(node(source, name)) if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name) and c.func.id in ("isnan", "isinf")]


source = text("test_basic_ops.py")
assert set(called(source, "test_isnan")) == {"isnan"} and set(called(source, "test_isinf")) == {"isinf"}
before = called(original("test_basic_ops.py"), "test_isnan_etc")
assert sorted(called(source, "test_isnan") + called(source, "test_isinf")) == sorted(before)
module.test_isnan()
module.test_isinf()
