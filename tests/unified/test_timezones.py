"""Time zones: UTC entity timestamps and re-bucketing hourly rows across DST in both directions."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ads_kit.timezones import (
    TimezoneError,
    day_hours,
    hour_start_utc,
    local_today,
    parse_local_timestamp,
    parse_offset_timestamp,
    parse_utc_timestamp,
    rebucket_hours,
    to_utc_iso,
    zone,
)

NEW_YORK = "America/New_York"
SPRING_FORWARD = date(2024, 3, 10)  # 23 hours in New York
FALL_BACK = date(2024, 11, 3)  # 25 hours in New York


def test_meta_offset_without_colon_becomes_utc():
    assert parse_offset_timestamp("2024-03-12T15:02:47-0700") == datetime(2024, 3, 12, 22, 2, 47, tzinfo=UTC)


def test_google_local_time_uses_the_account_zone():
    assert parse_local_timestamp("2024-03-12 15:02:47", NEW_YORK) == datetime(
        2024, 3, 12, 19, 2, 47, tzinfo=UTC
    )
    assert parse_local_timestamp("2024-01-12 15:02:47", NEW_YORK) == datetime(
        2024, 1, 12, 20, 2, 47, tzinfo=UTC
    )


def test_tiktok_naive_time_is_utc():
    assert parse_utc_timestamp("2024-03-12 15:02:47") == datetime(2024, 3, 12, 15, 2, 47, tzinfo=UTC)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: parse_offset_timestamp("2024-03-12 15:02:47"), "no UTC offset"),
        (lambda: parse_offset_timestamp("yesterday"), "not an ISO-8601"),
        (lambda: parse_local_timestamp("2024-03-12T15:02:47+01:00", NEW_YORK), "carries an offset"),
        (lambda: zone("Mars/Olympus"), "Mars/Olympus"),
        (lambda: to_utc_iso(datetime(2024, 1, 1)), "no time zone"),
        (lambda: hour_start_utc(date(2024, 1, 1), 24, "UTC"), "outside 0-23"),
    ],
)
def test_bad_time_input_is_one_line_naming_the_value(call, match):
    with pytest.raises(TimezoneError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_tiktok_etc_zone_sign_is_inverted():
    assert hour_start_utc(date(2024, 1, 1), 0, "Etc/GMT+8") == datetime(2024, 1, 1, 8, tzinfo=UTC)


def test_local_today_is_in_the_account_zone():
    now = datetime(2024, 3, 12, 2, 0, tzinfo=UTC)
    assert local_today("Asia/Tokyo", now) == date(2024, 3, 12)
    assert local_today("America/Los_Angeles", now) == date(2024, 3, 11)


def test_dst_days_have_23_and_25_hours():
    assert day_hours(SPRING_FORWARD, NEW_YORK) == 23
    assert day_hours(FALL_BACK, NEW_YORK) == 25
    assert day_hours(date(2024, 3, 31), "Europe/Berlin") == 23


def _local_hour_rows(day, tz_name, campaign="c1"):
    """One row per real local hour of ``day`` the way a platform labels them (the repeated hour twice)."""
    start = datetime.combine(day, datetime.min.time()).replace(tzinfo=zone(tz_name)).astimezone(UTC)
    rows = []
    for n in range(day_hours(day, tz_name)):
        local = (start + timedelta(hours=n)).astimezone(zone(tz_name))
        rows.append(
            {"campaign_id": campaign, "date_day": day.isoformat(), "hour": local.hour, "impressions": 1}
        )
    return rows


@pytest.mark.parametrize(("day", "hours"), [(SPRING_FORWARD, 23), (FALL_BACK, 25)])
def test_rebucket_dst_day_into_utc_keeps_every_hour(day, hours):
    rows = _local_hour_rows(day, NEW_YORK)
    assert len(rows) == hours
    result = rebucket_hours(rows, NEW_YORK, "UTC", key_fields=("campaign_id",))
    assert sum(row["impressions"] for row in result.rows) == hours
    # New York midnight is 04:00 or 05:00 UTC: the local day straddles two UTC days
    assert [row["date_day"] for row in result.rows] == [
        day.isoformat(),
        (day + timedelta(days=1)).isoformat(),
    ]
    assert all(row["timezone"] == "UTC" for row in result.rows)


@pytest.mark.parametrize(("day", "hours"), [(SPRING_FORWARD, 23), (FALL_BACK, 25)])
def test_rebucket_from_utc_into_a_dst_zone_gives_short_and_long_days(day, hours):
    start = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    rows = [
        {"campaign_id": "c1", "utc_start": start + timedelta(hours=n), "impressions": 1, "reach": 5}
        for n in range(72)
    ]
    result = rebucket_hours(rows, "UTC", NEW_YORK, key_fields=("campaign_id",))
    by_day = {row["date_day"]: row["impressions"] for row in result.rows}
    assert by_day[day.isoformat()] == hours
    assert sum(by_day.values()) == 72
    assert all(row["reach"] is None for row in result.rows)
    assert result.nulled_metrics == ("reach",)


def test_rebucket_keeps_rows_of_different_keys_apart_and_none_stays_none():
    rows = [
        {"campaign_id": "a", "date_day": "2024-06-01", "hour": 10, "impressions": 3, "spend": None},
        {"campaign_id": "b", "date_day": "2024-06-01", "hour": 10, "impressions": 4, "spend": None},
    ]
    result = rebucket_hours(rows, "UTC", "Asia/Tokyo", key_fields=("campaign_id",))
    assert {(r["campaign_id"], r["impressions"], r["spend"]) for r in result.rows} == {
        ("a", 3, None),
        ("b", 4, None),
    }
    assert result.rows[0]["date_day"] == "2024-06-01"


def test_rebucket_row_without_time_is_refused():
    with pytest.raises(TimezoneError, match="utc_start, or date_day and hour"):
        rebucket_hours([{"impressions": 1}], "UTC", NEW_YORK)


@settings(max_examples=40, deadline=None)
@given(
    day=st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)),
    from_tz=st.sampled_from([NEW_YORK, "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
    to_tz=st.sampled_from(["UTC", "America/Los_Angeles", "Europe/Berlin", "Pacific/Auckland"]),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=25, max_size=25),
)
def test_rebucket_preserves_totals_for_any_day_and_zones(day, from_tz, to_tz, weights):
    rows = _local_hour_rows(day, from_tz)
    for row, weight in zip(rows, weights, strict=False):
        row["impressions"] = weight
    result = rebucket_hours(rows, from_tz, to_tz, key_fields=("campaign_id",))
    assert sum(row["impressions"] for row in result.rows) == sum(row["impressions"] for row in rows)
    assert 1 <= len(result.rows) <= 2
