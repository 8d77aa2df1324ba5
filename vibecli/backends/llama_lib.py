"""Calls into the llama.cpp library that need no loaded backend: its notes kept off the terminal,
its weights loaded unrepacked, a grammar checked before it can crash the process, and a token
counter from a model's vocabulary alone. llama_cpp is imported inside each function: importing
this module costs nothing."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from vibecli.core import VibeError


def grammar_is_valid(vocab, grammar: str) -> bool:
    import llama_cpp

    with quiet_stderr(True):
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(sampler)
    return True


@contextmanager
def weights_not_repacked():
    """On a llama.cpp built without llamafile, load with its extra buffer types off: repacked
    weights take another kernel from 4 rows on (a 4-row gemm for q4_K), so batches would not
    compute what one-token batches do and prompt-lookup drafts could change answers (see
    lookup.DRAFT_MAX). A stock build (llamafile's tinyBLAS) is not exact anyway and loads as it
    always did. llama-cpp-python 0.3.36 has no argument for it, so its default parameters are
    wrapped while the model loads."""
    import llama_cpp

    if b"LLAMAFILE = 1" in llama_cpp.llama_print_system_info():
        yield
        return
    module = llama_cpp.llama_cpp
    original = module.llama_model_default_params

    def params():
        value = original()
        if hasattr(value, "use_extra_bufts"):
            value.use_extra_bufts = False
        return value

    module.llama_model_default_params = params
    try:
        yield
    finally:
        module.llama_model_default_params = original


@contextmanager
def quiet_stderr(quiet: bool):
    """llama.cpp writes notes straight to file descriptor 2 while loading; keep the terminal clean."""
    if not quiet:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def vocab_counter(model_path: Path) -> Callable[[str], int]:
    """A token counter with a model's own vocabulary, without loading its weights."""
    import llama_cpp

    try:
        with quiet_stderr(True):
            vocab = llama_cpp.Llama(str(model_path), vocab_only=True, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise VibeError(f"llama.cpp could not read the vocabulary of {model_path}: {exc}") from None
    return lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))
