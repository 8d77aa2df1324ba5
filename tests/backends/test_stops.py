"""The stop-string scanner that every answer's text goes through."""

from __future__ import annotations

from vibecli.backends.stops import StopScanner, partial_stop


def _run(pieces: list[bytes], stop: list[str]) -> tuple[list[str], bool, str]:
    scanner = StopScanner(stop)
    out = []
    for piece in pieces:
        text = scanner.feed(piece)
        if text:
            out.append(text)
        if scanner.stopped:
            break
    return out, scanner.stopped, scanner.flush()


def test_a_stop_string_split_over_tokens_is_held_back_then_cut():
    out, stopped, rest = _run([b"x = 1\n", b"``", b"`\nmore"], ["\n```"])
    assert out == ["x = 1"] and stopped and rest == ""


def test_held_text_that_does_not_become_a_stop_string_goes_out():
    out, stopped, rest = _run([b"a\n", b"``b", b" c"], ["\n```"])
    assert "".join(out) == "a\n``b c" and not stopped and rest == ""


def test_a_character_split_over_tokens_comes_out_whole_and_a_broken_end_is_replaced():
    snake = "\N{SNAKE}".encode()
    out, _, rest = _run([b"a", snake[:2], snake[2:], b"b"], [])
    assert out == ["a", "\N{SNAKE}", "b"] and rest == ""
    out, _, rest = _run([b"a", snake[:2]], [])
    assert out == ["a"] and rest == "\N{REPLACEMENT CHARACTER}"


def test_the_earliest_of_several_stop_strings_wins():
    out, stopped, _ = _run([b"one @@ done two ```"], ["```", "@@ done"])
    assert out == ["one "] and stopped


def test_the_longest_suffix_that_may_start_a_stop_string():
    assert partial_stop("abc\n``", ["\n```"]) == 3
    assert partial_stop("abc", ["\n```"]) == 0
    assert partial_stop("x @@ do", ["@@ done", "\n"]) == 5
