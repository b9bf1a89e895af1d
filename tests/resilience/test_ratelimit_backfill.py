"""Old report windows wait for the quota as backfill, recent ones as recent days: the report layer
marks the days it reads (`reading_days`), the transport takes the mark as the request's priority,
and the limiter's shared queue (in Redis for every worker) serves recent days first."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import date, timedelta
from typing import Any

import pytest

from ads_kit import clock
from ads_kit.resilience.ratelimit import (
    BACKFILL_AFTER_DAYS,
    Priority,
    RateLimiter,
    reading_days,
    requested_priority,
)
from ads_kit.sandbox.process import running_sandbox

TODAY = date(2026, 11, 25)


def test_days_older_than_the_restatement_lookbacks_are_backfill():
    assert requested_priority() is Priority.RECENT
    with reading_days(TODAY - timedelta(days=BACKFILL_AFTER_DAYS), TODAY) as outer:
        assert outer is requested_priority() is Priority.BACKFILL
        with reading_days(TODAY - timedelta(days=BACKFILL_AFTER_DAYS - 1), TODAY):
            assert requested_priority() is Priority.RECENT  # a daily sync's lookback stays recent
        assert requested_priority() is Priority.BACKFILL
    assert requested_priority() is Priority.RECENT


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    now = "2026-11-25T12:00:00+00:00"
    with running_sandbox(seed=3, now=now, accounts_per_platform=1, ads_per_account=2) as sb:
        yield sb


def test_a_tap_reads_old_windows_as_backfill_and_recent_ones_first(sandbox, tmp_path, monkeypatch):
    from tap_tiktok_ads.tap import TapTikTokAds
    from tests.tiktok_tap.conftest import tap_config

    # Every request the tap makes, with the priority it waits for the quota with.
    asked: list[tuple[str, Priority]] = []
    acquire = RateLimiter.acquire

    @contextmanager
    def recording(
        self: RateLimiter, account: str, endpoint: str = "default", priority: Priority = Priority.RECENT
    ) -> Iterator[Any]:
        asked.append((endpoint, priority))
        with acquire(self, account, endpoint, priority) as grant:
            yield grant

    monkeypatch.setattr(RateLimiter, "acquire", recording)
    monkeypatch.setenv(clock.ENV_VAR, sandbox.now().isoformat())
    today = sandbox.now().date()
    config = tap_config(
        sandbox,
        tmp_path,
        advertiser_ids=sandbox.platform("tiktok")["accounts"],
        date_range={
            "type": "custom",
            "start_date": (today - timedelta(days=100)).isoformat(),
            "end_date": (today - timedelta(days=1)).isoformat(),
        },
        report_mode="sync",
    )
    tap = TapTikTokAds(config=config)
    for stream in tap.streams.values():
        stream.selected = stream.name == "tiktok_ads_report_advertiser_daily"
    with redirect_stdout(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")):
        tap.sync_all()
    reports = [priority for endpoint, priority in asked if endpoint == "reports"]
    backfill = reports.count(Priority.BACKFILL)
    # Windows in date order: the old ones (ending 31 days ago or earlier) as backfill, then the rest.
    assert backfill and reports == [Priority.BACKFILL] * backfill + [Priority.RECENT] * (
        len(reports) - backfill
    )
    assert Priority.RECENT in reports
    assert [p for endpoint, p in asked if endpoint != "reports"] == [Priority.RECENT]  # the account's info
