from contextlib import nullcontext

from support import load

Input = load("input_base.py").Input
closed = []


class Keys(Input):
    fileno = typeahead_hash = lambda self: 0
    read_keys = lambda self: []  # noqa: E731
    closed = False
    raw_mode = cooked_mode = detach = lambda self: nullcontext()
    attach = lambda self, callback: nullcontext()  # noqa: E731

    def close(self):
        closed.append(self)


keys = Keys()
with keys as entered:
    assert entered is keys and closed == []
assert closed == [keys]
try:
    with Keys():
        raise KeyError("x")
except KeyError:
    pass
assert len(closed) == 2
