"""Report jobs: failed runs are split and joined again, windows that fail for good are dead-lettered
and read first on the next run, and split pieces are put back together exactly."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient
from ads_kit.tap.reports.slices import covered as _covered
from ads_kit.tap.reports.slices import joined as _join
from ads_kit.tap.reports.slices import root_window, window_slice
from tap_meta_ads.report_jobs import MetaReportJobs
from tap_meta_ads.reports import ReportSpec

from .conftest import discover, landed, run_tap, select, tap_config

SPEC = ReportSpec("insights", metrics=("impressions", "clicks", "spend"))
JAN = (date(2026, 1, 1), date(2026, 1, 14))


class CampaignList:
    """Answers the one request splitting makes: the account's campaigns, every status."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.requests: list[tuple[str, dict]] = []

    def pages(self, path: str, params: dict, **target: object):
        self.requests.append((path, params))
        yield [{"id": campaign_id} for campaign_id in self.ids]


def _jobs(campaigns: list[str] | None = None) -> tuple[MetaReportJobs, CampaignList]:
    client = CampaignList(campaigns or ["c3", "c1", "c2"])
    jobs = MetaReportJobs(
        client,  # type: ignore[arg-type]
        SPEC,
        "1",
        ["7d_click"],
        metrics=list(SPEC.requested_metrics),
        drift=None,  # type: ignore[arg-type]  # splitting drops no field
    )
    return jobs, client


def test_a_failed_slice_splits_by_dates_then_by_campaigns_then_by_fields() -> None:
    jobs, client = _jobs()
    halves = jobs.split(window_slice(*JAN))
    assert halves == [
        window_slice(date(2026, 1, 1), date(2026, 1, 7)),
        window_slice(date(2026, 1, 8), JAN[1]),
    ]
    assert client.requests == [], "date splits need no request"
    one_day = window_slice(date(2026, 1, 3), date(2026, 1, 3))
    by_campaign = jobs.split(one_day)
    assert by_campaign == [
        {**one_day, "campaigns": ["c1"], "campaign_total": 3},
        {**one_day, "campaigns": ["c2", "c3"], "campaign_total": 3},
    ]
    [(path, params)] = client.requests
    assert path == "act_1/campaigns" and "DELETED" in params["filtering"][0]["value"]
    assert jobs.split(by_campaign[1]) == [
        {**one_day, "campaigns": ["c2"], "campaign_total": 3},
        {**one_day, "campaigns": ["c3"], "campaign_total": 3},
    ]
    one_campaign = by_campaign[0]
    assert jobs.split(one_campaign) == [
        {**one_campaign, "metrics": ["impressions"]},
        {**one_campaign, "metrics": ["clicks", "spend"]},
    ]
    assert jobs.split({**one_campaign, "metrics": ["spend"]}) == []
    params = jobs.params({**one_campaign, "metrics": ["spend"]})
    assert params["fields"][-1] == "spend"
    assert {"field": "campaign.id", "operator": "IN", "value": ["c1"]} in params["filtering"]
    assert len(client.requests) == 1, "the campaign list is read once per report and account"


def test_an_account_with_one_campaign_splits_a_day_by_fields() -> None:
    jobs, _ = _jobs(["only"])
    one_day = window_slice(date(2026, 1, 3), date(2026, 1, 3))
    assert jobs.split(one_day) == [
        {**one_day, "metrics": ["impressions"]},
        {**one_day, "metrics": ["clicks", "spend"]},
    ]


def test_campaign_pieces_are_complete_only_together() -> None:
    day = window_slice(date(2026, 1, 3), date(2026, 1, 3))
    window = (date(2026, 1, 3), date(2026, 1, 3))
    first = ({**day, "campaigns": ["c1"], "campaign_total": 3}, [{"campaign_id": "c1"}])
    second = ({**day, "campaigns": ["c2", "c3"], "campaign_total": 3}, [{"campaign_id": "c2"}])
    assert not _covered(SPEC, window, [first])
    assert _covered(SPEC, window, [first, second])


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


# Every request a report job costs: submissions, polls, result pages, synchronous reads and the
# campaign list a split by campaigns reads.
REPORT_ROUTES = ("insights_async", "node", "node_insights", "node_insights_async", "insights", "campaigns")


def _one_aligned_window(before: date) -> tuple[date, date]:
    """The last calendar-aligned 14-day report window (the tap's own alignment) ending before ``before``."""
    end = before - timedelta(days=1)
    while (end - date(1970, 1, 1)).days % 14 != 13:
        end -= timedelta(days=1)
    return end - timedelta(days=13), end


def test_a_window_that_fails_for_good_costs_a_few_requests(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    since, until = _one_aligned_window(sandbox_meta.now().date() - timedelta(days=1))
    date_range = {"type": "custom", "start_date": since.isoformat(), "end_date": until.isoformat()}
    config = tap_config(sandbox_meta, tmp_path, breakdowns=[], date_range=date_range)
    catalog = select(discover(config, tmp_path), lambda name: name == "meta_insights")
    account = sandbox_meta.platform("meta")["accounts"][0]
    sandbox_meta.add_fault({"platform": "meta", "route": "*", "account": account, "kind": "job_failure"})
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    requests = sum(sandbox_meta.calls("meta", route, account) for route in REPORT_ROUTES)
    # the window twice, then each half once: both halves fail the same way, so it is given up
    assert 0 < requests <= 12, requests
    letters = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert [(r["account_id"], json.loads(r["slice"])) for r in letters] == [
        (account, {"since": since.isoformat(), "until": until.isoformat()})
    ]
    partition = next(
        p
        for p in run.final_state["bookmarks"]["meta_insights"]["partitions"]
        if p["context"]["account_id"] == account
    )
    assert partition["failed_slices"] == [f"{since.isoformat()}..{until.isoformat()}"]
