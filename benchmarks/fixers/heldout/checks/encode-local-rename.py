import ast

from support import load, node, same_outside, text

encode = node(text("mdurl/_encode.py"), "encode")
names = {n.id for n in ast.walk(encode) if isinstance(n, ast.Name)}
assert "l" not in names and "length" in names
assert same_outside("mdurl/_encode.py", "encode")
module = load("mdurl/_encode.py")
assert module.encode("a b%20c") == "a%20b%20c"
assert module.encode("%zz\u00e9") == "%25zz%C3%A9"
assert module.encode("\ud800x") == "%EF%BF%BDx"
