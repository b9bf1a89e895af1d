"""What a person reads on stderr during and after a run: progress lines per stream and account, one
summary line per stream whose counts agree with the sandbox's request log, the records written and
the dead letters; none of singer-sdk's "assumed to be unsorted" noise; stdout holds Singer messages
only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient

from .conftest import discover, run_tap, select, tap_config

SUMMARY = re.compile(
    r"\| tap-meta-ads +\| (?P<stream>\w+): (?P<records>[\d,]+) records?, (?P<requests>[\d,]+) requests? "
    r"\((?P<retries>[\d,]+) retr(?:y|ies)\), (?P<waits>[\d,]+) waits? on rate limits, "
    r"(?P<dead_letters>[\d,]+) dead letters?, (?P<warnings>[\d,]+) warnings?$"
)
PROGRESS = re.compile(r"\| tap-meta-ads +\| (\w+): account (\d+): (\d+)/(\d+) report windows done(.*)$")


def summaries(stderr: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for line in stderr.splitlines():
        match = SUMMARY.search(line)
        if match:
            counts = {k: int(v.replace(",", "")) for k, v in match.groupdict().items() if k != "stream"}
            assert match["stream"] not in found, f"two summary lines for {match['stream']}"
            found[match["stream"]] = counts
    return found


def test_the_summary_of_each_stream_agrees_with_the_sandbox_and_the_output(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    accounts = sandbox_meta.platform("meta")["accounts"]
    denied = accounts[1]
    sandbox_meta.settings(meta_denied_accounts=[denied])
    sandbox_meta.add_fault(
        [
            {"platform": "meta", "route": "campaigns", "kind": "error", "name": "server_error", "calls": [1]},
            {"platform": "meta", "route": "ads", "kind": "error", "name": "rate_limit_account", "calls": [1]},
            {"platform": "meta", "route": "adsets", "kind": "error", "name": "transient", "calls": [1, 2]},
        ]
    )
    run = run_tap(tap_config(sandbox_meta, tmp_path, ad_accounts=accounts), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    stats = sandbox_meta.stats()
    found = summaries(run.stderr)

    assert set(found) == set(run.keys)  # one line per stream that synced
    assert {s: c["records"] for s, c in found.items()} == {s: len(run.records.get(s, [])) for s in run.keys}
    assert sum(c["requests"] for c in found.values()) == stats["totals"]["meta"]
    # Each edge is read while its own stream syncs (the unified entity streams replay them).
    for stream, route in [("meta_campaigns", "campaigns"), ("meta_ads", "ads"), ("meta_adsets", "adsets")]:
        assert found[stream]["requests"] == sandbox_meta.calls("meta", route), stream
    answered_with_fault = sum(stats["faults_applied"].get("meta", {}).values())
    assert answered_with_fault == 4
    assert sum(c["retries"] for c in found.values()) == answered_with_fault
    assert (found["meta_campaigns"]["retries"], found["meta_adsets"]["retries"]) == (1, 2)
    assert found["meta_ads"]["waits"] >= 1  # Meta's "too many calls" for the account is waited out
    letters = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert {s: c["dead_letters"] for s, c in found.items() if c["dead_letters"]} == Counter(
        letter["stream"] for letter in letters
    )
    assert sum(c["warnings"] for c in found.values()) == sum(
        "| WARNING" in line for line in run.stderr.splitlines()
    )

    assert "Stream is assumed to be unsorted" not in run.stderr
    assert run.records["meta_campaigns"]  # an incremental stream declared unsorted did sync
    for line in run.stdout.splitlines():  # progress never reaches stdout
        assert json.loads(line)["type"] in {"SCHEMA", "RECORD", "STATE"}


def test_a_report_stream_shows_its_windows_and_each_jobs_status_and_percent(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    # Report jobs that take 6 s: the stream lasts beyond one progress interval (5 s), so a line
    # comes while the jobs run.
    sandbox_meta.settings(meta_job_seconds=6)
    account = sandbox_meta.platform("meta")["accounts"][0]
    config = tap_config(sandbox_meta, tmp_path, ad_accounts=[account], breakdowns=[])
    catalog = select(discover(config, tmp_path), lambda stream: stream == "meta_insights")
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [m.groups() for line in run.stderr.splitlines() if (m := PROGRESS.search(line))]
    assert lines, run.stderr[-3000:]
    assert {(stream, acct) for stream, acct, *_ in lines} == {("meta_insights", account)}
    assert lines[0][2:4] == ("0", "2")  # 20 days: two 14-day windows
    jobs = [re.findall(r"(\d+) (Job [A-Za-z ]+?) (\d+)%", rest) for *_, rest in lines]
    submitted = set(re.findall(r"submitted report job (\d+)", run.stderr))
    running = [job for line in jobs for job in line]
    assert running, lines
    for job_id, status, percent in running:
        assert job_id in submitted and status in {"Job Not Started", "Job Started", "Job Running"}
        assert 0 <= int(percent) < 100
    config_secrets = (config["access_token"], config["app_secret"])
    assert not any(secret in run.stderr for secret in config_secrets)


def test_about_describes_the_tap() -> None:
    about = subprocess.run(
        [sys.executable, "-m", "tap_meta_ads", "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    description = json.loads(about.stdout)["description"]
    assert isinstance(description, str) and "Meta" in description and "unified" in description
