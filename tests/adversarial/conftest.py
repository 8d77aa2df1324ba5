import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import Sandbox  # noqa: E402


@pytest.fixture
def sandbox(tmp_path, vibecli_home) -> Sandbox:
    """A repository full of the user's work (staged, unstaged, untracked), a canary outside it."""
    return Sandbox(tmp_path / "box", vibecli_home)


@pytest.fixture
def clean_sandbox(tmp_path, vibecli_home) -> Sandbox:
    """The same repository with no work of the user's in progress."""
    return Sandbox(tmp_path / "box", vibecli_home, user_work=False)
