"""The record path of tap-meta-ads against its floor: a bare loop over the same sandbox pages.

The loop submits the same async insights jobs the tap submits (ad level, daily, the same fields,
windows and filtering), polls them on the tap's own schedule (``tap_meta_ads.tap.JOB_SETTINGS``: a
job is never ready before its first poll, so both wait the same for the platform), reads the same
result pages (the tap's page size, ``tap_meta_ads.client.PAGE_SIZE``), casts the same metrics
(counts to int, money and ratios to Decimal), sorts each window by day as the tap does and writes
the same RECORD lines (``time_extracted`` included) with one msgspec encoder, and does nothing else:
no SDK, no retries, no limiter, no state. Tap and loop run alternately in one sandbox, pinned to one
instant, so both read exactly the same rows; every RECORD line of the tap must equal the loop's but
for ``time_extracted``. The figure is the tap's records/s as a share of the loop's (goal >= 75 %).
A second figure is what the unified streams cost on top of the raw stream: wall time of
``meta_insights`` + ``unified_ad_performance`` + ``unified_campaign_performance`` over
``meta_insights`` alone (goal <= 1.3).

    python -m bench record_path [--days 90] [--ads 100] [--accounts 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

# The loop's process imports only what it uses (json, requests, msgspec): everything the tap needs
# (bench.meta, ads_kit, tap_meta_ads) is imported by the parent, which hands the loop its windows and
# poll schedule, so the loop's figure holds no import the loop itself would not make.
INSIGHTS = "meta_insights"  # bench.meta.INSIGHTS
UNIFIED = {"unified_ad_performance", "unified_campaign_performance"}
# What the tap asks Meta for on its ad-level daily stream (tap_meta_ads.reports).
ID_FIELDS = (
    "account_id",
    "account_name",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
)
METRICS = ("impressions", "clicks", "spend", "reach", "frequency", "cpc", "cpm", "ctr")
METRICS += ("inline_link_clicks", "actions", "action_values")
INTEGERS = frozenset({"impressions", "clicks", "reach", "inline_link_clicks"})
DECIMALS = frozenset({"spend", "frequency", "cpc", "cpm", "ctr"})
ACTION_LISTS = frozenset({"actions", "action_values"})
STATUSES = ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES", "ADSET_PAUSED"]
STATUSES += ["CAMPAIGN_PAUSED", "DISAPPROVED", "PENDING_BILLING_INFO", "PENDING_REVIEW", "PREAPPROVED"]
FILTERING = json.dumps([{"field": "ad.effective_status", "operator": "IN", "value": STATUSES}])


def bare_loop(plan: dict[str, Any], out: Any) -> int:
    """Fetch every window's job pages and write RECORD lines; returns the number of records."""
    import msgspec
    import requests

    config, windows = plan["config"], plan["windows"]
    poll_initial_s, poll_max_s = plan["poll_s"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {config['access_token']}"
    base = f"{config['api_base_url'].rstrip('/')}/{config.get('api_version', 'v26.0')}"
    encode = msgspec.json.Encoder(decimal_format="number").encode
    written = 0
    for account in config["ad_accounts"]:
        for start, end in windows:
            params = {
                "level": "ad",
                "time_range": json.dumps({"since": start, "until": end}),
                "time_increment": "1",
                "action_breakdowns": json.dumps(["action_type"]),
                "action_attribution_windows": json.dumps(["7d_click", "1d_view"]),
                "filtering": FILTERING,
                "fields": ",".join((*ID_FIELDS, *METRICS)),
            }
            run = session.post(f"{base}/act_{account}/insights", data=params).json()["report_run_id"]
            interval = poll_initial_s  # the tap's schedule: first poll after one interval
            while True:
                time.sleep(interval)
                if session.get(f"{base}/{run}").json()["async_status"] == "Job Completed":
                    break
                interval = min(interval * 2, poll_max_s)
            records = []
            url: str | None = f"{base}/{run}/insights?limit={plan['page_size']}"  # the tap's pages
            while url:
                page = session.get(url).json()
                if "data" not in page:
                    raise SystemExit(f"bare loop: {url} answered {page}")
                records += [_typed(row) for row in page["data"]]
                url = page.get("paging", {}).get("next")
            for record in sorted(records, key=lambda r: r["date_start"]):  # the tap's order
                message = {"type": "RECORD", "stream": INSIGHTS, "record": record}
                message["time_extracted"] = datetime.now(UTC)
                out.write(encode(message))
                out.write(b"\n")
                written += 1
    out.flush()
    return written


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    record = dict(row)
    for name in INTEGERS & record.keys():
        record[name] = int(record[name])
    for name in DECIMALS & record.keys():
        record[name] = Decimal(record[name])
    for name in ACTION_LISTS & record.keys():
        record[name] = [
            {k: v if k == "action_type" else Decimal(v) for k, v in stat.items()} for stat in record[name]
        ]
    return record


def loop_plan(config: dict[str, Any]) -> dict[str, Any]:
    """What the loop reads: the config, the tap's report windows, job poll schedule and page size."""
    from ads_kit.unified.slices import report_windows
    from tap_meta_ads.client import PAGE_SIZE
    from tap_meta_ads.reports import PROFILE
    from tap_meta_ads.tap import JOB_SETTINGS

    span = config["date_range"]
    since, until = date.fromisoformat(span["start_date"]), date.fromisoformat(span["end_date"])
    windows = [
        (start.isoformat(), end.isoformat())
        for start, end in report_windows(since, until, PROFILE.slice_days)
    ]
    return {
        "config": config,
        "windows": windows,
        "poll_s": (JOB_SETTINGS.poll_initial_s, JOB_SETTINGS.poll_max_s),
        "page_size": PAGE_SIZE,
    }


def run_loop(plan: dict[str, Any], module: str = "bench.record_path") -> tuple[float, list[bytes]]:
    """The loop (``module``'s ``loop`` command) in its own process, like the tap: seconds and RECORD lines."""
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as workdir:
        path = Path(workdir) / "plan.json"
        path.write_text(json.dumps(plan))
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", module, "loop", str(path)],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert process.stdout is not None
        records = [line for line in process.stdout if line.startswith(b'{"type":"RECORD"')]
        if process.wait() != 0:
            raise SystemExit(f"the bare loop exited with status {process.returncode}")
        return time.perf_counter() - started, records


_TIME_EXTRACTED = re.compile(rb',"time_extracted":"[^"]*"')


def _content(lines: list[bytes]) -> list[bytes]:
    """RECORD lines without ``time_extracted``, the one field two runs cannot share."""
    return [_TIME_EXTRACTED.sub(b"", line) for line in lines]


def compare(days: int, ads: int, accounts: int, rounds: int) -> dict[str, Any]:
    from ads_kit.sandbox.process import running_sandbox
    from bench.meta import BENCH_NOW, UNTHROTTLED, run_tap, tap_config

    shape = {"ads_per_account": ads, "accounts_per_platform": accounts, "history_days": days + 30}
    taps, loops, raw, both = [], [], [], []
    # The sandbox's quotas lifted: this measures the record path, not the platform's limits.
    lifted = {"app": ["100000/second"], "account": ["100000/second"]}
    settings = {"meta_job_seconds": 0, "limits": {"meta": lifted}}
    with running_sandbox(seed=7, now=BENCH_NOW, settings=settings, **shape) as sb:
        config = tap_config(sb, days, concurrent=1, limits=UNTHROTTLED)
        plan = loop_plan(config)
        for _ in range(rounds):  # alternating, so a change in the machine's load hits both alike
            tap = run_tap(sb, config, {INSIGHTS}, keep_records=True)
            loop_seconds, loop_lines = run_loop(plan)
            if len(loop_lines) != tap.records:
                counts = f"loop read {len(loop_lines)} records, tap {tap.records}"
                raise SystemExit(f"{counts}: not the same pages")
            if _content(loop_lines) != _content(tap.lines or []):
                raise SystemExit("loop and tap wrote different records: the loop does not do the tap's work")
            taps.append(tap.records / tap.seconds)
            loops.append(len(loop_lines) / loop_seconds)
            raw.append(tap.seconds)
            both.append(run_tap(sb, config, {INSIGHTS, *UNIFIED}).seconds)
    return {
        "shape": f"{accounts} accounts x {days} days x {ads} ads, ad level, daily, one job in flight",
        "records": tap.records,
        "tap_records_per_second": round(statistics.median(taps)),
        "loop_records_per_second": round(statistics.median(loops)),
        "tap_share_of_loop": round(statistics.median(taps) / statistics.median(loops), 3),
        "raw_seconds": round(statistics.median(raw), 2),
        "raw_and_unified_seconds": round(statistics.median(both), 2),
        "unified_cost_ratio": round(statistics.median(both) / statistics.median(raw), 3),
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["loop"]:
        bare_loop(json.loads(Path(argv[1]).read_text()), os.fdopen(sys.stdout.fileno(), "wb", closefd=False))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench record_path", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--ads", type=int, default=100)
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(compare(args.days, args.ads, args.accounts, args.rounds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
