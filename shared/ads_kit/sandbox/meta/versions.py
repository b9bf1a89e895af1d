"""The Marketing API version calendar (reference §1.1) and what the sandbox serves for a request.

A version is live from its release until its Marketing API expiry; calls to anything else answer
#2635, unless the `meta_auto_upgrade_versions` setting makes the sandbox serve them as the oldest
live version (Meta's auto-upgrade), which the `facebook-api-version` header then reports.
"""

from __future__ import annotations

from datetime import date

from ads_kit.sandbox.meta.errors import deprecated_version

# version -> (released, Marketing API expiry or None while undecided)
CALENDAR: dict[str, tuple[date, date | None]] = {
    "v18.0": (date(2023, 9, 12), date(2024, 8, 13)),
    "v19.0": (date(2024, 1, 23), date(2025, 2, 4)),
    "v20.0": (date(2024, 5, 21), date(2025, 5, 6)),
    "v21.0": (date(2024, 10, 2), date(2025, 9, 9)),
    "v22.0": (date(2025, 1, 21), date(2026, 2, 19)),
    "v23.0": (date(2025, 5, 29), date(2026, 6, 9)),
    "v24.0": (date(2025, 10, 8), date(2026, 11, 10)),
    "v25.0": (date(2026, 2, 18), date(2027, 2, 23)),
    "v26.0": (date(2026, 7, 29), None),
    "v27.0": (date(2026, 11, 4), None),
}


def _number(version: str) -> float:
    return float(version.removeprefix("v"))


def live_versions(today: date) -> list[str]:
    live = [
        version
        for version, (released, expires) in CALENDAR.items()
        if released <= today and (expires is None or today < expires)
    ]
    return sorted(live, key=_number)


def served_version(requested: str, today: date, auto_upgrade: bool) -> str:
    """The version that answers a call for `requested`; raises the #2635 error when none does."""
    live = live_versions(today)
    if requested in live:
        return requested
    if auto_upgrade and live and _number(requested) < _number(live[0]):
        return live[0]
    raise deprecated_version(live[-1] if live else requested)
