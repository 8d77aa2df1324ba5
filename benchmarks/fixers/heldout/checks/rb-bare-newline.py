from support import load

ReceiveBuffer = load("receivebuffer.py").ReceiveBuffer


def first_line(data):
    buffer = ReceiveBuffer()
    buffer += data
    line = buffer.maybe_extract_next_line()
    return (None if line is None else bytes(line)), bytes(buffer)


assert first_line(b"abc\ndef") == (b"abc\n", b"def")
assert first_line(b"abc\r\ndef") == (b"abc\r\n", b"def")
assert first_line(b"a\nb\r\n") == (b"a\n", b"b\r\n")
assert first_line(b"abc") == (None, b"abc")
buffer = ReceiveBuffer()
buffer += b"ab"
assert buffer.maybe_extract_next_line() is None
buffer += b"c\n"
assert buffer.maybe_extract_next_line() == bytearray(b"abc\n")
