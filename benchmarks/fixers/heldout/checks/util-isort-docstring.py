import ast

from support import findings, load, text

assert not findings("util.py", "I001,E401")
docstring = ast.get_docstring(ast.parse(text("util.py")))
assert docstring and docstring.strip(), "no module docstring"
util = load("util.py")
assert util.which("sh", path="/bin:/usr/bin") in ("/bin/sh", "/usr/bin/sh")
