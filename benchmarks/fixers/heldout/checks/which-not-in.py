import os
import tempfile

from support import findings, load, same_outside

assert not findings("util.py", "E713", "which")
assert same_outside("util.py", "which")
util = load("util.py")
with tempfile.TemporaryDirectory() as folder:
    tool = os.path.join(folder, "tool")
    with open(tool, "w") as handle:
        handle.write("#!/bin/sh\n")
    os.chmod(tool, 0o755)
    assert util.which("tool", path=os.pathsep.join([folder, folder])) == tool
    assert util.which("missing", path=folder) is None
    assert util.which(tool) == tool
