from __future__ import annotations

import pytest

from vibecli.edits.grammar import envelope_grammar, header_grammar

SYMBOLS = {"pkg/a.py": ["f", "C", "C.m"], "b.md": [], 'we"ird.py': ["g"]}


@pytest.mark.parametrize("build", [header_grammar, envelope_grammar])
def test_grammar_names_only_files_and_definitions_in_context(build):
    text = build(SYMBOLS)
    assert '"pkg/a.py "' in text and '"C.m"' in text and '"b.md"' in text
    assert '"we\\"ird.py "' in text


@pytest.mark.parametrize("build", [header_grammar, envelope_grammar])
def test_llama_cpp_compiles_the_grammar(build, vocab):
    from vibecli.backends.llama import grammar_is_valid

    assert grammar_is_valid(vocab, build(SYMBOLS))
    assert not grammar_is_valid(vocab, "root ::= (")  # the check does tell a broken grammar


def test_no_files_and_no_create_is_an_error():
    with pytest.raises(ValueError):
        header_grammar({}, ops=("replace",))
