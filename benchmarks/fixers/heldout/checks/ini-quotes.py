from support import load

line = load("iniconfig/_parse.py")._parseline
assert line("p", 'name = "x y"', 0, False, False) == ("name", "x y")
assert line("p", "name = 'x y'", 0, False, False) == ("name", "x y")
assert line("p", "name: \"quoted\"", 0, False, False) == ("name", "quoted")
assert line("p", 'name = "half', 0, False, False) == ("name", '"half')
assert line("p", "name = plain", 0, False, False) == ("name", "plain")
assert line("p", "[sec]", 0, False, False) == ("sec", None)
