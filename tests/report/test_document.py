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

from ads_kit.report import (
    DuckDBSource,
    PostgresSource,
    ReportInputError,
    SingerSource,
    build_document,
    build_reports,
    encode,
)

SCHEMA = json.loads(resources.files("ads_kit.report").joinpath("report.schema.json").read_text())


def _validate(document: dict) -> None:
    """Valid as written: the encoded JSON, parsed back, against the shipped schema."""
    written = json.loads(encode(document))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(written)


def _warnings(document: dict, check: str) -> list[dict]:
    return [w for w in document["findings"] if w["check"] == check]


def _documents(source, **filters) -> dict[str, dict]:
    """account_id -> its document, each validated."""
    documents = [r.document for r in build_reports(source, **filters)]
    for document in documents:
        _validate(document)
    return {d["metadata"]["account_id"]: d for d in documents}


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
    documents = _documents(source)
    assert set(documents) == {"111", "222"}  # one document per platform and account

    expected = data.expected_campaigns(records, data.DAYS[0], data.DAYS[-1])
    got = {c["campaign_id"]: c for d in documents.values() for c in d["campaigns"]}
    assert set(got) == {"m1", "m2", "g1"}  # the soft-deleted DuckDB row is not report data
    for campaign_id, numbers in expected.items():
        for name, value in numbers.items():
            assert got[campaign_id][name] == value, (campaign_id, name)
        for dimension, key in (("age", "age_range"), ("gender", "gender"), ("device", "device")):
            entries = {e[key]: e for e in got[campaign_id]["breakdowns"][dimension]}
            for value, sums in data.expected_breakdowns(records, campaign_id, dimension).items():
                assert {k: entries[value][k] for k in sums} == sums, (campaign_id, dimension, value)
        values = {e[k] for d, es in got[campaign_id]["breakdowns"].items() for e in es for k in e if k in
                  ("age_range", "gender", "device")}  # fmt: skip
        assert values == {v for pair in data.BREAKDOWN_VALUES.values() for v in pair}  # no country "DE"

    for account_id, document in documents.items():
        performance = [r for r in records["unified_campaign_performance"] if r["account_id"] == account_id]
        summary = document["summary"]
        assert summary["total_campaigns"] == len({r["campaign_id"] for r in performance})
        assert summary["total_spend"] == data.money(sum(r["spend"] for r in performance))
        assert summary["total_impressions"] == sum(r["impressions"] for r in performance)
        assert summary["total_clicks"] == sum(r["clicks"] for r in performance)
        assert summary["total_conversions"] == sum(r["conversions"] for r in performance)


def test_metadata_names_platform_account_zone_and_currency(main_source):
    _, source = main_source
    documents = _documents(source)
    assert documents["111"]["metadata"] == {
        "platform": "meta",
        "account_id": "111",
        "extraction_timestamp": "2026-11-06T08:30:00Z",
        "date_range": {"start": "2026-11-01", "end": "2026-11-05"},
        "timezone": "Europe/Berlin",
        "currency": "EUR",
    }
    assert documents["222"]["metadata"]["platform"] == "google_ads"
    assert documents["222"]["metadata"]["timezone"] == "America/New_York"
    m2 = next(c for c in documents["111"]["campaigns"] if c["campaign_id"] == "m2")
    assert (m2["campaign_name"], m2["status"], m2["objective"]) == ("Meta Leads", "paused", "leads")
    assert (m2["budget"], m2["start_date"], m2["end_date"]) == (
        Decimal("1000.00"),
        "2026-10-15",
        "2026-12-31",
    )


def test_warnings_are_sentences_beside_their_findings(main_source):
    _, source = main_source
    documents = _documents(source)
    meta, google = documents["111"], documents["222"]
    for document in (meta, google):
        assert document["warnings"] == [f["message"] for f in document["findings"]]
    assert _warnings(meta, "clicks_exceed_impressions") == [
        {
            "source": "unified_data_quality",
            "check": "clicks_exceed_impressions",
            "severity": "error",
            "message": "campaign m1 on 2026-11-02: clicks 9 > 3",
            "platform": "meta",
            "account_id": "111",
            "date_day": "2026-11-02",
        }
    ]
    assert not _warnings(meta, "negative_spend")  # its day is outside the data's range
    assert "Account 222 has no data on 1 day(s): 2026-11-04" in google["warnings"]
    assert not _warnings(meta, "days_missing")
    # Meta's last two days are not final, per campaign as the specification words it
    assert [w for w in meta["warnings"] if w.startswith("Some metrics")] == [
        f"Some metrics for campaign '{c}' are estimated and may change: 2026-11-04..2026-11-05 not final yet"
        for c in ("m1", "m2")
    ]
    assert not _warnings(google, "days_not_final")


def test_several_documents_need_a_choice_or_a_bundle():
    source = SingerSource(singer_lines(data.streams()))
    with pytest.raises(ReportInputError, match=r"make 2 documents \(google_ads 222, meta 111\).*--bundle"):
        build_document(source)
    assert build_document(source, platform="meta")["metadata"]["account_id"] == "111"


@pytest.mark.parametrize("kind", ["duckdb", "singer"])
def test_filters_restrict_platform_account_and_days(kind, tmp_path):
    records = data.streams()
    if kind == "duckdb":
        load_duckdb(tmp_path / "warehouse.duckdb", "ads", records)
        source = DuckDBSource(tmp_path / "warehouse.duckdb", schema="ads")
    else:
        source = SingerSource(singer_lines(records))
    start, end = date(2026, 11, 2), date(2026, 11, 3)
    document = build_document(source, platform="meta", account="111", start=start, end=end)
    assert document == build_document(source, platform="meta_ads", account="111", start=start, end=end)
    _validate(document)
    meta = document["metadata"]
    assert (meta["platform"], meta["account_id"], meta["timezone"]) == ("meta", "111", "Europe/Berlin")
    assert meta["date_range"] == {"start": "2026-11-02", "end": "2026-11-03"}
    meta_only = {s: [r for r in rs if r.get("platform") == "meta_ads"] for s, rs in records.items()}
    expected = data.expected_campaigns(meta_only, start, end)
    assert {c["campaign_id"]: c["spend"] for c in document["campaigns"]} == {
        k: v["spend"] for k, v in expected.items()
    }
    assert document["summary"]["total_impressions"] == sum(v["impressions"] for v in expected.values())
    assert not _warnings(document, "days_missing")
    assert not _warnings(document, "days_not_final")  # 11-04 and 11-05 are outside the range
    assert [w["check"] for w in document["findings"]] == ["clicks_exceed_impressions"]


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


def _one_platform(records: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Accounts 111 (EUR) and 333 (JPY) as two Meta accounts with days in UTC (reporting_timezone)."""
    for rows in records.values():
        for row in rows:
            row["platform"] = "meta_ads"
            if "timezone" in row:
                row["timezone"] = "UTC"
    return records


def test_each_account_document_is_in_its_own_currency():
    records = data.streams(("111", "333"))
    documents = _documents(SingerSource(singer_lines(records)))
    assert {a: d["metadata"]["currency"] for a, d in documents.items()} == {"111": "EUR", "333": "JPY"}
    [t1] = documents["333"]["campaigns"]
    jpy = [r for r in records["unified_campaign_performance"] if r["currency"] == "JPY"]
    assert t1["spend"] == sum(r["spend"] for r in jpy) == Decimal(8500)
    assert t1["spend"].as_tuple().exponent == 0  # yen have no minor unit
    assert documents["333"]["summary"]["total_spend"] == Decimal(8500)


def test_two_accounts_of_one_platform_make_two_documents():
    documents = _documents(SingerSource(singer_lines(_one_platform(data.streams(("111", "333"))))))
    assert {a: (d["metadata"]["platform"], d["metadata"]["currency"]) for a, d in documents.items()} == {
        "111": ("meta", "EUR"),
        "333": ("meta", "JPY"),
    }


def test_a_platform_document_in_different_currencies_is_refused():
    source = SingerSource(singer_lines(_one_platform(data.streams(("111", "333")))))
    with pytest.raises(
        ReportInputError, match=r"^--per platform: meta: accounts use EUR, JPY and not every row"
    ):
        build_reports(source, per="platform")


def test_a_platform_document_is_in_the_reporting_currency():
    records = _one_platform(data.streams(("111", "333")))
    for stream in ("unified_campaign_performance", "unified_performance_breakdowns"):
        records[stream] = [data.with_reporting(r) for r in records[stream]]
    document = build_document(SingerSource(singer_lines(records)), per="platform")
    _validate(document)
    assert {k: document["metadata"][k] for k in ("platform", "account_id", "timezone", "currency")} == {
        "platform": "meta", "account_id": "111,333", "timezone": "UTC", "currency": "EUR"
    }  # fmt: skip
    performance = records["unified_campaign_performance"]
    assert document["summary"]["total_spend"] == data.money(sum(r["spend_reporting"] for r in performance))
    t1 = next(c for c in document["campaigns"] if c["campaign_id"] == "t1")
    assert t1["spend"] == data.money(Decimal(8500) * data.EUR_PER_JPY)
    assert t1["budget"] == Decimal("30.00")  # 5000 JPY at the campaign's latest rate


def test_a_platform_document_across_time_zones_is_refused():
    records = data.streams(("111", "333"))
    for rows in records.values():
        for row in rows:
            row["platform"] = "meta_ads"
            row["currency"] = "EUR" if "currency" in row else None
    source = SingerSource(singer_lines(records))
    with pytest.raises(
        ReportInputError, match=r"days are in different time zones \(Asia/Tokyo, Europe/Berlin\)"
    ):
        build_reports(source, per="platform")


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
    assert "1 campaign(s) have no unified_campaigns row" in " ".join(document["warnings"])


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
    documents = _documents(SingerSource(singer_lines(_two_zone_records())), start=start, end=end)
    assert {d["metadata"]["timezone"] for d in documents.values()} == {"Asia/Tokyo", "America/Los_Angeles"}
    for document in documents.values():  # each account covers its own local range
        assert not _warnings(document, "days_missing")


@pytest.mark.parametrize(("start", "end"), REQUESTED_RANGES)
def test_a_day_missing_inside_one_accounts_range_is_the_only_day_named(start, end):
    gap = date(2026, 10, 31)
    records = _without(_two_zone_records(), "jp1", {gap})
    documents = _documents(SingerSource(singer_lines(records)), start=start, end=end)
    assert not _warnings(documents["us1"], "days_missing")
    [warning] = _warnings(documents["jp1"], "days_missing")
    assert (warning["platform"], warning["account_id"]) == ("tiktok", "jp1")
    assert warning["message"] == "Account jp1 has no data on 1 day(s): 2026-10-31"


@pytest.mark.parametrize("zone_column", ["timezone", "account_timezone"])
def test_an_account_that_stops_delivering_shows_the_days_its_zone_had_ended(zone_column):
    # Los Angeles had ended 10-31 and 11-01 when the rows were extracted; 11-02 was its partial today.
    records = _without(
        _two_zone_records(zone_column), "us1", {date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)}
    )
    documents = _documents(SingerSource(singer_lines(records)))
    assert not _warnings(documents["jp1"], "days_missing")
    [warning] = _warnings(documents["us1"], "days_missing")
    assert warning["message"].endswith("2 day(s): 2026-10-31..2026-11-01")
