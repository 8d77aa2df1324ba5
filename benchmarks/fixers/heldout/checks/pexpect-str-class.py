from support import load

exceptions = load("exceptions.py")
assert str(exceptions.EOF("child exited")) == "EOF: child exited", str(exceptions.EOF("child exited"))
assert str(exceptions.TIMEOUT(3)) == "TIMEOUT: 3"
assert str(exceptions.ExceptionPexpect("x")) == "ExceptionPexpect: x"
assert exceptions.EOF("child exited").value == "child exited"
