"""Account time zones, UTC entity timestamps, and re-bucketing hourly rows into another zone's days.

Platforms report days in the account's zone. With a reporting zone, hourly rows are moved onto the
UTC timeline and summed into that zone's days; days of 23 and 25 hours (DST changes) fall out of the
arithmetic. Metrics that have no hourly form (reach) cannot be re-bucketed and come back as null.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ads_kit.unified.metrics import ADDITIVE_METRICS, NON_ADDITIVE_METRICS, sum_rows


class TimezoneError(ValueError):
    """An unknown zone or an unreadable timestamp; the message names the value."""


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (TikTok's inverted ``Etc/GMT+8`` names included)."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, AttributeError):
        raise TimezoneError(f"unknown time zone {name!r} (expected an IANA name such as UTC)") from None


def local_today(tz_name: str, now: datetime) -> date:
    """The date of the instant ``now`` in ``tz_name``: the last day a platform can report (partly)
    for an account there. ``now`` comes from ``ads_kit.clock``; a naive value is refused."""
    if now.tzinfo is None:
        raise TimezoneError(f"now {now.isoformat()} has no time zone")
    return now.astimezone(zone(tz_name)).date()


def parse_offset_timestamp(text: str) -> datetime:
    """UTC from an ISO timestamp with an offset, including Meta's ``2024-03-12T15:02:47-0700``."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise TimezoneError(f"{text!r} is not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        raise TimezoneError(f"{text!r} has no UTC offset")
    return parsed.astimezone(UTC)


def parse_local_timestamp(text: str, tz_name: str) -> datetime:
    """UTC from a naive ``YYYY-MM-DD HH:MM:SS`` in ``tz_name`` (Google ``start_date_time``).

    In the repeated hour of a DST fall-back the earlier instant is taken (``fold=0``), the same
    choice the platforms' UIs make.
    """
    naive = _naive(text)
    return naive.replace(tzinfo=zone(tz_name)).astimezone(UTC)


def parse_utc_timestamp(text: str) -> datetime:
    """UTC from a naive ``YYYY-MM-DD HH:MM:SS`` that the platform states is UTC (TikTok ``create_time``)."""
    return _naive(text).replace(tzinfo=UTC)


def to_utc_iso(value: datetime) -> str:
    """The ISO form of a tz-aware instant in UTC; a naive value is refused, never guessed."""
    if value.tzinfo is None:
        raise TimezoneError(f"timestamp {value.isoformat()} has no time zone")
    return value.astimezone(UTC).isoformat()


def _naive(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise TimezoneError(f"{text!r} is not a YYYY-MM-DD HH:MM:SS timestamp") from None
    if parsed.tzinfo is not None:
        raise TimezoneError(f"{text!r} carries an offset where a local time was expected")
    return parsed


def hour_start_utc(day: date, hour: int, tz_name: str, *, fold: int = 0) -> datetime:
    """UTC start of local ``hour`` on ``day``; ``fold=1`` picks the second pass of a repeated hour."""
    if not 0 <= hour <= 23:
        raise TimezoneError(f"hour {hour} is outside 0-23")
    local = datetime.combine(day, time(hour), tzinfo=zone(tz_name)).replace(fold=fold)
    return local.astimezone(UTC)


def day_hours(day: date, tz_name: str) -> int:
    """Length of the local ``day`` in hours: 23 or 25 on DST changes, otherwise 24."""
    tz = zone(tz_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return round((end - start) / timedelta(hours=1))


@dataclass
class Rebucketed:
    """Rows summed into the target zone's days, and which metrics had to be nulled."""

    rows: list[dict]
    nulled_metrics: tuple[str, ...] = field(default_factory=tuple)


def rebucket_hours(
    rows: Iterable[dict],
    from_tz: str,
    to_tz: str,
    *,
    key_fields: Sequence[str] = (),
    metrics: Sequence[str] = ADDITIVE_METRICS,
    non_hourly: Sequence[str] = NON_ADDITIVE_METRICS,
) -> Rebucketed:
    """Sum hourly rows into ``to_tz`` days.

    Each row carries either ``utc_start`` (a tz-aware datetime) or ``date_day`` (local date in
    ``from_tz``, a date or ISO string) plus ``hour`` (0-23 local label). Where a platform labels the
    repeated fall-back hour twice with the same number, the second occurrence (in input order) of the
    same row identity is the second pass of that hour. Rows are summed per ``key_fields`` and target
    day; ``non_hourly`` metrics become None because summing hours would invent them. Output rows carry
    ``date_day`` (ISO, in ``to_tz``) and ``timezone`` = ``to_tz``, sorted by day.
    """
    target = zone(to_tz)
    ignored = {*metrics, *non_hourly, "hour", "utc_start", "date_day"}
    seen_labels: set[tuple] = set()
    placed = []
    for row in rows:
        start = _row_start_utc(row, from_tz, seen_labels, ignored)
        moved = {name: value for name, value in row.items() if name not in ("hour", "utc_start")}
        moved["date_day"] = start.astimezone(target).date().isoformat()
        moved["timezone"] = to_tz
        placed.append(moved)
    summed = sum_rows(placed, (*key_fields, "date_day"), metrics=metrics, nulled=non_hourly)
    summed.sort(key=lambda row: row["date_day"])
    return Rebucketed(rows=summed, nulled_metrics=tuple(non_hourly) if summed else ())


def _row_start_utc(row: dict, from_tz: str, seen_labels: set[tuple], ignored: set[str]) -> datetime:
    start = row.get("utc_start")
    if start is not None:
        if not isinstance(start, datetime) or start.tzinfo is None:
            raise TimezoneError(f"utc_start {start!r} must be a tz-aware datetime")
        return start.astimezone(UTC)
    day, hour = row.get("date_day"), row.get("hour")
    if day is None or hour is None:
        raise TimezoneError("an hourly row needs utc_start, or date_day and hour")
    local_day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    identity = tuple(sorted((k, str(v)) for k, v in row.items() if k not in ignored))
    label = (identity, local_day, int(hour))
    fold = 1 if label in seen_labels else 0
    seen_labels.add(label)
    return hour_start_utc(local_day, int(hour), from_tz, fold=fold)
