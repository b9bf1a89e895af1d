"""The shared formulas and parsers against real platform payloads (tests/fixtures, provenance alongside)."""

import json
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from ads_kit.money import parse_amount
from ads_kit.timezones import hour_start_utc
from ads_kit.unified.metrics import derive
from ads_kit.unified.normalize import normalize

FIXTURES = Path(__file__).parents[1] / "fixtures"
TWO_PLACES = Decimal("0.01")


def load(platform: str, name: str):
    return json.loads((FIXTURES / platform / name).read_text())


@pytest.mark.parametrize("row", load("tiktok", "report_integrated_get_ads_daily_rows_airbyte.json"))
def test_derived_metrics_agree_with_tiktok_reported_ratios(row):
    metrics = row["metrics"]
    base = {
        "impressions": int(metrics["impressions"]),
        "clicks": int(metrics["clicks"]),
        "spend": parse_amount(metrics["spend"]),  # "20.000": three decimals, major units
        "conversions": parse_amount(metrics["conversion"]),
    }
    derived = derive(base)
    # TikTok shows ratios rounded to two places (padded to three for money), so compare there
    for ours, theirs in (("ctr", "ctr"), ("cpc", "cpc"), ("cpm", "cpm")):
        platform_value = parse_amount(metrics[theirs]).quantize(TWO_PLACES, rounding=ROUND_HALF_EVEN)
        assert derived[ours].quantize(TWO_PLACES, rounding=ROUND_HALF_EVEN) == platform_value, ours
    # TikTok writes "0.000" cost per conversion with zero conversions; the contract says null
    assert metrics["cost_per_conversion"] == "0.000" and derived["cpa"] is None
    assert parse_amount(metrics["secondary_goal_result_rate"]) is None


def test_meta_hourly_label_maps_to_an_hour_and_an_instant():
    row = load("meta", "insights_row_hourly_stats_panoramic.json")
    hour = normalize("meta_ads", "hour", row["hourly_stats_aggregated_by_advertiser_time_zone"])
    assert (hour.value, hour.known) == ("0", True)
    # the advertiser's midnight in London summer time is 23:00 UTC the day before
    start = hour_start_utc(date.fromisoformat(row["date_start"]), int(hour.value), "Europe/London")
    assert start == datetime(2018, 6, 1, 23, tzinfo=UTC)
