"""Real Meta payloads (tests/fixtures/meta) through the tap's parsing: numbers from strings, money
from minor units by currency, timestamps to UTC, action values per attribution window."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ads_kit.unified.adapter import AccountInfo
from tap_meta_ads.formats import minor_to_major
from tap_meta_ads.parsing import hour_of, parse_insights_row, window_total
from tap_meta_ads.tap import TapMetaAds

from .conftest import payload

CONFIG = {"access_token": "EAAfixturetoken0123456789abcdef", "ad_accounts": ["1"]}


@pytest.fixture(scope="module")
def tap() -> TapMetaAds:
    return TapMetaAds(config=CONFIG)


def test_insights_metrics_arrive_as_strings_and_leave_as_numbers() -> None:
    row = payload("insights_action_product_id_page.json")["data"][0]
    record = parse_insights_row(row)
    assert record["impressions"] == 185 and isinstance(record["impressions"], int)
    assert record["clicks"] == 9
    assert record["spend"] == Decimal("14.35") and isinstance(record["spend"], Decimal)
    assert record["cpm"] == Decimal("77.567568")
    engagement = next(a for a in record["actions"] if a["action_type"] == "page_engagement")
    assert engagement == {
        "action_type": "page_engagement",
        "value": Decimal(10),
        "1d_click": Decimal(10),
        "7d_click": Decimal(10),
        "28d_click": Decimal(10),
    }
    assert record["date_start"] == "2023-06-01"


def test_view_windows_are_kept_per_action_type() -> None:
    record = parse_insights_row(payload("insights_row_actions_1d_view_28d_view_panoramic.json"))
    video = next(a for a in record["actions"] if a["action_type"] == "video_view")
    assert (video["1d_click"], video["1d_view"], video["value"]) == (1917, 206537, 208454)
    # 1d_click + 1d_view counts both windows; the row's own value is Meta's default setting.
    assert window_total(record["actions"], frozenset({"video_view"}), ["1d_click", "1d_view"]) == 208454


def test_conversions_fall_back_to_value_when_no_window_was_returned() -> None:
    stats = [{"action_type": "omni_purchase", "value": Decimal(3)}, {"action_type": "link_click", "value": 9}]
    assert window_total(stats, frozenset({"omni_purchase"}), ["7d_click", "1d_view"]) == 3


def test_hourly_breakdown_value_gives_the_hour() -> None:
    row = payload("insights_row_hourly_stats_panoramic.json")
    assert hour_of(row["hourly_stats_aggregated_by_advertiser_time_zone"]) == 0
    assert parse_insights_row(row)["impressions"] == 371
    with pytest.raises(ValueError, match="hourly breakdown value"):
        hour_of("midnight")


def test_a_non_numeric_metric_is_a_one_line_error_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"^insights field spend: 'n/a' is not a number$"):
        parse_insights_row({"spend": "n/a"})


@pytest.mark.parametrize(
    ("currency", "expected"),
    [("USD", Decimal("6")), ("EUR", Decimal("6")), ("JPY", Decimal("600")), ("HUF", Decimal("600"))],
)
def test_adset_budget_minor_units_by_currency(tap: TapMetaAds, currency: str, expected: Decimal) -> None:
    row = dict(payload("adsets_list_page.json")["data"][0])
    shaped = tap.streams["meta_adsets"].shape(row, "111111111111111", currency)
    assert shaped["daily_budget"] == expected
    assert shaped["lifetime_budget"] == 0
    assert shaped["created_time"] == datetime(2024, 3, 12, 22, 2, 47, tzinfo=UTC)


def test_campaign_and_ad_timestamps_are_utc(tap: TapMetaAds) -> None:
    campaign = tap.streams["meta_campaigns"].shape(
        dict(payload("campaigns_list_page.json")["data"][0]), "1", "USD"
    )
    assert campaign["start_time"] == datetime(2024, 3, 12, 22, 2, 47, tzinfo=UTC)
    ad = tap.streams["meta_ads"].shape(dict(payload("ads_list_page.json")["data"][0]), "1", "USD")
    assert ad["updated_time"] == datetime(2023, 3, 22, 5, 41, 46, tzinfo=UTC)
    assert ad["creative"] == {"id": "23853666124230398"}


def test_custom_audience_unix_times_and_sizes(tap: TapMetaAds) -> None:
    raw = dict(payload("custom_audience_object_airbyte_record.json"))
    audience = tap.streams["meta_custom_audiences"].shape(raw, "212551616838260", "")
    assert audience["time_created"].tzinfo is UTC
    assert audience["approximate_count_upper_bound"] == 5500


def test_minor_units_are_exact_decimals() -> None:
    assert minor_to_major("5050", "USD") == Decimal("50.50")
    assert minor_to_major("5050", "JPY") == Decimal(5050)
    assert minor_to_major("1", "KRW") == Decimal(1)
    assert minor_to_major(None, "USD") is None
    with pytest.raises(ValueError, match="daily_budget"):
        minor_to_major("12x", "USD", field="daily_budget")


def test_ad_account_money_and_creation_time(tap: TapMetaAds) -> None:
    node = payload("ad_account_object_airbyte_record.json")
    tap.accounts._raw["212551616838260"] = node  # the node as /act_<id> returned it
    record = next(tap.streams["meta_ad_accounts"].account_records("212551616838260", None))
    assert record["amount_spent"] == Decimal("391.25")  # "39125" cents of USD
    assert record["created_time"].tzinfo is UTC
    info = tap.accounts.info("212551616838260")
    assert (info.currency, info.timezone, info.status_raw) == ("USD", "America/Los_Angeles", "1")


def test_discovery_needs_no_credentials() -> None:
    """`meltano select --list` runs discovery with whatever config there is: nothing is called."""
    # As `--discover` builds the tap: singer-sdk validates no config for discovery.
    tap = TapMetaAds(config={"ad_accounts": ["1"]}, parse_env_config=False, validate_config=False)
    catalog = tap.catalog_dict
    assert {"meta_insights", "unified_ad_performance"} <= {s["tap_stream_id"] for s in catalog["streams"]}


def test_with_schema_columns_a_row_leaves_as_conformance_would_write_it() -> None:
    """The raw insights stream skips the SDK's conformance pass, so parsing does its job: fields
    outside the schema are dropped and a non-finite number becomes null, as conformance would."""
    row = dict(payload("insights_action_product_id_page.json")["data"][0])
    row |= {"not_in_schema": "x", "ctr": "NaN", "cpc": "Infinity"}
    columns = {"impressions", "spend", "ctr", "cpc", "date_start"}
    record = parse_insights_row(row, columns)
    assert set(record) == columns & set(row)
    assert (record["ctr"], record["cpc"]) == (None, None)
    assert record["impressions"] == 185 and record["spend"] == Decimal("14.35")
    # Without columns (the unified adapter's reads) the row is only typed, nothing dropped.
    assert "not_in_schema" in parse_insights_row(row)


def test_fields_outside_the_schema_are_named_once_per_stream(
    tap: TapMetaAds, caplog: pytest.LogCaptureFixture
) -> None:
    """The raw insights stream drops fields outside its schema itself (skipping the SDK's pass, which
    would warn on every record): one warning for the stream, naming the fields."""
    stream = tap.streams["meta_insights"]
    row = dict(payload("insights_action_product_id_page.json")["data"][0])
    with caplog.at_level("WARNING"):
        account = AccountInfo("1", None, "USD", "UTC")
        records = [stream.shape({**row, "not_in_schema": str(i)}, account) for i in range(3)]
    assert all("not_in_schema" not in record for record in records)
    warnings = [r.getMessage() for r in caplog.records if "not found in catalog schema" in r.getMessage()]
    assert len(warnings) == 1
    assert "not_in_schema" in warnings[0] and "'meta_insights'" in warnings[0]
