"""docs/configuration.md's tables are what the settings' declarations say (scripts/configuration_table.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "configuration_table.py"


def _script():
    return load_script("scripts/configuration_table.py")


def test_the_page_lists_every_setting_as_declared():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_row_edited_by_hand_or_a_setting_missing_is_caught():
    table = _script()
    page = table.PAGE.read_text(encoding="utf-8")
    assert table.rendered(page) == page
    edited = page.replace("| `max_tokens` | integer ≥ 1 | 768 |", "| `max_tokens` | integer ≥ 1 | 512 |")
    assert edited != page and table.rendered(edited) == page
    start, end = page.index(table.BEGIN), page.index(table.END)
    without_seed = page[:start] + "\n".join(
        line for line in page[start:end].splitlines() if not line.startswith("| `seed`")) + page[end:]
    assert table.rendered(without_seed) == page


def test_each_row_shows_the_declared_flag_commands_and_environment():
    from vibecli.settings import DECLARED

    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].strip("| `"): line for line in page.splitlines() if line.startswith("| `")}
    assert set(DECLARED) <= set(rows)
    assert "`--format` (edit, chat, fix, batch, new)" in rows["edit_format"]
    assert "`VIBECLI_LOG`, or `VIBECLI_NO_LOG=1`" in rows["log"]
    assert "(files only)" in rows["backends"] and "| integer 1-8 |" in rows["auto_files"]
