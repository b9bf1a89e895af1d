"""TikTok's failures change nothing that lands: rate limits (40100 bursts, the QPM lockout, 40133),
5xx codes in 200 bodies and the gateway's HTML 504, cut bodies, a failed report task, a denied
advertiser, a revoked token, and a SIGKILL with report tasks in flight."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bad_configs import assert_no_account_read

from ads_kit.sandbox.client import SandboxClient

from .conftest import TapRun, discover, landed, parse_output, run_tap, select, tap_config
from .test_sync import REPORT_STREAMS, assert_reports_equal_the_world

SMALL = {"report_type": "basic"}
SMALL_STREAMS = {
    *REPORT_STREAMS, "tiktok_ads_report_campaign_hourly", "unified_ad_performance", "tiktok_ads_campaigns",
    "tiktok_ads_ad_groups", "tiktok_ads_ads", "tiktok_ads_custom_audiences", "tiktok_ads_pixels",
    "tiktok_ads_advertisers",
}  # fmt: skip


def _small_run(
    sandbox: SandboxClient, tmp_path: Path, **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    config = tap_config(sandbox, tmp_path, **{**SMALL, **overrides})
    return config, select(discover(config, tmp_path), lambda name: name in SMALL_STREAMS)


def fault(route: str, name: str, calls: list[int], kind: str = "error") -> dict[str, Any]:
    rule: dict[str, Any] = {"platform": "tiktok", "route": route, "kind": kind, "calls": calls}
    if kind == "error":
        rule["name"] = name
    return rule


def test_faults_change_nothing_that_lands(sandbox_tiktok: SandboxClient, tmp_path: Path) -> None:
    config, catalog = _small_run(sandbox_tiktok, tmp_path, report_mode="sync")
    clean = run_tap(config, tmp_path, catalog=catalog)
    assert clean.returncode == 0, clean.stderr[-2000:]

    sandbox_tiktok.reset()
    sandbox_tiktok.add_fault(
        [
            fault("report_integrated_get", "qps_limit", [1, 2, 3]),  # a 40100 burst
            fault("report_integrated_get", "qpm_limit", [6]),  # 40100 "temporarily restricted": the lockout
            fault("report_integrated_get", "advertiser_qps_limit", [9]),  # 40133
            fault("campaign_get", "server_error", [1]),  # 50000 in an HTTP 200 body
            fault("adgroup_get", "gateway_timeout", [1]),  # HTML 504
            fault("ad_get", "", [1], kind="truncate"),  # cut JSON
            fault("custom_audience_list", "internal_error", [1]),  # 50002
            fault("pixel_list", "service_timeout", [1]),  # 51001
            fault("advertiser_info", "maintenance", [1]),  # 60001
        ]
    )
    faulty = run_tap(config, tmp_path, catalog=catalog)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    assert sum(sandbox_tiktok.stats()["faults"]["tiktok"].values()) == 11  # every fault fired
    # The lockout paused the app: the limiter logged the pause it was told (qpm_lockout_seconds).
    assert "pausing requests for 1 s" in faulty.stderr
    assert landed(faulty) == landed(clean)
    assert_reports_equal_the_world(faulty, sandbox_tiktok)


def test_a_failed_report_task_is_split_and_nothing_is_lost(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    config, catalog = _small_run(sandbox_tiktok, tmp_path, report_mode="async")
    sandbox_tiktok.add_fault(
        {"platform": "tiktok", "route": "report_task_create", "kind": "job_failure", "calls": [1]}
    )
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    # TikTok's check said FAILED (with its reason); the window's task was created again.
    assert "failed (FAILED: " in run.stderr
    assert "submitting it again" in run.stderr
    assert_reports_equal_the_world(run, sandbox_tiktok)
    assert not (tmp_path / "dead-letters.jsonl").exists() or not (tmp_path / "dead-letters.jsonl").read_text()


def test_an_advertiser_without_permission_is_skipped_and_the_others_land(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    advertisers = sandbox_tiktok.platform("tiktok")["accounts"]
    config, catalog = _small_run(sandbox_tiktok, tmp_path, report_mode="sync", advertiser_ids=advertisers)
    clean = run_tap(config, tmp_path, catalog=catalog)
    assert clean.returncode == 0, clean.stderr[-2000:]
    denied = advertisers[1]

    sandbox_tiktok.settings(tiktok_denied_accounts=[denied])
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if denied in line and "40001" in line]
    assert lines, "no line names the skipped advertiser and TikTok's code"
    letters = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert {letter["account_id"] for letter in letters} == {denied}

    def others(tables: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[Any]]:
        def kept(row: dict[str, Any]) -> bool:
            return denied not in (row.get("advertiser_id"), row.get("account_id"))

        return {
            stream: sorted(json.dumps(r, sort_keys=True, default=str) for r in rows.values() if kept(r))
            for stream, rows in tables.items()
        }

    assert others(landed(run)) == others(landed(clean))
    assert not any(denied in json.dumps(r, default=str) for rows in run.records.values() for r in rows)

    # A token without one endpoint's scope (40001 on that endpoint): that stream alone is skipped.
    (tmp_path / "dead-letters.jsonl").unlink()
    sandbox_tiktok.settings(tiktok_denied_accounts=[])
    sandbox_tiktok.add_fault(
        {"platform": "tiktok", "route": "custom_audience_list", "kind": "error", "name": "permission"}
    )
    scoped = run_tap(config, tmp_path, catalog=catalog)
    assert scoped.returncode == 0, scoped.stderr[-2000:]
    audiences = "tiktok_ads_custom_audiences"
    assert sum(f"stream {audiences} skipped: 40001" in line for line in scoped.stderr.splitlines()) == 3
    assert not scoped.records.get(audiences)
    kept = {stream: rows for stream, rows in landed(clean).items() if stream != audiences}
    assert {stream: rows for stream, rows in landed(scoped).items() if stream != audiences} == kept


def test_a_revoked_token_ends_the_run_with_one_line(sandbox_tiktok: SandboxClient, tmp_path: Path) -> None:
    config, catalog = _small_run(sandbox_tiktok, tmp_path)
    sandbox_tiktok.add_fault({"platform": "tiktok", "route": "*", "kind": "error", "name": "token_revoked"})
    run = run_tap(config, tmp_path, catalog=catalog)
    assert not any(run.records.get(s) for s in SMALL_STREAMS)
    assert run.returncode == 1
    # 40105 is a re-authentication (tried once), then one line saying how to sign in again.
    assert "reauth 40105" in run.stderr
    assert run.stderr.splitlines()[-1].endswith(
        "access was revoked or expired; run `ads-auth login tiktok_ads` again"
    )
    assert config["access_token"] not in run.stderr


def _stored_tasks(state: Any) -> set[str]:
    """Every report task id held in a Singer state value (under any stream's ``jobs``)."""
    if isinstance(state, list):
        return {job for item in state for job in _stored_tasks(item)}
    if not isinstance(state, dict):
        return set()
    found = {
        str(e["job_id"])
        for e in (state.get("jobs") or {}).values()
        if isinstance(e, dict) and e.get("job_id")
    }
    return found.union(*(_stored_tasks(value) for value in state.values()))


def test_every_advertiser_denied_ends_in_one_line_naming_advertiser_ids(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    advertisers = sandbox_tiktok.platform("tiktok")["accounts"]
    sandbox_tiktok.settings(tiktok_denied_accounts=advertisers)
    config = tap_config(sandbox_tiktok, tmp_path, **SMALL, report_mode="sync", advertiser_ids=advertisers)
    wanted = {*SMALL_STREAMS, "unified_dead_letters"}
    run = run_tap(config, tmp_path, catalog=select(discover(config, tmp_path), lambda name: name in wanted))
    assert_no_account_read(run, "advertiser_ids", dict.fromkeys(advertisers, "40001"))


def _run_until_a_task_is_stored(args: list[str]) -> TapRun:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    stdout = b""
    try:
        assert process.stdout is not None
        for line in process.stdout:
            stdout += line
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("type") == "STATE" and _stored_tasks(message["value"]):
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
        stdout += process.stdout.read()
    finally:
        watchdog.cancel()
    return parse_output(stdout, "", process.returncode)


def _checked_tasks(sandbox: SandboxClient) -> set[str]:
    return {
        parse_qs(urlsplit(e["path"]).query)["task_id"][0] for e in sandbox.log("tiktok", "report_task_check")
    }


def test_killed_tap_polls_its_report_tasks_instead_of_resubmitting(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    config, catalog = _small_run(
        sandbox_tiktok, tmp_path, report_mode="async", date_range={"type": "last_n_days", "days": 45}
    )
    clean = run_tap(config, tmp_path, catalog=catalog)
    assert clean.returncode == 0, clean.stderr[-2000:]
    clean_tasks = sandbox_tiktok.calls("tiktok", "report_task_create")

    sandbox_tiktok.reset()
    sandbox_tiktok.settings(tiktok_task_seconds=1.5)  # tasks submitted before the kill are still running
    args = [sys.executable, "-m", "tap_tiktok_ads", "--config", str(tmp_path / "config.json")]
    killed = _run_until_a_task_is_stored([*args, "--catalog", str(tmp_path / "catalog.json")])
    assert killed.returncode == -signal.SIGKILL
    stored = _stored_tasks(killed.final_state)
    assert stored, "the tap's last STATE before the kill holds no report task"
    created_before_kill = sandbox_tiktok.calls("tiktok", "report_task_create")

    sandbox_tiktok.reset()  # from here on the log holds the resumed run's requests only
    sandbox_tiktok.settings(tiktok_task_seconds=0.05)
    resumed = run_tap(config, tmp_path, state=killed.final_state, catalog=catalog)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert landed(resumed, killed) == landed(clean)
    assert_reports_equal_the_world(landed(resumed, killed), sandbox_tiktok)
    checked = _checked_tasks(sandbox_tiktok)
    assert stored <= checked, "report tasks stored in state were not polled after the restart"
    created_after = sandbox_tiktok.calls("tiktok", "report_task_create")
    assert created_after == len(checked - stored)  # every task the resumed tap created, it polled
    # No stored task was created again: both runs together created no more than one clean run.
    assert created_after + len(stored) <= clean_tasks <= created_after + created_before_kill


def test_no_secret_in_any_byte_written(sandbox_tiktok: SandboxClient, tmp_path: Path) -> None:
    tiktok = sandbox_tiktok.platform("tiktok")
    config, catalog = _small_run(sandbox_tiktok, tmp_path, log_requests=True)
    assert "advertiser_ids" not in config  # discovery sends app_id and secret
    sandbox_tiktok.add_fault(
        [
            fault("campaign_get", "token_expired", [1]),
            fault("ad_get", "server_error", [1, 2]),
            fault("adgroup_get", "", [1], kind="drop"),
            fault("report_integrated_get", "token_revoked", [1]),
        ]
    )
    sandbox_tiktok.settings(tiktok_denied_accounts=[tiktok["accounts"][2]])
    run = run_tap(config, tmp_path, catalog=catalog)
    assert "oauth2/advertiser/get" in run.stderr  # the request carrying the secret was logged, redacted
    written = run.stdout + run.stderr.encode() + json.dumps(run.final_state).encode()
    written += (tmp_path / "dead-letters.jsonl").read_bytes()
    for secret in (config["access_token"], config["secret"]):
        assert secret.encode() not in written


def test_a_truncated_sync_report_is_named_in_a_warning(sandbox_tiktok: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_tiktok, tmp_path, report_type="basic", report_mode="sync")
    catalog = select(discover(config, tmp_path), lambda name: name == "tiktok_ads_report_ad_daily")
    sandbox_tiktok.settings(tiktok_report_ad_cap=2)  # the sandbox's stand-in for TikTok's 20,000 ads
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    warned = [line for line in run.stderr.splitlines() if "the report leaves ads out" in line]
    assert warned and "report_mode async" in warned[0]


def test_the_daily_quota_ends_the_run_with_one_line_naming_the_wait_budget(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    config, catalog = _small_run(sandbox_tiktok, tmp_path, report_mode="sync")
    # The app's daily quota (QPD) runs out after a few calls: TikTok restricts it until 00:00 UTC (§4.2).
    sandbox_tiktok.settings(limits={"tiktok": {"app": ["6/day"], "account": ["10000/second"]}})
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 1
    # The lockout was waited once (qpm_lockout_seconds); restricted again, the run stops: 3.5 h to midnight.
    assert "quota 40100, retry 1/4 in 1.0 s" in run.stderr
    last = run.stderr.splitlines()[-1]
    assert "waiting 12600 s more would exceed rate_limiting.max_wait_seconds=900" in last, last
    assert "40100" in last and config["access_token"] not in run.stderr
