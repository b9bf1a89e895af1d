"""What a person reads on stderr: while report tasks run, per stream and account, the windows done and
each task's status in TikTok's own words; at the end one line per stream and the run's total, where
the advertiser listing (made before any stream syncs) counts."""

from __future__ import annotations

import re
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient

from .conftest import discover, run_tap, select, tap_config

SUMMARY = re.compile(
    r"\| tap-tiktok-ads +\| (?P<name>[\w -]+): [\d,]+ records?, (?P<requests>[\d,]+) requests? .*?"
    r"(?: \((?P<outside>[\d,]+) requests? outside any stream\))?$"
)
PROGRESS = re.compile(r"\| tap-tiktok-ads +\| (\w+): account (\d+): (\d+)/(\d+) report windows done(.*)$")


def test_a_report_stream_shows_its_windows_and_each_tasks_status(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    # Tasks that take 10 s: the stream lasts beyond one progress interval (5 s), so a line comes
    # while the tasks run (they queue for the first 3 s, then process).
    sandbox_tiktok.settings(tiktok_task_seconds=10)
    advertiser = sandbox_tiktok.platform("tiktok")["accounts"][0]
    config = tap_config(
        sandbox_tiktok, tmp_path, advertiser_ids=[advertiser], report_mode="async", report_type="basic"
    )
    catalog_stream = "tiktok_ads_report_ad_daily"
    catalog = select(discover(config, tmp_path), lambda stream: stream == catalog_stream)
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [m.groups() for line in run.stderr.splitlines() if (m := PROGRESS.search(line))]
    assert lines, run.stderr[-3000:]
    assert {(stream, account) for stream, account, *_ in lines} == {(catalog_stream, advertiser)}
    tasks = [re.findall(r"(\d+) ([A-Z_]+)", rest) for *_, rest in lines]
    running = [task for line in tasks for task in line]
    assert running, lines
    submitted = set(re.findall(r"submitted report job (\d+)", run.stderr))
    assert len(submitted) == sandbox_tiktok.calls("tiktok", "report_task_create")
    for task_id, status in running:
        assert task_id in submitted and status in {"QUEUING", "PROCESSING"}
    assert not any(secret in run.stderr for secret in (config["access_token"], config["secret"]))


def test_the_advertiser_listing_counts_in_the_run_total_not_as_a_stream(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_tiktok, tmp_path)  # no advertiser_ids: every advertiser the app reaches
    catalog = select(discover(config, tmp_path), lambda stream: stream == "tiktok_ads_campaigns")
    before = sandbox_tiktok.stats()["totals"].get("tiktok", 0)
    listed = sandbox_tiktok.calls("tiktok", "oauth2_advertiser_get")
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = {m["name"]: m for line in run.stderr.splitlines() if (m := SUMMARY.search(line))}
    assert set(lines) == {"tiktok_ads_campaigns", "run total"}  # none named after the tap
    requests = sandbox_tiktok.stats()["totals"]["tiktok"] - before
    outside = sandbox_tiktok.calls("tiktok", "oauth2_advertiser_get") - listed
    assert outside >= 1
    assert int(lines["run total"]["requests"]) == requests
    assert int(lines["run total"]["outside"]) == outside
    assert int(lines["tiktok_ads_campaigns"]["requests"]) == requests - outside
