"""The document's numbers, from each source, equal sums computed here from the raw test rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources

import jsonschema
import pytest
import report_dataset as data
from report_loaders import POSTGRES_URL, load_duckdb, load_postgres, singer_lines

from ads_kit.report import DuckDBSource, PostgresSource, SingerSource, build_document

SCHEMA = json.loads(resources.files("ads_kit.report").joinpath("report.schema.json").read_text())


def _validate(document: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


def _warnings(document: dict, check: str) -> list[dict]:
    return [w for w in document["warnings"] if w["check"] == check]


@pytest.fixture(params=["duckdb", "postgres", "singer"])
def main_source(request, tmp_path):
    records = data.streams()
    if request.param == "duckdb":
        gone = {**records["unified_campaign_performance"][0], "campaign_id": "m_gone"}
        load_duckdb(
            tmp_path / "warehouse.duckdb", "ads", records, deleted=[("unified_campaign_performance", gone)]
        )
        return records, DuckDBSource(tmp_path / "warehouse.duckdb")
    if request.param == "postgres":
        connection, schema = request.getfixturevalue("postgres_schema")
        load_postgres(connection, schema, records)
        return records, PostgresSource(POSTGRES_URL, schema=schema)
    return records, SingerSource(singer_lines(records))


def test_document_numbers_equal_independent_sums(main_source):
    records, source = main_source
    document = build_document(source)
    _validate(document)

    expected = data.expected_campaigns(records, data.DAYS[0], data.DAYS[-1])
    got = {c["campaign_id"]: c for c in document["campaigns"]}
    assert set(got) == {"m1", "m2", "g1"}  # the soft-deleted DuckDB row is not report data
    for campaign_id, numbers in expected.items():
        for name, value in numbers.items():
            assert got[campaign_id][name] == value, (campaign_id, name)
        for dimension in ("age", "gender", "device"):
            entries = {e["value"]: e for e in got[campaign_id]["breakdowns"][dimension]}
            for value, sums in data.expected_breakdowns(records, campaign_id, dimension).items():
                assert {k: entries[value][k] for k in sums} == sums, (campaign_id, dimension, value)
        values = {e["value"] for entries in got[campaign_id]["breakdowns"].values() for e in entries}
        assert values == {v for pair in data.BREAKDOWN_VALUES.values() for v in pair}  # no country "DE"

    summary = document["summary"]
    assert summary["total_campaigns"] == 3
    assert summary["total_spend"] == data.money(
        sum(r["spend"] for r in records["unified_campaign_performance"])
    )
    assert summary["total_impressions"] == sum(
        r["impressions"] for r in records["unified_campaign_performance"]
    )
    assert summary["total_clicks"] == sum(r["clicks"] for r in records["unified_campaign_performance"])
    assert summary["total_conversions"] == sum(
        r["conversions"] for r in records["unified_campaign_performance"]
    )


def test_metadata_and_campaign_attributes(main_source):
    _, source = main_source
    document = build_document(source)
    assert document["metadata"] == {
        "platform": None,
        "account_id": None,
        "extraction_timestamp": "2026-11-06T08:30:00Z",
        "date_range": {"start": "2026-11-01", "end": "2026-11-05"},
        "timezone": None,
        "currency": "EUR",
    }
    m2 = next(c for c in document["campaigns"] if c["campaign_id"] == "m2")
    assert (m2["campaign_name"], m2["status"], m2["objective"]) == ("Meta Leads", "paused", "leads")
    assert (m2["budget"], m2["start_date"], m2["end_date"]) == (
        Decimal("1000.00"),
        "2026-10-15",
        "2026-12-31",
    )


def test_warnings_cover_findings_gaps_and_restatement(main_source):
    _, source = main_source
    document = build_document(source)
    finding = _warnings(document, "clicks_exceed_impressions")
    assert finding == [
        {
            "source": "unified_data_quality",
            "check": "clicks_exceed_impressions",
            "severity": "error",
            "message": "campaign m1 on 2026-11-02: clicks 9 > 3",
            "platform": "meta_ads",
            "account_id": "111",
            "date_day": "2026-11-02",
        }
    ]
    assert not _warnings(document, "negative_spend")  # its day is outside the data's range
    [gap] = _warnings(document, "days_missing")
    assert (gap["platform"], gap["account_id"]) == ("google_ads", "222")
    assert gap["message"].endswith("1 day(s): 2026-11-04")
    [unfinished] = _warnings(document, "days_not_final")
    assert unfinished["account_id"] == "111"
    assert unfinished["message"].endswith("2026-11-04..2026-11-05")
    assert _warnings(document, "mixed_timezones")
    assert not _warnings(document, "mixed_currencies")


@pytest.mark.parametrize("kind", ["duckdb", "singer"])
def test_filters_restrict_platform_account_and_days(kind, tmp_path):
    records = data.streams()
    if kind == "duckdb":
        load_duckdb(tmp_path / "warehouse.duckdb", "ads", records)
        source = DuckDBSource(tmp_path / "warehouse.duckdb", schema="ads")
    else:
        source = SingerSource(singer_lines(records))
    start, end = date(2026, 11, 2), date(2026, 11, 3)
    document = build_document(source, platform="meta_ads", account="111", start=start, end=end)
    _validate(document)
    meta = document["metadata"]
    assert (meta["platform"], meta["account_id"], meta["timezone"]) == ("meta_ads", "111", "Europe/Berlin")
    assert meta["date_range"] == {"start": "2026-11-02", "end": "2026-11-03"}
    meta_only = {s: [r for r in rs if r.get("platform") == "meta_ads"] for s, rs in records.items()}
    expected = data.expected_campaigns(meta_only, start, end)
    assert {c["campaign_id"]: c["spend"] for c in document["campaigns"]} == {
        k: v["spend"] for k, v in expected.items()
    }
    assert document["summary"]["total_impressions"] == sum(v["impressions"] for v in expected.values())
    assert not _warnings(document, "days_missing")
    assert not _warnings(document, "days_not_final")  # 11-04 and 11-05 are outside the range
    assert [w["check"] for w in document["warnings"]] == ["clicks_exceed_impressions"]


def test_a_restated_record_replaces_the_earlier_one():
    records = data.streams(("111",))
    first = records["unified_campaign_performance"][0]
    restated = {
        **first,
        "spend": first["spend"] + 5,
        "extracted_at": first["extracted_at"] + timedelta(days=1),
    }
    records["unified_campaign_performance"].append(restated)
    document = build_document(SingerSource(singer_lines(records)))
    m1 = next(c for c in document["campaigns"] if c["campaign_id"] == "m1")
    records["unified_campaign_performance"].remove(first)
    assert m1["spend"] == data.expected_campaigns(records, data.DAYS[0], data.DAYS[-1])["m1"]["spend"]


def test_half_even_rounding_happens_once_on_the_sum():
    # m1 spends 10.005 + 11.255 + ... : the exact sum ends in 5 at the third decimal.
    records = data.streams(("111",))
    exact = sum(r["spend"] for r in records["unified_campaign_performance"] if r["campaign_id"] == "m1")
    assert exact == Decimal("62.525")
    document = build_document(SingerSource(singer_lines(records)))
    m1 = next(c for c in document["campaigns"] if c["campaign_id"] == "m1")
    assert m1["spend"] == Decimal("62.52")


def test_different_currencies_are_never_added():
    records = data.streams(("111", "333"))
    document = build_document(SingerSource(singer_lines(records)))
    _validate(document)
    assert document["metadata"]["currency"] is None
    assert document["summary"]["total_spend"] is None
    t1 = next(c for c in document["campaigns"] if c["campaign_id"] == "t1")
    jpy = [r for r in records["unified_campaign_performance"] if r["currency"] == "JPY"]
    assert t1["spend"] == sum(r["spend"] for r in jpy) == Decimal(8500)
    assert t1["spend"].as_tuple().exponent == 0  # yen have no minor unit
    [warning] = _warnings(document, "mixed_currencies")
    eur = sum(r["spend"] for r in records["unified_campaign_performance"] if r["currency"] == "EUR")
    assert f"EUR {data.money(eur)}" in warning["message"]
    assert "JPY 8500" in warning["message"]


def test_reporting_currency_is_used_when_every_row_has_it():
    records = data.streams(("111", "333"))
    for stream in ("unified_campaign_performance", "unified_performance_breakdowns"):
        records[stream] = [data.with_reporting(r) for r in records[stream]]
    document = build_document(SingerSource(singer_lines(records)))
    _validate(document)
    assert document["metadata"]["currency"] == "EUR"
    performance = records["unified_campaign_performance"]
    assert document["summary"]["total_spend"] == data.money(sum(r["spend_reporting"] for r in performance))
    t1 = next(c for c in document["campaigns"] if c["campaign_id"] == "t1")
    assert t1["spend"] == data.money(Decimal(8500) * data.EUR_PER_JPY)
    assert t1["budget"] == Decimal("30.00")  # 5000 JPY at the campaign's latest rate
    assert not _warnings(document, "mixed_currencies")


def test_reporting_currency_on_only_some_rows_falls_back_to_per_currency():
    records = data.streams(("111", "333"))
    performance = records["unified_campaign_performance"]
    performance[0] = data.with_reporting(performance[0])
    document = build_document(SingerSource(singer_lines(records)))
    assert document["metadata"]["currency"] is None
    assert _warnings(document, "mixed_currencies")


def test_campaign_without_attributes_is_reported_with_nulls_and_a_warning():
    records = data.streams(("222",))
    records["unified_campaigns"] = []
    del records["unified_performance_breakdowns"]
    document = build_document(SingerSource(singer_lines(records)))
    [g1] = document["campaigns"]
    assert (g1["status"], g1["budget"], g1["campaign_name"]) == (None, None, "Search Brand")
    assert g1["breakdowns"] == {"age": [], "gender": [], "device": []}
    assert _warnings(document, "campaign_attributes_missing")
    [missing] = _warnings(document, "stream_missing")
    assert "unified_performance_breakdowns" in missing["message"]


def test_the_taps_restatement_finding_replaces_the_reports_own():
    records = data.streams(("111",))
    records["unified_data_quality"].append(
        {
            "finding_id": "f-window",
            "platform": "meta_ads",
            "account_id": "111",
            "stream": "unified_campaign_performance",
            "check": "restatement_window",
            "severity": "warning",
            "scope": "account 111",
            "date_day": None,
            "message": "2026-11-04..2026-11-05 is estimated",
            "detected_at": data.EXTRACTED_AT,
        }
    )
    document = build_document(SingerSource(singer_lines(records)))
    assert not _warnings(document, "days_not_final")
    [window] = _warnings(document, "restatement_window")
    assert (window["source"], window["date_day"]) == ("unified_data_quality", None)


# One run at 20:00 UTC on 2 November: already 3 November (05:00) in Tokyo, still 2 November (12:00) in
# Los Angeles. Each tap range is the last seven local days, ending at the local date of the run.
RUN_AT = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)
TOKYO_DAYS = [date(2026, 10, 28) + timedelta(days=n) for n in range(7)]  # 10-28 .. 11-03
LOS_ANGELES_DAYS = [date(2026, 10, 27) + timedelta(days=n) for n in range(7)]  # 10-27 .. 11-02


def _two_zone_records(zone_column: str = "timezone") -> dict[str, list[dict]]:
    accounts = (
        ("tiktok_ads", "jp1", "Asia/Tokyo", "JPY", TOKYO_DAYS),
        ("google_ads", "us1", "America/Los_Angeles", "USD", LOS_ANGELES_DAYS),
    )
    performance = [
        {
            "platform": platform,
            "account_id": account_id,
            "campaign_id": f"{account_id}-c",
            "date_day": day,
            zone_column: zone,
            "currency": currency,
            "impressions": 1000,
            "clicks": 20,
            "spend": Decimal(300 if currency == "JPY" else 2),
            "conversions": Decimal(1),
            "conversions_value": Decimal(900 if currency == "JPY" else 6),
            "is_final": True,
            "extracted_at": RUN_AT,
        }
        for platform, account_id, zone, currency, days in accounts
        for day in days
    ]
    return {"unified_campaign_performance": performance, "unified_data_quality": []}


def _without(records: dict[str, list[dict]], account_id: str, days: set[date]) -> dict[str, list[dict]]:
    performance = records["unified_campaign_performance"]
    kept = [r for r in performance if not (r["account_id"] == account_id and r["date_day"] in days)]
    assert len(kept) == len(performance) - len(days)
    return {**records, "unified_campaign_performance": kept}


REQUESTED_RANGES = [
    pytest.param(None, None, id="data-range"),
    pytest.param(date(2026, 10, 27), date(2026, 11, 3), id="union-of-both-zones"),
    pytest.param(date(2026, 10, 1), date(2026, 11, 30), id="wider-than-any-data"),
]


@pytest.mark.parametrize(("start", "end"), REQUESTED_RANGES)
def test_accounts_complete_in_their_own_zones_have_no_missing_days(start, end):
    document = build_document(SingerSource(singer_lines(_two_zone_records())), start=start, end=end)
    _validate(document)
    assert _warnings(document, "mixed_timezones")  # the zones do differ ...
    assert not _warnings(document, "days_missing")  # ... yet each account covers its own local range


@pytest.mark.parametrize(("start", "end"), REQUESTED_RANGES)
def test_a_day_missing_inside_one_accounts_range_is_the_only_day_named(start, end):
    gap = date(2026, 10, 31)
    records = _without(_two_zone_records(), "jp1", {gap})
    document = build_document(SingerSource(singer_lines(records)), start=start, end=end)
    _validate(document)
    [warning] = _warnings(document, "days_missing")
    assert (warning["platform"], warning["account_id"]) == ("tiktok_ads", "jp1")
    assert warning["message"] == "tiktok_ads account jp1: no rows on 1 day(s): 2026-10-31"


@pytest.mark.parametrize("zone_column", ["timezone", "account_timezone"])
def test_an_account_that_stops_delivering_shows_the_days_its_zone_had_ended(zone_column):
    # Los Angeles had ended 10-31 and 11-01 when the rows were extracted; 11-02 was its partial today.
    records = _without(
        _two_zone_records(zone_column), "us1", {date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)}
    )
    document = build_document(SingerSource(singer_lines(records)))
    [warning] = _warnings(document, "days_missing")
    assert warning["account_id"] == "us1"
    assert warning["message"].endswith("2 day(s): 2026-10-31..2026-11-01")
