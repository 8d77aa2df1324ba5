"""Run a GBNF grammar over a text with llama.cpp's own grammar sampler, token by token.

The test oracle for "the grammar accepts this envelope": the same code that constrains the
model at run time, not a second implementation of GBNF.
"""

from __future__ import annotations

import ctypes
import math


def grammar_accepts(llm, grammar: str, text: str) -> bool:
    import llama_cpp

    vocab = llm._model.vocab
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
    assert sampler, "llama.cpp could not parse the grammar"
    try:
        for token in llm.tokenize(text.encode("utf-8"), add_bos=False, special=False):
            if not _allowed(llama_cpp, sampler, token):
                return False
            llama_cpp.llama_sampler_accept(sampler, token)
        return _allowed(llama_cpp, sampler, llama_cpp.llama_vocab_eos(vocab))  # complete, nothing missing
    finally:
        llama_cpp.llama_sampler_free(sampler)


def _allowed(llama_cpp, sampler, token: int) -> bool:
    data = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(id=token, logit=0.0, p=0.0))
    array = llama_cpp.llama_token_data_array(data=data, size=1, selected=-1, sorted=False)
    llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
    return not math.isinf(data[0].logit)
