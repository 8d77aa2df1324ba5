import os
import tempfile

from support import load

util = load("util.py")
with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
    tools = []
    for folder in (first, second):
        tool = os.path.join(folder, "tool")
        with open(tool, "w") as handle:
            handle.write("#!/bin/sh\n")
        os.chmod(tool, 0o755)
        tools.append(tool)
    path = os.pathsep.join([first, "/nonexistent", second])
    assert list(util.which_all("tool", path=path)) == tools
    os.environ["PATH"] = path
    assert list(util.which_all("tool")) == tools
    assert list(util.which_all("missing", path=path)) == []
    assert util.which("tool", path=path) == tools[0]
