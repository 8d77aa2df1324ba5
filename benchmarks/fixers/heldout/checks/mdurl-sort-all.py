import ast

from support import findings, load, original, text

names = load("mdurl/__init__.py").__all__
assert sorted(names) == sorted(ast.literal_eval(original("mdurl/__init__.py").split("=", 1)[1].split(")")[0] + ")"))
assert list(names) in (sorted(names), sorted(names, key=str.lower)), names
assert not findings("mdurl/__init__.py", "F401,F822")
assert "__version__" in text("mdurl/__init__.py")
