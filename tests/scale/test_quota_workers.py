"""Eight tap-tiktok-ads workers, one account shard each, under one enforced app quota.

The sandbox enforces TikTok's documented Basic-tier app quota (10 requests a second, 600 a minute)
and counts every call billed to the app as it arrives. The workers share one limiter in Redis. Its
windows stamp a request before it is sent, on Redis's clock (this host's clock too), and a request
holds an in-flight slot from before its stamp until its answer: so within any second the sandbox
receives at most the limiter's `burst` requests stamped in that second plus the `concurrent_requests`
stamped earlier and still on their way. The workers' limits are therefore `burst` = quota minus
in-flight cap, and the sandbox must never see more than the quota in any second, however late a
loaded machine delivers a request.

The workers are held at their first request until all eight wait in the shared queue (the fleet's
gate), so the queue, not how long each process takes to start, decides who goes first.
Every assertion is on counts and order at the server and on the workers' output, never on timings.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from quota_keys import forget_app

from ads_kit import clock
from ads_kit.resilience.ratelimit import RateLimiter
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.fleet import FleetRun, run_fleet
from ads_kit.sandbox.limits import DOCUMENTED_APP_QUOTAS
from ads_kit.sandbox.process import running_sandbox
from ads_kit.sharding import shard_of

REDIS_URL = "redis://127.0.0.1:6379/0"
NOW = "2026-11-25T12:00:00+00:00"
WORKERS = 8
ACCOUNTS = 48
DAYS = 3
QUOTA_PER_SECOND = 10  # TikTok Basic: 10 QPS, 600 QPM (tiktok-marketing-api.md §4.2)
IN_FLIGHT = 2
# The sandbox counts a request when its handler runs: on a loaded machine a stalled sandbox process
# handles what queued up in one bunch. Three requests a second of headroom absorb that bunching, so
# the server-side count is a property of the limiter, not of the machine's load.
HEADROOM = 3
STREAM = "tiktok_ads_report_advertiser_daily"
CALLS_PER_ACCOUNT = {"advertiser_info": 1, "report_integrated_get": 1}  # a 3-day window is one request


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxClient]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"the quota tests need Redis at {REDIS_URL}: {exc}")
    quota = {"tiktok": {"app": DOCUMENTED_APP_QUOTAS["tiktok"]}}
    assert DOCUMENTED_APP_QUOTAS["tiktok"][0] == f"{QUOTA_PER_SECOND}/second"
    with running_sandbox(
        seed=31,
        now=NOW,
        accounts_per_platform=ACCOUNTS,
        ads_per_account=2,
        history_days=DAYS + 10,
        settings={"limits": quota},
    ) as client:
        forget_app(REDIS_URL, "tiktok", client.platform("tiktok")["client_id"])
        yield client
        forget_app(REDIS_URL, "tiktok", client.platform("tiktok")["client_id"])


def _config(sandbox: SandboxClient, tmp_path: Path) -> dict[str, Any]:
    from tests.tiktok_tap.conftest import tap_config

    world = sandbox.world()
    end = min(world.account_today(a) for a in world.accounts("tiktok")) - timedelta(days=1)
    days = {"start_date": (end - timedelta(days=DAYS - 1)).isoformat(), "end_date": end.isoformat()}
    limits = {
        "burst": QUOTA_PER_SECOND - IN_FLIGHT - HEADROOM,
        "requests_per_minute": 600 - IN_FLIGHT,
        "concurrent_requests": IN_FLIGHT,
        "redis_url": REDIS_URL,
    }
    return tap_config(
        sandbox,
        tmp_path,
        advertiser_ids=sandbox.platform("tiktok")["accounts"],
        date_range={"type": "custom", **days},
        rate_limiting=limits,
    )


def _catalog(config: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    from tests.meta_tap.conftest import discover, select

    return select(discover(config, tmp_path, module="tap_tiktok_ads"), lambda stream: stream == STREAM)


@pytest.fixture(scope="module")
def fleet(
    sandbox: SandboxClient, tmp_path_factory: pytest.TempPathFactory
) -> tuple[FleetRun, dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("fleet")
    config = _config(sandbox, workdir)
    env = {**os.environ, clock.ENV_VAR: sandbox.now().isoformat()}
    catalog = _catalog(config, workdir)
    gate = RateLimiter.from_config("tiktok_ads", config["app_id"], config["rate_limiting"])
    sandbox.reset()
    run = run_fleet(
        "tap_tiktok_ads", config, catalog, WORKERS, account_field="advertiser_id", env=env, gate=gate
    )
    return run, config


def _worker_of(account: str) -> str:
    return f"{shard_of(account, WORKERS)}/{WORKERS}"


def test_every_worker_finishes_with_exactly_its_shard(sandbox, fleet):
    run, config = fleet
    accounts = config["advertiser_ids"]
    expected = {
        f"{k}/{WORKERS}": {a for a in accounts if _worker_of(a) == f"{k}/{WORKERS}"} for k in range(1, 9)
    }
    assert all(expected.values()), "every shard holds accounts, so every worker has work"
    for worker in run.workers:
        assert worker.returncode == 0, f"worker {worker.shard}: {worker.stderr_tail}"
        assert worker.accounts == expected[worker.shard], f"worker {worker.shard} read other accounts"
    # The world's days for each account, read once in all (no account read by two workers).
    world = sandbox.world()
    days = {a.id: _days_with_delivery(world, a) for a in world.accounts("tiktok")}
    assert run.records == sum(days.values())
    for route, per_account in CALLS_PER_ACCOUNT.items():
        assert sandbox.calls("tiktok", route) == per_account * ACCOUNTS


def _days_with_delivery(world: Any, account: Any) -> int:
    end = min(world.account_today(a) for a in world.accounts("tiktok")) - timedelta(days=1)
    span = [end - timedelta(days=n) for n in range(DAYS)]
    return sum(1 for day in span if world.account_day(account, day) is not None)


def test_the_sandbox_never_sees_more_than_the_quota_in_any_second(sandbox, fleet):
    calls = sandbox.app_calls("tiktok")
    assert calls["total"] == sum(CALLS_PER_ACCOUNT.values()) * ACCOUNTS
    assert calls["peak_per_second"] <= QUOTA_PER_SECOND, calls["per_second"]
    assert max(calls["per_second"].values()) <= QUOTA_PER_SECOND
    assert sandbox.stats()["limit_rejections"].get("tiktok", {}) == {}, "no call was refused (40100)"


def test_no_worker_starves(sandbox, fleet):
    """All eight queue before any goes, and the shared queue serves them in turn (each request
    queues again behind those already waiting). At the sandbox: every worker was served before any
    other had finished, and while all were busy each got a share. Arrival order is grant order but
    for a worker held up between its grant and its send, so the share is a floor, not equality."""
    entries = [e for e in sandbox.log(platform="tiktok") if e["route"] in CALLS_PER_ACCOUNT]
    order = [_worker_of(e["account"]) for e in sorted(entries, key=lambda e: e["at"])]
    assert len(set(order)) == WORKERS
    first_call = {worker: order.index(worker) for worker in set(order)}
    last_call = {worker: max(i for i, w in enumerate(order) if w == worker) for worker in set(order)}
    assert max(first_call.values()) < min(last_call.values()), "a worker waited for another to finish"
    all_busy = order[: min(last_call.values()) + 1]
    shares = Counter(all_busy)
    mean = len(all_busy) / WORKERS
    assert min(shares.values()) >= mean / 4, shares
