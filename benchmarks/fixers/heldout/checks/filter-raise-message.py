from support import load

filters = load("filter.py")


class Upper(filters.Filter):
    pass


try:
    list(Upper().filter(None, []))
except NotImplementedError as error:
    assert "Upper" in str(error), str(error)
else:
    raise AssertionError("Filter.filter did not raise")
assert isinstance(filters.FunctionFilter, type)
