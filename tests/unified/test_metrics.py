"""Derived metrics: one formula set, Decimal in and out, None instead of division errors."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ads_kit.unified.metrics import derive, sum_rows


def test_formulas():
    row = {
        "impressions": 2000,
        "clicks": 50,
        "spend": Decimal("100.00"),
        "conversions": Decimal("4"),
        "conversions_value": Decimal("300"),
    }
    assert derive(row) == {
        "ctr": Decimal("2.5"),
        "cpc": Decimal("2"),
        "cpm": Decimal("50"),
        "cpa": Decimal("25"),
        "roas": Decimal("3"),
    }


def test_zero_and_missing_denominators_give_none():
    zero = {
        "impressions": 0,
        "clicks": 0,
        "spend": Decimal(0),
        "conversions": Decimal(0),
        "conversions_value": None,
    }
    assert derive(zero) == dict.fromkeys(("ctr", "cpc", "cpm", "cpa", "roas"))
    assert derive({}) == dict.fromkeys(("ctr", "cpc", "cpm", "cpa", "roas"))


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
    st.decimals(min_value=0, max_value=10**7, places=2),
)
def test_derived_values_are_decimal_or_none(impressions, clicks, spend):
    values = derive({"impressions": impressions, "clicks": clicks, "spend": spend})
    assert all(value is None or isinstance(value, Decimal) for value in values.values())
    assert (values["ctr"] is None) == (impressions == 0)
    assert (values["cpc"] is None) == (clicks == 0)


def test_sum_rows_adds_additive_metrics_and_nulls_reach():
    rows = [
        {
            "campaign_id": "c",
            "date_day": "2024-01-01",
            "ad_id": "1",
            "impressions": 10,
            "spend": Decimal("1.5"),
            "reach": 7,
        },
        {
            "campaign_id": "c",
            "date_day": "2024-01-01",
            "ad_id": "2",
            "impressions": 5,
            "spend": None,
            "reach": 3,
        },
        {
            "campaign_id": "c",
            "date_day": "2024-01-02",
            "ad_id": "1",
            "impressions": 1,
            "spend": Decimal("2"),
            "reach": 1,
        },
    ]
    summed = sum_rows(rows, ("campaign_id", "date_day"))
    assert [(r["date_day"], r["impressions"], r["spend"], r["reach"]) for r in summed] == [
        ("2024-01-01", 15, Decimal("1.5"), None),
        ("2024-01-02", 1, Decimal("2"), None),
    ]
