from support import load

exceptions = load("exceptions.py")
assert isinstance(exceptions.Timeout, type) and exceptions.Timeout.__name__ == "Timeout"
assert exceptions.TIMEOUT is exceptions.Timeout
assert issubclass(exceptions.Timeout, exceptions.ExceptionPexpect)
assert str(exceptions.Timeout("late")) == "late"
