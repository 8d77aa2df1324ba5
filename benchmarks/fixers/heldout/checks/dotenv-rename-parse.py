import os

from support import identifiers, imported_from, load, top_level

assert "iter_atoms" in top_level("dotenv/variables.py")
for path in ("dotenv/variables.py", "dotenv/main.py"):
    assert "parse_variables" not in identifiers(path), path
assert "iter_atoms" in imported_from("dotenv/main.py", "variables")
variables = load("dotenv/variables.py")
assert list(variables.iter_atoms("a${B:-c}")) == [variables.Literal("a"), variables.Variable("B", "c")]
main = load("dotenv/main.py")
os.environ.pop("A", None)
assert main.resolve_variables([("A", "x"), ("B", "${A}y")], override=True) == {"A": "x", "B": "xy"}
