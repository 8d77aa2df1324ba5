"""The adversarial suite: vibecli run as a real process against hostile answers, repositories, signals, faults
and concurrent runs (a package, so that its conftest does not shadow the suite's own)."""
