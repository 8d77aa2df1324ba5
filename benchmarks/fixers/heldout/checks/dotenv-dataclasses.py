import dataclasses

from support import load

variables = load("dotenv/variables.py")
Literal, Variable = variables.Literal, variables.Variable
assert dataclasses.is_dataclass(Literal) and dataclasses.is_dataclass(Variable)
assert Literal("a") == Literal("a") and Literal("a") != Literal("b")
assert Variable("A", None) == Variable("A", None) and Variable("A", None) != Variable("A", "x")
assert len({Literal("a"), Literal("a"), Variable("A", None), Variable("A", None)}) == 2
assert Literal("a") != Variable("a", None)
assert isinstance(Literal("a"), variables.Atom)
assert Variable("A", "d").resolve({}) == "d" and Variable("A", None).resolve({"A": "1"}) == "1"
assert list(variables.parse_variables("a${B}")) == [Literal("a"), Variable("B", None)]
