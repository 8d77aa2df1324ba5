"""Which backends answer a request, and when to leave the local one (`route: local|remote|auto`).

Under `auto` the local backend answers first; when its answers are rejected (malformed, or the
result would not parse) or change nothing (both exit 3), or its edit fails the checks (exit 4),
the same request goes to the larger `remote` backend. Refusals, errors and interrupts never escalate: a larger model does
not fix a dirty file or a bad config, and a second run must not follow a Ctrl-C.
"""

from __future__ import annotations

from dataclasses import dataclass

from vibecli.core import Report
from vibecli.settings import Settings, backend_settings

ESCALATE_ON = ("rejected", "no_change", "checks_failed")


@dataclass(frozen=True)
class Side:
    label: str
    """`local` or `remote`."""
    settings: Settings
    """The settings with that side's backend (a profile already laid over them)."""


def plan(settings: Settings) -> list[Side]:
    """The backends to try, in order."""
    if settings.route == "local":
        return [Side("local", backend_settings(settings))]
    remote = Side("remote", backend_settings(settings, settings.remote))
    if settings.route == "remote":
        return [remote]
    return [Side("local", backend_settings(settings)), remote]


def escalates(report: Report) -> bool:
    return report.status in ESCALATE_ON


def link(report: Report, previous: Report) -> None:
    """Name on the final report the attempt it escalated from."""
    report.escalated_from = {
        "run_id": previous.run_id,
        "backend": previous.backend,
        "model": previous.model,
        "status": previous.status,
        "exit_code": previous.exit_code,
        "seconds": round(previous.total_s, 3),
    }
