from support import findings, load

assert not findings("receivebuffer.py", "F401")
module = load("receivebuffer.py")
buffer = module.ReceiveBuffer()
buffer += b"GET / HTTP/1.1\r\nHost: x\r\n"
assert buffer.maybe_extract_next_line() == bytearray(b"GET / HTTP/1.1\r\n")
assert buffer.maybe_extract_at_most(4) == bytearray(b"Host")
assert len(buffer) == 5 and bytes(buffer) == b": x\r\n"
assert module.blank_line_regex.search(b"a\r\n\r\n")
