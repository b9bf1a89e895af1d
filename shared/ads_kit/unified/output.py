"""What every unified stream shares: name, schema and keys from ``UNIFIED_STREAMS`` (so no tap can
drift from the contract), records holding exactly the schema's columns, normalized vocabularies,
and the value conversions at output (UTC timestamps, days, whole numbers, the one rounding)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from singer_sdk.helpers.conform import TypeConformanceLevel

from ads_kit.money import quantize_output, quantize_ratio, to_decimal
from ads_kit.quality import checks
from ads_kit.resilience.errors import ConfigError
from ads_kit.tap.streams import AccountStream, RowError, RunStream
from ads_kit.timezones import TimezoneError, parse_offset_timestamp
from ads_kit.unified.adapter import AccountInfo, UnifiedAdapter
from ads_kit.unified.metrics import DERIVED_METRICS
from ads_kit.unified.normalize import normalize
from ads_kit.unified.schemas import UNIFIED_STREAMS

if TYPE_CHECKING:
    from singer_sdk import Tap

FX_RATE_PLACES = 10


class UnifiedStream(RunStream):
    """Name, schema and keys from UNIFIED_STREAMS; records are the schema's columns only."""

    name: str  # every unified stream names itself at class level

    def __init__(self, tap: Tap) -> None:
        schema, keys, replication_key = UNIFIED_STREAMS[self.name]
        schema_dict = schema.to_dict()
        super().__init__(tap, schema=schema_dict)
        self.primary_keys = keys
        self.replication_key = replication_key
        self._columns = tuple(schema_dict["properties"])
        self._required = tuple(schema_dict.get("required", ()))

    @property
    def platform(self) -> str:
        return self.run.platform

    @property
    def adapter(self) -> UnifiedAdapter:
        return self.tap.unified_adapter

    def output(self, row: Mapping[str, Any], account_id: str | None) -> dict[str, Any]:
        record = {name: row.get(name) for name in self._columns}
        for name in self._required:
            if record[name] is None:
                where = f"account {account_id}" if account_id else "the run"
                raise RowError(f"{self.name}: a row for {where} has no {name} (a key column)")
        return record


class UnifiedAccountStream(UnifiedStream, AccountStream):
    """A unified stream read account by account."""

    # Its records leave ``finish`` through ``output``: exactly the schema's columns, every value
    # already converted once (UTC timestamps and days as ISO strings, whole numbers as int, money and
    # ratios as rounded Decimal, flags as bool), so the SDK's recursive conformance pass would return
    # each record unchanged and is skipped.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Any:
        return self.records_of(self.run.accounts.info(account_id), context)

    def records_of(self, account: AccountInfo, context: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def mapped(self, field: str, raw: object, account: AccountInfo) -> tuple[str, str | None]:
        """The normalized value of ``raw`` and the raw text; an unmapped value becomes a finding."""
        result = normalize(self.platform, field, raw)
        if not result.known:
            self.run.collector.add(
                checks.unmapped_value(
                    platform=self.platform,
                    stream=self.name,
                    account_id=account.account_id,
                    field=field,
                    raw=str(result.raw),
                    mapped_to=result.value,
                )
            )
        return result.value, result.raw


def quantize(row: dict, currency: str) -> None:
    """The one rounding, at output: money to its currency's exponent, ratios to fixed places."""
    row["spend"] = quantize_output(row["spend"], currency)
    row["conversions_value"] = quantize_output(row["conversions_value"], currency)
    row["conversions"] = quantize_ratio(row["conversions"])
    for name in DERIVED_METRICS:
        row[name] = quantize_ratio(row[name])
    if row.get("reporting_currency"):
        row["fx_rate"] = quantize_ratio(row["fx_rate"], FX_RATE_PLACES)
        row["spend_reporting"] = quantize_output(row["spend_reporting"], row["reporting_currency"])
        row["conversions_value_reporting"] = quantize_output(
            row["conversions_value_reporting"], row["reporting_currency"]
        )


def as_int(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    number = to_decimal(value, field=field)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise RowError(f"{field}: expected a whole number, got {value!r}")
    return int(number)


def as_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        raise RowError(f"{field}: expected a day, got the timestamp {value.isoformat()}")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RowError(f"{field}: expected YYYY-MM-DD, got {value!r}") from None


def utc_iso(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise RowError(f"{field}: timestamp {value.isoformat()} has no time zone")
        return value.astimezone(UTC).isoformat()
    try:
        return parse_offset_timestamp(str(value)).isoformat()
    except TimezoneError as exc:
        raise RowError(f"{field}: {exc}") from None


def setting_days(config: Mapping[str, Any], key: str, default: int) -> int:
    value = config.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(key, f"expected a non-negative whole number of days, got {value!r}")
    return value
