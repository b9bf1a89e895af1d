"""Report jobs: failed runs are split and joined again, windows that fail for good are dead-lettered
and read first on the next run, and split pieces are put back together exactly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient
from tap_meta_ads.fetch import _covered, _join, root_window
from tap_meta_ads.report_jobs import MetaReportJobs, window_slice
from tap_meta_ads.reports import ReportSpec

from .conftest import discover, landed, run_tap, select, tap_config

SPEC = ReportSpec("insights", metrics=("impressions", "clicks", "spend"))
JAN = (date(2026, 1, 1), date(2026, 1, 14))


def _jobs() -> MetaReportJobs:
    return MetaReportJobs(
        None,  # type: ignore[arg-type]  # splitting never calls Meta
        SPEC,
        "1",
        ["7d_click"],
        metrics=list(SPEC.requested_metrics),
        drop_field=lambda fields, error: None,
    )


def test_a_failed_slice_splits_by_dates_then_by_fields() -> None:
    jobs = _jobs()
    halves = jobs.split(window_slice(*JAN))
    assert halves == [
        window_slice(date(2026, 1, 1), date(2026, 1, 7)),
        window_slice(date(2026, 1, 8), JAN[1]),
    ]
    one_day = window_slice(date(2026, 1, 3), date(2026, 1, 3))
    assert jobs.split(one_day) == [
        {**one_day, "metrics": ["impressions"]},
        {**one_day, "metrics": ["clicks", "spend"]},
    ]
    assert jobs.split({**one_day, "metrics": ["spend"]}) == []
    assert jobs.params({**one_day, "metrics": ["spend"]})["fields"][-1] == "spend"


def test_pieces_are_joined_only_when_they_cover_the_window() -> None:
    day = window_slice(date(2026, 1, 3), date(2026, 1, 3))
    key = {"account_id": "1", "campaign_id": "c", "adset_id": "s", "ad_id": "a", "date_start": "2026-01-03"}
    first = ({**day, "metrics": ["impressions"]}, [{**key, "impressions": "5"}])
    second = ({**day, "metrics": ["clicks", "spend"]}, [{**key, "clicks": "1", "spend": "0.50"}])
    window = (date(2026, 1, 3), date(2026, 1, 3))
    assert not _covered(SPEC, window, [first])
    assert _covered(SPEC, window, [first, second])
    assert _join(SPEC, [first, second]) == [{**key, "impressions": "5", "clicks": "1", "spend": "0.50"}]
    assert root_window(first[0], [JAN, (date(2026, 1, 15), date(2026, 1, 28))]) == JAN


def test_failed_jobs_are_run_again_and_the_rows_are_complete(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_meta, tmp_path, breakdowns=[])
    catalog = select(discover(config, tmp_path), lambda name: name == "meta_insights")
    clean = run_tap(config, tmp_path, catalog=catalog)
    sandbox_meta.reset()
    # The first two submissions fail: the first window is retried once, then split in two.
    sandbox_meta.add_fault(
        {"platform": "meta", "route": "insights_async", "kind": "job_failure", "calls": [1, 2]}
    )
    split = run_tap(config, tmp_path, catalog=catalog)
    assert split.returncode == 0, split.stderr[-2000:]
    assert "Job Failed" in split.stderr and "submitting it again" in split.stderr
    assert landed(split) == landed(clean)


def test_a_window_that_fails_for_good_is_read_first_next_run(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_meta, tmp_path, breakdowns=[])
    catalog = select(discover(config, tmp_path), lambda name: name == "meta_insights")
    clean = run_tap(config, tmp_path, catalog=catalog)
    sandbox_meta.reset()
    account = sandbox_meta.platform("meta")["accounts"][0]
    sandbox_meta.add_fault({"platform": "meta", "route": "*", "account": account, "kind": "job_failure"})
    failed = run_tap(config, tmp_path, catalog=catalog)
    assert failed.returncode == 0, failed.stderr[-2000:]
    partition = next(
        p
        for p in failed.final_state["bookmarks"]["meta_insights"]["partitions"]
        if p["context"]["account_id"] == account
    )
    assert partition["failed_slices"]
    letters = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert (
        letters
        and {r["status"] for r in letters} == {"open"}
        and {r["account_id"] for r in letters} == {account}
    )

    sandbox_meta.clear_faults()
    retried = run_tap(config, tmp_path, catalog=catalog, state=failed.final_state)
    assert retried.returncode == 0, retried.stderr[-2000:]
    assert landed(retried, failed) == landed(clean)
    partition = next(
        p
        for p in retried.final_state["bookmarks"]["meta_insights"]["partitions"]
        if p["context"]["account_id"] == account
    )
    assert partition["failed_slices"] == []
    latest = {}
    for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines():
        record = json.loads(line)
        latest[record["dead_letter_id"]] = record["status"]
    assert set(latest.values()) == {"resolved"}
