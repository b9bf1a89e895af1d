"""Faults, kills and secrets: the data that lands is the data of a clean run, and no secret leaks."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from ads_kit.redaction import MASK
from ads_kit.sandbox.client import SandboxClient

from .conftest import TapRun, discover, landed, parse_output, run_tap, select, tap_config


def test_faults_change_nothing_that_lands(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_meta, tmp_path, request_timeout=1)
    clean = run_tap(config, tmp_path)
    assert clean.returncode == 0, clean.stderr[-2000:]

    sandbox_meta.reset()
    sandbox_meta.add_fault(
        [
            {
                "platform": "meta",
                "route": "insights_async",
                "kind": "error",
                "name": "rate_limit_insights",
                "calls": [2],
            },
            {"platform": "meta", "route": "campaigns", "kind": "error", "name": "server_error", "calls": [1]},
            {"platform": "meta", "route": "ads", "kind": "timeout", "seconds": 3, "calls": [1]},
            {"platform": "meta", "route": "adsets", "kind": "drop", "calls": [2]},
            {"platform": "meta", "route": "node_insights", "kind": "truncate", "bytes": 40, "calls": [1]},
            {"platform": "meta", "route": "insights_async", "kind": "job_failure", "calls": [3]},
            {
                "platform": "meta",
                "route": "customconversions",
                "kind": "error",
                "name": "token_expired",
                "calls": [1],
            },
            {
                "platform": "meta",
                "route": "adcreatives",
                "kind": "error",
                "name": "transient",
                "calls": [1, 2],
            },
        ]
    )
    faulty = run_tap(config, tmp_path, timeout=240)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    applied = sandbox_meta.stats()["faults"]
    assert sum(sum(v.values()) if isinstance(v, dict) else v for v in applied.values()) >= 8
    assert landed(faulty) == landed(clean)


def _stored_jobs(state: Any) -> set[str]:
    """Every report run id held in a Singer state value (under any stream's `jobs`)."""
    if isinstance(state, list):
        return {job for item in state for job in _stored_jobs(item)}
    if not isinstance(state, dict):
        return set()
    found = {
        str(entry["job_id"])
        for entry in (state.get("jobs") or {}).values()
        if isinstance(entry, dict) and entry.get("job_id")
    }
    return found.union(*(_stored_jobs(value) for value in state.values()))


def _run_until_a_job_is_stored(args: list[str]) -> TapRun:
    """Run the tap, and SIGKILL it as soon as it writes a STATE holding a submitted report run."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    watchdog = threading.Timer(120, process.kill)  # a tap that never stores a job fails the test
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
            if message.get("type") == "STATE" and _stored_jobs(message["value"]):
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
        stdout += process.stdout.read()
    finally:
        watchdog.cancel()
    return parse_output(stdout, "", process.returncode)


def _polled_jobs(sandbox: SandboxClient) -> set[str]:
    """Ids of the report runs the log shows polled (GET /<version>/<run id>)."""
    return {entry["path"].split("?")[0].split("/")[2] for entry in sandbox.log("meta", "node")}


def _job_windows(sandbox: SandboxClient, jobs: set[str]) -> Counter[tuple[str, str, str]]:
    """How many of these report runs cover each (account, since, until), as Graph reports the runs."""
    graph = sandbox.platform("meta")
    windows: Counter[tuple[str, str, str]] = Counter()
    for job in jobs:
        body = requests.get(
            f"{graph['base_url']}/v26.0/{job}/", params={"access_token": graph["access_token"]}, timeout=10
        ).json()
        windows[(body["account_id"], body["date_start"], body["date_stop"])] += 1
    return windows


def test_killed_tap_resumes_from_its_last_state(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_meta, tmp_path, date_range={"type": "last_n_days", "days": 45})
    clean = run_tap(config, tmp_path)
    assert clean.returncode == 0, clean.stderr[-2000:]
    clean_windows = _job_windows(sandbox_meta, _polled_jobs(sandbox_meta))

    sandbox_meta.reset()
    # Slow report jobs: the runs submitted before the kill are still running when it comes.
    sandbox_meta.settings(meta_job_seconds=1.0)
    args = [sys.executable, "-m", "tap_meta_ads", "--config", str(tmp_path / "config.json")]
    killed = _run_until_a_job_is_stored(args)
    assert killed.returncode == -signal.SIGKILL
    stored = _stored_jobs(killed.final_state)
    assert stored, "the tap's last STATE before the kill holds no report run"

    sandbox_meta.reset()  # from here on the log holds the resumed run's requests only
    sandbox_meta.settings(meta_job_seconds=0.05)
    resumed = run_tap(config, tmp_path, state=killed.final_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert landed(resumed, killed) == landed(clean)

    _assert_stored_jobs_polled_not_resubmitted(sandbox_meta, stored, clean_windows)


def test_killed_tap_resumes_unified_report_jobs_from_its_last_state(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    """Only unified streams: their performance reads submit the report jobs and keep them in state."""
    config = tap_config(sandbox_meta, tmp_path, date_range={"type": "last_n_days", "days": 45})
    catalog = select(discover(config, tmp_path), lambda name: name.startswith("unified_"))
    clean = run_tap(config, tmp_path, catalog=catalog)
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert clean.records["unified_ad_performance"]
    clean_windows = _job_windows(sandbox_meta, _polled_jobs(sandbox_meta))

    sandbox_meta.reset()
    sandbox_meta.settings(meta_job_seconds=1.0)
    args = [sys.executable, "-m", "tap_meta_ads", "--config", str(tmp_path / "config.json")]
    killed = _run_until_a_job_is_stored([*args, "--catalog", str(tmp_path / "catalog.json")])
    assert killed.returncode == -signal.SIGKILL
    stored = _stored_jobs(killed.final_state)
    assert stored, "the tap's last STATE before the kill holds no report run"
    assert all(
        stream.startswith("unified_")
        for stream, bookmark in killed.final_state["bookmarks"].items()
        if _stored_jobs(bookmark)
    )

    sandbox_meta.reset()  # from here on the log holds the resumed run's requests only
    sandbox_meta.settings(meta_job_seconds=0.05)
    resumed = run_tap(config, tmp_path, state=killed.final_state, catalog=catalog)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert landed(resumed, killed) == landed(clean)

    _assert_stored_jobs_polled_not_resubmitted(sandbox_meta, stored, clean_windows)


def test_no_secret_in_any_byte_written(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_meta, tmp_path)
    sandbox_meta.add_fault(
        [
            {
                "platform": "meta",
                "route": "campaigns",
                "kind": "error",
                "name": "token_expired",
                "calls": [1],
            },
            {"platform": "meta", "route": "ads", "kind": "error", "name": "server_error", "calls": [1, 2]},
            {"platform": "meta", "route": "adsets", "kind": "drop", "calls": [1]},
        ]
    )
    run = run_tap({**config, "ad_accounts": [*sandbox_meta.platform("meta")["accounts"], "999"]}, tmp_path)
    secrets = [config["access_token"], config["app_secret"], sandbox_meta.platform("meta")["refresh_token"]]
    written = run.stdout + run.stderr.encode() + json.dumps(run.final_state).encode()
    written += (tmp_path / "dead-letters.jsonl").read_bytes()
    for secret in secrets:
        assert secret.encode() not in written
    # appsecret_proof is HMAC-SHA256(app secret, access token) in hex, sent with every call.
    proof = hmac.new(config["app_secret"].encode(), config["access_token"].encode(), hashlib.sha256)
    leaked = proof.hexdigest().encode() in written
    assert not leaked, "the appsecret_proof of the configured token was written"
    # Wherever a proof is named (query string, JSON, repr), its value is the redaction mask.
    named = re.findall(rb"appsecret_proof[\"']?\s*[=:]\s*[\"']?([^\s&\"',;)}]*)", written)
    assert all(value == MASK.encode() for value in named), named


def _assert_stored_jobs_polled_not_resubmitted(
    sandbox: SandboxClient, stored: set[str], clean_windows: Counter[tuple[str, str, str]]
) -> None:
    """After a restart from the killed run's STATE (the request log reset in between)."""
    polled = _polled_jobs(sandbox)
    assert stored <= polled, "report runs stored in state were not polled after the restart"
    submitted = [entry for entry in sandbox.log("meta", "insights_async") if entry["method"] == "POST"]
    new_jobs = polled - stored
    assert len(submitted) == len(new_jobs)  # every run the resumed tap submitted, it polled
    # No stored run was submitted again: with them, no window has more runs than the clean run had.
    resumed_windows = _job_windows(sandbox, new_jobs) + _job_windows(sandbox, stored)
    assert {w: n for w, n in resumed_windows.items() if n > clean_windows[w]} == {}
