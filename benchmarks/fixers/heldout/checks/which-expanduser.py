import os
import tempfile

from support import load

util = load("util.py")
with tempfile.TemporaryDirectory() as home:
    os.environ["HOME"] = home
    os.mkdir(os.path.join(home, "bin"))
    tool = os.path.join(home, "bin", "tool")
    with open(tool, "w") as handle:
        handle.write("#!/bin/sh\n")
    os.chmod(tool, 0o755)
    assert util.which("tool", path=os.pathsep.join(["/nonexistent", "~/bin"])) == tool
    os.environ["PATH"] = "~/bin"
    assert util.which("tool") == tool
    assert util.which("missing", path="~/bin") is None
