"""Faults, a denied customer, kills and secrets: the data that lands is the data of a clean run, every
failure is one line, and no secret leaks."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

from bad_configs import assert_no_account_read

from ads_kit.sandbox.client import SandboxClient

from .conftest import (
    PLATFORM,
    TapRun,
    discover,
    landed,
    only,
    parse_output,
    run_tap,
    select,
    tap_command,
    tap_config,
)

STREAM = "GoogleAdsService/SearchStream"
TOKEN = "oauth_token"


def _fault(route: str, kind: str = "error", **rule: Any) -> dict[str, Any]:
    return {"platform": PLATFORM, "route": route, "kind": kind, **rule}


def _errors(run: TapRun) -> list[str]:
    """ERROR lines but singer-sdk's own "An unhandled error occurred while syncing <stream>"."""
    lines = run.stderr.splitlines()
    return [line for line in lines if "| ERROR" in line and "An unhandled error occurred" not in line]


def _without(
    tables: dict[str, dict[str, dict[str, Any]]], customer: str
) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        stream: {
            key: row
            for key, row in rows.items()
            if customer not in (row.get("customer_id"), row.get("account_id"))
        }
        for stream, rows in tables.items()
    }


def test_faults_change_nothing_that_lands(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_google, tmp_path, request_timeout=2)
    clean = run_tap(config, tmp_path)
    assert clean.returncode == 0, clean.stderr[-2000:]
    sandbox_google.reset()
    sandbox_google.add_fault(
        [
            # a short-term quota with Google's retry delay, twice
            # (calls count every SearchStream of the run: a retry is the next call)
            _fault(STREAM, name="rate_limit", seconds=1, calls=[2, 12]),
            _fault(STREAM, name="internal_error", calls=[4]),
            _fault(STREAM, "truncate", calls=[7]),  # INTERNAL mid-stream, after some rows
            _fault(STREAM, "timeout", seconds=4, calls=[10]),  # past the 2 s deadline
            _fault(STREAM, name="token_expired", calls=[14]),  # the access token expired mid-run
            _fault(STREAM, name="transient_error", calls=[17, 18]),
        ]
    )
    faulty = run_tap(config, tmp_path, timeout=240)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    fired = sandbox_google.stats()["faults"]
    assert sum(sum(v.values()) if isinstance(v, dict) else v for v in fired.values()) >= 8
    assert landed(faulty) == landed(clean)
    # the retry waited Google's retry_delay; the expired token was renewed once (plus the first grant)
    waits = re.findall(r"quota RESOURCE_TEMPORARILY_EXHAUSTED, retry \d/4 in ([\d.]+) s", faulty.stderr)
    assert waits == ["1.0", "1.0"]
    assert sandbox_google.calls(PLATFORM, TOKEN) == 2


def test_daily_developer_quota_stops_the_run_at_once(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    sandbox_google.add_fault(_fault(STREAM, name="quota_exhausted"))
    run = run_tap(tap_config(sandbox_google, tmp_path), tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = _errors(run)
    assert len(errors) == 1 and "developer_token" in errors[0] and "RESOURCE_EXHAUSTED" in errors[0], errors
    assert sandbox_google.calls(PLATFORM, STREAM) == 1  # 40591 s to wait: not retried
    assert not run.records


def test_denied_customer_is_skipped_and_the_others_land_as_in_a_clean_run(
    sandbox_google: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_google, tmp_path)
    clean = run_tap(config, tmp_path)
    assert clean.returncode == 0, clean.stderr[-2000:]
    customers = sandbox_google.platform(PLATFORM)["accounts"]
    denied = customers[1]
    sandbox_google.settings(google_ads_disabled_customers=[denied])
    run = run_tap({**config, "dead_letter_path": str(tmp_path / "denied.jsonl")}, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    skipped = [line for line in _errors(run) if f"account {denied} skipped" in line]
    assert len(skipped) == 1 and "CUSTOMER_NOT_ENABLED" in skipped[0], _errors(run)
    letters = [json.loads(line) for line in (tmp_path / "denied.jsonl").read_text().splitlines()]
    assert [(r["account_id"], r["error_class"]) for r in letters] == [(denied, "skip_account")]
    got, expected = landed(run), _without(landed(clean), denied)
    assert {s: rows for s, rows in got.items() if s != "google_ads_customer_clients"} == {
        s: rows for s, rows in expected.items() if s != "google_ads_customer_clients"
    }
    assert {r["account_id"] for r in run.records["unified_ad_performance"]} == set(customers) - {denied}


def test_every_customer_disabled_ends_in_one_line_naming_customer_ids(
    sandbox_google: SandboxClient, tmp_path: Path
) -> None:
    customers = sandbox_google.platform(PLATFORM)["accounts"]
    sandbox_google.settings(google_ads_disabled_customers=customers)
    config = tap_config(sandbox_google, tmp_path, customer_ids=customers)
    catalog = select(discover(config, tmp_path), only("google_ads_campaigns", "unified_dead_letters"))
    run = run_tap(config, tmp_path, catalog=catalog)
    assert_no_account_read(run, "customer_ids", dict.fromkeys(customers, "CUSTOMER_NOT_ENABLED"))


def _run_until_a_window_is_stored(args: list[str]) -> TapRun:
    """Run the tap, SIGKILL it once a STATE holds the bookmark of a report window."""
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
            bookmarks = (
                message.get("value", {}).get("bookmarks", {}) if message.get("type") == "STATE" else {}
            )
            partitions = bookmarks.get("google_ads_ad_performance", {}).get("partitions", [])
            if any(p.get("replication_key_value") for p in partitions):
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
        stdout += process.stdout.read()
    finally:
        watchdog.cancel()
    return parse_output(stdout, "", process.returncode)


def test_killed_tap_resumes_from_its_last_state(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_google, tmp_path, date_range={"type": "last_n_days", "days": 60})
    clean = run_tap(config, tmp_path)
    assert clean.returncode == 0, clean.stderr[-2000:]
    sandbox_google.reset()
    sandbox_google.add_fault(_fault(STREAM, "latency", seconds=0.2))  # the kill lands mid-sync
    killed = _run_until_a_window_is_stored(tap_command(config, tmp_path))
    assert killed.returncode == -signal.SIGKILL
    assert "unified_ad_performance" not in killed.records, "the kill came after the sync"
    resumed = run_tap(config, tmp_path, state=killed.final_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert landed(resumed, killed) == landed(clean)


def test_no_secret_in_any_byte_written(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_google, tmp_path, log_requests=True)
    sandbox_google.add_fault(
        [
            _fault(STREAM, name="token_expired", calls=[1]),
            _fault(STREAM, name="internal_error", calls=[2, 3]),
            _fault(STREAM, name="developer_token_invalid", calls=[9]),
        ]
    )
    run = run_tap(
        {**config, "customer_ids": [*sandbox_google.platform(PLATFORM)["accounts"], "123-456-7890"]}, tmp_path
    )
    google = sandbox_google.platform(PLATFORM)
    secrets = [
        config["client_secret"],
        config["refresh_token"],
        config["developer_token"],
        google["access_token"],
    ]
    written = run.stdout + run.stderr.encode() + json.dumps(run.final_state).encode()
    dead_letters = tmp_path / "dead-letters.jsonl"
    written += dead_letters.read_bytes() if dead_letters.exists() else b""
    assert b"ya29." not in written  # no Google access token of any grant
    for secret in secrets:
        assert secret.encode() not in written


def test_a_version_google_refuses_falls_back_to_the_previous_live_one(
    sandbox_google: SandboxClient, tmp_path: Path
) -> None:
    catalog_config = tap_config(sandbox_google, tmp_path)
    catalog = select(discover(catalog_config, tmp_path), only("google_ads_campaigns"))
    clean = run_tap(catalog_config, tmp_path, catalog=catalog)
    assert clean.returncode == 0, clean.stderr[-2000:]
    sandbox_google.add_fault(_fault(STREAM, name="unsupported_version", calls=[1]))
    run = run_tap({**catalog_config, "api_version": "v26"}, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "google_ads API v26 failed" in run.stderr and "falling back to v25" in run.stderr
    versions = {entry["path"].split(".")[3] for entry in sandbox_google.log(PLATFORM, STREAM)}
    assert versions == {"v26", "v25"}
    assert landed(run) == landed(clean)
