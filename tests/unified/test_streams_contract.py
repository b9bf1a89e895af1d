"""Contract tests: a tiny tap with the unified streams syncs, and its messages keep the contract."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import jsonschema
import pytest
from harness import captured_stdout, lines, select
from unified_contract_tap import ContractTap

from ads_kit import clock
from ads_kit.resilience.errors import ConfigError
from ads_kit.tap.streams import RowError as UnifiedRowError
from ads_kit.unified.contract import assert_unified_contract
from ads_kit.unified.entities import UnifiedAdsStream
from ads_kit.unified.run import unified_run
from ads_kit.unified.schemas import UNIFIED_STREAMS
from ads_kit.unified.streams import unified_streams

PERFORMANCE = ("unified_campaign_performance", "unified_ad_performance", "unified_performance_breakdowns")
US, JP = "111", "222"


# 15:30 UTC: 10:30 on the 25th in New York, already 00:30 on the 26th in Tokyo.
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
TODAY = {"America/New_York": date(2026, 11, 25), "Asia/Tokyo": date(2026, 11, 26), "UTC": date(2026, 11, 25)}


@pytest.fixture(autouse=True)
def _pinned_clock():
    with clock.pinned(NOW):
        yield


def days_ago(n: int, tz: str = "America/New_York") -> date:
    return TODAY[tz] - timedelta(days=n)


def since(day: date) -> dict:
    return {"type": "custom", "start_date": day.isoformat()}


def base_config(**extra):
    return {"date_range": since(days_ago(9)), **extra}


def findings(run, check):
    return [r for r in run.records("unified_data_quality") if r["check"] == check]


def test_catalog_matches_the_shared_definitions():
    assert_unified_contract(ContractTap, base_config(), exclude=("unified_dead_letters",))


def test_contract_check_names_what_drifted():
    class DriftingAds(UnifiedAdsStream):
        def __init__(self, tap):
            super().__init__(tap)
            self.primary_keys = ["ad_id"]
            self._schema["properties"].pop("creative_id")

    class DriftingTap(ContractTap):
        def discover_streams(self):
            return [DriftingAds(self) if s.name == "unified_ads" else s for s in unified_streams(self)]

    with pytest.raises(AssertionError) as info:
        assert_unified_contract(DriftingTap, base_config())
    message = str(info.value)
    assert "unified_ads.creative_id: missing" in message
    assert "unified_ads: key_properties ['ad_id']" in message
    assert "unified_dead_letters: missing from the catalog" in message


def test_full_sync_keeps_schemas_keys_and_types(sync):
    run = sync(base_config())
    schemas = run.schemas()
    for name, (schema, keys, replication_key) in UNIFIED_STREAMS.items():
        if name == "unified_dead_letters":
            continue
        assert schemas[name]["schema"] == schema.to_dict(), name
        assert schemas[name]["key_properties"] == keys, name
        assert schemas[name].get("bookmark_properties", []) == (
            [replication_key] if replication_key else []
        ), name
        records = run.records(name)
        assert records, f"{name} emitted nothing"
        validator = jsonschema.Draft202012Validator(schema.to_dict())
        for record in records:
            validator.validate(record)
            assert all(record[key] is not None for key in keys), (name, record)
            assert set(record) == set(schema.to_dict()["properties"]), name


def test_money_is_exact_and_rounded_once_per_currency(sync):
    run = sync(base_config(), streams={"unified_campaign_performance"})
    rows = {(r["account_id"], r["campaign_id"]): r for r in run.records("unified_campaign_performance")}
    us, jp = rows[(US, "c1")], rows[(JP, "c1")]
    # two ads x 24 hours x 0.125 USD = 6.00; JPY has no decimals
    assert us["spend"] == Decimal("6.00") and str(us["spend"]) == "6.00"
    assert jp["spend"] == Decimal("600") and str(jp["spend"]) == "600"
    assert us["ctr"] == Decimal("10.000000") and us["cpc"] == Decimal("0.125000")
    assert us["cpm"] == Decimal("12.500000") and us["roas"] == Decimal("160.000000")
    assert us["currency"] == "USD" and jp["timezone"] == jp["account_timezone"] == "Asia/Tokyo"


def test_campaign_rows_come_from_the_ad_slice_without_extra_requests(sync):
    run = sync(base_config(), streams={"unified_campaign_performance", "unified_ad_performance"})
    adapter = run.tap.unified_adapter
    slices = unified_run(run.tap).slice_cache
    # each ad-level slice was requested once and replayed once (the second stream), nothing else
    assert set(adapter.requests) == {"performance_ad"}
    assert adapter.requests["performance_ad"] == slices.fetches == slices.replays > 0
    ads = run.records("unified_ad_performance")
    for campaign in run.records("unified_campaign_performance"):
        key = (campaign["account_id"], campaign["campaign_id"], campaign["date_day"])
        same = [a for a in ads if (a["account_id"], a["campaign_id"], a["date_day"]) == key]
        assert campaign["impressions"] == sum(a["impressions"] for a in same)
        assert campaign["spend"] == sum(a["spend"] for a in same)
        assert campaign["reach"] is None and all(a["reach"] == 7 for a in same)


def test_state_is_per_account_and_the_next_run_rereads_the_lookback(sync):
    first = sync(base_config(lookback_days=2), streams={"unified_ad_performance"})
    partitions = first.state["bookmarks"]["unified_ad_performance"]["partitions"]
    bookmarks = {p["context"]["account_id"]: p["replication_key_value"] for p in partitions}
    assert bookmarks == {
        US: TODAY["America/New_York"].isoformat(),
        JP: TODAY["Asia/Tokyo"].isoformat(),
    }
    second = sync(base_config(lookback_days=2), streams={"unified_ad_performance"}, state=first.state)
    days: dict[str, str] = {}
    for record in second.records("unified_ad_performance"):
        account = record["account_id"]
        days[account] = min(days.get(account, record["date_day"]), record["date_day"])
    assert days[US] == (TODAY["America/New_York"] - timedelta(days=2)).isoformat()
    assert days[JP] == (TODAY["Asia/Tokyo"] - timedelta(days=2)).isoformat()


def test_is_final_follows_the_restatement_window(sync):
    run = sync(base_config(), streams={"unified_ad_performance", "unified_data_quality"})
    for record in run.records("unified_ad_performance"):
        tz = record["account_timezone"]
        age = (TODAY[tz] - date.fromisoformat(record["date_day"])).days
        assert record["is_final"] is (age > 3), record["date_day"]
    (estimated,) = [f for f in findings(run, "restatement_window") if f["account_id"] == US]
    assert f"{days_ago(3)}..{days_ago(0)} is estimated" in estimated["message"]


def test_fx_conversion_and_missing_rate(sync):
    config = base_config(reporting_currency="USD", fx_rates={"USD": "1.1", "EUR": "1"})
    run = sync(config, streams={"unified_campaign_performance", "unified_data_quality"})
    rows = run.records("unified_campaign_performance")
    us = next(r for r in rows if r["account_id"] == US)
    assert us["fx_rate"] == Decimal(1) and us["spend_reporting"] == us["spend"]
    jp = [r for r in rows if r["account_id"] == JP]
    assert all(r["spend_reporting"] is None and r["fx_rate"] is None for r in jp)
    assert all(r["reporting_currency"] == "USD" for r in rows)
    missing = findings(run, "fx_rate_missing")
    assert {f["scope"].split(" on ")[0] for f in missing} == {"JPY"}
    assert len(missing) == len({r["date_day"] for r in jp})  # once per currency and day


def test_fx_conversion_of_jpy_rounds_to_reporting_currency(sync):
    config = base_config(reporting_currency="USD", fx_rates={"USD": "1.0927", "JPY": "161.57"})
    run = sync(config, streams={"unified_campaign_performance"})
    jp = next(r for r in run.records("unified_campaign_performance") if r["account_id"] == JP)
    exact = Decimal(600) * Decimal("1.0927") / Decimal("161.57")
    assert jp["spend_reporting"] == exact.quantize(Decimal("0.01"))
    assert jp["fx_rate"] == (Decimal("1.0927") / Decimal("161.57")).quantize(Decimal("1e-10"))


def test_reporting_timezone_rebuckets_hours_and_flags_reach(sync):
    run = sync(base_config(reporting_timezone="UTC"), streams=set(PERFORMANCE) | {"unified_data_quality"})
    campaigns = run.records("unified_campaign_performance")
    assert {r["timezone"] for r in campaigns} == {"UTC"}
    assert {r["account_timezone"] for r in campaigns} == {"America/New_York", "Asia/Tokyo"}
    assert all(r["reach"] is None for r in campaigns)
    middle = days_ago(4, "UTC").isoformat()
    (row,) = [
        r for r in campaigns if (r["account_id"], r["campaign_id"], r["date_day"]) == (US, "c1", middle)
    ]
    assert row["impressions"] == 2 * 24 * 10  # two ads, 24 UTC hours, 10 impressions each
    assert {f["account_id"] for f in findings(run, "metric_not_hourly")} == {US, JP}
    breakdowns = run.records("unified_performance_breakdowns")
    assert {r["timezone"] for r in breakdowns} == {"America/New_York", "Asia/Tokyo"}


def test_breakdowns_normalize_merge_and_check_consistency(sync):
    streams = {"unified_campaign_performance", "unified_performance_breakdowns", "unified_data_quality"}
    run = sync(base_config(), streams=streams)
    day = days_ago(5).isoformat()
    rows = {
        (r["dimension"], r["value"]): r
        for r in run.records("unified_performance_breakdowns")
        if r["account_id"] == US and r["date_day"] == day
    }
    assert set(rows) == {("age", "18-24"), ("age", "65+"), ("device", "mobile"), ("device", "desktop")}
    assert rows[("device", "mobile")]["value_raw"] == "iphone,android_smartphone"
    assert rows[("device", "mobile")]["reach"] is None and rows[("age", "65+")]["reach"] == 3
    assert rows[("age", "18-24")]["impressions"] + rows[("age", "65+")]["impressions"] == 480
    assert findings(run, "breakdown_total_mismatch") == []

    def drop_65(adapter):
        adapter.dropped_values.add("65+")

    partial = sync(base_config(), streams=streams, prepare=drop_65)
    mismatches = findings(partial, "breakdown_total_mismatch")
    assert mismatches and all("by age" in f["message"] for f in mismatches)


def test_quality_findings_reach_the_data_quality_stream(sync):
    bad = days_ago(6)

    def negative(adapter):
        adapter.bad_day = bad

    run = sync(base_config(), streams={"unified_ad_performance", "unified_data_quality"}, prepare=negative)
    negative_spend = findings(run, "negative_spend")
    assert {(f["account_id"], f["date_day"], f["scope"].split(" on ")[0]) for f in negative_spend} == {
        (US, bad.isoformat(), "ad a1"),
        (JP, bad.isoformat(), "ad a1"),
    }
    ids = [r["finding_id"] for r in run.records("unified_data_quality")]
    assert len(ids) == len(set(ids))


def test_retention_horizon_clamps_the_start(sync):
    class ShortMemory(ContractTap):
        profile = replace(ContractTap.profile, retention_days=5)

    run = sync(
        base_config(), streams={"unified_ad_performance", "unified_data_quality"}, tap_class=ShortMemory
    )
    us_days = {r["date_day"] for r in run.records("unified_ad_performance") if r["account_id"] == US}
    assert min(us_days) == days_ago(5).isoformat()
    assert {f["account_id"] for f in findings(run, "beyond_retention")} == {US, JP}


def test_one_skipped_account_does_not_stop_the_others(sync, tmp_path):
    def forbid_us(adapter):
        adapter.skip_reports_for.add(US)

    letters = tmp_path / "dead-letters.jsonl"
    streams = {"unified_ad_performance", "unified_campaign_performance"}
    run = sync(base_config(dead_letter_path=str(letters)), streams=streams, prepare=forbid_us)
    assert {r["account_id"] for r in run.records("unified_ad_performance")} == {JP}
    assert {r["account_id"] for r in run.records("unified_campaign_performance")} == {JP}
    # Skipped once, in the first stream that met it: one dead letter, the later stream passes it by.
    recorded = [json.loads(line) for line in letters.read_text().splitlines()]
    assert [(r["account_id"], r["stream"], r["error_class"]) for r in recorded] == [
        (US, "unified_ad_performance", "skip_account")
    ]


@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        ({"lookback_days": -1}, "lookback_days"),
        ({"reporting_timezone": "Mars/Olympus"}, "reporting_timezone"),
        ({"date_range": {"type": "custom", "start_date": "next tuesday"}}, "date_range.start_date"),
        ({"reporting_currency": "USD"}, "reporting_currency"),
    ],
)
def test_bad_settings_fail_with_one_line_naming_the_setting(sync, extra, setting):
    with pytest.raises(ConfigError) as info:
        sync({**base_config(), **extra}, streams={"unified_campaign_performance"})
    assert str(info.value).startswith(f"{setting}:") and "\n" not in str(info.value)


def test_adapter_row_without_a_key_fails_naming_the_column(sync):
    def no_id(adapter):
        adapter.campaigns = lambda account: [{"campaign_name": "no id"}]

    with pytest.raises(UnifiedRowError) as info:
        sync(base_config(), streams={"unified_campaigns"}, prepare=no_id)
    assert str(info.value) == f"unified_campaigns: a row for account {US} has no campaign_id (a key column)"


def test_unreadable_amount_fails_naming_stream_account_and_field(sync):
    def ambiguous(adapter):
        adapter.performance = lambda account, level, start, end: [
            {"ad_id": "a1", "campaign_id": "c1", "date_day": start, "spend": "12,345"}
        ]

    with pytest.raises(UnifiedRowError) as info:
        sync(base_config(), streams={"unified_ad_performance"}, prepare=ambiguous)
    message = str(info.value)
    assert message.startswith(f"unified_ad_performance: account {US}: unified_ad_performance.spend:")
    assert "ambiguous" in message and "\n" not in message


def test_a_killed_sync_resumes_from_its_last_finished_window():
    config = base_config(date_range=since(days_ago(20)), lookback_days=0)
    tap = ContractTap(
        config=config, catalog=select(ContractTap(config=config).catalog_dict, {"unified_ad_performance"})
    )
    adapter = tap.unified_adapter
    fetch = adapter.performance
    windows = []

    def dies_on_the_third_window(account, level, start, end):
        windows.append((start, end))
        if len(windows) == 3:
            raise ConnectionResetError("killed")
        return fetch(account, level, start, end)

    adapter.performance = dies_on_the_third_window
    with captured_stdout() as out, pytest.raises(ConnectionResetError):
        tap.sync_all()
    states = [json.loads(line)["value"] for line in lines(out) if '"type":"STATE"' in line]
    partition = states[-1]["bookmarks"]["unified_ad_performance"]["partitions"][0]
    assert partition["context"] == {"account_id": US}
    assert partition["replication_key_value"] == windows[1][1].isoformat()  # end of the last finished window

    resumed = ContractTap(
        config=config, state=states[-1], catalog=select(tap.catalog_dict, {"unified_ad_performance"})
    )
    resumed_windows = []
    resumed_fetch = resumed.unified_adapter.performance

    def record_windows(account, level, start, end):
        resumed_windows.append((account.account_id, start))
        return resumed_fetch(account, level, start, end)

    resumed.unified_adapter.performance = record_windows
    with captured_stdout():
        resumed.sync_all()
    assert resumed_windows[0] == (US, windows[1][1])  # lookback 0: the bookmarked day is read again


def test_last_n_days_are_each_accounts_own_days_and_none_is_missing(sync):
    config = {"date_range": {"type": "last_n_days", "days": 5}}
    run = sync(config, streams={"unified_ad_performance", "unified_data_quality"})
    for account_id, tz in ((US, "America/New_York"), (JP, "Asia/Tokyo")):
        days = {r["date_day"] for r in run.records("unified_ad_performance") if r["account_id"] == account_id}
        assert min(days) == (TODAY[tz] - timedelta(days=4)).isoformat()
        assert max(days) == TODAY[tz].isoformat()
    assert findings(run, "missing_days") == []
