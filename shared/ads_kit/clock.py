"""The one clock every calendar decision reads: account days, report ranges, versions, stamps.

Real time by default. ``ADS_NOW`` (an ISO-8601 instant with an offset, e.g. ``2026-03-29T00:30:00Z``)
pins it for a whole process: that is how a tap run and a pinned sandbox agree on the instant, how a
test reproduces any hour of any day, and how a past run is replayed. ``pinned()`` pins it in-process.

Durations (token lifetimes, rate-limit windows, retry waits) are measured on the system and monotonic
clocks, not here: pinning the calendar must never freeze a wait.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

ENV_VAR = "ADS_NOW"

_pinned: datetime | None = None


class ClockError(ValueError):
    """``ADS_NOW`` (or a pinned value) is not an ISO-8601 instant with an offset."""


def parse_instant(text: str) -> datetime:
    """A tz-aware UTC instant from ISO-8601 text; a naive time is refused, never guessed."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise ClockError(f"{text!r} is not an ISO-8601 instant like 2026-03-29T00:30:00Z") from None
    if parsed.tzinfo is None:
        raise ClockError(f"{text!r} has no UTC offset (add Z or +00:00)")
    return parsed.astimezone(UTC)


def seconds_to_utc_midnight(moment: datetime | None = None) -> float:
    """Seconds from `moment` (default now) to the next 00:00 UTC, when daily quotas reset."""
    moment = (moment or now()).astimezone(UTC)
    return (datetime.combine(moment.date() + timedelta(days=1), time(), UTC) - moment).total_seconds()


def now() -> datetime:
    """The current instant in UTC: the in-process pin, else ``ADS_NOW``, else the real clock."""
    if _pinned is not None:
        return _pinned
    text = os.environ.get(ENV_VAR)
    if not text:
        return datetime.now(UTC)
    try:
        return parse_instant(text)
    except ClockError as exc:
        raise ClockError(f"{ENV_VAR}: {exc}") from None


@contextlib.contextmanager
def pinned(instant: datetime | str) -> Iterator[datetime]:
    """Pin ``now()`` to ``instant`` inside the block (tests)."""
    global _pinned
    if isinstance(instant, datetime) and instant.tzinfo is None:
        raise ClockError(f"pinned instant {instant!r} has no UTC offset")
    value = parse_instant(instant) if isinstance(instant, str) else instant.astimezone(UTC)
    previous, _pinned = _pinned, value
    try:
        yield value
    finally:
        _pinned = previous
