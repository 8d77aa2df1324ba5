from support import identifiers, imported_from, load, top_level

assert "format_url" in top_level("mdurl/_format.py")
assert "format" not in identifiers("mdurl/_format.py")
assert "format_url" in imported_from("mdurl/__init__.py", "_format")
assert "format" not in imported_from("mdurl/__init__.py", "_format")
mdurl = load("mdurl/__init__.py")
assert "format_url" in mdurl.__all__ and "format" not in mdurl.__all__
url = mdurl.URL("https:", True, None, "8080", "::1", None, "?q=1", "/a")
assert mdurl.format_url(url) == "https://[::1]:8080/a?q=1"
assert not hasattr(mdurl, "format")
