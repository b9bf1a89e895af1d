"""Data-quality checks: each fires on bad data and stays quiet on good data; findings are stable."""

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ads_kit.quality import (
    QualityCollector,
    beyond_retention,
    breakdown_mismatch,
    check_performance_row,
    missing_days,
    restatement_window,
    schema_drift,
    stale_data,
)

GOOD_ROW = {
    "account_id": "1",
    "campaign_id": "c1",
    "date_day": "2024-03-01",
    "impressions": 100,
    "clicks": 5,
    "spend": Decimal("3.10"),
    "conversions": Decimal(1),
    "conversions_value": Decimal("9"),
}
ACCOUNT = {"platform": "meta_ads", "account_id": "1", "stream": "unified_campaign_performance"}


def checks_fired(**changes):
    row = {**GOOD_ROW, **changes}
    return [
        f.check
        for f in check_performance_row(row, platform="meta_ads", stream="unified_campaign_performance")
    ]


def test_good_row_has_no_findings():
    assert checks_fired() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"spend": Decimal("-0.01")}, ["negative_spend"]),
        ({"clicks": 101}, ["clicks_exceed_impressions"]),
        ({"impressions": 0, "clicks": 0, "spend": Decimal("1")}, ["activity_without_impressions"]),
        ({"impressions": 0, "clicks": 2, "spend": Decimal(0)}, ["activity_without_impressions"]),
        ({"conversions": Decimal(0)}, ["conversions_value_without_conversions"]),
        ({"conversions": None}, ["conversions_value_without_conversions"]),
    ],
)
def test_row_checks_fire(changes, expected):
    assert checks_fired(**changes) == expected


def test_row_finding_names_the_entity_and_day():
    (finding,) = check_performance_row(
        {**GOOD_ROW, "ad_id": "a9", "spend": Decimal(-1)}, platform="p", stream="s"
    )
    assert finding.scope == "ad a9 on 2024-03-01" and finding.date_day == date(2024, 3, 1)
    assert "ad a9" in finding.message and finding.severity == "error"


def test_missing_days_collapses_periods():
    finding = missing_days(
        [date(2024, 3, 1), date(2024, 3, 4)], date(2024, 3, 1), date(2024, 3, 6), **ACCOUNT
    )
    assert finding.observed["periods"] == ["2024-03-02..2024-03-03", "2024-03-05..2024-03-06"]
    assert missing_days([date(2024, 3, 1)], date(2024, 3, 1), date(2024, 3, 1), **ACCOUNT) is None


def test_breakdown_mismatch_respects_tolerance():
    common = {"platform": "meta_ads", "account_id": "1", "campaign_id": "c", "day": date(2024, 3, 1)}
    assert (
        breakdown_mismatch(
            **common, dimension="age", metric="impressions", campaign_total=1000, breakdown_sum=995
        )
        is None
    )
    finding = breakdown_mismatch(
        **common, dimension="age", metric="spend", campaign_total=Decimal(100), breakdown_sum=Decimal(90)
    )
    assert finding.check == "breakdown_total_mismatch" and "age" in finding.message


def test_freshness():
    today = date(2024, 3, 10)
    assert stale_data(date(2024, 3, 9), today, 3, **ACCOUNT) is None
    assert "6 days old" in stale_data(date(2024, 3, 4), today, 3, **ACCOUNT).message
    assert "no data" in stale_data(None, today, 3, **ACCOUNT).message


def test_restatement_window_names_the_estimated_period():
    finding = restatement_window(date(2024, 2, 1), date(2024, 3, 10), date(2024, 3, 10), 7, **ACCOUNT)
    assert "2024-03-03..2024-03-10 is estimated" in finding.message
    assert restatement_window(date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 10), 7, **ACCOUNT) is None


def test_retention():
    today = date(2026, 11, 25)
    finding = beyond_retention(date(2023, 1, 1), today, 1110, **ACCOUNT)
    assert finding.check == "beyond_retention" and "the sync starts at 2023-11-11" in finding.message
    assert beyond_retention(date(2025, 1, 1), today, 1110, **ACCOUNT) is None
    assert beyond_retention(date(2000, 1, 1), today, None, **ACCOUNT) is None


def test_schema_drift_names_the_field_and_version():
    finding = schema_drift(
        platform="google_ads", stream="campaigns", field="start_date", change="removed", api_version="v23"
    )
    assert finding.message == "campaigns.start_date removed in API v23; the field is left out of this sync"


def test_finding_id_is_stable_and_distinguishes_observations():
    first = check_performance_row({**GOOD_ROW, "spend": Decimal(-1)}, platform="p", stream="s")[0]
    again = check_performance_row({**GOOD_ROW, "spend": Decimal(-1)}, platform="p", stream="s")[0]
    other = check_performance_row({**GOOD_ROW, "spend": Decimal(-2)}, platform="p", stream="s")[0]
    assert first.finding_id == again.finding_id != other.finding_id
    assert len(first.finding_id) == 32


def test_collector_deduplicates_logs_and_drains(caplog, monkeypatch):
    # a logging.config.dictConfig elsewhere in the session may have disabled existing loggers
    monkeypatch.setattr(logging.getLogger("ads_kit.quality"), "disabled", False)
    collector = QualityCollector("meta_ads")
    with caplog.at_level(logging.WARNING, logger="ads_kit.quality"):
        collector.check_row({**GOOD_ROW, "spend": Decimal(-1)}, "unified_ad_performance")
        collector.check_row({**GOOD_ROW, "spend": Decimal(-1)}, "unified_ad_performance")
    assert collector.pending == 1
    assert len([r for r in caplog.records if "negative_spend" in r.message]) == 1
    when = datetime(2024, 3, 2, tzinfo=UTC)
    (record,) = collector.drain(when)
    assert record["check"] == "negative_spend" and record["detected_at"] == when.isoformat()
    assert record["observed"] == '{"spend":"-1"}' and record["date_day"] == "2024-03-01"
    assert collector.drain() == []
    collector.check_row({**GOOD_ROW, "spend": Decimal(-1)}, "unified_ad_performance")
    assert collector.pending == 0  # reported once per run
