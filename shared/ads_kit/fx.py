"""Reporting-currency conversion from configured rates or a rates CSV (ECB historical format accepted).

Rates are quoted as units of a currency per one unit of a base currency (ECB: per 1 EUR), so any pair
converts through the base: ``rate(A -> B) = quote(B) / quote(A)``. The quote for a row is the latest one
on or before the row's date, no older than ``max_staleness_days``. A missing rate is a warning (once
per currency and date) and null converted values — never a silent 1.0.
"""

from __future__ import annotations

import bisect
import csv
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ads_kit.money import MoneyError, currency_exponent, parse_amount

DEFAULT_BASE_CURRENCY = "EUR"
DEFAULT_MAX_STALENESS_DAYS = 7
FX_COLUMNS = (
    "reporting_currency",
    "fx_rate",
    "fx_rate_date",
    "spend_reporting",
    "conversions_value_reporting",
)
_ECB_EMPTY = frozenset({"", "N/A", "n/a", "NA", "-"})
_CODE = re.compile(r"[A-Z]{3}")

logger = logging.getLogger(__name__)


class FxConfigError(ValueError):
    """Bad FX settings or rates file: ``<setting>: <what>``, naming the file, line or currency too."""


@dataclass(frozen=True)
class FxRate:
    """Units of the reporting currency per unit of the account currency, and the date it holds for."""

    rate: Decimal
    rate_date: date | None


class RateTable:
    """Quotes per currency against one base currency, dated or undated (valid for every day)."""

    def __init__(self, base_currency: str = DEFAULT_BASE_CURRENCY) -> None:
        self.base_currency = _currency_code(base_currency, "fx_base_currency")
        self._dated: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        self._undated: dict[str, Decimal] = {}

    def add(self, currency: str, rate: Decimal, day: date | None = None) -> None:
        if rate <= 0:
            when = day or "every day"
            raise FxConfigError(f"fx rate for {currency} on {when} must be positive, got {rate}")
        if day is None:
            self._undated[currency] = rate
        else:
            bisect.insort(self._dated[currency], (day, rate))

    def currencies(self) -> set[str]:
        return {self.base_currency, *self._dated, *self._undated}

    def quote(self, currency: str, day: date, max_staleness_days: int) -> tuple[Decimal, date | None] | None:
        """Units of ``currency`` per base unit valid on ``day``, with the date of the quote used."""
        if currency == self.base_currency:
            return Decimal(1), None
        series = self._dated.get(currency)
        if series:
            index = bisect.bisect_right(series, (day, Decimal("Infinity"))) - 1
            if index >= 0:
                quote_day, rate = series[index]
                if day - quote_day <= timedelta(days=max_staleness_days):
                    return rate, quote_day
        if currency in self._undated:
            return self._undated[currency], None
        return None


class FxConverter:
    """Converts account-currency amounts into ``reporting_currency`` for a given report day."""

    def __init__(
        self,
        reporting_currency: str,
        table: RateTable,
        *,
        max_staleness_days: int = DEFAULT_MAX_STALENESS_DAYS,
        on_missing: Callable[[str, date], None] | None = None,
    ) -> None:
        self.reporting_currency = _money_currency(reporting_currency, "reporting_currency")
        self.table = table
        self.max_staleness_days = max_staleness_days
        self._on_missing = on_missing
        self._warned: set[tuple[str, date]] = set()

    def rate(self, currency: str, day: date) -> FxRate | None:
        """The rate from ``currency`` to the reporting currency on ``day``, or None (warned once)."""
        source = currency.strip().upper()
        if source == self.reporting_currency:
            return FxRate(Decimal(1), day)
        source_quote = self.table.quote(source, day, self.max_staleness_days)
        target_quote = self.table.quote(self.reporting_currency, day, self.max_staleness_days)
        if source_quote is None or target_quote is None:
            self._report_missing(source if source_quote is None else self.reporting_currency, day)
            return None
        dates = [d for d in (source_quote[1], target_quote[1]) if d is not None]
        return FxRate(target_quote[0] / source_quote[0], min(dates) if dates else None)

    def columns(
        self, currency: str, day: date, spend: Decimal | None, conversions_value: Decimal | None
    ) -> dict[str, object]:
        """The FX output columns for one row, unrounded (rounding happens once, at output)."""
        fx = self.rate(currency, day)
        return {
            "reporting_currency": self.reporting_currency,
            "fx_rate": fx.rate if fx else None,
            "fx_rate_date": fx.rate_date.isoformat() if fx and fx.rate_date else None,
            "spend_reporting": spend * fx.rate if fx and spend is not None else None,
            "conversions_value_reporting": (
                conversions_value * fx.rate if fx and conversions_value is not None else None
            ),
        }

    def _report_missing(self, currency: str, day: date) -> None:
        if (currency, day) in self._warned:
            return
        self._warned.add((currency, day))
        logger.warning(
            "No FX rate for %s on %s within %d days (base %s): reporting-currency values left null",
            currency,
            day.isoformat(),
            self.max_staleness_days,
            self.table.base_currency,
        )
        if self._on_missing is not None:
            self._on_missing(currency, day)


def converter_from_config(
    config: Mapping[str, object], on_missing: Callable[[str, date], None] | None = None
) -> FxConverter | None:
    """An FxConverter for the tap config, or None when ``reporting_currency`` is not set.

    Settings: ``reporting_currency``; ``fx_rates`` (a list of ``{date, currency, rate}`` or one
    ``{currency: rate}`` mapping valid for every day); ``fx_rates_file`` (CSV: ECB wide format or
    ``date,currency,rate`` rows); ``fx_base_currency`` (default EUR); ``fx_max_staleness_days`` (7).
    """
    reporting = config.get("reporting_currency")
    if not reporting:
        return None
    table = RateTable(
        _money_currency(config.get("fx_base_currency") or DEFAULT_BASE_CURRENCY, "fx_base_currency")
    )
    rates = config.get("fx_rates")
    if rates:
        load_config_rates(table, rates)
    rates_file = config.get("fx_rates_file")
    if rates_file:
        load_rates_csv(table, Path(str(rates_file)))
    if not rates and not rates_file:
        raise FxConfigError("reporting_currency: needs fx_rates or fx_rates_file (rates to convert with)")
    staleness = config.get("fx_max_staleness_days", DEFAULT_MAX_STALENESS_DAYS)
    if not isinstance(staleness, int) or isinstance(staleness, bool) or staleness < 0:
        raise FxConfigError(f"fx_max_staleness_days: must be a whole number of at least 0, got {staleness!r}")
    return FxConverter(str(reporting), table, max_staleness_days=staleness, on_missing=on_missing)


def load_config_rates(table: RateTable, rates: object) -> None:
    """Add ``fx_rates`` from config: ``[{date, currency, rate}, …]`` or ``{currency: rate}``."""
    if isinstance(rates, Mapping):
        for currency, rate in rates.items():
            table.add(_currency_code(currency, "fx_rates"), _rate(rate, f"fx_rates.{currency}"))
        return
    if not isinstance(rates, list):
        raise FxConfigError(
            "fx_rates: must be a list of {date, currency, rate} or a {currency: rate} mapping"
        )
    for index, entry in enumerate(rates):
        where = f"fx_rates[{index}]"
        if not isinstance(entry, Mapping) or not {"currency", "rate"} <= entry.keys():
            raise FxConfigError(f"{where}: must have currency and rate (and optionally date)")
        unknown = sorted(set(entry) - {"date", "currency", "rate"})
        if unknown:
            raise FxConfigError(f"{where}.{unknown[0]}: unknown key; known: date, currency, rate")
        day = _date(entry["date"], f"{where}.date") if entry.get("date") else None
        table.add(_currency_code(entry["currency"], f"{where}.currency"), _rate(entry["rate"], where), day)


def load_rates_csv(table: RateTable, path: Path) -> None:
    """Add rates from a CSV: the ECB historical file (``Date,USD,JPY,…``) or ``date,currency,rate`` rows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            load_rates_rows(table, csv.reader(handle), source=str(path))
    except OSError as exc:
        raise FxConfigError(f"fx_rates_file: {path} cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FxConfigError(f"fx_rates_file: {path} is not a CSV text file ({exc})") from None


def load_rates_rows(table: RateTable, rows: Iterable[list[str]], *, source: str) -> None:
    iterator = iter(rows)
    header = [cell.strip() for cell in next(iterator, [])]
    lowered = [cell.lower() for cell in header]
    if not lowered or lowered[0] != "date":
        raise FxConfigError(f"fx_rates_file: {source}: the first column must be Date")
    long_format = lowered[:3] == ["date", "currency", "rate"]
    # ECB files end every line with a comma, which yields an empty trailing column.
    header_where = f"fx_rates_file: {source} header"
    currencies = [] if long_format else [_currency_code(c, header_where) for c in header[1:] if c]
    for line_number, row in enumerate(iterator, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        where = f"fx_rates_file: {source} line {line_number}"
        day = _date(row[0].strip(), where)
        if long_format:
            if len(row) < 3:
                raise FxConfigError(f"{where}: expected date,currency,rate")
            table.add(_currency_code(row[1], where), _rate(row[2], where), day)
            continue
        for currency, cell in zip(currencies, row[1:], strict=False):
            if cell.strip() in _ECB_EMPTY:
                continue
            table.add(currency, _rate(cell, f"{where} ({currency})"), day)


def _currency_code(value: object, where: str) -> str:
    """A three-letter upper-case code, as ISO 4217 writes it. Rate files may hold withdrawn
    currencies (the ECB file keeps CYP, and BGN since the euro replaced it), so only a money
    currency (reporting, account) must be current ISO 4217."""
    code = str(value).strip()
    if not _CODE.fullmatch(code.upper()):
        raise FxConfigError(f"{where}: {value!r} is not a three-letter currency code")
    if code != code.upper():
        raise FxConfigError(
            f"{where}: {value!r} must be written in upper case, as ISO 4217 does: {code.upper()}"
        )
    return code


def _money_currency(value: object, where: str) -> str:
    code = _currency_code(value, where)
    try:
        currency_exponent(code)
    except MoneyError as exc:
        raise FxConfigError(f"{where}: {exc}") from None
    return code


def _rate(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FxConfigError(f"{where}: rate must be a number, got {value!r}")
    try:
        rate = parse_amount(str(value), field=where)
    except MoneyError as exc:
        raise FxConfigError(str(exc)) from None
    if rate is None:
        raise FxConfigError(f"{where}: rate is empty")
    if not rate.is_finite() or rate <= 0:
        raise FxConfigError(f"{where}: rate must be a positive number, got {value!r}")
    return rate


def _date(value: object, where: str) -> date:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise FxConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
