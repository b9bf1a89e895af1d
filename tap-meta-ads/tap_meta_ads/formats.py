"""Meta's value formats and statuses: money as integer strings in minor units, timestamps with offsets
or in unix seconds (both leave as exact values, Decimal major units and UTC datetimes, or a one-line
error), and the effective statuses of each object level.

Meta's currency offset is its own table, not ISO 4217 exponents: HUF and TWD have two ISO decimals
but Meta counts them in whole units (offset 1), and every other currency has offset 100.
Source: Meta "Currencies" reference (offset 1 list), VND per production reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ads_kit.money import MoneyError, from_minor_units
from ads_kit.timezones import TimezoneError, parse_offset_timestamp

WHOLE_UNIT_CURRENCIES = frozenset(
    {"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"}
)
DEFAULT_OFFSET = 100
# Every effective_status Meta knows per level; edges hide ARCHIVED and DELETED unless asked for them,
# reports and splits read every status (a deleted ad keeps its spend).
EFFECTIVE_STATUSES = {
    "campaign": ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"],
    "adset": ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES", "CAMPAIGN_PAUSED"],
    "ad": [
        "ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES", "ADSET_PAUSED",
        "CAMPAIGN_PAUSED", "DISAPPROVED", "PENDING_BILLING_INFO", "PENDING_REVIEW", "PREAPPROVED",
    ],
}  # fmt: skip
REMOVED_STATUSES = frozenset({"DELETED", "ARCHIVED"})


def status_filter(level: str, statuses: list[str] | None = None) -> dict[str, Any]:
    """The ``filtering`` entry keeping objects of ``level`` in ``statuses`` (default: every status)."""
    value = EFFECTIVE_STATUSES[level] if statuses is None else statuses
    return {"field": f"{level}.effective_status", "operator": "IN", "value": value}


def currency_offset(currency: str) -> int:
    """How many minor units make one major unit of ``currency`` in Meta's money fields."""
    return 1 if currency.strip().upper() in WHOLE_UNIT_CURRENCIES else DEFAULT_OFFSET


def minor_to_major(amount: object, currency: str, *, field: str = "amount") -> Decimal | None:
    """Meta minor units ("5000" USD, "5000" JPY) -> exact major units (50, 5000); None when absent."""
    if amount in (None, ""):
        return None
    try:
        return from_minor_units(amount, currency, {currency.strip().upper(): currency_offset(currency)})
    except MoneyError as exc:
        raise ValueError(f"{field}: {exc}") from None


def to_utc(value: object, field: str) -> datetime | None:
    """An entity timestamp: ISO with a ``-0700`` offset, or unix seconds (audiences)."""
    if value in (None, "", 0):
        return None
    try:
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return datetime.fromtimestamp(int(value), UTC)
        return parse_offset_timestamp(str(value))
    except (TimezoneError, ValueError, OverflowError) as exc:
        raise ValueError(f"{field}: {exc}") from None
