from support import identifiers, imported_from, load, top_level

assert "IniParseError" in top_level("iniconfig/exceptions.py")
for path in ("iniconfig/exceptions.py", "iniconfig/_parse.py", "iniconfig/__init__.py"):
    assert "ParseError" not in identifiers(path), path
assert "IniParseError" in imported_from("iniconfig/_parse.py", "exceptions")
package = load("iniconfig/__init__.py")
assert "IniParseError" in package.__all__ and "ParseError" not in package.__all__
parse = load("iniconfig/_parse.py")
try:
    parse._parseline("cfg.ini", "garbage", 0, False, False)
except package.IniParseError as error:
    assert str(error) == "cfg.ini:1: unexpected line: 'garbage'"
else:
    raise AssertionError("no error raised")
