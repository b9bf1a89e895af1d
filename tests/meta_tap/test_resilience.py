"""Faults, kills and secrets: the data that lands is the data of a clean run, and no secret leaks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient

from .conftest import landed, parse_output, run_tap, tap_config


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


def test_killed_tap_resumes_from_its_last_state(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_meta, tmp_path, date_range={"type": "last_n_days", "days": 45})
    clean = run_tap(config, tmp_path)
    assert clean.returncode == 0, clean.stderr[-2000:]

    sandbox_meta.reset()
    # Slow report jobs keep the tap inside the insights streams long enough to be killed there.
    sandbox_meta.settings(meta_job_seconds=1.0)
    args = [sys.executable, "-m", "tap_meta_ads", "--config", str(tmp_path / "config.json")]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout = b""
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    deadline = time.monotonic() + 60
    while b'"stream":"meta_insights"' not in stdout and time.monotonic() < deadline:
        stdout += process.stdout.read() or b""
        time.sleep(0.05)
    time.sleep(1.5)  # some report jobs submitted, some windows written
    process.send_signal(signal.SIGKILL)
    process.wait()
    stdout += process.stdout.read() or b""
    killed = parse_output(stdout, "", process.returncode)
    assert killed.states, "the tap wrote no STATE before it was killed"
    pending = [
        job["job_id"]
        for partition in killed.final_state["bookmarks"]["meta_insights"]["partitions"]
        for job in partition.get("jobs", {}).values()
        if job.get("job_id")
    ]
    assert pending, "the kill came when no report run was in flight"

    sandbox_meta.settings(meta_job_seconds=0.05)
    resumed = run_tap(config, tmp_path, state=killed.final_state)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert landed(resumed, killed) == landed(clean)
    # Report runs submitted before the kill were polled again, not submitted again.
    polled = " ".join(entry["path"] for entry in sandbox_meta.log("meta", "node"))
    assert all(f"/{job_id}" in polled for job_id in pending)


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
    assert b"appsecret_proof=" not in written or b"appsecret_proof=REDACTED" in written
