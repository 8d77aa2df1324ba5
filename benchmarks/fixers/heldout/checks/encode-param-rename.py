import inspect

from support import load

module = load("mdurl/_encode.py")
parameters = inspect.signature(module.encode).parameters
assert "safe" in parameters and "exclude" not in parameters
assert parameters["safe"].default == module.ENCODE_DEFAULT_CHARS
assert module.encode("a;b c", safe="") == "a%3Bb%20c"
assert module.encode("a;b c") == "a;b%20c"
assert module.encode("a;b", module.ENCODE_COMPONENT_CHARS) == "a%3Bb"
