import ast

from support import findings, load, original, text

assert not findings("exceptions.py", "I001")


def parts(source):
    body = ast.parse(source).body
    imports = sorted(ast.dump(n) for n in body if isinstance(n, (ast.Import, ast.ImportFrom)))
    return imports, [ast.dump(n) for n in body if not isinstance(n, (ast.Import, ast.ImportFrom))]


assert parts(text("exceptions.py")) == parts(original("exceptions.py"))  # the same imports and code, reordered
exceptions = load("exceptions.py")
assert str(exceptions.TIMEOUT("slow")) == "slow"
assert isinstance(exceptions.ExceptionPexpect("x").get_trace(), str)
