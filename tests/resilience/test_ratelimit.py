"""Rate limiter: shared quota across processes (real Redis, measured at the sandbox), priorities,
reactive slow-down and pauses, in-flight caps, config validation."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal

import pytest
import redis
import requests

from ads_kit.resilience import (
    ConfigError,
    Priority,
    RateLimiter,
    RateLimitSettings,
    Scope,
    ThrottleSignal,
    ratelimit,
)

FORK = multiprocessing.get_context("fork")


def _worker(
    redis_url: str, namespace: str, base_url: str, marker: str, worker: int, requests_each: int
) -> None:
    limiter = RateLimiter.from_config(
        "meta",
        "app-1",
        {"burst": 6, "requests_per_minute": 1000, "concurrent_requests": 2, "redis_url": redis_url},
        namespace=namespace,
    )
    counter = redis.Redis.from_url(redis_url)
    session = requests.Session()
    for _ in range(requests_each):
        with limiter.acquire(account="1022113855500000", endpoint="insights", priority=Priority.RECENT):
            in_flight = counter.incr(f"{namespace}:in-flight")
            counter.rpush(f"{namespace}:in-flight-seen", in_flight)
            session.get(
                f"{base_url}/v26.0/act_1022113855500000/insights", params={"run": marker, "worker": worker}
            )
            counter.decr(f"{namespace}:in-flight")


def _max_in_any_second(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


def test_three_processes_share_one_quota_and_each_gets_a_share(sandbox, redis_url, namespace):
    """Aggregate rate at the server stays within `burst` per second; no worker starves; at most
    `concurrent_requests` are in flight across processes."""
    marker = uuid.uuid4().hex
    base_url = sandbox.platform("meta")["base_url"]
    workers = [
        FORK.Process(target=_worker, args=(redis_url, namespace, base_url, marker, n, 8)) for n in range(3)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0

    entries = [e for e in sandbox.log(platform="meta") if f"run={marker}" in e["path"]]
    assert len(entries) == 24
    # Arrival times carry a few milliseconds of network jitter; a 0.95 s window absorbs it while any
    # overrun of the 6-per-second limit would still show.
    assert _max_in_any_second([e["at"] for e in entries], window=0.95) <= 6
    order = [int(e["path"].split("worker=")[1][0]) for e in sorted(entries, key=lambda e: e["at"])]
    first_half = Counter(order[:12])
    assert all(first_half[n] >= 2 for n in range(3)), order  # every process is served early on

    seen = [int(v) for v in redis.Redis.from_url(redis_url).lrange(f"{namespace}:in-flight-seen", 0, -1)]
    assert len(seen) == 24 and max(seen) <= 2


@pytest.mark.parametrize("shared", [False, True], ids=["local", "redis"])
def test_waiters_are_served_by_priority(shared, redis_url, namespace):
    config = {"concurrent_requests": 1, "burst": 100, "requests_per_minute": 1000}
    if shared:
        config["redis_url"] = redis_url
    limiter = RateLimiter.from_config("tiktok", "app-1", config, namespace=namespace)
    granted: list[Priority] = []
    release = threading.Event()
    holding = threading.Event()

    def holder() -> None:
        with limiter.acquire("1", priority=Priority.INTERACTIVE):
            holding.set()
            release.wait(10)

    def waiter(priority: Priority) -> None:
        with limiter.acquire("1", priority=priority):
            granted.append(priority)

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert holding.wait(5)
    for priority in (Priority.BACKFILL, Priority.RECENT, Priority.INTERACTIVE):
        threads.append(threading.Thread(target=waiter, args=(priority,)))
        threads[-1].start()
        time.sleep(0.1)  # lets each waiter take its place in the queue before the next arrives
    release.set()
    for thread in threads:
        thread.join(10)
    assert granted == [Priority.INTERACTIVE, Priority.RECENT, Priority.BACKFILL]


def test_usage_above_75_percent_spreads_requests(real_sleeps):
    def waits_per_request(limiter: RateLimiter, count: int) -> list[bool]:
        waited = []
        for _ in range(count):
            before = len(real_sleeps.waits)
            with limiter.acquire("1"):
                waited.append(len(real_sleeps.waits) > before)
        return waited

    config = {"burst": 4, "requests_per_minute": 1000}
    normal = RateLimiter.from_config("meta", "app-1", config, sleep=real_sleeps)
    assert waits_per_request(normal, 4) == [False] * 4  # four requests fit the burst window

    slowed = RateLimiter.from_config("meta", "app-2", config, sleep=real_sleeps)
    slowed.observe("1", "insights", ThrottleSignal(usage_pct=80))
    # At 80 % each request counts double: the third one waits for the window.
    assert waits_per_request(slowed, 3) == [False, False, True]


def test_usage_at_95_percent_pauses_the_scope(sleeps):
    limiter = RateLimiter.from_config("meta", "app-1", {}, sleep=sleeps)
    limiter.observe("1", "insights", ThrottleSignal(usage_pct=96, scope=Scope.ACCOUNT))
    assert 0 < limiter.paused_for("1") <= ratelimit.FULL_USAGE_PAUSE_S
    assert limiter.paused_for("2") == 0


def test_regain_time_pauses_an_account_without_blocking_the_others(sleeps):
    limiter = RateLimiter.from_config("meta", "app-1", {}, sleep=sleeps)
    limiter.observe(
        "1", "insights", ThrottleSignal(usage_pct=100, regain_after_s=3 * 60, scope=Scope.ACCOUNT)
    )
    assert 170 < limiter.paused_for("1") <= 180

    blocked = threading.Thread(target=lambda: limiter.acquire("1").__enter__(), daemon=True)
    blocked.start()
    time.sleep(0.05)
    with limiter.acquire("2"):  # another account goes straight through
        pass
    assert blocked.is_alive()
    assert sleeps.waits and all(w <= 1.0 for w in sleeps.waits)  # the paused waiter sleeps in short steps


def test_pause_is_shared_by_every_worker_through_redis(redis_url, namespace):
    config = {"redis_url": redis_url}
    first = RateLimiter.from_config("google_ads", "dev-token-1", config, namespace=namespace)
    second = RateLimiter.from_config("google_ads", "dev-token-1", config, namespace=namespace)
    other_app = RateLimiter.from_config("google_ads", "dev-token-2", config, namespace=namespace)
    first.observe("123", "search", ThrottleSignal(retry_after_s=30))
    assert 25 < second.paused_for("999") <= 30
    assert other_app.paused_for("123") == 0


def test_a_killed_worker_does_not_keep_its_in_flight_slot(redis_url, namespace, monkeypatch):
    monkeypatch.setattr(ratelimit, "_SLOT_LEASE_S", 1.0)
    config = {"redis_url": redis_url, "concurrent_requests": 1}
    holding = FORK.Event()

    def hold_forever() -> None:
        limiter = RateLimiter.from_config("meta", "app-1", config, namespace=namespace)
        with limiter.acquire("1"):
            holding.set()
            time.sleep(60)

    child = FORK.Process(target=hold_forever)
    child.start()
    assert holding.wait(10)
    os.kill(child.pid, signal.SIGKILL)
    child.join()

    limiter = RateLimiter.from_config("meta", "app-1", config, namespace=namespace)
    done = threading.Event()

    def take() -> None:
        with limiter.acquire("1"):
            done.set()

    threading.Thread(target=take, daemon=True).start()
    assert done.wait(10), "the dead worker's slot was never released"


def test_endpoint_class_limit_applies_to_that_endpoint_only(sleeps):
    limiter = RateLimiter.from_config(
        "tiktok", "app-1", {"burst": 10, "requests_per_minute": 600}, sleep=sleeps
    )
    with limiter.acquire("7000", "report_task_create"):
        pass
    with limiter.acquire("7000", "report_get"):
        pass
    assert sleeps.waits == []
    waiting = threading.Thread(
        target=lambda: limiter.acquire("7000", "report_task_create").__enter__(), daemon=True
    )
    waiting.start()
    waiting.join(0.3)
    assert sleeps.waits  # task creation is limited to 1 per second per app (tiktok-marketing-api.md §3.8)


def test_settings_apply_platform_defaults_and_treat_null_as_unset(monkeypatch):
    monkeypatch.delenv(ratelimit.REDIS_URL_ENV, raising=False)
    settings = RateLimitSettings.from_config("google_ads", {"burst": 2, "max_retries": None})
    assert settings.burst == 2
    assert settings.requests_per_hour == ratelimit.PLATFORM_DEFAULTS["google_ads"]["requests_per_hour"]
    assert settings.max_retries == 5 and settings.redis_url is None


def test_decimal_numbers_from_singer_sdk_config_are_accepted(monkeypatch):
    monkeypatch.delenv(ratelimit.REDIS_URL_ENV, raising=False)
    # singer-sdk parses config JSON numbers with a fraction as Decimal.
    config = {
        "backoff_multiplier": Decimal("0.05"),
        "max_wait_seconds": Decimal("90.5"),
        "burst": Decimal("10"),
    }
    settings = RateLimitSettings.from_config("meta", config)
    assert (settings.backoff_multiplier, settings.max_wait_seconds, settings.burst) == (0.05, 90.5, 10)
    assert isinstance(settings.burst, int)
    with pytest.raises(ConfigError, match=r"^rate_limiting\.max_retries: must be a whole number"):
        RateLimitSettings.from_config("meta", {"max_retries": Decimal("2.5")})


def test_redis_url_can_come_from_the_environment(monkeypatch, redis_url):
    monkeypatch.setenv(ratelimit.REDIS_URL_ENV, redis_url)
    assert RateLimitSettings.from_config("meta", {}).redis_url == redis_url


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        ({"burst": 0}, "rate_limiting.burst"),
        ({"requests_per_hour": 1.5}, "rate_limiting.requests_per_hour"),
        ({"concurrent_requests": "four"}, "rate_limiting.concurrent_requests"),
        ({"backoff_multiplier": -1}, "rate_limiting.backoff_multiplier"),
        ({"requests_per_day": 5}, "rate_limiting.requests_per_day"),
        ({"redis_url": "http://127.0.0.1:6379"}, "rate_limiting.redis_url"),
    ],
)
def test_bad_settings_name_the_setting(config, setting):
    with pytest.raises(ConfigError) as caught:
        RateLimitSettings.from_config("meta", config)
    assert str(caught.value).startswith(f"{setting}: ") and "\n" not in str(caught.value)


def test_unreachable_redis_is_a_config_error_without_the_password():
    with pytest.raises(ConfigError) as caught:
        RateLimiter.from_config("meta", "app-1", {"redis_url": "redis://:hunter2-secret@127.0.0.1:1/0"})
    message = str(caught.value)
    assert message.startswith("rate_limiting.redis_url: cannot reach Redis at 127.0.0.1:1")
    assert "hunter2" not in message
