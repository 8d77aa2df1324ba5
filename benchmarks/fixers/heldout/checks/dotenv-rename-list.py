import os

from support import identifiers, imported_from, load

for path in ("dotenv/variables.py", "dotenv/main.py"):
    assert "parse_variables" not in identifiers(path), path
assert "parse_atoms" in imported_from("dotenv/main.py", "variables")
variables = load("dotenv/variables.py")
result = variables.parse_atoms("a${B:-c}")
assert isinstance(result, list) and result == [variables.Literal("a"), variables.Variable("B", "c")]
assert variables.parse_atoms("") == []
os.environ.pop("A", None)
assert load("dotenv/main.py").resolve_variables([("A", "x"), ("B", "${A}y")], override=True) == {"A": "x", "B": "xy"}
