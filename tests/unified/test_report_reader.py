"""The shared report layer on its own: windows cut once, a failed window kept in state and
dead-lettered, read first on the next run and resolved, and the adapter's reads served from the
stream's reading."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

from ads_kit.resilience.errors import Classified, ErrorClass, RequestFailed
from ads_kit.tap.profile import PlatformProfile
from ads_kit.tap.reports.reader import ReportReader
from ads_kit.tap.reports.reads import DayRangeReads
from ads_kit.tap.reports.slices import NamedReport
from ads_kit.tap.run import TapRun
from ads_kit.tap.sources import StaticAccounts
from ads_kit.unified.adapter import AccountInfo
from ads_kit.unified.ranges import window_key
from ads_kit.unified.slices import report_windows

PROFILE = PlatformProfile("meta_ads", restatement_days=3, slice_days=7)
ACCOUNT = AccountInfo("1", "shop", "USD", "UTC")
REPORT = NamedReport("daily")
DAYS = (date(2026, 1, 1), date(2026, 1, 16))
WINDOWS = report_windows(*DAYS, PROFILE.slice_days)  # calendar-aligned: the first and last are clipped


class Platform:
    def __init__(self, failing: set[date]) -> None:
        self.failing = failing
        self.calls: list[tuple[date, date]] = []

    def read(self, since: date, until: date):
        self.calls.append((since, until))
        if since in self.failing:
            verdict = Classified(ErrorClass.RETRYABLE, "500", "server error")
            raise RequestFailed("meta_ads account 1 (insights)", verdict, 6, "retries exhausted")
        return [{"date_day": since + timedelta(days=n)} for n in range((until - since).days + 1)]

    def reads(self, report, account_id):
        return DayRangeReads(report, account_id, self.read)


def reader(tmp_path, platform: Platform) -> tuple[ReportReader, TapRun]:
    run = TapRun(
        PROFILE,
        {"dead_letter_path": str(tmp_path / "dl.jsonl")},
        StaticAccounts([ACCOUNT]),
        logging.getLogger(),
    )
    return ReportReader(run, platform), run


def read_all(reports: ReportReader, state: dict, days=DAYS) -> dict[tuple[date, date], list]:
    got = {}
    with reports.reading("unified_ad_performance", "1", days, state, lambda: None) as reading:
        for window in reading.windows:
            got[window] = reports.rows(REPORT, "1", *window)  # as an adapter asks
            reading.done(window)
    return got


def test_a_failed_window_is_kept_dead_lettered_and_read_first_next_run(tmp_path):
    _, failing, last_window = WINDOWS
    first, run = reader(tmp_path, Platform(failing={failing[0]}))
    state: dict = {}
    got = read_all(first, state)
    assert list(got) == WINDOWS
    assert got[failing] == [] and len(got[last_window]) == (last_window[1] - last_window[0]).days + 1
    assert state["failed_slices"] == [window_key(failing)]
    [letter] = run.dead_letters.records()
    assert (letter["status"], letter["stream"], json.loads(letter["slice"])) == (
        "open",
        "daily",
        {"since": failing[0].isoformat(), "until": failing[1].isoformat()},
    )

    platform = Platform(failing=set())
    second, run = reader(tmp_path, platform)
    got = read_all(second, state, last_window)  # a later run, past the failed window
    assert list(got) == [failing, last_window] and platform.calls[0] == failing
    assert state["failed_slices"] == []
    assert {r["status"] for r in run.dead_letters.records()} == {"resolved"}


def test_a_window_read_twice_in_a_run_costs_one_request(tmp_path):
    platform = Platform(failing=set())
    reports, _ = reader(tmp_path, platform)
    read_all(reports, {})
    read_all(reports, {})  # a second stream over the same days replays the slice cache
    assert len(platform.calls) == 3
