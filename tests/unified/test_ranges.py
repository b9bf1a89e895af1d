"""The report days every report stream reads: date_range per account, lookback, retention, failed windows."""

import logging
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest

from ads_kit.resilience.errors import ConfigError
from ads_kit.unified.adapter import AccountInfo
from ads_kit.unified.ranges import check_date_settings, report_days, window_key, windows_to_read

# A day apart almost all day long: UTC+14 and UTC-11.
EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"
META_LIKE = SimpleNamespace(restatement_days=28, retention_days=1122)
KEEPS_ALL = SimpleNamespace(restatement_days=7, retention_days=None)
# 12:00 UTC: 02:00 on 11 March at UTC+14, 01:00 on 10 March at UTC-11.
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
TODAY = {EAST: date(2026, 3, 11), WEST: date(2026, 3, 10)}


def account(zone: str, created: datetime | None = None) -> AccountInfo:
    return AccountInfo("1", "one", "USD", zone, created_at=created)


@pytest.mark.parametrize("zone", [EAST, WEST])
def test_last_n_days_ends_at_each_accounts_own_today(zone: str) -> None:
    config = {"date_range": {"type": "last_n_days", "days": 20}}
    days = report_days(config, META_LIKE, account(zone), zone, None, NOW)
    today = TODAY[zone]
    assert (days.start, days.end, days.today) == (today - timedelta(days=19), today, today)


def test_custom_range_is_exact_and_never_passes_today() -> None:
    today = TODAY[EAST]
    start = today - timedelta(days=40)
    config = {"date_range": {"type": "custom", "start_date": start.isoformat(), "end_date": "2999-01-01"}}
    days = report_days(config, META_LIKE, account(EAST), EAST, None, NOW)
    assert (days.start, days.end) == (start, today)


def test_a_bookmark_rereads_the_lookback_but_never_before_the_range() -> None:
    today = TODAY[WEST]
    config = {"date_range": {"type": "last_n_days", "days": 60}, "lookback_days": 3}
    bookmark = today - timedelta(days=10)
    assert report_days(config, META_LIKE, account(WEST), WEST, bookmark, NOW).start == bookmark - timedelta(
        days=3
    )
    # Without lookback_days the platform's restatement window is re-read.
    config = {"date_range": {"type": "last_n_days", "days": 60}}
    assert report_days(config, META_LIKE, account(WEST), WEST, bookmark, NOW).start == bookmark - timedelta(
        days=28
    )
    config = {"date_range": {"type": "last_n_days", "days": 5}}
    assert report_days(config, META_LIKE, account(WEST), WEST, bookmark, NOW).start == today - timedelta(
        days=4
    )


def test_history_beyond_retention_is_cut_and_the_request_kept_for_the_finding() -> None:
    today = TODAY[EAST]
    config = {"date_range": {"type": "custom", "start_date": "2001-01-01"}}
    days = report_days(config, META_LIKE, account(EAST), EAST, None, NOW)
    assert days.start == today - timedelta(days=1122) == date(2023, 2, 13)
    assert days.requested_start == date(2001, 1, 1)
    lifetime = report_days({"date_range": {"type": "lifetime"}}, META_LIKE, account(EAST), EAST, None, NOW)
    assert lifetime.start == lifetime.requested_start == today - timedelta(days=1122)


def test_lifetime_without_retention_starts_on_the_accounts_creation_day_in_its_zone() -> None:
    created = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)  # already 2 March at UTC+14
    config = {"date_range": {"type": "lifetime"}}
    assert report_days(config, KEEPS_ALL, account(EAST, created), EAST, None, NOW).start == date(2025, 3, 2)
    with pytest.raises(ConfigError, match=r"^date_range\.type: lifetime needs the account's creation day"):
        report_days(config, KEEPS_ALL, account(EAST), EAST, None, NOW)


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        ({"date_range": {"type": "weekly"}}, "date_range.type"),
        ({"date_range": {"type": "last_n_days", "days": 0}}, "date_range.days"),
        ({"date_range": {"type": "last_n_days", "days": True}}, "date_range.days"),
        ({"date_range": {"type": "custom"}}, "date_range.start_date"),
        ({"date_range": {"type": "custom", "start_date": "soon"}}, "date_range.start_date"),
        (
            {"date_range": {"type": "custom", "start_date": "2026-02-01", "end_date": "2026-01-01"}},
            "date_range.end_date",
        ),
        ({"lookback_days": 29}, "lookback_days"),
        ({"lookback_days": -1}, "lookback_days"),
        ({"lookback_days": "7"}, "lookback_days"),
        # 12 March has begun nowhere at NOW (02:00 on 11 March at UTC+14, the furthest ahead).
        ({"date_range": {"type": "custom", "start_date": "2026-03-12"}}, "date_range.start_date"),
    ],
)
def test_bad_date_settings_are_one_line_naming_the_setting(config: dict, setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_date_settings(config, META_LIKE, NOW)
    assert str(caught.value).startswith(f"{setting}: ") and "\n" not in str(caught.value)


def test_windows_failed_earlier_are_read_first_then_the_aligned_windows() -> None:
    old = (date(2026, 1, 1), date(2026, 1, 14))
    inside = (date(2026, 3, 5), date(2026, 3, 5))  # read again anyway by the regular windows
    windows = windows_to_read(date(2026, 3, 1), date(2026, 3, 20), 14, [window_key(inside), window_key(old)])
    assert windows[0] == old
    assert inside not in windows
    assert windows[1][0] == date(2026, 3, 1) and windows[-1][1] == date(2026, 3, 20)
    assert all(later[0] == earlier[1] + timedelta(days=1) for earlier, later in pairwise(windows[1:]))


def test_a_start_today_somewhere_is_not_in_the_future() -> None:
    check_date_settings({"date_range": {"type": "custom", "start_date": "2026-03-11"}}, META_LIKE, NOW)


@pytest.mark.parametrize(
    ("date_range", "warned"),
    [
        ({"type": "last_n_days", "days": 100000}, "date_range.days: 100000 reaches past the 1122 days"),
        ({"type": "last_n_days", "days": 1122}, None),
        ({"type": "custom", "start_date": "2020-01-01"}, "date_range.start_date: 2020-01-01 is before"),
        ({"type": "custom", "start_date": "2026-01-01"}, None),
    ],
)
def test_a_range_past_retention_is_warned_about_and_cut(
    date_range: dict, warned: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    config = {"date_range": date_range}
    check_date_settings(config, META_LIKE, NOW, logging.getLogger("ranges"))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if warned:
        assert len(warnings) == 1 and warnings[0].startswith(warned), warnings
    else:
        assert warnings == []
    days = report_days(config, META_LIKE, account(EAST), EAST, None, NOW)
    assert days.start >= TODAY[EAST] - timedelta(days=1122)
