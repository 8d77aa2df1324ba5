import ast
import os
import tempfile

from support import load, node, same_outside, text

which = node(text("util.py"), "which")
assigned = {n.id for n in ast.walk(which) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
used = {n.id for n in ast.walk(which) if isinstance(n, ast.Name)}
assert "dir" not in used, "dir is still used in which()"
assert "directory" in assigned
assert same_outside("util.py", "which")
util = load("util.py")
with tempfile.TemporaryDirectory() as folder:
    tool = os.path.join(folder, "tool")
    with open(tool, "w") as handle:
        handle.write("#!/bin/sh\n")
    os.chmod(tool, 0o755)
    assert util.which("tool", path=os.pathsep.join(["/nonexistent", folder])) == tool
