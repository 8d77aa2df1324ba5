import os
import tempfile

from support import findings, load

assert not findings("util.py"), findings("util.py")
util = load("util.py")
with tempfile.TemporaryDirectory() as folder:
    tool = os.path.join(folder, "tool")
    with open(tool, "w") as handle:
        handle.write("#!/bin/sh\n")
    os.chmod(tool, 0o755)
    assert util.which("tool", path=folder) == tool
    assert util.which("missing", path=folder) is None
assert issubclass(util.PtyProcessError, Exception)
