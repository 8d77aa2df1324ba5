"""A model's own prompt format: the chat template its GGUF carries (`tokenizer.chat_template`).

An instruction-tuned model answers well only inside its chat template; a base model (like the
embedded gemma-3-270m, whose GGUF has no template) is given vibecli's prompt as plain text to
complete. The template is Jinja, written by whoever made the model file, so it is rendered in
Jinja's sandbox (as llama.cpp's Jinja2ChatFormatter does), with the variables such templates
expect: messages, add_generation_prompt, bos_token, eos_token, raise_exception, strftime_now.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from vibecli.core import VibeError

TEMPLATE_KEY = "tokenizer.chat_template"


def _raise(message: str):
    raise VibeError(f"the model's chat template refused the prompt: {message}")


@dataclass
class ChatTemplate:
    source: str
    bos_token: str
    eos_token: str

    def __post_init__(self):
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        environment = ImmutableSandboxedEnvironment(loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True)
        try:
            self._template = environment.from_string(self.source)
        except jinja2.TemplateError as exc:
            raise VibeError(f"the model's chat template is not valid Jinja: {exc}") from None

    def render(self, prompt: str, prefill: str = "") -> str:
        """vibecli's prompt as the user's turn, then the opening of the model's turn, then `prefill`
        (the start of the answer already decided, which the model continues)."""
        import jinja2

        try:
            text = self._template.render(
                messages=[{"role": "user", "content": prompt}],
                add_generation_prompt=True,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                raise_exception=_raise,
                strftime_now=lambda fmt: datetime.datetime.now().strftime(fmt),
                tools=None,
            )
        except jinja2.TemplateError as exc:
            raise VibeError(f"the model's chat template failed: {exc}") from None
        return text + prefill


def template_of(metadata: dict) -> str | None:
    source = metadata.get(TEMPLATE_KEY)
    return source if isinstance(source, str) and source.strip() else None


def template_for(llm) -> ChatTemplate | bool:
    """The chat template of a loaded llama_cpp.Llama's GGUF, with the model's own BOS and EOS
    text; False when its GGUF has none."""
    source = template_of(llm.metadata)
    if source is None:
        return False
    eos, bos = llm.token_eos(), llm.token_bos()
    return ChatTemplate(
        source,
        bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
        eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
    )


_SLOT = "\x00vibecli-prompt\x00"


def chat_tokens(chat: ChatTemplate, prompt: str, prefill: str, tokenize) -> list[int]:
    """The rendered template as tokens. Only the template's own text may become special tokens:
    the prompt (code from the user's files) and the prefill are tokenized as plain text, so a file
    that contains `<|im_end|>` cannot end the turn early."""
    rendered = chat.render(_SLOT)
    if rendered.count(_SLOT) != 1:
        # a template that transforms the content; render it as it is (special tokens parsed everywhere)
        text = chat.render(prompt, prefill)
        bos = bool(chat.bos_token) and text.startswith(chat.bos_token)
        return tokenize(text.encode("utf-8"), add_bos=not bos, special=True)
    before, after = rendered.split(_SLOT)
    bos = bool(chat.bos_token) and before.startswith(chat.bos_token)
    return (
        tokenize(before.encode("utf-8"), add_bos=not bos, special=True)
        + tokenize(prompt.encode("utf-8"), add_bos=False, special=False)
        + tokenize(after.encode("utf-8"), add_bos=False, special=True)
        + (tokenize(prefill.encode("utf-8"), add_bos=False, special=False) if prefill else [])
    )
