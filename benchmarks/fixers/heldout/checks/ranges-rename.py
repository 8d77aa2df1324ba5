from support import identifiers, load, top_level

assert "intranges_contains" in top_level("intranges.py")
assert "intranges_contain" not in identifiers("intranges.py")
module = load("intranges.py")
ranges = module.intranges_from_list([1, 2, 3, 7, 10, 11])
assert [x for x in range(13) if module.intranges_contains(x, ranges)] == [1, 2, 3, 7, 10, 11]
