"""Meta entity timestamps -> UTC: ISO strings with ``-0700`` offsets, or unix seconds (audiences)."""

from __future__ import annotations

from datetime import UTC, datetime

from ads_kit.timezones import TimezoneError, parse_offset_timestamp


def to_utc(value: object, field: str) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return datetime.fromtimestamp(int(value), UTC)
        return parse_offset_timestamp(str(value))
    except (TimezoneError, ValueError, OverflowError) as exc:
        raise ValueError(f"{field}: {exc}") from None
