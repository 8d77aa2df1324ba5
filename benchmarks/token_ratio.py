"""Output tokens a correct answer needs, symbol-anchored vs whole-file, for a one-function
change in a 300-line Python file, counted with the embedded model's own tokenizer.

    python benchmarks/token_ratio.py

Generation is the slowest part on a CPU (~56 tokens/s here against ~520 for the prompt), so
this ratio is the share of generation time anchoring leaves.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vibecli.core import Edit
from vibecli.edits.envelope import format_envelope


def make_file(functions: int = 30) -> str:
    parts = []
    for i in range(functions):
        parts.append(
            f"def step_{i}(values, factor={i + 1}):\n"
            f'    """Scale the values by {i + 1} and drop the negative ones."""\n'
            f"    result = []\n"
            f"    for value in values:\n"
            f"        scaled = value * factor\n"
            f"        if scaled >= 0:\n"
            f"            result.append(scaled)\n"
            f"    return result\n"
        )
    return "\n\n".join(parts)


def main() -> int:
    import llama_cpp

    from vibecli.models import resolve_model
    from vibecli.backends.llama_lib import quiet_stderr
    from vibecli.paths import cache_dir
    from vibecli.settings import Settings

    text = make_file()
    lines = text.count("\n") + 1
    old = text[text.index("def step_17(") : text.index("def step_18(")].rstrip("\n") + "\n"
    new = old.replace("if scaled >= 0:", "if scaled > 0:")
    symbol = format_envelope([Edit("replace", "steps.py", new, "step_17")], "python")
    whole = format_envelope([Edit("rewrite", "steps.py", text.replace(old, new))], "python")
    model = resolve_model(Settings(), cache_dir())
    with quiet_stderr(True):
        vocab = llama_cpp.Llama(str(model.path), vocab_only=True, verbose=False)
    count = lambda s: len(vocab.tokenize(s.encode(), add_bos=False, special=False))  # noqa: E731
    a, w = count(symbol), count(whole)
    print(f"file: {lines} lines; change: one comparison in step_17")
    print(f"symbol-anchored answer: {a} tokens")
    print(f"whole-file answer:      {w} tokens")
    print(f"output-token ratio symbol/whole: {a / w:.3f} ({w / a:.1f}x fewer tokens to generate)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
