"""The days a tap asks for are exactly the days the world can answer, at every hour of the day.

For instants at every hour of an ordinary day and of the four DST change days of 2026 (US and EU,
spring and autumn), for accounts in Asia/Tokyo, Europe/Berlin, America/Los_Angeles,
America/Sao_Paulo and UTC: the tap's ``last_n_days`` range ends on the account's local today as the
sandbox world serves it (partially: only the hours already reported), starts N-1 days earlier, reads
every day once, and marks the partial today as not final. A handful of instants carry hand-written
local dates, so neither side's date arithmetic is the truth for the other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from ads_kit.quality.checks import first_open_day
from ads_kit.sandbox.world import RESTATEMENT_WINDOW_DAYS, World
from ads_kit.unified.adapter import AccountInfo
from ads_kit.unified.ranges import report_days
from ads_kit.unified.slices import report_windows

DAYS = 7
ZONES = {"Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles", "America/Sao_Paulo", "UTC"}
# An ordinary day, then the DST changes of 2026: US spring forward (08 Mar, 10:00 UTC in Los
# Angeles), EU spring forward (29 Mar, 01:00 UTC), EU fall back (25 Oct, 01:00 UTC), US fall back
# (01 Nov, 09:00 UTC in Los Angeles).
DAYS_OF_INSTANTS = [
    date(2026, 11, 25),
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 11, 1),
]
INSTANTS = [datetime.combine(day, time(hour, 30), UTC) for day in DAYS_OF_INSTANTS for hour in range(24)] + [
    datetime(2026, 3, 8, 9, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
]

# Local dates written by hand (zone offsets of that day in the comment).
HAND_WRITTEN = {
    # 00:30 UTC on 29 Mar, half an hour before Berlin springs forward: Berlin 01:30 CET, Tokyo 09:30,
    # Los Angeles 17:30 PDT on the 28th, Sao Paulo 21:30 on the 28th.
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC): {
        "Asia/Tokyo": date(2026, 3, 29),
        "Europe/Berlin": date(2026, 3, 29),
        "America/Los_Angeles": date(2026, 3, 28),
        "America/Sao_Paulo": date(2026, 3, 28),
        "UTC": date(2026, 3, 29),
    },
    # 15:30 UTC on 25 Nov: Tokyo 00:30 on the 26th, Berlin 16:30, Los Angeles 07:30, Sao Paulo 12:30.
    datetime(2026, 11, 25, 15, 30, tzinfo=UTC): {
        "Asia/Tokyo": date(2026, 11, 26),
        "Europe/Berlin": date(2026, 11, 25),
        "America/Los_Angeles": date(2026, 11, 25),
        "America/Sao_Paulo": date(2026, 11, 25),
        "UTC": date(2026, 11, 25),
    },
    # 07:30 UTC on 1 Nov, 90 minutes before Los Angeles falls back: 00:30 PDT on the 1st there.
    datetime(2026, 11, 1, 7, 30, tzinfo=UTC): {
        "Asia/Tokyo": date(2026, 11, 1),
        "Europe/Berlin": date(2026, 11, 1),
        "America/Los_Angeles": date(2026, 11, 1),
        "America/Sao_Paulo": date(2026, 11, 1),
        "UTC": date(2026, 11, 1),
    },
    # 06:30 UTC on 1 Nov: still 23:30 PDT on 31 Oct in Los Angeles.
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC): {
        "Asia/Tokyo": date(2026, 11, 1),
        "Europe/Berlin": date(2026, 11, 1),
        "America/Los_Angeles": date(2026, 10, 31),
        "America/Sao_Paulo": date(2026, 11, 1),
        "UTC": date(2026, 11, 1),
    },
}
CONFIG = {"date_range": {"type": "last_n_days", "days": DAYS}}


def _world(instant: datetime) -> World:
    return World(5, now=instant, ads_per_account=3, history_days=40)


def _tap_days(account, instant: datetime):
    adapter = SimpleNamespace(restatement_days=RESTATEMENT_WINDOW_DAYS[account.platform], retention_days=1100)
    info = AccountInfo(account.id, account.name, account.currency, account.timezone)
    return report_days(CONFIG, adapter, info, account.timezone, None, instant)


def _reported_hours(world: World, account, day: date) -> int:
    """Hours of the local day the platform has reported: the maximum over the account's ads."""
    return max(len(world.ad_day_hours(ad, day)) for ad in world.ads(account.id))


def _expected_reported_hours(account, day: date, instant: datetime, delay_minutes: int) -> int:
    """Whole local hours of ``day`` that ended ``delay_minutes`` before ``instant``."""
    tz = ZoneInfo(account.timezone)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    cut = min(instant - timedelta(minutes=delay_minutes), end)
    return max(0, int((cut - start) / timedelta(hours=1)))


def _day_length(account, day: date) -> int:
    tz = ZoneInfo(account.timezone)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    return int(
        (datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC) - start) / timedelta(hours=1)
    )


def test_the_world_has_every_zone():
    assert {a.timezone for a in _world(INSTANTS[0]).accounts()} == ZONES


@pytest.mark.parametrize("instant", INSTANTS, ids=lambda i: i.strftime("%m%d-%H%M"))
def test_days_asked_are_the_days_the_world_answers(instant: datetime) -> None:
    world = _world(instant)
    for account in world.accounts():
        days = _tap_days(account, instant)
        today = world.account_today(account)
        label = f"{account.platform} {account.timezone} at {instant.isoformat()}"
        assert (days.start, days.end, days.today) == (today - timedelta(days=DAYS - 1), today, today), label
        # Every day once: the windows tile the range without a gap or an overlap.
        windows = report_windows(days.start, days.end, 3)
        covered = [w[0] + timedelta(days=n) for w in windows for n in range((w[1] - w[0]).days + 1)]
        assert covered == [days.start + timedelta(days=n) for n in range(DAYS)], label
        # The world answers the whole range and nothing after it; today only in part.
        delay = world.reporting_delay[account.platform]
        hours_today = _reported_hours(world, account, today)
        assert hours_today == _expected_reported_hours(account, today, instant, delay), label
        assert all(world.ad_day(ad, today + timedelta(days=1)) is None for ad in world.ads(account.id))
        for day in (days.start + timedelta(days=n) for n in range(DAYS - 2)):
            for ad in world.ads(account.id):
                hours = world.ad_day_hours(ad, day)
                assert len(hours) in (0, _day_length(account, day)), f"{label}: {day} incomplete"
        # The partial today is estimated: neither the world nor the tap call it final.
        assert not world.is_final(account, today)
        assert not days.end < first_open_day(days.today, RESTATEMENT_WINDOW_DAYS[account.platform]), label


@pytest.mark.parametrize("instant", list(HAND_WRITTEN), ids=lambda i: i.strftime("%m%d-%H%M"))
def test_local_todays_written_by_hand(instant: datetime) -> None:
    world = _world(instant)
    for account in world.accounts():
        expected = HAND_WRITTEN[instant][account.timezone]
        assert world.account_today(account) == expected, (account.timezone, instant)
        assert _tap_days(account, instant).end == expected, (account.timezone, instant)


def test_a_partial_day_grows_through_the_day_and_sums_its_hours() -> None:
    """Los Angeles, 25 Nov: totals grow hour by hour, and each is the sum of the reported hours."""
    instants = [datetime(2026, 11, 25, 8, tzinfo=UTC) + timedelta(hours=h) for h in range(0, 30, 3)]
    day = date(2026, 11, 25)
    seen = []
    for instant in instants:
        world = World(5, now=instant, ads_per_account=12, history_days=40)
        account = next(a for a in world.accounts("meta") if a.timezone == "America/Los_Angeles")
        impressions = 0
        for ad in world.ads(account.id):
            hours = world.ad_day_hours(ad, day)
            total = world.ad_day(ad, day)
            assert (total.impressions if total else 0) == sum(h.metrics.impressions for h in hours)
            impressions += total.impressions if total else 0
        seen.append(impressions)
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] > seen[len(seen) // 2] > 0
