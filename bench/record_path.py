"""The record path of tap-meta-ads against its floor: a bare loop over the same sandbox pages.

The loop submits the same async insights jobs the tap submits (ad level, daily, the same fields,
windows and filtering), reads the same result pages, casts the same metrics (counts to int, money and
ratios to Decimal) and writes the same RECORD lines with one msgspec encoder, and does nothing else:
no SDK, no retries, no limiter, no state. Tap and loop run alternately in one sandbox, pinned to one
instant, so both read exactly the same rows; the figure is the tap's records/s as a share of the
loop's (goal >= 75 %). A second figure is what the unified streams cost on top of the raw stream:
wall time of ``meta_insights`` + ``unified_ad_performance`` + ``unified_campaign_performance``
over ``meta_insights`` alone (goal <= 1.3).

    python -m bench record_path [--days 90] [--ads 100] [--accounts 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.meta import BENCH_NOW, INSIGHTS, UNTHROTTLED, run_tap, tap_config

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
WINDOW_DAYS = 14
FILTERING = json.dumps([{"field": "ad.effective_status", "operator": "IN", "value": STATUSES}])


def bare_loop(config: dict[str, Any], out: Any) -> int:
    """Fetch every window's job pages and write RECORD lines; returns the number of records."""
    import msgspec
    import requests

    from ads_kit.unified.slices import report_windows

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {config['access_token']}"
    base = f"{config['api_base_url'].rstrip('/')}/{config.get('api_version', 'v26.0')}"
    encode = msgspec.json.Encoder(decimal_format="number").encode
    span = config["date_range"]
    since, until = date.fromisoformat(span["start_date"]), date.fromisoformat(span["end_date"])
    written = 0
    for account in config["ad_accounts"]:
        for start, end in report_windows(since, until, WINDOW_DAYS):
            params = {
                "level": "ad",
                "time_range": json.dumps({"since": start.isoformat(), "until": end.isoformat()}),
                "time_increment": "1",
                "action_breakdowns": json.dumps(["action_type"]),
                "action_attribution_windows": json.dumps(["7d_click", "1d_view"]),
                "filtering": FILTERING,
                "fields": ",".join((*ID_FIELDS, *METRICS)),
            }
            run = session.post(f"{base}/act_{account}/insights", data=params).json()["report_run_id"]
            while session.get(f"{base}/{run}").json()["async_status"] != "Job Completed":
                time.sleep(0.01)
            url: str | None = f"{base}/{run}/insights"
            while url:
                page = session.get(url).json()
                if "data" not in page:
                    raise SystemExit(f"bare loop: {url} answered {page}")
                for row in page["data"]:
                    out.write(encode({"type": "RECORD", "stream": INSIGHTS, "record": _typed(row)}))
                    out.write(b"\n")
                    written += 1
                url = page.get("paging", {}).get("next")
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


def run_loop(config: dict[str, Any]) -> tuple[float, int]:
    """The loop in its own process, like the tap: seconds and records."""
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as workdir:
        path = Path(workdir) / "config.json"
        path.write_text(json.dumps(config))
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.record_path", "loop", str(path)],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert process.stdout is not None
        records = sum(1 for line in process.stdout if line.startswith(b'{"type":"RECORD"'))
        if process.wait() != 0:
            raise SystemExit(f"the bare loop exited with status {process.returncode}")
        return time.perf_counter() - started, records


def compare(days: int, ads: int, accounts: int, rounds: int) -> dict[str, Any]:
    from ads_kit.sandbox.process import running_sandbox

    shape = {"ads_per_account": ads, "accounts_per_platform": accounts, "history_days": days + 30}
    taps, loops, raw, both = [], [], [], []
    # The sandbox's quotas lifted: this measures the record path, not the platform's limits.
    lifted = {"app": ["100000/second"], "account": ["100000/second"]}
    settings = {"meta_job_seconds": 0, "limits": {"meta": lifted}}
    with running_sandbox(seed=7, now=BENCH_NOW, settings=settings, **shape) as sb:
        config = tap_config(sb, days, concurrent=1, limits=UNTHROTTLED)
        for _ in range(rounds):  # alternating, so a change in the machine's load hits both alike
            tap = run_tap(sb, config, {INSIGHTS})
            loop_seconds, loop_records = run_loop(config)
            if loop_records != tap.records:
                raise SystemExit(f"loop read {loop_records} records, tap {tap.records}: not the same pages")
            taps.append(tap.records / tap.seconds)
            loops.append(loop_records / loop_seconds)
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
