"""The report days a sync reads: the ``date_range`` setting, the lookback re-read and retention.

One rule for every report stream, raw or unified, so both cut the same calendar-aligned windows and
share them through the run's slice cache. Days are counted in the zone the rows' days are in (the
account's own, or ``reporting_timezone``), so ``last_n_days`` ends at each account's own today and
every account gets exactly its own N days.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ads_kit.resilience.errors import ConfigError
from ads_kit.timezones import local_today, zone
from ads_kit.unified.adapter import AccountInfo
from ads_kit.unified.slices import report_windows

DATE_RANGE_TYPES = ("last_n_days", "custom", "lifetime")
DEFAULT_LAST_N_DAYS = 30
EARLIEST_ZONE = "Etc/GMT-14"
"""The zone furthest ahead: a day that has not begun there has begun nowhere."""

Window = tuple[date, date]


class Horizon(Protocol):
    """How far back a platform's report days go (``ads_kit.tap.profile.PlatformProfile``)."""

    @property
    def restatement_days(self) -> int: ...
    @property
    def retention_days(self) -> int | None: ...


@dataclass(frozen=True)
class DateRange:
    """The ``date_range`` setting: the report days of a first run (later runs start from the bookmark)."""

    kind: str = "last_n_days"
    days: int = DEFAULT_LAST_N_DAYS
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DateRange:
        """The checked setting; a bad one is a ConfigError naming ``date_range.<key>``."""
        settings = dict(config.get("date_range") or {})
        kind = settings.get("type") or "last_n_days"
        if kind not in DATE_RANGE_TYPES:
            raise ConfigError(
                "date_range.type", f"must be one of {', '.join(DATE_RANGE_TYPES)}, got {kind!r}"
            )
        days = settings.get("days", DEFAULT_LAST_N_DAYS)
        if kind == "last_n_days" and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
            raise ConfigError("date_range.days", f"must be a whole number of at least 1, got {days!r}")
        start, end = _date(settings, "start_date"), _date(settings, "end_date")
        if kind == "custom":
            if start is None:
                raise ConfigError("date_range.start_date", "required when date_range.type is custom")
            if end is not None and end < start:
                raise ConfigError("date_range.end_date", f"{end} is before date_range.start_date {start}")
        return cls(kind, days if kind == "last_n_days" else DEFAULT_LAST_N_DAYS, start, end)

    def first_day(self, today: date, retention_days: int | None, created: date | None) -> date:
        """The range's first day for an account whose today is ``today``.

        ``lifetime`` goes back as far as the platform keeps reports, or to the account's creation
        when the platform keeps everything."""
        if self.kind == "custom":
            assert self.start is not None  # from_config requires it
            return self.start
        if self.kind == "last_n_days":
            return today - timedelta(days=self.days - 1)
        if retention_days is not None:
            return today - timedelta(days=retention_days)
        if created is None:
            raise ConfigError("date_range.type", "lifetime needs the account's creation day; use custom")
        return created

    def last_day(self, today: date) -> date:
        return min(self.end or today, today)


def lookback_days(config: Mapping[str, Any], restatement_days: int) -> int:
    """Days re-read before the bookmark: default and maximum the platform's restatement window,
    after which a day's numbers no longer change."""
    value = config.get("lookback_days")
    if value is None:
        return restatement_days
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= restatement_days:
        raise ConfigError(
            "lookback_days", f"must be a whole number from 0 to {restatement_days}, got {value!r}"
        )
    return value


@dataclass(frozen=True)
class ReportDays:
    """One account's days to read, counted in its day zone; ``requested_start`` is the first day
    before retention cut it."""

    start: date
    end: date
    today: date
    requested_start: date


def report_days(
    config: Mapping[str, Any],
    horizon: Horizon,
    account: AccountInfo,
    day_zone: str,
    bookmark: date | None,
    now: datetime,
) -> ReportDays:
    """The days to read: the ``date_range`` on a first run, else from the lookback before the
    bookmark (never before the range's first day), up to the local date of ``now`` in ``day_zone``
    (that day partial); never beyond the platform's retention."""
    today = local_today(day_zone, now)
    created = account.created_at.astimezone(zone(day_zone)).date() if account.created_at else None
    date_range = DateRange.from_config(config)
    lookback = lookback_days(config, horizon.restatement_days)
    start = date_range.first_day(today, horizon.retention_days, created)
    if bookmark is not None:
        start = max(start, bookmark - timedelta(days=lookback))
    oldest = start if horizon.retention_days is None else today - timedelta(days=horizon.retention_days)
    return ReportDays(max(start, oldest), date_range.last_day(today), today, start)


def check_date_settings(
    config: Mapping[str, Any], horizon: Horizon, now: datetime, log: logging.Logger | None = None
) -> None:
    """Fail before any stream syncs on a bad ``date_range`` or ``lookback_days``, or a range that
    starts in the future; warn when it reaches further back than the platform keeps reports (the
    read is cut to what it keeps)."""
    date_range = DateRange.from_config(config)
    lookback_days(config, horizon.restatement_days)
    latest_today = local_today(EARLIEST_ZONE, now)
    if date_range.start is not None and date_range.start > latest_today:
        raise ConfigError(
            "date_range.start_date",
            f"{date_range.start} is in the future (not begun anywhere yet: it is {latest_today} at UTC+14)",
        )
    retention = horizon.retention_days
    if retention is None or log is None:
        return
    oldest = latest_today - timedelta(days=retention)
    if date_range.kind == "last_n_days" and date_range.days > retention:
        log.warning(
            "date_range.days: %d reaches past the %d days of reports the platform keeps; reading those",
            date_range.days,
            retention,
        )
    elif date_range.kind == "custom" and date_range.start is not None and date_range.start < oldest:
        log.warning(
            "date_range.start_date: %s is before the %d days of reports the platform keeps; reading from %s",
            date_range.start,
            retention,
            oldest,
        )


# -- windows failed on an earlier run --------------------------------------------------------------


def window_key(window: Window) -> str:
    """How a window is kept in Singer state (``failed_slices``)."""
    return f"{window[0].isoformat()}..{window[1].isoformat()}"


def key_window(key: str) -> Window:
    since, until = key.split("..")
    return date.fromisoformat(since), date.fromisoformat(until)


def windows_to_read(since: date, until: date, days: int, failed: list[str]) -> list[Window]:
    """Calendar-aligned windows of ``since..until``, preceded by earlier failed windows not inside it."""
    regular = report_windows(since, until, days) if since <= until else []
    retried = sorted({key_window(k) for k in failed if key_window(k)[1] < since})
    return [*retried, *regular]


def _date(settings: Mapping[str, Any], key: str) -> date | None:
    value = settings.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigError(f"date_range.{key}", f"{value!r} is not a date like 2026-01-31") from None
