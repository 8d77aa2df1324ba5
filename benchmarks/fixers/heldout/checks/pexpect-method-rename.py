from support import load

exceptions = load("exceptions.py")
assert hasattr(exceptions.ExceptionPexpect, "format_trace")
assert not hasattr(exceptions.ExceptionPexpect, "get_trace")
assert "ExceptionPexpect" in dir(exceptions)
try:
    raise exceptions.EOF("gone")
except exceptions.EOF as error:
    assert isinstance(error.format_trace(), str)
