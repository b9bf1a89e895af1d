"""Report date ranges: the ``date_range`` setting, the lookback re-read, and windows failed earlier.

``date_range`` is translated once into ``start_date``/``end_date`` (what the unified streams read),
and the raw insights streams cut the same range into the same calendar-aligned windows, so both
kinds of stream ask for identical slices and share them through the run's slice cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from ads_kit.unified.slices import report_windows

# Meta keeps insights for 37 months; a day less so accounts east of UTC never ask past the limit.
RETENTION_DAYS = 37 * 30 + 12
DEFAULT_LAST_N_DAYS = 30
DEFAULT_LOOKBACK_DAYS = 28
DATE_RANGE_TYPES = ("last_n_days", "custom", "lifetime")

Window = tuple[date, date]


def date_range_bounds(date_range: Mapping[str, Any] | None, utc_today: date) -> tuple[date, date | None]:
    """``start_date`` and ``end_date`` (None: up to today) of the ``date_range`` setting.

    ``last_n_days`` ends at each account's own today; ``start_date`` is then the earliest first day
    over every zone (west of UTC today is at most one day behind) and ``first_report_day`` cuts each
    account's rows to its own N days."""
    settings = dict(date_range or {})
    kind = settings.get("type", "last_n_days")
    if kind == "last_n_days":
        return utc_today - timedelta(days=_last_n_days(settings)), None
    if kind == "lifetime":
        return utc_today - timedelta(days=RETENTION_DAYS), None
    if kind == "custom":
        start, end = _date(settings, "start_date", required=True), _date(settings, "end_date")
        if end is not None and end < start:  # type: ignore[operator]
            raise ValueError(f"date_range.end_date: {end} is before date_range.start_date {start}")
        return start, end  # type: ignore[return-value]
    raise ValueError(f"date_range.type: must be one of {', '.join(DATE_RANGE_TYPES)}, got {kind!r}")


def first_report_day(date_range: Mapping[str, Any] | None, account_today: date) -> date | None:
    """The first day of an account's ``last_n_days`` range, counted from its own today (None for
    other range types, whose start_date is exact)."""
    settings = dict(date_range or {})
    if settings.get("type", "last_n_days") != "last_n_days":
        return None
    return account_today - timedelta(days=_last_n_days(settings) - 1)


def _last_n_days(settings: Mapping[str, Any]) -> int:
    days = settings.get("days", DEFAULT_LAST_N_DAYS)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValueError(f"date_range.days: must be a whole number of at least 1, got {days!r}")
    return days


def _date(settings: Mapping[str, Any], key: str, *, required: bool = False) -> date | None:
    value = settings.get(key)
    if value in (None, ""):
        if required:
            raise ValueError(f"date_range.{key}: required when date_range.type is custom")
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"date_range.{key}: {value!r} is not a date like 2026-01-31") from None


def read_range(config: Mapping[str, Any], today: date, bookmark: str | None) -> Window:
    """The account-zone days to read: from ``start_date`` (or the lookback before the bookmark)
    to ``end_date`` or today, never beyond Meta's retention. Same rule as the unified streams."""
    lookback = int(config.get("lookback_days", DEFAULT_LOOKBACK_DAYS))
    start_setting = config.get("start_date")
    start = date.fromisoformat(str(start_setting)[:10]) if start_setting else today - timedelta(days=lookback)
    if bookmark:
        start = max(start, date.fromisoformat(bookmark[:10]) - timedelta(days=lookback))
    end_setting = config.get("end_date")
    end = min(date.fromisoformat(str(end_setting)[:10]) if end_setting else today, today)
    return max(start, today - timedelta(days=RETENTION_DAYS)), end


def window_key(window: Window) -> str:
    return f"{window[0].isoformat()}..{window[1].isoformat()}"


def key_window(key: str) -> Window:
    since, until = key.split("..")
    return date.fromisoformat(since), date.fromisoformat(until)


def windows_to_read(since: date, until: date, days: int, failed: list[str]) -> list[Window]:
    """Calendar-aligned windows of ``since..until``, preceded by earlier failed windows not inside it."""
    regular = report_windows(since, until, days) if since <= until else []
    retried = sorted({key_window(k) for k in failed if key_window(k)[1] < since})
    return [*retried, *regular]
