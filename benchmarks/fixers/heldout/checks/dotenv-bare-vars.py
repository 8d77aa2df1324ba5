from support import load

variables = load("dotenv/variables.py")
Literal, Variable = variables.Literal, variables.Variable


def atoms(text):
    return list(variables.parse_variables(text))


assert atoms("a $B c") == [Literal("a "), Variable("B", None), Literal(" c")], atoms("a $B c")
assert atoms("$HOME/bin") == [Variable("HOME", None), Literal("/bin")]
assert atoms("x$B_1-c") == [Literal("x"), Variable("B_1", None), Literal("-c")]
assert atoms("${A:-d}$B") == [Variable("A", "d"), Variable("B", None)]
assert atoms("no vars") == [Literal("no vars")]
assert "".join(a.resolve({"B": "2"}) for a in atoms("a$B")) == "a2"
