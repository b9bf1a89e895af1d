"""Real Google payloads (tests/fixtures/google_ads) through the tap's row path: the REST JSON mapping
parsed into the library's v26 GoogleAdsRow, read by the tap's field readers (the gRPC path), then by
the unified adapter. Micros become exact Decimals, enums their names, dates stay the customer's own,
resource names give their ids, renamed fields are read under the names the config asked for."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from google.ads.googleads.v26.services.types.google_ads_service import GoogleAdsRow
from google.protobuf import json_format

from ads_kit.resilience.versions import map_fields
from ads_kit.unified.adapter import AccountInfo
from tap_google_ads_unified.adapter import GoogleUnifiedAdapter, last_id
from tap_google_ads_unified.queries import CUSTOMER_FIELDS
from tap_google_ads_unified.rows import record_reader

from .conftest import FIXTURES, payload

VERSION = "v26"


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _row(message: dict[str, Any]) -> Any:
    return json_format.ParseDict(message, GoogleAdsRow.pb()(), ignore_unknown_fields=True)


class _Reports:
    """The report layer's answer for one window: the parsed payload rows."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def rows(self, *_: Any) -> list[dict[str, Any]]:
        return self._rows


class _NoEntities:
    def rows(self, *_: Any) -> list[dict[str, Any]]:
        return []


def test_airbyte_rows_read_as_typed_records_and_unified_rows() -> None:
    flat_rows = payload("account_performance_rows_airbyte_flattened.json")
    asked = [
        *("segments.date", "segments.device", "metrics.cost_micros", "metrics.clicks", "metrics.impressions"),
        *("metrics.conversions", "metrics.conversions_value", "metrics.video_views", "customer.id"),
    ]
    sent = map_fields("google_ads", VERSION, asked)  # the shared field map: v22 renamed video_views
    assert "metrics.video_trueview_views" in sent
    read = record_reader(VERSION, tuple(asked), tuple(sent))
    records = []
    for flat in flat_rows:
        renamed = dict(zip(map_fields("google_ads", VERSION, list(flat)), flat.values(), strict=True))
        record = read(_row(_nested(renamed)))
        assert record["date"] == flat["segments.date"]
        assert record["device"] == flat["segments.device"]  # the enum's name, not its number
        assert record["cost_micros"] == flat["metrics.cost_micros"] and isinstance(record["cost_micros"], int)
        # a double stays a float: JSON writes its shortest repr, the unified adapter its Decimal
        assert record["conversions"] == flat["metrics.conversions"] and isinstance(
            record["conversions"], float
        )
        assert record["video_views"] == flat["metrics.video_views"]
        assert record["customer_id"] == flat["customer.id"]
        records.append(record)
    account = AccountInfo(
        "46516", None, flat_rows[0]["customer.currency_code"], flat_rows[0]["customer.time_zone"]
    )
    adapter = GoogleUnifiedAdapter(_NoEntities(), _Reports(records), ())  # type: ignore[arg-type]
    day = date.fromisoformat(records[0]["date"])
    unified = list(adapter.performance(account, "campaign", day, day))
    for row, flat in zip(unified, flat_rows, strict=True):
        assert row["spend"] == Decimal(flat["metrics.cost_micros"]) / 1_000_000
        assert row["date_day"] == flat["segments.date"]  # Google's day is the customer's own
        assert (row["impressions"], row["clicks"]) == (flat["metrics.impressions"], flat["metrics.clicks"])
        assert row["conversions"] == Decimal(str(flat["metrics.conversions"]))


def test_micros_become_exact_decimals() -> None:
    record = {"date": "2024-01-02", "cost_micros": 1_230_000, "conversions": 0.1, "conversions_value": 12.34}
    adapter = GoogleUnifiedAdapter(_NoEntities(), _Reports([record]), ())  # type: ignore[arg-type]
    account = AccountInfo("1", None, "JPY", "Asia/Tokyo")
    (row,) = adapter.performance(account, "campaign", date(2024, 1, 2), date(2024, 1, 2))
    assert row["spend"] == Decimal("1.23") and isinstance(row["spend"], Decimal)
    assert (row["conversions"], row["conversions_value"]) == (Decimal("0.1"), Decimal("12.34"))


def test_rest_customer_row_reads_int64_strings_and_leaves_unset_fields_null() -> None:
    message = payload("customer_row_rest_gaql_cli.json")
    record = record_reader(VERSION, CUSTOMER_FIELDS, CUSTOMER_FIELDS)(_row(json.loads(json.dumps(message))))
    assert record["customer_id"] == 80493123262  # int64 arrives as a string over REST, an int here
    assert record["customer_time_zone"] == "America/New_York"
    assert record["customer_currency_code"] is None  # not sent: None, never ""


def test_resource_names_give_their_ids() -> None:
    text = (FIXTURES / "docs_searchstream_json_mapping.txt").read_text()
    name = text.split('"resourceName": "', 1)[1].split('"', 1)[0]
    row = _row({"adGroupCriterion": {"resourceName": name, "keyword": {"text": "pay per click"}}})
    fields = ("ad_group_criterion.resource_name", "ad_group_criterion.keyword.text")
    record = record_reader(VERSION, fields, fields)(row)
    assert (
        record["ad_group_criterion_resource_name"]
        == "customers/1842689525/adGroupCriteria/55771861891~10003060"
    )
    assert last_id(record["ad_group_criterion_resource_name"]) == "10003060"
    assert last_id("customers/1842689525/campaignBudgets/77") == "77"
