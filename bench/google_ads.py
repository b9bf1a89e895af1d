"""tap-google-ads-unified against its floor: a bare SearchStream-and-write loop on the same data.

1. Throughput: CUSTOMERS customers x DAYS days x ADS ads, the ad-level daily report
   (``google_ads_ad_performance``): records per second, requests per sync and peak memory of the tap
   process, next to a bare loop in the same run. The loop asks the same customers for the same
   windows with the same GAQL query through the same google-ads client (gRPC over TLS,
   ``use_proto_plus=False``), reads every field of every row to a plain value (enum names) and
   writes one msgspec-encoded RECORD line per row (``google_ads_loop.py``), and does nothing else:
   no SDK, no retries, no limiter, no state, no unified streams. Tap and loop alternate in one
   sandbox pinned to one instant, so both read exactly the same rows (the figure is refused
   otherwise). Goal: the tap at >= 75 % of the loop's records/s.
2. Quota: the same sync under Google's default rate limits, against the quota's lower bound.

    python -m bench google_ads [--days 365] [--ads 200] [--customers 5] [--rounds 1]
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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ads_kit import clock
from ads_kit.resilience.ratelimit import RateLimitSettings
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox
from ads_kit.unified.slices import report_windows
from bench.meta import BENCH_NOW, UNTHROTTLED, SyncResult, select_only

TAP = str(Path(sys.executable).with_name("tap-google-ads-unified"))
STREAM = "google_ads_ad_performance"
PLATFORM = "google_ads"

# The loop: a process of its own that imports the google-ads library and msgspec only.
LOOP = str(Path(__file__).with_name("google_ads_loop.py"))


def _env(sandbox: SandboxClient) -> dict[str, str]:
    return {
        **os.environ,
        clock.ENV_VAR: sandbox.now().isoformat(),
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": sandbox.connection["tls_cert"],
        "GRPC_VERBOSITY": "ERROR",
    }


def _span(sandbox: SandboxClient, days: int) -> tuple[date, date]:
    world = sandbox.world()
    end = min(world.account_today(a) for a in world.accounts(PLATFORM)) - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def tap_config(sandbox: SandboxClient, days: int, limits: dict[str, Any] | None) -> dict[str, Any]:
    google = sandbox.platform(PLATFORM)
    start, end = _span(sandbox, days)
    return {
        "client_id": google["client_id"],
        "client_secret": google["client_secret"],
        "refresh_token": google["refresh_token"],
        "developer_token": google["developer_token"],
        "token_url": google["token_url"],
        "api_endpoint": google["grpc_endpoint"],
        "login_customer_id": google["login_customer_id"],
        "customer_ids": google["accounts"],
        "report_type": "performance",
        "date_range": {"type": "custom", "start_date": start.isoformat(), "end_date": end.isoformat()},
        "rate_limiting": limits or {},
    }


def _measured(sandbox: SandboxClient, args: list[str], workdir: str) -> tuple[float, int, float]:
    """(seconds, RECORD lines, peak RSS MB) of one process writing Singer lines to its stdout."""
    sandbox.reset()
    started = time.perf_counter()
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=workdir, env=_env(sandbox)
    )
    assert process.stdout is not None
    records = sum(1 for line in process.stdout if line.startswith(b'{"type":"RECORD"'))
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{args[0]} exited with status {status}")
    return seconds, records, usage.ru_maxrss / 1024


def run_tap(sandbox: SandboxClient, config: dict[str, Any]) -> SyncResult:
    with tempfile.TemporaryDirectory(prefix="bench-google-") as workdir:
        config_path, catalog_path = Path(workdir) / "config.json", Path(workdir) / "catalog.json"
        config_path.write_text(json.dumps(config))
        discovered = subprocess.run(
            [TAP, "--config", str(config_path), "--discover"], capture_output=True, text=True, check=True,
            env=_env(sandbox),
        )  # fmt: skip
        catalog_path.write_text(json.dumps(select_only(json.loads(discovered.stdout), {STREAM})))
        args = [TAP, "--config", str(config_path), "--catalog", str(catalog_path)]
        seconds, records, rss = _measured(sandbox, args, workdir)
        return SyncResult(seconds, records, sandbox.calls(PLATFORM), rss)


def run_loop(sandbox: SandboxClient, days: int, slice_days: int, fields: list[str]) -> SyncResult:
    google = sandbox.platform(PLATFORM)
    start, end = _span(sandbox, days)
    windows = [[s.isoformat(), e.isoformat()] for s, e in report_windows(start, end, slice_days)]
    job = {
        "token": google["access_token"], "developer_token": google["developer_token"],
        "endpoint": google["grpc_endpoint"], "login": google["login_customer_id"], "stream": STREAM,
        "fields": fields, "windows": {customer: windows for customer in google["accounts"]},
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-google-loop-") as workdir:
        job_path = Path(workdir) / "job.json"
        job_path.write_text(json.dumps(job))
        seconds, records, rss = _measured(sandbox, [sys.executable, LOOP, str(job_path)], workdir)
        return SyncResult(seconds, records, sandbox.calls(PLATFORM), rss)


def quota_lower_bound(requests: int, quota: RateLimitSettings) -> float:
    """The earliest the last of ``requests`` may start under the quota's windows (per second, minute
    and hour, each a window the requests before it fill): the time no client can beat."""
    last = requests - 1
    return float(
        max(
            last // quota.burst,
            60 * (last // quota.requests_per_minute),
            3600 * (last // quota.requests_per_hour),
        )
    )


def main(argv: list[str]) -> int:
    from tap_google_ads_unified.queries import PERFORMANCE, PROFILE

    parser = argparse.ArgumentParser(prog="python -m bench google_ads", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--ads", type=int, default=200)
    parser.add_argument("--customers", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-quota", action="store_true")
    args = parser.parse_args(argv)
    fields = PERFORMANCE[STREAM].fields
    shape = {
        "ads_per_account": args.ads,
        "accounts_per_platform": args.customers,
        "history_days": args.days + 30,
    }
    tap_runs, loop_runs = [], []
    with running_sandbox(seed=7, now=BENCH_NOW, **shape) as sandbox:
        for _ in range(args.rounds):
            loop_runs.append(run_loop(sandbox, args.days, PROFILE.slice_days, fields))
            tap_runs.append(run_tap(sandbox, tap_config(sandbox, args.days, UNTHROTTLED)))
        if {r.records for r in tap_runs + loop_runs} != {tap_runs[0].records}:
            raise SystemExit(f"tap and loop read different rows: {[r.records for r in tap_runs + loop_runs]}")
        limited = None if args.skip_quota else run_tap(sandbox, tap_config(sandbox, args.days, None))
    tap_rate = statistics.median(r.records_per_second for r in tap_runs)
    loop_rate = statistics.median(r.records_per_second for r in loop_runs)
    result: dict[str, Any] = {
        "shape": f"{args.customers} customers x {args.days} days x {args.ads} ads, ad level, daily",
        "records": tap_runs[0].records,
        "requests_tap": tap_runs[0].requests,
        "requests_loop": loop_runs[0].requests,
        "tap_seconds": [round(r.seconds, 1) for r in tap_runs],
        "loop_seconds": [round(r.seconds, 1) for r in loop_runs],
        "tap_records_per_second": round(tap_rate),
        "loop_records_per_second": round(loop_rate),
        "tap_share_of_loop": round(tap_rate / loop_rate, 3),
        "tap_peak_rss_mb": round(max(r.peak_rss_mb for r in tap_runs), 1),
        "loop_peak_rss_mb": round(max(r.peak_rss_mb for r in loop_runs), 1),
    }
    if limited is not None:
        quota = RateLimitSettings.from_config(PLATFORM, {})
        per_minute = quota.requests_per_minute
        result["quota"] = f"{per_minute}/min, {quota.requests_per_hour}/h, burst {quota.burst}/s"
        result["under_quota_seconds"] = round(limited.seconds, 1)
        result["quota_lower_bound_seconds"] = round(quota_lower_bound(limited.requests, quota), 1)
        result["requests_under_quota"] = limited.requests
    print(json.dumps(result, indent=2))
    return 0
