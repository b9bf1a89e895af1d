"""Meta's currency offsets: budgets, bids and account amounts are integer strings in minor units.

Meta's offset is its own table, not ISO 4217 exponents: HUF and TWD have two ISO decimals but Meta
counts them in whole units (offset 1), and every other currency has offset 100.
Source: Meta "Currencies" reference (offset 1 list), VND per production reports.
"""

from __future__ import annotations

from decimal import Decimal

from ads_kit.money import MoneyError, from_minor_units

WHOLE_UNIT_CURRENCIES = frozenset(
    {"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"}
)
DEFAULT_OFFSET = 100


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
