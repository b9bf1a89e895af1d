"""Money: exact parsing, minor units, micros and the one half-even rounding."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads_kit.money import (
    MoneyError,
    currency_exponent,
    from_micros,
    from_minor_units,
    parse_amount,
    quantize_output,
    quantize_ratio,
    to_decimal,
)

# Meta's own offsets (the Meta tap owns the real table; these two differ from ISO 4217).
META_LIKE_OFFSETS = {"HUF": 1, "TWD": 1, "JPY": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u202f234,56", Decimal("1234.56")),
        ("1'234.56", Decimal("1234.56")),
        ("1234", Decimal("1234")),
        ("20.000", Decimal("20.000")),  # TikTok: three decimals, not twenty thousand
        ("0.2899", Decimal("0.2899")),
        ("0,5", Decimal("0.5")),
        ("1.234.567", Decimal("1234567")),
        ("1,234,567.891", Decimal("1234567.891")),
        ("-14.35", Decimal("-14.35")),
        ("(12.50)", Decimal("-12.50")),
        ("1234,567", Decimal("1234.567")),
    ],
)
def test_parse_amount_reads_common_formats(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", [None, "", "  ", "-", "--"])
def test_parse_amount_no_value_is_none(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,234", "ambiguous"),
        ("abc", "not a number"),
        ("1.2.3,4", "inconsistently"),
        ("12,34,5", "grouping"),
        ("1e5", "not a number"),
    ],
)
def test_parse_amount_refuses_what_it_cannot_read_exactly(text, reason):
    with pytest.raises(MoneyError, match=reason) as info:
        parse_amount(text, field="spend")
    assert "spend" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1,234", "en_US", Decimal("1234")),
        ("1,234", "de_DE", Decimal("1.234")),
        ("1.234,56", "de_DE", Decimal("1234.56")),
        ("1 234,56", "fr_FR", Decimal("1234.56")),
    ],
)
def test_parse_amount_with_locale_resolves_ambiguity(text, locale, expected):
    assert parse_amount(text, locale=locale) == expected


def test_parse_amount_with_locale_rejects_foreign_format_and_unknown_locales():
    with pytest.raises(MoneyError, match="locale en_US"):
        parse_amount("1.234,56", locale="en_US")
    with pytest.raises(MoneyError, match="locale xx_YY"):
        parse_amount("1,5", locale="xx_YY")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_parse_amount_round_trips_english_and_german_grouping(value):
    english = f"{value:,.2f}"
    german = english.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_amount(english) == value
    assert parse_amount(german) == value
    assert parse_amount(f"{value:.2f}") == value


def test_currency_exponent_comes_from_iso_4217():
    assert [currency_exponent(c) for c in ("JPY", "USD", "KWD", "eur")] == [0, 2, 3, 2]
    with pytest.raises(MoneyError, match="'ZZZ'"):
        currency_exponent("ZZZ")


def test_from_minor_units_uses_iso_unless_the_platform_overrides():
    assert from_minor_units("5000", "USD") == Decimal("50")
    assert from_minor_units("5000", "JPY") == Decimal("5000")
    assert from_minor_units("5000", "HUF") == Decimal("50")  # ISO: two decimals
    assert from_minor_units("5000", "HUF", META_LIKE_OFFSETS) == Decimal("5000")  # Meta: none
    assert from_minor_units("5000", "twd", META_LIKE_OFFSETS) == Decimal("5000")
    assert from_minor_units(None, "USD") is None


def test_from_micros_is_exact():
    assert from_micros(1230000) == Decimal("1.23")
    assert from_micros("1") == Decimal("0.000001")
    assert from_micros(None) is None


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_micros_round_trip(micros):
    assert from_micros(micros) * 1_000_000 == micros


def test_to_decimal_never_goes_through_binary_float():
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(3) == Decimal(3)
    with pytest.raises(MoneyError, match="boolean"):
        to_decimal(True)


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("0.125", "USD", "0.12"),  # half-even: down to the even neighbour
        ("0.135", "USD", "0.14"),
        ("2.5", "JPY", "2"),
        ("3.5", "JPY", "4"),
        ("1.0005", "KWD", "1.000"),
    ],
)
def test_quantize_output_rounds_half_even_to_the_currency(value, currency, expected):
    result = quantize_output(Decimal(value), currency)
    assert result == Decimal(expected) and str(result) == expected


def test_quantize_ratio_keeps_six_places():
    assert str(quantize_ratio(Decimal(1) / Decimal(3))) == "0.333333"
    assert quantize_ratio(None) is None


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=4), min_size=1, max_size=30))
def test_rounding_once_at_output_is_within_half_a_unit_of_the_exact_total(amounts):
    total = sum(amounts, Decimal(0))
    rounded = quantize_output(total, "USD")
    assert abs(rounded - total) <= Decimal("0.005")
