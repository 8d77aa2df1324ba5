import ast

from support import load, node, text

for name in ("apply_filters", "simplefilter"):
    function = node(text("filter.py"), name)
    arguments = function.args.args
    assert all(a.annotation is not None for a in arguments), f"{name}: a parameter has no type"
    assert function.returns is not None, f"{name}: no return type"
filters = load("filter.py")


@filters.simplefilter
def upper(self, lexer, stream, options):
    for ttype, value in stream:
        yield ttype, value.upper()


assert list(filters.apply_filters([("t", "a")], [upper()])) == [("t", "A")]
assert ast.get_docstring(node(text("filter.py"), "apply_filters"))
