"""FX: config rates, ECB CSV, cross rates via EUR, staleness, and missing rates left null."""

import logging
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads_kit.fx import FxConfigError, FxConverter, RateTable, converter_from_config, load_rates_csv

# The layout of the ECB's eurofxref-hist.csv: rates per 1 EUR, "N/A" cells, a trailing comma.
ECB_CSV = """Date,USD,JPY,BGN,CYP,GBP,
2024-03-12,1.0927,161.57,1.9558,N/A,0.85420,
2024-03-11,1.0926,160.53,1.9558,N/A,0.85370,
2024-03-08,1.0932,160.32,1.9558,N/A,0.85183,
"""


@pytest.fixture
def ecb_file(tmp_path):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(ECB_CSV)
    return path


def test_ecb_csv_gives_cross_rates_through_eur(ecb_file):
    converter = converter_from_config({"reporting_currency": "USD", "fx_rates_file": str(ecb_file)})
    rate = converter.rate("JPY", date(2024, 3, 12))
    assert rate.rate == Decimal("1.0927") / Decimal("161.57")
    assert rate.rate_date == date(2024, 3, 12)
    assert converter.rate("EUR", date(2024, 3, 12)).rate == Decimal("1.0927")


def test_weekend_uses_the_latest_earlier_rate(ecb_file):
    converter = converter_from_config({"reporting_currency": "EUR", "fx_rates_file": str(ecb_file)})
    saturday = date(2024, 3, 9)
    rate = converter.rate("USD", saturday)
    assert rate.rate == 1 / Decimal("1.0932") and rate.rate_date == date(2024, 3, 8)


def test_rate_older_than_staleness_is_missing_and_warned_once(ecb_file, caplog, monkeypatch):
    # a logging.config.dictConfig elsewhere in the session may have disabled existing loggers
    monkeypatch.setattr(logging.getLogger("ads_kit.fx"), "disabled", False)
    missing = []
    converter = converter_from_config(
        {"reporting_currency": "EUR", "fx_rates_file": str(ecb_file), "fx_max_staleness_days": 2},
        on_missing=lambda currency, day: missing.append((currency, day)),
    )
    late = date(2024, 3, 20)
    with caplog.at_level(logging.WARNING, logger="ads_kit.fx"):
        first = converter.columns("USD", late, Decimal("10"), Decimal("30"))
        second = converter.columns("USD", late, Decimal("5"), None)
    assert first["spend_reporting"] is None and first["conversions_value_reporting"] is None
    assert first["fx_rate"] is None and second["fx_rate"] is None
    assert first["reporting_currency"] == "EUR"
    assert missing == [("USD", late)]
    assert len([r for r in caplog.records if "No FX rate for USD on 2024-03-20" in r.message]) == 1


def test_currency_absent_from_file_is_never_one(ecb_file):
    converter = converter_from_config({"reporting_currency": "USD", "fx_rates_file": str(ecb_file)})
    assert converter.rate("CYP", date(2024, 3, 12)) is None  # only N/A cells
    assert converter.rate("BRL", date(2024, 3, 12)) is None


def test_same_currency_is_exactly_one_without_rates():
    converter = FxConverter("USD", RateTable())
    columns = converter.columns("usd", date(2024, 1, 1), Decimal("12.345"), Decimal("7"))
    assert columns["fx_rate"] == Decimal(1)
    assert columns["spend_reporting"] == Decimal("12.345")


def test_config_list_and_mapping_forms():
    dated = converter_from_config(
        {
            "reporting_currency": "EUR",
            "fx_rates": [
                {"date": "2024-03-01", "currency": "USD", "rate": "1.08"},
                {"date": "2024-03-04", "currency": "USD", "rate": 1.09},
            ],
        }
    )
    assert dated.rate("USD", date(2024, 3, 3)).rate == 1 / Decimal("1.08")
    assert dated.rate("USD", date(2024, 3, 4)).rate == 1 / Decimal("1.09")
    assert dated.rate("USD", date(2024, 2, 29)) is None
    undated = converter_from_config(
        {"reporting_currency": "USD", "fx_base_currency": "USD", "fx_rates": {"JPY": "150", "EUR": "0.92"}}
    )
    rate = undated.rate("JPY", date(2030, 1, 1))
    assert rate.rate == 1 / Decimal(150) and rate.rate_date is None


def test_long_format_csv(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,rate\n2024-03-01,USD,1.08\n2024-03-01,JPY,160\n")
    table = RateTable()
    load_rates_csv(table, path)
    assert FxConverter("USD", table).rate("JPY", date(2024, 3, 1)).rate == Decimal("1.08") / 160


def test_no_reporting_currency_means_no_conversion():
    assert converter_from_config({"fx_rates": {"USD": 1}}) is None


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ({"reporting_currency": "USD"}, "fx_rates"),
        ({"reporting_currency": "XXX1", "fx_rates": {"USD": 1}}, "reporting_currency"),
        ({"reporting_currency": "ZZZ", "fx_rates": {"USD": 1}}, "reporting_currency"),
        ({"reporting_currency": "USD", "fx_rates": [{"currency": "JPY"}]}, "fx_rates[0]"),
        ({"reporting_currency": "USD", "fx_rates": [{"currency": "JPY", "rate": "-1"}]}, "positive"),
        ({"reporting_currency": "USD", "fx_rates": [{"currency": "JPY", "rate": "x"}]}, "fx_rates[0]"),
        (
            {"reporting_currency": "USD", "fx_rates": [{"date": "03/01", "currency": "JPY", "rate": 1}]},
            "date",
        ),
        ({"reporting_currency": "USD", "fx_rates": {"USD": 1}, "fx_max_staleness_days": -1}, "staleness"),
        ({"reporting_currency": "USD", "fx_rates_file": "/nonexistent/rates.csv"}, "fx_rates_file"),
    ],
)
def test_bad_fx_settings_fail_with_one_line_naming_the_setting(config, names):
    with pytest.raises(FxConfigError, match=names.replace("[", r"\[").replace("]", r"\]")) as info:
        converter_from_config(config)
    assert "\n" not in str(info.value)


def test_bad_csv_line_is_named(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("Date,USD\n2024-03-01,1.08\n2024-03-02,abc\n")
    with pytest.raises(FxConfigError, match="line 3"):
        load_rates_csv(RateTable(), path)


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=4),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=4),
)
def test_cross_rates_compose(usd_per_eur, jpy_per_eur):
    table = RateTable()
    table.add("USD", usd_per_eur, date(2024, 1, 1))
    table.add("JPY", jpy_per_eur, date(2024, 1, 1))
    day = date(2024, 1, 2)
    jpy_to_usd = FxConverter("USD", table).rate("JPY", day).rate
    usd_to_jpy = FxConverter("JPY", table).rate("USD", day).rate
    assert abs(jpy_to_usd * usd_to_jpy - 1) < Decimal("1e-20")
