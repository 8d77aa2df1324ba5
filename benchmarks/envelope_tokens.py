"""Tokens the envelope itself costs: the prompt around the user's files and request, and the
answer format around the code, counted with the embedded model's own tokenizer.

    python benchmarks/envelope_tokens.py

The prompt's fixed part (rules and few-shot examples) comes first, so the prompt cache serves
it after the first run; its cost is paid once per cache lifetime, not per run. The answer's
envelope is paid in generated tokens (~10x the cost of a prompt token here) on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vibecli.core import Edit
from vibecli.edits.envelope import format_envelope
from vibecli.prompts import edit_prompt

CODE = '''def total(items, tax=0.2):
    """The price of the items with tax."""
    subtotal = sum(item.price * item.count for item in items)
    return round(subtotal * (1 + tax), 2)
'''


def main() -> int:
    import llama_cpp

    from vibecli import paths
    from vibecli.models import resolve_model
    from vibecli.backends.llama_lib import quiet_stderr
    from vibecli.settings import Settings

    model = resolve_model(Settings(), paths.cache_dir())
    with quiet_stderr(True):
        vocab = llama_cpp.Llama(str(model.path), vocab_only=True, verbose=False)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode(), add_bos=False, special=False))

    request = "apply the tax only to positive subtotals"
    files = [{"path": "cart.py", "language": "python", "text": CODE, "symbols": []}]
    print(f"{'format':8} {'prompt':>7} {'fixed':>6} {'file':>5} {'request':>8} {'wrapper':>8}")
    for fmt in ("symbol", "search", "whole"):
        whole = edit_prompt(fmt, files, request, [])
        task_at = whole.index("=== Task")
        fixed = count(whole[:task_at])
        file_tokens, request_tokens = count(CODE), count(request)
        total = count(whole)
        wrapper = total - fixed - file_tokens - request_tokens
        print(f"{fmt:8} {total:7} {fixed:6} {file_tokens:5} {request_tokens:8} {wrapper:8}")
    new = CODE.replace("return round(", "return round(max(subtotal, 0) * 0 + ")
    answers = {
        "symbol": format_envelope([Edit("replace", "cart.py", new, symbol="total")], "python"),
        "search": format_envelope([Edit("search", "cart.py", new.splitlines(True)[3], search=CODE.splitlines(True)[3])],
                                  "python"),
        "whole": format_envelope([Edit("rewrite", "cart.py", new)], "python"),
    }
    print(f"\n{'answer':8} {'tokens':>7} {'code':>5} {'envelope':>9}  envelope text")
    for fmt, text in answers.items():
        code = sum(count(b) for b in text.split("```")[1::2])
        total = count(text)
        # the fence's language tag is inside the split blocks; count it with the envelope
        tags = sum(count("python\n") for _ in text.split("```")[1::2])
        print(f"{fmt:8} {total:7} {code - tags:5} {total - code + tags:9}  {text.splitlines()[0]!r} + fences + '@@ done'")
    print(f"\n'@@ done' = {count('@@ done')} tokens; '```python' = {count('```python')}; '```' = {count('```')}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
