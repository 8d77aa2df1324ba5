from support import identifiers, load, top_level

assert "_POSIX_VARIABLE_RE" in top_level("dotenv/variables.py")
assert "_posix_variable" not in identifiers("dotenv/variables.py")
variables = load("dotenv/variables.py")
assert variables._POSIX_VARIABLE_RE.match("${A:-b}")["default"] == "b"
assert list(variables.parse_variables("x${Y}")) == [variables.Literal("x"), variables.Variable("Y", None)]
