"""Scale-out benchmark: 1, 2, 4 and 8 tap-tiktok-ads workers (one account shard each) on ACCOUNTS
sandbox advertisers, sharing one Redis limiter; unthrottled, then under an enforced app quota.

Each run: the sandbox's counters and the limiter's Redis keys are cleared, the workers start and are
held at their first request until all of them queue for the shared quota (so process start-up is
reported apart, as ``launch_s``), then they read the ``tiktok_ads_report_advertiser_daily`` stream
over DAYS days. The sandbox answers each call after LATENCY_S (a stand-in for the network and the
platform; loopback alone answers in about a millisecond), so a worker spends its time waiting, as a
real one does, and more workers go faster until the quota binds.

The quota is TikTok's Premium tier, 30 requests a second and 1,800 a minute, enforced by the
sandbox. The workers' limiter runs at the quota less its in-flight cap (see tests/scale): the
sandbox then never sees more than the quota in any second. The cap must cover the requests on their
way (rate x latency, Little's law), so the price of that guarantee is about the latency's share of
a second. ``vs_bound`` is the sync time over the quota's lower bound, requests / 30 per second.

Then: what 10,000 accounts need on the platforms' documented quotas, at the requests per account
measured here and the rate one worker reached unthrottled.

    python -m bench scale [--accounts 1000] [--days 7] [--latency 0.03]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import redis

from ads_kit import clock
from ads_kit.resilience.ratelimit import RateLimiter
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.fleet import run_fleet
from ads_kit.sandbox.process import running_sandbox
from bench.meta import select_only
from bench.tiktok import read_config

REDIS_URL = os.environ.get("ADS_REDIS_URL", "redis://127.0.0.1:6379/0")
BENCH_NOW = "2026-11-25T12:00:00+00:00"
STREAM = "tiktok_ads_report_advertiser_daily"
WORKER_COUNTS = (1, 2, 4, 8)
QUOTA_PER_SECOND, QUOTA_PER_MINUTE = 30, 1800  # TikTok Premium (tiktok-marketing-api.md §4.2)
IN_FLIGHT = 2
LIFTED = {"app": ["100000/second"], "account": ["100000/second"]}
UNTHROTTLED = {
    "burst": 100_000,
    "requests_per_minute": 1_000_000,
    "requests_per_hour": 10_000_000,
    "concurrent_requests": max(WORKER_COUNTS),
}
UNDER_QUOTA = {
    "burst": QUOTA_PER_SECOND - IN_FLIGHT,
    "requests_per_minute": QUOTA_PER_MINUTE - IN_FLIGHT,
    "requests_per_hour": 10_000_000,
    "concurrent_requests": IN_FLIGHT,
}

# Documented app quotas for the 10,000-account estimate (requests per second).
DOCUMENTED = (
    ("TikTok Basic (10 QPS, 600 QPM)", 10.0, "tiktok-marketing-api.md §4.2"),
    ("TikTok Ultimate (50 QPS, 3,000 QPM)", 50.0, "tiktok-marketing-api.md §4.2"),
    ("Google Ads Basic (15,000 operations a day)", 15_000 / 86_400, "google-ads-api.md §4.5"),
)


def tap_config(sandbox: SandboxClient, days: int, limits: dict[str, Any]) -> dict[str, Any]:
    return {**read_config(sandbox, days), "rate_limiting": {**limits, "redis_url": REDIS_URL}}


def _discover(config: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as workdir:
        path = Path(workdir) / "config.json"
        path.write_text(json.dumps(config))
        command = [sys.executable, "-m", "tap_tiktok_ads", "--config", str(path), "--discover"]
        found = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return select_only(json.loads(found.stdout), {STREAM})


def one_run(
    sandbox: SandboxClient, config: dict[str, Any], catalog: dict[str, Any], workers: int, latency_s: float
) -> dict[str, Any]:
    store = redis.Redis.from_url(REDIS_URL)
    stale = list(store.scan_iter(match=f"*{config['app_id']}*", count=1000))
    if stale:
        store.delete(*stale)  # the previous run's windows and queue
    sandbox.reset()
    sandbox.add_fault(platform="tiktok", kind="latency", seconds=latency_s)
    env = {**os.environ, clock.ENV_VAR: sandbox.now().isoformat()}
    gate = RateLimiter.from_config("tiktok_ads", config["app_id"], config["rate_limiting"])
    run = run_fleet(
        "tap_tiktok_ads", config, catalog, workers, account_field="advertiser_id", env=env, gate=gate
    )
    failed = [w for w in run.workers if w.returncode != 0]
    if failed:
        raise SystemExit(f"worker {failed[0].shard} failed: {failed[0].stderr_tail}")
    calls = sandbox.app_calls("tiktok")
    return {
        "workers": workers,
        "requests": calls["total"],
        "records": run.records,
        "seconds": run.seconds,
        "launch_s": run.launch_seconds,
        "records_per_s": run.records_per_second,
        "requests_per_s": calls["total"] / run.seconds,
        "peak_per_s": calls["peak_per_second"],
        "refused": sum(sandbox.stats()["limit_rejections"].get("tiktok", {}).values()),
    }


def estimate(accounts: int, requests_per_account: float, worker_rate: float) -> list[str]:
    """Hours and workers 10,000 accounts need on each documented quota."""
    requests = accounts * requests_per_account
    lines = [
        f"{accounts:,} accounts x {requests_per_account:.1f} requests = {requests:,.0f} requests a sync;"
        f" one worker makes {worker_rate:.1f} requests/s here",
    ]
    for name, rate, source in DOCUMENTED:
        hours = requests / rate / 3600
        workers = max(1, math.ceil(rate / worker_rate))
        lines.append(f"  {name:<44} {hours:7.1f} h with {workers} worker(s)  [{source}]")
    # Meta's quotas are per ad account (BUC ads_insights, Standard: 600 + 400 x active ads an hour,
    # meta-marketing-api.md §6.1): a few requests per account never meet them, so workers set the pace.
    meta_workers = max(1, math.ceil(requests / worker_rate / 3600))
    meta_hours = requests / (meta_workers * worker_rate) / 3600
    name = "Meta (per-account BUC quotas, no app-wide one)"
    lines.append(
        f"  {name:<44} {meta_hours:7.1f} h with {meta_workers} worker(s)  [meta-marketing-api.md §6.1]"
    )
    lines.append(
        "  (one report stream; a full sync multiplies the requests, and real round trips, slower than"
        " the sandbox's, call for more workers per quota)"
    )
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.03, help="seconds the sandbox takes per call")
    args = parser.parse_args(argv)
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"python -m bench scale needs Redis at {REDIS_URL} (ADS_REDIS_URL): {exc}") from None
    rows: dict[str, list[dict[str, Any]]] = {"unthrottled": [], "under quota": []}
    with running_sandbox(
        seed=7,
        now=BENCH_NOW,
        accounts_per_platform=args.accounts,
        ads_per_account=4,
        history_days=args.days + 30,
    ) as sandbox:
        env = {**os.environ, clock.ENV_VAR: sandbox.now().isoformat()}
        catalog = _discover(tap_config(sandbox, args.days, UNTHROTTLED), env)
        for mode, limits, server in (
            ("unthrottled", UNTHROTTLED, LIFTED),
            (
                "under quota",
                UNDER_QUOTA,
                {"app": [f"{QUOTA_PER_SECOND}/second", f"{QUOTA_PER_MINUTE}/minute"]},
            ),
        ):
            sandbox.settings(limits={"tiktok": server})
            config = tap_config(sandbox, args.days, limits)
            for workers in WORKER_COUNTS:
                row = one_run(sandbox, config, catalog, workers, args.latency)
                rows[mode].append(row)
                print(_line(mode, row, rows[mode][0]), flush=True)
    print()
    print(_table(rows))
    first = rows["unthrottled"][0]
    print()
    for line in estimate(10_000, first["requests"] / args.accounts, first["requests_per_s"]):
        print(line)
    return 0


def _line(mode: str, row: dict[str, Any], first: dict[str, Any]) -> str:
    bound = row["requests"] / QUOTA_PER_SECOND
    speedup = first["seconds"] / row["seconds"]
    return (
        f"{mode:<12} {row['workers']:>2} workers  {row['seconds']:7.1f} s  (+{row['launch_s']:4.1f} s launch)"
        f"  {row['records_per_s']:7.0f} records/s  {row['requests_per_s']:6.1f} req/s  x{speedup:4.2f}"
        f"  peak {row['peak_per_s']:3d}/s  refused {row['refused']}"
        + (f"  vs_bound {row['seconds'] / bound:4.2f}" if mode == "under quota" else "")
    )


def _table(rows: dict[str, list[dict[str, Any]]]) -> str:
    header = "mode          workers  sync s  launch s  records  records/s  req/s  speed-up  peak/s  vs bound"
    lines = [header, "-" * len(header)]
    for mode, runs in rows.items():
        for row in runs:
            bound = row["requests"] / QUOTA_PER_SECOND
            vs_bound = f"{row['seconds'] / bound:8.2f}" if mode == "under quota" else f"{'-':>8}"
            lines.append(
                f"{mode:<13} {row['workers']:>7} {row['seconds']:7.1f} {row['launch_s']:9.1f}"
                f" {row['records']:8d} {row['records_per_s']:10.0f} {row['requests_per_s']:6.1f}"
                f" {runs[0]['seconds'] / row['seconds']:9.2f} {row['peak_per_s']:7d} {vs_bound}"
            )
    quota = f"{QUOTA_PER_SECOND}/s and {QUOTA_PER_MINUTE}/min at the sandbox"
    lines.append(
        f"quota: {quota}; limiter {UNDER_QUOTA['burst']}/s, {IN_FLIGHT} in flight; bound = requests / quota"
    )
    return "\n".join(lines)
