from support import findings, load, text

assert not findings("exceptions.py", "UP008")
assert "super(ExceptionPexpect" not in text("exceptions.py")
exceptions = load("exceptions.py")
error = exceptions.EOF("child exited")
assert str(error) == "child exited" and error.value == "child exited" and error.args == ("child exited",)
assert isinstance(exceptions.TIMEOUT("t"), exceptions.ExceptionPexpect)
