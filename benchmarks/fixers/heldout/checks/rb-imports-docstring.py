import ast

from support import findings, load, node, text

assert not findings("receivebuffer.py", "F401")
assert ast.get_docstring(node(text("receivebuffer.py"), "ReceiveBuffer")), "ReceiveBuffer has no docstring"
buffer = load("receivebuffer.py").ReceiveBuffer()
buffer += b"x\r\n"
assert buffer.maybe_extract_next_line() == bytearray(b"x\r\n") and not buffer
