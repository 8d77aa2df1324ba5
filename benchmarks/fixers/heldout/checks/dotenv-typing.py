from support import findings, load, text

assert not findings("dotenv/variables.py", "UP")  # the whole family: Optional is UP045 now, UP007 in older ruff
assert "Optional[" not in text("dotenv/variables.py")
variables = load("dotenv/variables.py")
assert list(variables.parse_variables("a${B:-c}d")) == [
    variables.Literal("a"), variables.Variable("B", "c"), variables.Literal("d")]
assert variables.Variable("B", None).resolve({"B": None}) == ""
