import ast

from support import findings, load, node, text

assert not findings("http_proxy.py", "C401")
function = node(text("http_proxy.py"), "merge_headers")
assert any(isinstance(n, ast.SetComp) for n in ast.walk(function)), "no set comprehension"
merge = load("http_proxy.py").merge_headers
assert merge([(b"Host", b"a"), (b"Accept", b"*/*")], [(b"host", b"b")]) == [(b"Accept", b"*/*"), (b"host", b"b")]
assert merge() == [] and merge(None, [(b"X", b"1")]) == [(b"X", b"1")]
