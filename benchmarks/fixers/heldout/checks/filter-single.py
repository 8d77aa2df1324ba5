from support import load

filters = load("filter.py")


@filters.simplefilter
def lowercase(self, lexer, stream, options):
    for ttype, value in stream:
        yield ttype, value.lower()


@filters.simplefilter
def exclaim(self, lexer, stream, options):
    for ttype, value in stream:
        yield ttype, value + "!"


stream = [("t", "AbC"), ("u", "X")]
assert list(filters.apply_filters(stream, lowercase())) == [("t", "abc"), ("u", "x")]
assert list(filters.apply_filters(stream, [lowercase(), exclaim()])) == [("t", "abc!"), ("u", "x!")]
assert list(filters.apply_filters(stream, (exclaim(),))) == [("t", "AbC!"), ("u", "X!")]
assert list(filters.apply_filters(stream, [])) == stream
