import ast

from support import load, same_code, text

lines = text("exceptions.py").splitlines()
imports = [n for n in ast.parse(text("exceptions.py")).body if isinstance(n, (ast.Import, ast.ImportFrom))]
assert {a.name for n in imports for a in n.names} == {"traceback", "sys"}
for item in imports:
    here, above = lines[item.lineno - 1], lines[item.lineno - 2] if item.lineno > 1 else ""
    assert "#" in here or above.strip().startswith("#"), f"no comment for line {item.lineno}"
assert same_code("exceptions.py")  # comments only: the code is the same
load("exceptions.py")
