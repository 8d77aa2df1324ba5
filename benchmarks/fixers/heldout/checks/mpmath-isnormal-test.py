import ast

from support import load, node, original, text

source = text("test_basic_ops.py")
assert ast.dump(node(source, "test_isnan_etc")) == ast.dump(node(original("test_basic_ops.py"), "test_isnan_etc"))
module = load("test_basic_ops.py")
found = []
for item in ast.parse(source).body:
    if isinstance(item, ast.FunctionDef) and item.name.startswith("test_") and item.name != "test_isnan_etc":
        asserts = [n for n in ast.walk(item) if isinstance(n, ast.Assert)]
        uses = any(isinstance(c, ast.Call) and getattr(c.func, "id", "") == "isnormal" for a in asserts
                   for c in ast.walk(a))
        if uses and len(asserts) >= 3:
            found.append(item.name)
assert found, "no test of isnormal with at least three asserts"
for name in found:
    getattr(module, name)()
module.test_isnan_etc()
