from support import load

buffer = load("receivebuffer.py").ReceiveBuffer()
buffer += b"hello world"
assert bytes(buffer.peek(5)) == b"hello"
assert len(buffer) == 11
assert bytes(buffer.peek(100)) == b"hello world"
assert buffer.maybe_extract_at_most(6) == bytearray(b"hello ")
assert bytes(buffer.peek(2)) == b"wo"
assert bytes(buffer.peek(0)) == b""
