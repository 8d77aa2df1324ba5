from support import load

module = load("intranges.py")
assert module.intranges_from_list([1, 1, 2, 3, 3]) == module.intranges_from_list([1, 2, 3])
assert module.intranges_from_list([7, 7, 7]) == module.intranges_from_list([7])
assert module.intranges_from_list([5, 1, 5, 2]) == module.intranges_from_list([1, 2, 5])
ranges = module.intranges_from_list([4, 4, 6])
assert [x for x in range(8) if module.intranges_contain(x, ranges)] == [4, 6]
