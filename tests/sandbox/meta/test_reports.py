"""Async report runs (submit, poll, early fetch, failure, results) and the batch endpoint."""

from __future__ import annotations

import json
import time
from typing import Any

from meta_graph import Graph, fixture

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World

ORDER = ["Job Not Started", "Job Started", "Job Running", "Job Completed"]
REPORT = {
    "level": "ad",
    "fields": '["ad_id","spend","impressions"]',
    "time_range": '{"since":"2026-11-20","until":"2026-11-21"}',
    "time_increment": "1",
    "breakdowns": '["age","gender"]',
    "action_attribution_windows": '["1d_click","7d_click"]',
    "use_unified_attribution_setting": "true",
}


def poll(meta: Graph, run_id: str, timeout_s: float = 10.0) -> list[dict[str, Any]]:
    """Every status body until the job ends (bounded)."""
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = meta.get(f"{run_id}/").json()
        seen.append(body)
        if body["async_status"] in ("Job Completed", "Job Failed"):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job {run_id} never finished: {seen[-1]}")


def test_job_runs_through_its_states_and_serves_the_same_rows_as_a_sync_read(
    meta: Graph, sandbox: SandboxClient, world: World
) -> None:
    account = world.accounts("meta")[0]
    # The job advances by polls, not time: every phase is seen however slow the machine is.
    sandbox.settings(meta_job_polls=10)
    try:
        submitted = meta.post(f"act_{account.id}/insights", **REPORT)
        assert submitted.status_code == 200
        run_id = submitted.json()["report_run_id"]
        early = meta.get(f"{run_id}/insights")
        assert early.status_code == 400
        assert (early.json()["error"]["code"], early.json()["error"]["error_subcode"]) == (2601, 1815107)
        states = poll(meta, run_id)
    finally:
        sandbox.settings(meta_job_polls=None)

    statuses = [s["async_status"] for s in states]
    assert statuses == [ORDER[0], ORDER[1], *[ORDER[2]] * 8, ORDER[3]]
    assert [ORDER.index(s) for s in statuses] == sorted(ORDER.index(s) for s in statuses)
    percents = [s["async_percent_completion"] for s in states]
    assert percents == sorted(percents)
    # As the captured AdReportRun: "Job Running" at 100 % (still running), and only then completed.
    running_100 = fixture("async_report_run_job_running_100pct.json")
    step = ("async_status", "async_percent_completion", "is_running")
    assert tuple(states[-2][k] for k in step) == tuple(running_100[k] for k in step)
    assert (statuses[-1], percents[-1]) == ("Job Completed", 100)
    assert states[-1]["account_id"] == account.id and states[-1]["is_running"] is False
    assert (states[-1]["date_start"], states[-1]["date_stop"]) == ("2026-11-20", "2026-11-21")

    rows = meta.get_all(f"{run_id}/insights", limit=25)
    sync = dict(REPORT, fields="ad_id,spend,impressions")
    assert rows == meta.get_all(f"act_{account.id}/insights", limit=500, **sync)
    assert len({(r["ad_id"], r["date_start"], r["age"], r["gender"]) for r in rows}) == len(rows)


def test_running_at_100_percent_is_not_completed(meta: Graph, sandbox: SandboxClient, world: World) -> None:
    sandbox.settings(meta_job_polls=10)
    try:
        run_id = meta.post(f"act_{world.accounts('meta')[0].id}/insights", **REPORT).json()["report_run_id"]
        states = [meta.get(f"{run_id}/").json() for _ in range(9)]
        # Running at 100 % is not completed: the results are refused until the next poll says so.
        assert (states[-1]["async_status"], states[-1]["async_percent_completion"]) == ("Job Running", 100)
        assert meta.get(f"{run_id}/insights").json()["error"]["error_subcode"] == 1815107
        states += poll(meta, run_id)
    finally:
        sandbox.settings(meta_job_polls=None)
    assert [s["async_percent_completion"] for s in states[-3:]] == [100, 100, 100]
    assert states[-1]["async_status"] == "Job Completed"
    assert meta.get(f"{run_id}/insights").status_code == 200


def test_job_failure_fault_fails_the_next_job_with_error_fields(meta: Graph, sandbox: SandboxClient) -> None:
    account = meta.accounts[1]
    sandbox.add_fault(platform="meta", route="insights_async", kind="job_failure", calls=[1])
    failed_id = meta.post(f"act_{account}/insights", **REPORT).json()["report_run_id"]
    ok_id = meta.post(f"act_{account}/insights", **REPORT).json()["report_run_id"]
    failed = poll(meta, failed_id)[-1]
    assert failed["async_status"] == "Job Failed"
    assert {"error_code", "error_subcode", "error_message", "error_user_title", "error_user_msg"} <= set(
        failed
    )
    assert meta.get(f"{failed_id}/insights").json()["error"]["code"] == 2601
    assert poll(meta, ok_id)[-1]["async_status"] == "Job Completed"


def test_jobs_on_campaign_nodes_and_unknown_runs(meta: Graph, world: World) -> None:
    campaign = world.campaigns(world.accounts("meta")[0].id)[0]
    run_id = meta.post(f"{campaign.id}/insights", **REPORT).json()["report_run_id"]
    poll(meta, run_id)
    rows = meta.get_all(f"{run_id}/insights")
    ads = {ad.id for ad in world.ads_under(campaign)}
    assert rows and {r["ad_id"] for r in rows} <= ads
    missing = meta.get("6999999999999999/insights")
    assert missing.status_code == 400 and missing.json()["error"]["error_subcode"] == 33


def test_batch_polls_jobs_and_isolates_item_errors(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    run_id = meta.post(f"act_{account.id}/insights", **REPORT).json()["report_run_id"]
    batch = [
        {"method": "GET", "relative_url": f"{run_id}/?fields=async_status%2Casync_percent_completion"},
        {"method": "GET", "relative_url": f"v26.0/act_{account.id}/campaigns?fields=id&limit=2"},
        {"method": "GET", "relative_url": "act_42/campaigns"},
    ]
    response = meta.post("", batch=json.dumps(batch))
    assert response.status_code == 200
    job, campaigns, missing = response.json()
    assert job["code"] == 200 and json.loads(job["body"])["id"] == run_id
    assert {h["name"] for h in job["headers"]} >= {"x-app-usage", "x-business-use-case-usage"}
    assert len(json.loads(campaigns["body"])["data"]) == 2
    assert missing["code"] == 400 and json.loads(missing["body"])["error"]["code"] == 100
    root = meta.http.post(
        meta.base_url + "/", data={"access_token": meta.token, "batch": json.dumps(batch[:1])}
    )
    assert root.status_code == 200 and root.json()[0]["code"] == 200


def test_batch_items_can_come_back_null_and_batches_are_capped(meta: Graph, sandbox: SandboxClient) -> None:
    sandbox.add_fault(platform="meta", route="batch_item", kind="drop", calls=[2])
    items = [{"method": "GET", "relative_url": f"act_{meta.accounts[0]}/?fields=name"}] * 3
    body = meta.post("", batch=json.dumps(items)).json()
    assert body[1] is None and body[0]["code"] == body[2]["code"] == 200
    too_many = meta.post("", batch=json.dumps(items * 17))
    assert too_many.status_code == 400 and "Maximum batch size is 50" in too_many.json()["error"]["message"]
