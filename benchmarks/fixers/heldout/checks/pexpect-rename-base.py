from support import identifiers, load, top_level

assert "PexpectError" in top_level("exceptions.py")
assert "ExceptionPexpect" not in identifiers("exceptions.py")
exceptions = load("exceptions.py")
assert issubclass(exceptions.EOF, exceptions.PexpectError)
assert issubclass(exceptions.TIMEOUT, exceptions.PexpectError)
assert str(exceptions.PexpectError("boom")) == "boom"
