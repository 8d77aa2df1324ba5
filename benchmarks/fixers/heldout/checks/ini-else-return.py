from support import findings, load, same_outside

assert not findings("iniconfig/_parse.py", "RET505", "_parseline")
assert same_outside("iniconfig/_parse.py", "_parseline")
parse = load("iniconfig/_parse.py")
line = parse._parseline
assert line("p", "[ sec ]", 0, False, True) == ("sec", None)
assert line("p", "[sec", 0, False, False) == (None, "[sec")
assert line("p", "a = 1 # c", 0, True, False) == ("a", "1")
assert line("p", "a: 1 # c", 0, False, False) == ("a", "1 # c")
assert line("p", "   more ; x", 0, True, False) == (None, "more")
assert line("p", "# comment", 0, False, False) == (None, None)
try:
    line("p", "junk", 3, False, False)
except parse.ParseError as error:
    assert str(error) == "p:4: unexpected line: 'junk'"
else:
    raise AssertionError("no error")
