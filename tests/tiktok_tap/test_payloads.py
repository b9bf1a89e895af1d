"""The tap's parsing and error table on the real TikTok payloads in tests/fixtures/tiktok (provenance
in each ``<name>.source.txt``): string metrics to numbers, "-" to null, advertiser-zone days, UTC
entity times, ids as strings, and each real error body's documented behaviour."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ads_kit.resilience.versions import VersionPolicy
from tap_tiktok_ads.accounts import TikTokAdvertisers
from tap_tiktok_ads.report_tasks import _flat
from tap_tiktok_ads.reports import INTEGER_METRICS, KNOWN_METRICS, ReportSpec, parse_row
from tap_tiktok_ads.streams.objects import AdGroupsStream, AdsStream, CampaignsStream

from .conftest import payload


def _spec(rows: list[dict[str, Any]], **kind: Any) -> ReportSpec:
    metrics = tuple(sorted({name for row in rows for name in row["metrics"] if name in KNOWN_METRICS}))
    return ReportSpec("tiktok_ads_report_contract", metrics=metrics, **kind)


def test_daily_ad_rows_become_typed_records() -> None:
    rows = payload("report_integrated_get_ads_daily_rows_airbyte.json")
    spec = _spec(rows)
    records = [parse_row(_flat(row), spec, "7002238017842757633", "Europe/Moscow") for row in rows]
    first = records[0]
    assert first["ad_id"] == "1714125051115569" and first["adgroup_id"] == "1714125049901106"
    assert first["stat_time_day"] == "2021-10-25"  # the advertiser's day, never a UTC midnight
    assert first["spend"] == Decimal("20.000") and first["cpc"] == Decimal("0.290")
    assert first["ctr"] == Decimal("1.18") and first["cost_per_result"] == Decimal("0.2899")
    assert first["impressions"] == 5830 and type(first["impressions"]) is int
    assert first["secondary_goal_result"] is None  # "-" on the wire (Airbyte wrote it null)
    assert first["tt_app_id"] == "0" and first["placement_type"] == "Automatic Placement"
    for record in records:
        for name in spec.requested_metrics:
            value = record[name]
            if name in INTEGER_METRICS:
                assert value is None or type(value) is int, name
            elif name in {"spend", "cpc", "cpm", "ctr", "frequency"}:
                assert isinstance(value, Decimal), name


def test_dash_is_null_and_metric_strings_keep_their_precision() -> None:
    # §3.6, the reference's real row: "secondary_goal_result":"-", spend "20.000", cost_per_result "0.2899".
    row = {
        "dimensions": {"ad_id": "1714125051115569", "stat_time_day": "2021-10-25 00:00:00"},
        "metrics": {
            "spend": "20.000",
            "secondary_goal_result": "-",
            "cost_per_result": "0.2899",
            "reach": "-",
        },
    }
    spec = ReportSpec("t", metrics=("spend", "secondary_goal_result", "cost_per_result", "reach"))
    record = parse_row(_flat(row), spec, "1", "UTC")
    assert record["secondary_goal_result"] is None and record["reach"] is None
    assert str(record["spend"]) == "20.000" and str(record["cost_per_result"]) == "0.2899"


def test_hourly_rows_carry_the_local_hour_and_its_utc_start() -> None:
    rows = payload("report_integrated_get_ads_hourly.json")["data"]["list"]
    spec = _spec(rows, time_dimension="stat_time_hour")
    record = parse_row(_flat(rows[0]), spec, "1", "Europe/Moscow")
    assert (record["stat_time_day"], record["hour"]) == ("2024-01-01", 9)
    assert record["hour_start_utc"] == datetime(2024, 1, 1, 6, tzinfo=UTC)  # Moscow is UTC+3
    assert record["spend"] == Decimal("20.00") and record["shares"] == 0


@pytest.mark.parametrize(
    ("stream", "fixture", "key"),
    [
        (CampaignsStream, "campaign_get_list_items_airbyte.json", "campaign_id"),
        (AdGroupsStream, "adgroup_get_list_item_airbyte.json", "adgroup_id"),
        (AdsStream, "ad_get_list_items_airbyte.json", "ad_id"),
    ],
)
def test_entities_have_string_ids_and_utc_times(stream: Any, fixture: str, key: str) -> None:
    for row in payload(fixture):
        raw_id = row[key]
        (record,) = stream.shape(dict(row), "7002238017842757633")
        assert record[key] == str(raw_id) and record["advertiser_id"] == str(row.get("advertiser_id"))
        for field in ("create_time", "modify_time"):
            moment = record[field]
            assert moment.tzinfo is UTC and moment.strftime("%Y-%m-%d %H:%M:%S") == row[field]


def test_the_advertiser_zone_is_display_timezone_and_create_time_epoch_seconds() -> None:
    (node,) = payload("advertiser_info_list_items_airbyte.json")[:1]
    info = TikTokAdvertisers.to_info(None, str(node["advertiser_id"]), node)  # type: ignore[arg-type]
    assert info.timezone == (node.get("display_timezone") or node["timezone"])
    assert info.currency == node["currency"] == "RUB"
    assert info.created_at == datetime.fromtimestamp(node["create_time"], UTC)


def test_v12_field_names_are_sent_as_v13_names() -> None:
    versions = VersionPolicy("tiktok_ads", None, datetime(2026, 11, 25, tzinfo=UTC).date())
    assert versions.fields(["advertiser_id", "phonenumber", "reason", "currency"]) == [
        "advertiser_id", "cellphone_number", "rejection_reason", "currency",
    ]  # fmt: skip
