from support import load

parse = load("iniconfig/_parse.py")
iscomment = parse.iscommentline
assert iscomment("// note") and iscomment("   // note") and iscomment("//")
assert iscomment("# x") and iscomment("; x")
assert not iscomment("a = b // c") and not iscomment("/etc/x") and not iscomment("key = 1")
assert parse._parseline("p", "// skipped", 0, False, False) == (None, None)
