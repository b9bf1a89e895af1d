"""tap-tiktok-ads benchmarks against the sandbox (figures, not pass/fail tests).

1. Record path: ACCOUNTS advertisers x DAYS days x ADS ads, ad-level daily BASIC report through report
   tasks, one task in flight: records per second, requests and peak memory of the tap process, next
   to a bare loop in its own process that creates the same tasks (the tap's 30-day calendar windows),
   polls them on the tap's schedule, downloads the same CSV files, casts the same metrics (counts to
   int, money and ratios to Decimal, "-" to null) and writes the same RECORD lines with one msgspec
   encoder, and nothing else (no retries, limiter, state or SDK). Tap and loop alternate in one
   sandbox pinned to one instant; every RECORD line of the tap must equal the loop's but for
   ``time_extracted``. The figure is the tap's records/s as a share of the loop's (goal >= 75 %).
2. Tasks in flight: the same report with the sandbox's task latency switched on, one task in flight
   and then several: the wall-time speed-up.
3. Default limits: the record-path sync under the tap's default TikTok limits, against the lower
   bound those limits set for its number of requests.

    python -m bench tiktok [--days 365] [--ads 200] [--accounts 5] [--rounds 1]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# The loop's process imports only what it uses (csv, json, requests, msgspec); the parent imports the
# tap's facts (windows, metrics, poll schedule) and hands them over in the loop's plan.
STREAM = "tiktok_ads_report_ad_daily"
BENCH_NOW = "2026-11-25T12:00:00+00:00"
UNTHROTTLED = {"requests_per_minute": 100_000, "requests_per_hour": 1_000_000, "burst": 1_000}
LIFTED = {"app": ["100000/second"], "account": ["100000/second"], "task_create": ["100000/second"]}


def read_config(sandbox: Any, days: int) -> dict[str, Any]:
    """Every advertiser of the sandbox over the last `days` days every account has ended."""
    tiktok = sandbox.platform("tiktok")
    world = sandbox.world()
    end = min(world.account_today(a) for a in world.accounts("tiktok")) - timedelta(days=1)
    return {
        "api_base_url": tiktok["base_url"],
        "access_token": tiktok["access_token"],
        "app_id": tiktok["client_id"],
        "secret": tiktok["client_secret"],
        "advertiser_ids": tiktok["accounts"],
        "date_range": {
            "type": "custom",
            "start_date": (end - timedelta(days=days - 1)).isoformat(),
            "end_date": end.isoformat(),
        },
    }


def tap_config(
    sandbox: Any, days: int, concurrent: int, limits: dict[str, int] | None = None
) -> dict[str, Any]:
    return {
        **read_config(sandbox, days),
        "report_type": "basic",
        "report_mode": "async",
        "rate_limiting": {"concurrent_requests": concurrent, **(limits or {})},
    }


# -- the bare loop (its own process) ----------------------------------------------------------------


def bare_loop(plan: dict[str, Any], out: Any) -> int:
    import msgspec
    import requests

    config = plan["config"]
    integers, decimals = set(plan["integers"]), set(plan["decimals"])
    poll_initial_s, poll_max_s = plan["poll_s"]
    session = requests.Session()
    session.headers["Access-Token"] = config["access_token"]
    base = f"{config['api_base_url'].rstrip('/')}/open_api/v1.3"
    encode = msgspec.json.Encoder(decimal_format="number").encode
    written = 0
    for advertiser in config["advertiser_ids"]:
        for start, end in plan["windows"]:
            body = {
                "advertiser_id": advertiser, "report_type": "BASIC", "data_level": "AUCTION_AD",
                "dimensions": ["ad_id", "stat_time_day"], "metrics": plan["metrics"], "start_date": start,
                "end_date": end, "output_format": "CSV_STRING", "enable_report_title_translation": False,
            }  # fmt: skip
            task = session.post(f"{base}/report/task/create/", json=body).json()["data"]["task_id"]
            query = {"advertiser_id": advertiser, "task_id": task}
            interval = poll_initial_s
            while True:
                time.sleep(interval)
                if (
                    session.get(f"{base}/report/task/check/", params=query).json()["data"]["status"]
                    == "SUCCESS"
                ):
                    break
                interval = min(interval * 2, poll_max_s)
            text = session.get(f"{base}/report/task/download/", params=query).text
            records = []
            for row in csv.DictReader(io.StringIO(text)):
                record: dict[str, Any] = {
                    "advertiser_id": advertiser, "account_id": advertiser, "ad_id": row["ad_id"],
                    "stat_time_day": row["stat_time_day"][:10],
                }  # fmt: skip
                for name in plan["metrics"]:
                    value = row[name]
                    if name in integers:
                        record[name] = None if value in ("", "-") else int(value)
                    elif name in decimals:
                        record[name] = None if value in ("", "-") else Decimal(value)
                    else:
                        record[name] = value or None
                records.append(record)
            for record in sorted(records, key=lambda r: r["stat_time_day"]):
                message = {
                    "type": "RECORD",
                    "stream": STREAM,
                    "record": record,
                    "time_extracted": datetime.now(UTC),
                }
                out.write(encode(message))
                out.write(b"\n")
                written += 1
    out.flush()
    return written


def loop_plan(config: dict[str, Any]) -> dict[str, Any]:
    from ads_kit.unified.slices import report_windows
    from tap_tiktok_ads.reports import DECIMAL_METRICS, INTEGER_METRICS, PROFILE, builtin_reports
    from tap_tiktok_ads.tap import JOB_SETTINGS

    spec = next(s for s in builtin_reports() if s.name == STREAM)
    span = config["date_range"]
    since, until = date.fromisoformat(span["start_date"]), date.fromisoformat(span["end_date"])
    return {
        "config": config,
        "windows": [
            (s.isoformat(), e.isoformat()) for s, e in report_windows(since, until, PROFILE.slice_days)
        ],
        "metrics": list(spec.requested_metrics),
        "integers": sorted(INTEGER_METRICS),
        "decimals": sorted(DECIMAL_METRICS),
        "poll_s": (JOB_SETTINGS.poll_initial_s, JOB_SETTINGS.poll_max_s),
    }


# -- the figures ------------------------------------------------------------------------------------


def _tap() -> str:
    return str(Path(sys.executable).with_name("tap-tiktok-ads"))


def record_path(days: int, ads: int, accounts: int, rounds: int) -> dict[str, Any]:
    from ads_kit.resilience.ratelimit import RateLimitSettings
    from ads_kit.sandbox.process import running_sandbox
    from bench.meta import run_tap
    from bench.record_path import _content, run_loop

    shape = {"ads_per_account": ads, "accounts_per_platform": accounts, "history_days": days + 30}
    settings = {"tiktok_task_seconds": 0, "limits": {"tiktok": LIFTED}}
    taps, loops, tap_runs = [], [], []
    with running_sandbox(seed=7, now=BENCH_NOW, settings=settings, **shape) as sb:
        config = tap_config(sb, days, concurrent=1, limits=UNTHROTTLED)
        plan = loop_plan(config)
        for _ in range(rounds):  # alternating, so a change in the machine's load hits both alike
            tap = run_tap(sb, config, {STREAM}, keep_records=True, tap=_tap(), platform="tiktok")
            loop_seconds, loop_lines = run_loop(plan, "bench.tiktok")
            if len(loop_lines) != tap.records:
                raise SystemExit(f"loop read {len(loop_lines)} records, tap {tap.records}: not the same rows")
            if _content(loop_lines) != _content(tap.lines or []):
                raise SystemExit("loop and tap wrote different records: the loop does not do the tap's work")
            taps.append(tap.records / tap.seconds)
            loops.append(len(loop_lines) / loop_seconds)
            tap_runs.append(tap)
        quota = RateLimitSettings.from_config("tiktok_ads", {})
        limited = run_tap(
            sb,
            tap_config(sb, days, concurrent=quota.concurrent_requests),
            {STREAM},
            tap=_tap(),
            platform="tiktok",
        )
    tap = tap_runs[-1]
    per_minute = quota.requests_per_minute
    lower_bound = max((limited.requests - per_minute) * 60 / per_minute, limited.requests / quota.burst)
    return {
        "shape": f"{accounts} advertisers x {days} days x {ads} ads, ad level, daily, report tasks",
        "records": tap.records,
        "requests": tap.requests,
        # The first round's: a forked child starts with the parent's resident pages in its count,
        # and from the second round on the parent holds the first round's RECORD lines.
        "peak_rss_mb": round(tap_runs[0].peak_rss_mb, 1),
        "tap_records_per_second": round(statistics.median(taps)),
        "loop_records_per_second": round(statistics.median(loops)),
        "tap_share_of_loop": round(statistics.median(taps) / statistics.median(loops), 3),
        "default_limits": f"{per_minute}/min, {quota.requests_per_hour}/h, burst {quota.burst}/s, "
        f"{quota.concurrent_requests} in flight",
        "default_limits_seconds": round(limited.seconds, 1),
        "default_limits_requests": limited.requests,
        "limits_lower_bound_seconds": round(lower_bound, 1),
    }


def tasks_in_flight(
    days: int, ads: int, accounts: int, task_seconds: float, in_flight: int
) -> dict[str, Any]:
    from ads_kit.sandbox.process import running_sandbox
    from bench.meta import run_tap

    shape = {"ads_per_account": ads, "accounts_per_platform": accounts, "history_days": days + 30}
    settings = {"tiktok_task_seconds": task_seconds, "limits": {"tiktok": LIFTED}}
    with running_sandbox(seed=7, now=BENCH_NOW, settings=settings, **shape) as sb:
        run = {"tap": _tap(), "platform": "tiktok"}
        serial = run_tap(sb, tap_config(sb, days, concurrent=1, limits=UNTHROTTLED), {STREAM}, **run)
        parallel = run_tap(
            sb, tap_config(sb, days, concurrent=in_flight, limits=UNTHROTTLED), {STREAM}, **run
        )
    if serial.records != parallel.records:
        raise SystemExit("both runs must read the same rows")
    return {
        "shape": f"{accounts} advertisers x {days} days x {ads} ads, task latency {task_seconds}s",
        "one_in_flight_s": round(serial.seconds, 1),
        f"{in_flight}_in_flight_s": round(parallel.seconds, 1),
        "speed_up": round(serial.seconds / parallel.seconds, 2),
        "records": serial.records,
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["loop"]:
        bare_loop(json.loads(Path(argv[1]).read_text()), os.fdopen(sys.stdout.fileno(), "wb", closefd=False))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench tiktok", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--ads", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--task-seconds", type=float, default=2.0)
    parser.add_argument("--in-flight", type=int, default=4)
    args = parser.parse_args(argv)
    figures = record_path(args.days, args.ads, args.accounts, args.rounds)
    print(json.dumps(figures, indent=2), flush=True)
    # Many tasks, few rows: a smaller report is enough to show what tasks in flight buy.
    print(json.dumps(tasks_in_flight(120, 20, args.accounts, args.task_seconds, args.in_flight), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
