"""Workers on hosts whose clocks disagree share one quota through Redis (real Redis, real processes).

Each worker is a forked process whose whole clock (`time.time`, which `limits` and redis-py read too)
is moved by an injected skew, as on a host whose clock is off. Windows, pauses and grants are judged
on Redis's own clock (`TIME`), read by the test itself.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from typing import Any

import redis
from test_ratelimit import _most_certainly_within

from ads_kit.resilience import Priority, RateLimiter, ThrottleSignal

FORK = multiprocessing.get_context("fork")
BURST, REQUESTS_EACH = 4, 8
# One host an hour ahead, one an hour behind: far more than any window.
SKEWS = (3600.0, -3600.0)


def _skew_clock(seconds: float) -> None:
    real = time.time
    time.time = lambda: real() + seconds  # type: ignore[assignment]


def _limiter(redis_url: str, namespace: str, concurrent: int = 2) -> RateLimiter:
    config = {
        "burst": BURST,
        "requests_per_minute": 1000,
        "concurrent_requests": concurrent,
        "redis_url": redis_url,
    }
    return RateLimiter.from_config("tiktok_ads", "app-1", config, namespace=namespace)


def _grants_worker(redis_url: str, namespace: str, worker: int, skew: float, start: Any) -> None:
    _skew_clock(skew)
    limiter = _limiter(redis_url, namespace)
    store = redis.Redis.from_url(redis_url)
    start.wait()
    for seq in range(REQUESTS_EACH):
        with limiter.acquire(account=f"adv-{worker}", priority=Priority.BACKFILL) as grant:
            seconds, micros = store.time()
            record = {
                "worker": worker,
                "seq": seq,
                "counted_from": grant.counted_from,
                "counted_to": grant.counted_to,
                "redis_now": seconds + micros / 1e6,
            }
            store.rpush(f"{namespace}:grants", json.dumps(record))


def test_two_hosts_with_skewed_clocks_share_one_window(redis_url, namespace):
    """With `limits`' own Redis window, the host ahead takes the other's stamps for old ones and
    overruns the quota, while the host behind sees them as future ones and starves for two hours."""
    start = FORK.Barrier(len(SKEWS), timeout=30)
    workers = [
        FORK.Process(target=_grants_worker, args=(redis_url, namespace, n, skew, start))
        for n, skew in enumerate(SKEWS)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0, "a worker did not finish: one clock starved it"

    store = redis.Redis.from_url(redis_url)
    grants = [json.loads(raw) for raw in store.lrange(f"{namespace}:grants", 0, -1)]
    assert sorted((g["worker"], g["seq"]) for g in grants) == [
        (w, s) for w in range(len(SKEWS)) for s in range(REQUESTS_EACH)
    ]
    # The grants' bounds are on Redis's clock: each lies before the Redis time read after it, and
    # within seconds of it, whatever the worker's own clock says.
    assert all(0 <= g["redis_now"] - g["counted_to"] < 30 for g in grants)
    assert _most_certainly_within(grants, period_s=1.0) <= BURST
    # Both workers shared the window from the start (the one behind was not held back an hour).
    assert max(g["counted_to"] for g in grants) - min(g["counted_from"] for g in grants) < 600


def _pause_setter(redis_url: str, namespace: str, skew: float) -> None:
    _skew_clock(skew)
    _limiter(redis_url, namespace).observe("adv-1", "report", ThrottleSignal(retry_after_s=300))


def _pause_reader(redis_url: str, namespace: str, skew: float, out: Any) -> None:
    _skew_clock(skew)
    limiter = _limiter(redis_url, namespace)
    refusals: list[float] = []

    class Refused(Exception):
        pass

    def refuse(seconds: float) -> None:
        refusals.append(seconds)
        raise Refused

    limiter._sleep = refuse  # the wait the limiter decides on, instead of sleeping it
    try:
        with limiter.acquire("adv-2"):
            pass
    except Refused:
        pass
    out.put({"paused_for": limiter.paused_for("adv-2"), "refused_with": refusals})


def test_a_pause_set_on_a_host_behind_holds_a_worker_on_a_host_ahead(redis_url, namespace):
    """TikTok's 5-minute QPM lockout seen by a worker an hour behind holds a worker an hour ahead:
    the deadline is on Redis's clock, not on the clock of the host that saw the lockout."""
    setter = FORK.Process(target=_pause_setter, args=(redis_url, namespace, -3600.0))
    setter.start()
    setter.join(timeout=30)
    assert setter.exitcode == 0
    out = FORK.Queue()
    reader = FORK.Process(target=_pause_reader, args=(redis_url, namespace, 3600.0, out))
    reader.start()
    seen = out.get(timeout=30)
    reader.join(timeout=30)
    assert 270 < seen["paused_for"] <= 300
    assert seen["refused_with"] and 0 < seen["refused_with"][0] <= 300


def _queued_worker(redis_url: str, namespace: str, skew: float, priority: Priority, name: str) -> None:
    _skew_clock(skew)
    limiter = _limiter(redis_url, namespace, concurrent=1)
    with limiter.acquire(account=f"adv-{name}", priority=priority):
        redis.Redis.from_url(redis_url).rpush(f"{namespace}:served", name)


def test_recent_days_go_before_backfill_whatever_the_hosts_clocks_say(redis_url, namespace):
    """A backfill request queued first on a host an hour behind, a recent-day request queued next
    on a host an hour ahead: places are Redis's clock plus the priority's head start, so the recent
    one goes first. Places from the hosts' clocks would put the backfill two hours ahead of it."""
    holder = _limiter(redis_url, namespace, concurrent=1)
    store = redis.Redis.from_url(redis_url)
    waiters = []
    with holder.acquire("adv-holder"):  # the one in-flight slot: both wait in the queue
        for queued, (skew, priority, name) in enumerate(
            ((-3600.0, Priority.BACKFILL, "backfill"), (3600.0, Priority.RECENT, "recent")), start=1
        ):
            process = FORK.Process(target=_queued_worker, args=(redis_url, namespace, skew, priority, name))
            process.start()
            waiters.append(process)
            _wait_until_queued(holder, queued)
    for process in waiters:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert [name.decode() for name in store.lrange(f"{namespace}:served", 0, -1)] == ["recent", "backfill"]


def _wait_until_queued(limiter: RateLimiter, count: int) -> None:
    deadline = time.monotonic() + 30  # bounds a failing run only: the order comes from the queue
    while limiter.waiting() < count:
        assert time.monotonic() < deadline, f"{count} waiters never queued"
        time.sleep(0.01)
