from support import load

mdurl = load("mdurl/__init__.py")
bracketed = mdurl.URL("http:", True, None, "8080", "[::1]", None, None, "/")
assert mdurl.format(bracketed) == "http://[::1]:8080/", mdurl.format(bracketed)
bare = mdurl.URL("http:", True, None, None, "::1", None, None, "/")
assert mdurl.format(bare) == "http://[::1]/"
plain = mdurl.URL("http:", True, None, None, "example.com", None, "?x", "/p")
assert mdurl.format(plain) == "http://example.com/p?x"
