from support import load

merge = load("http_proxy.py").merge_headers
assert merge({b"Host": b"a", b"Accept": b"*/*"}, {b"host": b"b"}) == [(b"Accept", b"*/*"), (b"host", b"b")]
assert merge([(b"Host", b"a")], {b"X": b"1"}) == [(b"Host", b"a"), (b"X", b"1")]
assert merge({b"Host": b"a"}, None) == [(b"Host", b"a")]
assert merge([(b"Host", b"a"), (b"Accept", b"*/*")], [(b"host", b"b")]) == [(b"Accept", b"*/*"), (b"host", b"b")]
