import os

from support import load

main = load("dotenv/main.py")
resolve = main.resolve_variables
os.environ["HELDOUT_HOME"] = "/real"
assert resolve([("A", "${HELDOUT_HOME}/x")], override=False, environ={"HELDOUT_HOME": "/h"}) == {"A": "/h/x"}
assert resolve([("A", "${HELDOUT_HOME}/x")], override=False) == {"A": "/real/x"}
assert resolve([("A", "${HELDOUT_HOME}")], override=False, environ={}) == {"A": ""}
values = [("HELDOUT_HOME", "/file"), ("B", "${HELDOUT_HOME}")]
assert resolve(values, override=True, environ={"HELDOUT_HOME": "/env"}) == {"HELDOUT_HOME": "/file", "B": "/file"}
assert resolve(values, override=False, environ={"HELDOUT_HOME": "/env"}) == {"HELDOUT_HOME": "/file", "B": "/env"}
