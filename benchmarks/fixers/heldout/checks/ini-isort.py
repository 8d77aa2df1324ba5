import ast

from support import findings, load, original, text

assert not findings("iniconfig/__init__.py", "I001")


def imported(source):
    return sorted((n.module, n.level, a.name) for n in ast.walk(ast.parse(source))
                  if isinstance(n, ast.ImportFrom) for a in n.names)


assert imported(text("iniconfig/__init__.py")) == imported(original("iniconfig/__init__.py"))
package = load("iniconfig/__init__.py")
assert package.__all__ == ["COMMENTCHARS", "ParseError", "iscommentline"]
assert package.iscommentline("; x") and package.COMMENTCHARS == "#;"
