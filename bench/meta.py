"""tap-meta-ads benchmarks against the sandbox (figures, not pass/fail tests).

1. Throughput: a sync of ACCOUNTS accounts x DAYS days x ADS ads, ad-level daily insights through
   async report runs: records per second, requests per sync, peak memory of the tap process.
2. Concurrency: the same report with the sandbox's job latency switched on, run with one report
   job in flight and then with several: wall-time speed-up.

    python -m bench meta [--days 365] [--ads 200] [--accounts 5]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from ads_kit import clock
from ads_kit.resilience.ratelimit import RateLimitSettings
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox

TAP = str(Path(sys.executable).with_name("tap-meta-ads"))
INSIGHTS = "meta_insights"  # ad level, daily


@dataclass
class SyncResult:
    seconds: float
    records: int
    requests: int
    peak_rss_mb: float
    lines: list[bytes] | None = None  # the RECORD lines, when asked for (to compare with another run)

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def tap_config(
    sandbox: SandboxClient, days: int, concurrent: int, limits: dict[str, int] | None = None
) -> dict[str, Any]:
    meta = sandbox.platform("meta")
    end = min(sandbox.world().account_today(a) for a in sandbox.world().accounts("meta")) - timedelta(days=1)
    return {
        "api_base_url": meta["base_url"],
        "access_token": meta["access_token"],
        "app_id": meta["client_id"],
        "app_secret": meta["client_secret"],
        "ad_accounts": meta["accounts"],
        "date_range": {
            "type": "custom",
            "start_date": (end - timedelta(days=days - 1)).isoformat(),
            "end_date": end.isoformat(),
        },
        "rate_limiting": {"concurrent_requests": concurrent, **(limits or {})},
    }


def select_only(catalog: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def _tap_env(sandbox: SandboxClient) -> dict[str, str]:
    """The tap reads the pinned sandbox's instant, so runs compared with each other read the same days."""
    return {**os.environ, clock.ENV_VAR: sandbox.now().isoformat()}


def run_tap(
    sandbox: SandboxClient,
    config: dict[str, Any],
    streams: set[str],
    *,
    keep_records: bool = False,
    tap: str = TAP,
    platform: str = "meta",
) -> SyncResult:
    """One sync of ``streams`` by the ``tap`` executable, timed from its start to its exit."""
    with tempfile.TemporaryDirectory(prefix="bench-tap-") as workdir:
        config_path = Path(workdir) / "config.json"
        catalog_path = Path(workdir) / "catalog.json"
        config_path.write_text(json.dumps(config))
        discovered = subprocess.run(
            [tap, "--config", str(config_path), "--discover"],
            capture_output=True,
            text=True,
            check=True,
            env=_tap_env(sandbox),
        )
        catalog_path.write_text(json.dumps(select_only(json.loads(discovered.stdout), streams)))
        sandbox.reset()
        started = time.perf_counter()
        process = subprocess.Popen(
            [tap, "--config", str(config_path), "--catalog", str(catalog_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=workdir,
            env=_tap_env(sandbox),
        )
        assert process.stdout is not None
        lines: list[bytes] = []
        records = 0
        for line in process.stdout:
            if line.startswith(b'{"type":"RECORD"'):
                records += 1
                if keep_records:
                    lines.append(line)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if status != 0:
            raise SystemExit(f"{Path(tap).name} exited with status {status}")
        if not records:
            raise SystemExit(f"{Path(tap).name} emitted no records for {sorted(streams)}")
        kept = lines if keep_records else None
        return SyncResult(seconds, records, sandbox.calls(platform), usage.ru_maxrss / 1024, kept)


# A pinned instant: the runs a figure compares read exactly the same rows.
BENCH_NOW = "2026-11-25T12:00:00+00:00"
# Limits high enough that only the tap and the sandbox set the pace.
UNTHROTTLED = {"requests_per_minute": 100_000, "requests_per_hour": 1_000_000, "burst": 1_000}


def throughput(days: int, ads: int, accounts: int) -> dict[str, Any]:
    """Once unthrottled (the tap's own pace), once under the default Meta quota (against its lower bound)."""
    quota = RateLimitSettings.from_config("meta_ads", {})
    shape = {"ads_per_account": ads, "accounts_per_platform": accounts, "history_days": days + 30}
    with running_sandbox(seed=7, now=BENCH_NOW, **shape) as sb:
        free = run_tap(sb, tap_config(sb, days, concurrent=4, limits=UNTHROTTLED), {INSIGHTS})
        limited = run_tap(sb, tap_config(sb, days, concurrent=4), {INSIGHTS})
    assert limited.records == free.records, "both runs must read the same rows"
    # The quota's lower bound: after the first minute's allowance, requests at the per-minute rate.
    per_minute = quota.requests_per_minute
    lower_bound = max(0.0, (limited.requests - per_minute) * 60 / per_minute)
    return {
        "shape": f"{accounts} accounts x {days} days x {ads} ads, ad level, daily",
        "records": free.records,
        "requests": free.requests,
        "unthrottled_seconds": round(free.seconds, 1),
        "records_per_second": round(free.records_per_second),
        "peak_rss_mb": round(free.peak_rss_mb, 1),
        "quota": f"{per_minute}/min, {quota.requests_per_hour}/h, burst {quota.burst}/s",
        "under_quota_seconds": round(limited.seconds, 1),
        "quota_lower_bound_seconds": round(lower_bound, 1),
    }


def concurrency(days: int, ads: int, accounts: int, job_seconds: float, in_flight: int) -> dict[str, Any]:
    settings = {"meta_job_seconds": job_seconds}
    with running_sandbox(
        seed=7,
        now=BENCH_NOW,
        ads_per_account=ads,
        accounts_per_platform=accounts,
        history_days=days + 30,
        settings=settings,
    ) as sb:
        serial = run_tap(sb, tap_config(sb, days, concurrent=1), {INSIGHTS})
        parallel = run_tap(sb, tap_config(sb, days, concurrent=in_flight), {INSIGHTS})
    assert serial.records == parallel.records, "both runs must read the same rows"
    return {
        "shape": f"{accounts} accounts x {days} days x {ads} ads, job latency {job_seconds}s",
        "one_in_flight_s": round(serial.seconds, 1),
        f"{in_flight}_in_flight_s": round(parallel.seconds, 1),
        "speed_up": round(serial.seconds / parallel.seconds, 2),
        "records": serial.records,
    }


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench meta", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--ads", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--job-seconds", type=float, default=2.0)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args(argv)
    results = {}
    if not args.skip_throughput:
        results["throughput"] = throughput(args.days, args.ads, args.accounts)
        print(json.dumps(results["throughput"], indent=2), flush=True)
    # The concurrency comparison needs many jobs, not many rows: a smaller report is enough.
    results["concurrency"] = concurrency(90, 20, args.accounts, args.job_seconds, args.in_flight)
    print(json.dumps(results["concurrency"], indent=2))
    return 0
