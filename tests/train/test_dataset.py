"""How a training example becomes weighted tokens; model-free (a character tokenizer stands in)."""

from __future__ import annotations

from vibecli.train.dataset import departures, encode


class CharTokenizer:
    bos_token_id = 1
    eos_token_id = 2

    def __call__(self, text, add_special_tokens=False, return_offsets_mapping=False):
        out = {"input_ids": [ord(c) for c in text]}
        if return_offsets_mapping:
            out["offset_mapping"] = [(i, i + 1) for i in range(len(text))]
        return out


def test_a_departure_from_a_copy_names_the_token_copying_would_give():
    shown = list(b"def f(x):\n    return x < 1\n")
    answer = list(b"def f(x):\n    return x > 1\n")
    marks = departures(shown, answer)
    changed = answer.index(ord(">"))
    assert marks[changed] == ord("<")
    assert [i for i, m in enumerate(marks) if m != -1] == [changed]  # the rest copies, or follows no copy run


def test_no_departure_where_the_file_has_the_same_run_followed_by_the_answers_token():
    shown = list(b"abcdX abcdY")
    assert departures(shown, list(b"abcdY")) == [-1] * 5  # "abcd" is followed by Y somewhere in the file
    assert departures(shown, list(b"abcdZ"))[4] == ord("Y")  # the latest copy wins


def test_encode_weighs_copied_lines_and_marks_only_the_answers_departures():
    prompt = "=== Example\nx = 2\n=== Task\n### File: a.py\n```python\nlimit = 10\nname = 'a'\n```\n### Answer:\n"
    answer = "```python\nlimit = 20\nname = 'a'\n```\n"
    item = encode(CharTokenizer(), prompt, answer, copy_weight=0.25)
    n = item.prompt_len
    assert n == len(prompt) + 1 and item.input_ids[0] == 1 and item.input_ids[-1] == 2
    assert set(item.weights[:n]) == {0.0} and set(item.avoid[:n]) == {-1}
    weights = dict(zip(range(len(answer)), item.weights[n:]))
    assert weights[answer.index("limit")] == 1.0 and weights[answer.index("name")] == 0.25
    marked = [(i, chr(t)) for i, t in enumerate(item.avoid[n:]) if t != -1]
    # the changed digit only: not the end, though copying on past the closing fence would go on
    # to "### Answer" (there, pushing copying down teaches the model not to stop)
    assert marked == [(answer.index("20"), "1")]


def test_no_departure_is_marked_on_copied_lines_or_fences():
    prompt = "=== Task\n### File: a.py\n```python\na = 1\n\nb = 2\n```\n### Answer:\n"
    answer = "```python\na = 1\nb = 2\n```\n"  # drops the blank line: a departure on a copied line
    item = encode(CharTokenizer(), prompt, answer, copy_weight=0.25)
    after_a = answer.index("b = 2")
    assert departures(list(map(ord, prompt)), list(map(ord, answer)))[after_a] == ord("\n")  # copying would differ here
    assert set(item.avoid[item.prompt_len :]) == {-1}  # but the line is copied: nothing is marked
