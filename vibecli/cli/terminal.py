"""The session's prompt: prompt_toolkit with history per repository and completion of
commands and file paths. prompt_toolkit is imported here only, when a session starts."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from vibecli.cli.console import Env

PATH_COMMANDS = ("/add", "/run")
"""Commands whose arguments complete as paths on disk (/drop completes from the files in play)."""


class Terminal:
    def __init__(
        self,
        env: Env,
        history: Path,
        commands: Callable[[], list[str]],
        in_play: Callable[[], list[str]],
        tracked: Callable[[], list[str]],
    ):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            kept = FileHistory(str(history))
        except OSError as exc:
            env.info(f"history is not kept: cannot create {history.parent}: {exc.strerror}")
            kept = InMemoryHistory()
        self.session = PromptSession(
            history=kept, completer=_completer(commands, in_play, tracked), complete_while_typing=False
        )

    def read_line(self, message: str = "vibecli> ", default: str = "") -> str:
        """One line; KeyboardInterrupt on Ctrl-C (the line is dropped), EOFError on Ctrl-D."""
        return self.session.prompt(message, default=default)

    def choose(self, question: str, options: list[str]) -> str:
        """The first word of one of `options`, answered by its first letter or that word.
        Ctrl-D answers the last option; Ctrl-C is a KeyboardInterrupt."""
        from prompt_toolkit import prompt

        words = [o.split()[0] for o in options]
        shown = ", ".join(f"[{o[0]}]{o[1:]}" for o in options)
        while True:
            try:
                reply = prompt(f"{question} {shown}: ").strip().lower()
            except EOFError:
                return words[-1]
            for word in words:
                if reply and reply in (word, word[0]):
                    return word


def _completer(commands: Callable[[], list[str]], in_play: Callable[[], list[str]], tracked: Callable[[], list[str]]):
    from prompt_toolkit.completion import Completer, Completion, PathCompleter
    from prompt_toolkit.document import Document

    on_disk = PathCompleter(expanduser=True)

    class SessionCompleter(Completer):
        def get_completions(self, document, complete_event) -> Iterable[Completion]:
            text = document.text_before_cursor
            word = document.get_word_before_cursor(WORD=True)
            if text.startswith("/") and " " not in text:
                yield from (Completion(c, -len(text)) for c in commands() if c.startswith(text))
                return
            command = text.split(" ", 1)[0] if text.startswith("/") else ""
            if command in PATH_COMMANDS:
                yield from on_disk.get_completions(Document(word, len(word)), complete_event)
            elif command == "/drop":
                yield from (Completion(p, -len(word)) for p in in_play() if p.startswith(word))
            elif not command and word:
                # a plain request: complete the tracked file a word starts to name
                for path in tracked():
                    if path.startswith(word) or (Path(path).name.startswith(word) and "/" not in word):
                        yield Completion(path, -len(word))

    return SessionCompleter()
