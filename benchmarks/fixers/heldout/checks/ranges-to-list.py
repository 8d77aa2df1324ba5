from support import load

module = load("intranges.py")
for values in ([5, 1, 2, 3, 9], [], [0], [4, 5, 6, 7], [2**20, 1, 2**20 + 1]):
    ranges = module.intranges_from_list(values)
    assert list(module.intranges_to_list(ranges)) == sorted(values), values
assert module.intranges_contain(3, module.intranges_from_list([1, 2, 3]))
