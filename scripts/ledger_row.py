"""An adapter's ledger entry (the ledger.json `vibecli train` writes beside it) as one markdown
table row for docs/adapters.md:

    python scripts/ledger_row.py ~/.local/share/vibecli/adapters/RUN/ledger.json [MORE.json ...]
    python scripts/ledger_row.py --header RUN/ledger.json     # the table's header first
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vibecli.train.ledger import header, markdown_row  # noqa: E402


def main(args: list[str]) -> int:
    show_header = "--header" in args
    files = [a for a in args if a != "--header"]
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if show_header:
        print(header())
    for name in files:
        path = Path(name)
        if path.is_dir():
            path = path / "ledger.json"
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"ledger_row: {path}: {exc}", file=sys.stderr)
            return 1
        print(markdown_row(record))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
