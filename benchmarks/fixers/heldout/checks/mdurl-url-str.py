from support import load

mdurl = load("mdurl/__init__.py")
url = mdurl.URL("http:", True, "user", None, "example.com", "#top", "?q=1", "/a")
assert str(url) == "http://user@example.com/a?q=1#top", str(url)
assert str(mdurl.URL(None, False, None, None, None, None, None, "/rel")) == "/rel"
assert mdurl.format(url) == str(url)
assert url.hostname == "example.com" and url[4] == "example.com"
