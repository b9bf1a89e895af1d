"""Parameter parsing as Graph clients send parameters (no server needed)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ads_kit.sandbox.meta.errors import GraphError
from ads_kit.sandbox.meta.insights import preset_range, window_split
from ads_kit.sandbox.meta.paging import decode_cursor, encode_cursor
from ads_kit.sandbox.meta.params import (
    FieldSpec,
    FilterRule,
    matches,
    parse_fields,
    parse_filtering,
    parse_list,
    parse_time_range,
)
from ads_kit.sandbox.meta.versions import live_versions, served_version
from ads_kit.sandbox.meta.wire import meta_minor, money_string, ratio_string


def test_field_expansion_and_modifiers() -> None:
    specs = parse_fields("id,creative{id,name},insights.date_preset(last_7d){impressions}")
    assert specs == [
        FieldSpec("id"),
        FieldSpec("creative", (FieldSpec("id"), FieldSpec("name"))),
        FieldSpec("insights", (FieldSpec("impressions"),), (("date_preset", "last_7d"),)),
    ]


@pytest.mark.parametrize("raw", ["id,{name", "id,name}", "id,na-me"])
def test_malformed_fields_are_a_100_error(raw: str) -> None:
    with pytest.raises(GraphError) as caught:
        parse_fields(raw)
    assert caught.value.code == 100 and "fields" in caught.value.message


def test_relaxed_json_from_the_docs_is_accepted() -> None:
    rules = parse_filtering('[{field:"ad.impressions",operator:"GREATER_THAN",value:0}]')
    assert rules == [FilterRule("ad.impressions", "GREATER_THAN", 0)]
    assert parse_time_range("{since:'2023-11-01',until:'2023-11-06'}") == (
        date(2023, 11, 1),
        date(2023, 11, 6),
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"since":"2024-01-05","until":"2024-01-01"}', "since must not be after until"),
        ('{"since":"2024-13-01","until":"2024-12-01"}', "time_range[since]"),
        ('{"since":"2024-01-01"}', "since and until"),
        ("not json at all", "time_range must be a valid JSON value"),
    ],
)
def test_bad_time_ranges_name_the_param(raw: str, message: str) -> None:
    with pytest.raises(GraphError, match=re.escape(message)):
        parse_time_range(raw)


def test_lists_in_every_spelling() -> None:
    for raw in ('["age","gender"]', "['age', 'gender']", "age,gender"):
        assert parse_list(raw, "breakdowns") == ["age", "gender"]


def test_filter_operators() -> None:
    assert matches(FilterRule("c.updated_time", "GREATER_THAN", 10), 11)
    assert not matches(FilterRule("c.updated_time", "GREATER_THAN", "11"), 11)
    assert matches(FilterRule("c.name", "CONTAIN", "sale"), "Summer SALE")
    assert matches(FilterRule("c.x", "IN_RANGE", [1, 3]), 2)
    with pytest.raises(GraphError, match="must be an array"):
        matches(FilterRule("ad.effective_status", "IN", "ACTIVE"), "ACTIVE")


def test_cursor_round_trip_and_garbage() -> None:
    assert decode_cursor(encode_cursor([3, 1, 4]), "after") == [3, 1, 4]
    with pytest.raises(GraphError, match="after cursor is not valid"):
        decode_cursor("!!!", "after")


def test_money_and_ratios_on_the_wire() -> None:
    assert money_string(1435, "USD") == "14.35"
    assert money_string(1400, "USD") == "14"
    assert money_string(1435, "JPY") == "1435"
    assert meta_minor(5000, "USD") == "5000" and meta_minor(5000, "JPY") == "5000"
    assert meta_minor(5000, "HUF") == "50"  # ISO exponent 2, Meta offset 1
    assert ratio_string(1435, 900) == "1.594444"


def test_window_split_keeps_the_default_value() -> None:
    for count in range(0, 60):
        split = window_split(count)
        assert split["7d_click"] + split["1d_view"] == count
        assert split["1d_click"] <= split["7d_click"] <= split["28d_click"]


def test_presets_are_in_the_account_calendar() -> None:
    today = date(2026, 11, 25)  # a Wednesday
    assert preset_range("last_7d", today) == (date(2026, 11, 18), date(2026, 11, 24))
    assert preset_range("last_month", today) == (date(2026, 10, 1), date(2026, 10, 31))
    assert preset_range("last_week_mon_sun", today) == (date(2026, 11, 16), date(2026, 11, 22))
    assert preset_range("last_quarter", today) == (date(2026, 7, 1), date(2026, 9, 30))


def test_version_calendar() -> None:
    assert live_versions(date(2026, 11, 25)) == ["v25.0", "v26.0", "v27.0"]
    assert served_version("v19.0", date(2026, 11, 25), auto_upgrade=True) == "v25.0"
    with pytest.raises(GraphError, match=r"latest version: v27\.0"):
        served_version("v24.0", date(2026, 11, 25), auto_upgrade=False)
    assert served_version("v24.0", date(2026, 11, 9), auto_upgrade=False) == "v24.0"
