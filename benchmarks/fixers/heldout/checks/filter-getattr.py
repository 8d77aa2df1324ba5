from support import findings, load, same_outside

assert not findings("filter.py", "B009")
assert same_outside("filter.py", "simplefilter")
filters = load("filter.py")


@filters.simplefilter
def lowercase(self, lexer, stream, options):
    for ttype, value in stream:
        yield ttype, value.lower()


assert lowercase.__module__ == __name__
assert list(filters.apply_filters([("t", "AbC")], [lowercase()])) == [("t", "abc")]
