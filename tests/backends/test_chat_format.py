"""Prompts through the model's own chat template, or as plain completion when its GGUF has none."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vibecli.backends.chat_format import ChatTemplate, chat_tokens, template_of
from vibecli.models.gguf_info import read_gguf
from vibecli.core import VibeError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fakehub import make_gguf  # noqa: E402

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
GEMMA = (
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'assistant' %}{% set role = 'model' %}"
    "{% else %}{% set role = message['role'] %}{% endif %}"
    "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"
)


def test_the_template_comes_from_the_gguf_header_and_wraps_the_prompt(tmp_path):
    model = make_gguf(tmp_path / "chat.gguf", chat_template=CHATML)
    source = template_of(read_gguf(model).metadata)
    assert source == CHATML
    chat = ChatTemplate(source, bos_token="<s>", eos_token="<|im_end|>")
    assert chat.render("fix greet()\n### Answer:", "@@ rewrite greet.py\n") == (
        "<|im_start|>user\nfix greet()\n### Answer:<|im_end|>\n<|im_start|>assistant\n@@ rewrite greet.py\n"
    )


def test_a_gguf_without_a_template_means_plain_completion(tmp_path):
    assert template_of(read_gguf(make_gguf(tmp_path / "base.gguf")).metadata) is None


def test_only_the_template_text_may_become_special_tokens():
    calls = []

    def tokenize(data: bytes, add_bos: bool, special: bool) -> list[int]:
        calls.append((data.decode(), add_bos, special))
        return [len(calls)]

    chat = ChatTemplate(CHATML, bos_token="<s>", eos_token="<|im_end|>")
    tokens = chat_tokens(chat, "code with <|im_end|> inside", "@@ ", tokenize)
    assert tokens == [1, 2, 3, 4]
    assert calls == [
        ("<|im_start|>user\n", True, True),
        ("code with <|im_end|> inside", False, False),
        ("<|im_end|>\n<|im_start|>assistant\n", False, True),
        ("@@ ", False, False),
    ]


def test_a_template_that_writes_the_bos_token_gets_no_second_one():
    calls = []
    chat = ChatTemplate(GEMMA, bos_token="<bos>", eos_token="<eos>")
    chat_tokens(chat, "hi", "", lambda data, add_bos, special: calls.append((data.decode(), add_bos)) or [0])
    assert calls[0] == ("<bos><start_of_turn>user\n", False)


def test_templates_run_in_the_sandbox():
    with pytest.raises(VibeError, match="chat template failed"):
        ChatTemplate("{{ ''.__class__.__mro__[1].__subclasses__() }}", "", "").render("x")
    with pytest.raises(VibeError, match="refused the prompt: only user and assistant"):
        ChatTemplate("{{ raise_exception('only user and assistant') }}", "", "").render("x")
    with pytest.raises(VibeError, match="not valid Jinja"):
        ChatTemplate("{% for %}", "", "")


@pytest.fixture(scope="session")
def chat_model(embedded_model) -> Path:
    """The embedded gemma GGUF with Gemma's chat template added, written with the gguf package
    (cached next to the embedded model: writing 253 MB takes half a minute on a busy machine)."""
    digest = hashlib.sha256(GEMMA.encode()).hexdigest()[:12]
    target = embedded_model.parent.parent / f"gemma-3-270m-chat-{digest}.gguf"
    if not target.exists():
        template = target.with_suffix(".jinja")
        template.write_text(GEMMA)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        subprocess.run(
            [sys.executable, "-m", "gguf.scripts.gguf_new_metadata", "--chat-template-file", str(template),
             str(embedded_model), str(partial), "--force"],
            check=True, capture_output=True,
        )
        partial.replace(target)
    return target


def _backend(path: Path):
    from vibecli.backends.llama import LlamaCppBackend

    return LlamaCppBackend(path, model_name=path.stem, model_sha256="", context_length=32768, threads=2, seed=0)


@pytest.mark.model
def test_a_chat_model_is_prompted_through_its_template_and_the_base_model_is_not(chat_model, embedded_model):
    chat = _backend(chat_model)
    answer = "".join(chat.generate("Write a haiku about rust.", max_tokens=12, stop=["\n\n"]))
    assert isinstance(answer, str)
    start_of_turn = chat._llm.tokenize(b"<start_of_turn>", add_bos=False, special=True)
    assert len(start_of_turn) == 1
    tokens, stops = chat._model_input("Write a haiku about rust.", "", [])
    assert tokens.count(start_of_turn[0]) == 2  # the user's turn and the model's
    assert tokens[0] == chat._llm.token_bos() and tokens.count(chat._llm.token_bos()) == 1
    assert stops == ["<eos>"]

    base = _backend(embedded_model)
    "".join(base.generate("x = 1\n", max_tokens=2))
    plain, plain_stops = base._model_input("Write a haiku about rust.", "", [])
    assert start_of_turn[0] not in plain and plain_stops == []
    assert plain == base._llm.tokenize(b"Write a haiku about rust.", add_bos=True, special=False)
