"""The report's one row model: whatever the source, rows arrive as these dataclasses.

Values are converted once, here: money and conversions become `Decimal` (a DuckDB DOUBLE goes
through `str`, so 12.34 stays 12.34 instead of its binary neighbour), days become `date` (target-duckdb
stores them as VARCHAR), and a NULL key column becomes "" (target-duckdb writes "" as NULL).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Protocol, TypeVar

from ads_kit.money import to_decimal
from ads_kit.report.errors import ReportInputError
from ads_kit.unified.schemas import UNIFIED_STREAMS


@dataclass(frozen=True)
class RowFilter:
    """Which rows a report covers; None means "no restriction"."""

    platform: str | None = None
    account: str | None = None
    start: date | None = None
    end: date | None = None

    def admits(self, platform: str, account_id: str | None, day: date | None) -> bool:
        """Rows without an account or a day (account- or platform-wide findings) pass those tests."""
        if self.platform is not None and platform != self.platform:
            return False
        if self.account is not None and account_id not in (None, "", self.account):
            return False
        if day is None:
            return True
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass(frozen=True, kw_only=True)
class _MetricRow:
    """What campaign-day and breakdown rows share: additive metrics and their currencies."""

    platform: str
    account_id: str
    campaign_id: str
    date_day: date
    currency: str | None = None
    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal(0)
    conversions: Decimal = Decimal(0)
    conversions_value: Decimal = Decimal(0)
    reporting_currency: str | None = None
    spend_reporting: Decimal | None = None
    conversions_value_reporting: Decimal | None = None
    extracted_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PerformanceRow(_MetricRow):
    account_name: str | None = None
    campaign_name: str | None = None
    timezone: str | None = None
    account_timezone: str | None = None
    fx_rate: Decimal | None = None
    is_final: bool | None = None


@dataclass(frozen=True, kw_only=True)
class BreakdownRow(_MetricRow):
    dimension: str
    value: str


@dataclass(frozen=True)
class CampaignRow:
    platform: str
    account_id: str
    campaign_id: str
    campaign_name: str | None = None
    status: str | None = None
    objective: str | None = None
    budget: Decimal | None = None
    currency: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    extracted_at: datetime | None = None


@dataclass(frozen=True)
class AccountRow:
    platform: str
    account_id: str
    account_name: str | None = None
    currency: str | None = None
    timezone: str | None = None
    extracted_at: datetime | None = None


@dataclass(frozen=True)
class QualityFinding:
    finding_id: str
    platform: str
    check: str
    account_id: str | None = None
    stream: str | None = None
    severity: str | None = None
    scope: str | None = None
    date_day: date | None = None
    message: str | None = None
    detected_at: datetime | None = None


Row = TypeVar("Row", PerformanceRow, BreakdownRow, CampaignRow, AccountRow, QualityFinding)


@dataclass(frozen=True)
class StreamSpec:
    """A unified stream the report reads, and the row type it becomes."""

    name: str
    row_type: type
    required: bool

    @property
    def columns(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self.row_type)]

    @property
    def key(self) -> list[str]:
        return UNIFIED_STREAMS[self.name][1]


PERFORMANCE = StreamSpec("unified_campaign_performance", PerformanceRow, required=True)
BREAKDOWNS = StreamSpec("unified_performance_breakdowns", BreakdownRow, required=False)
CAMPAIGNS = StreamSpec("unified_campaigns", CampaignRow, required=False)
ACCOUNTS = StreamSpec("unified_accounts", AccountRow, required=False)
DATA_QUALITY = StreamSpec("unified_data_quality", QualityFinding, required=False)
STREAMS = (PERFORMANCE, BREAKDOWNS, CAMPAIGNS, ACCOUNTS, DATA_QUALITY)


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _to_datetime(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    # Targets store UTC without a zone (timestamp without time zone); make every stamp comparable.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() not in ("true", "false"):
            raise ValueError(value)
        return value.lower() == "true"
    return bool(value)


def _to_int(value: Any) -> int:
    number = to_decimal(value)
    if number is None or number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


_CONVERTERS: dict[type, typing.Callable[[Any], Any]] = {
    str: str,
    int: _to_int,
    bool: _to_bool,
    Decimal: to_decimal,  # a DuckDB DOUBLE goes through str(): 12.34 stays 12.34
    date: _to_date,
    datetime: _to_datetime,
}


@cache
def _field_kinds(row_type: type) -> dict[str, tuple[type, bool]]:
    """Field name -> (value type, nullable)."""
    kinds = {}
    for name, hint in typing.get_type_hints(row_type).items():
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) else ()
        base = next(a for a in args if a is not type(None)) if args else hint
        kinds[name] = (base, bool(args))
    return kinds


def row_from_record(spec: StreamSpec, record: Mapping[str, Any], where: str) -> Any:
    """Build a row from a column->value mapping; `where` names the record in error messages."""
    values: dict[str, Any] = {}
    for name, (kind, nullable) in _field_kinds(spec.row_type).items():
        raw = record.get(name)
        try:
            value = None if raw is None or (raw == "" and kind is not str) else _CONVERTERS[kind](raw)
        except (ValueError, TypeError, InvalidOperation):
            raise ReportInputError(f"{where}: {spec.name}.{name} has unusable value {raw!r}") from None
        if value is None:
            if nullable:
                values[name] = None
            elif kind is str:
                values[name] = ""  # target-duckdb stores the "not applicable" key "" as NULL
            elif kind is date:
                raise ReportInputError(f"{where}: {spec.name}.{name} is empty")
            else:
                values[name] = kind(0)  # a metric the platform left out adds nothing
        else:
            values[name] = value
    return spec.row_type(**values)


def _newest_per_key(spec: StreamSpec, rows: Iterable[Row]) -> list[Row]:
    """Keep one row per primary key, the most recently extracted, as an upserting target would."""
    newest: dict[tuple, Row] = {}
    stamp_field = "detected_at" if spec is DATA_QUALITY else "extracted_at"
    for row in rows:
        key = tuple(getattr(row, column) for column in spec.key)
        held = newest.get(key)
        stamp = getattr(row, stamp_field)
        if (
            held is None
            or stamp is None
            or getattr(held, stamp_field) is None
            or stamp >= getattr(held, stamp_field)
        ):
            newest[key] = row
    return list(newest.values())


@dataclass
class UnifiedRows:
    """All rows a report needs, deduplicated by primary key; also a `RowSource` over itself."""

    performance: list[PerformanceRow] = field(default_factory=list)
    breakdowns: list[BreakdownRow] = field(default_factory=list)
    campaigns: list[CampaignRow] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)
    findings: list[QualityFinding] = field(default_factory=list)
    missing_streams: list[str] = field(default_factory=list)

    @classmethod
    def from_streams(
        cls, rows: Mapping[str, Iterable[Any]], missing_streams: Iterable[str] = ()
    ) -> UnifiedRows:
        return cls(
            performance=_newest_per_key(PERFORMANCE, rows.get(PERFORMANCE.name, ())),
            breakdowns=_newest_per_key(BREAKDOWNS, rows.get(BREAKDOWNS.name, ())),
            campaigns=_newest_per_key(CAMPAIGNS, rows.get(CAMPAIGNS.name, ())),
            accounts=_newest_per_key(ACCOUNTS, rows.get(ACCOUNTS.name, ())),
            findings=_newest_per_key(DATA_QUALITY, rows.get(DATA_QUALITY.name, ())),
            missing_streams=sorted(missing_streams),
        )

    def read(self, row_filter: RowFilter) -> UnifiedRows:
        return UnifiedRows(
            performance=[
                r for r in self.performance if row_filter.admits(r.platform, r.account_id, r.date_day)
            ],
            breakdowns=[
                r for r in self.breakdowns if row_filter.admits(r.platform, r.account_id, r.date_day)
            ],
            campaigns=[r for r in self.campaigns if row_filter.admits(r.platform, r.account_id, None)],
            accounts=[r for r in self.accounts if row_filter.admits(r.platform, r.account_id, None)],
            findings=[r for r in self.findings if row_filter.admits(r.platform, r.account_id, r.date_day)],
            missing_streams=list(self.missing_streams),
        )


class RowSource(Protocol):
    """Anything that yields the unified rows a filter admits."""

    def read(self, row_filter: RowFilter) -> UnifiedRows: ...
