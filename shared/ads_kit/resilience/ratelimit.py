"""Client-side rate limiting shared by every worker of a platform app.

`RateLimiter.acquire()` blocks until a request may go out. It checks, in this order:

* the waiter's own constraints — a pause on its account and the endpoint-class windows
  (`ENDPOINT_LIMITS`). A waiter held back by them steps out of the queue, so one throttled
  account never blocks the others;
* its turn in the app's wait queue, ordered by priority with ageing (`_HEAD_START_S`);
* the app-wide constraints — an app pause, the burst / per-minute / per-hour windows, and the cap
  on requests in flight.

Windows are moving windows of the `limits` library: in memory by default, in Redis when
`rate_limiting.redis_url` or `ADS_REDIS_URL` is set, so every process shares one quota. A request
goes out only if every one of its windows accepted its hit; a hit is atomic in `limits` (a Lua
script in Redis), so no window is ever overrun, even when two waiters act on the same stale look
at it: a higher-priority arrival can take the head of the queue from a waiter that has already
checked the windows. The queue only decides who tries first. The queue, the in-flight slots and
pauses live in the same place as the windows (a local lock, or Redis sorted sets with expiry so a
killed worker cannot hold a slot or a place).

Time: with Redis, every stamp and deadline is on Redis's clock (`TIME`, read inside the scripts):
window entries, places in the queue, slot leases, liveness and pauses. Hosts whose clocks disagree
then still share one window: `limits`' own Redis moving window stamps entries with the client's
`time.time()`, so a host ahead of the others would see their entries as old and overrun the quota,
and one behind would see them as future and starve; `_ServerClockRedisStorage` swaps its two
moving-window scripts for ones that read `TIME`.

A request holds its in-flight slot from before its window stamp until its answer, so within any
second a server receives at most `burst` requests stamped in that second plus `concurrent_requests`
stamped earlier and still on their way: `burst + concurrent_requests` at or under a platform's
per-second quota keeps every worker together under it, however late a loaded host sends.

Reactive: `observe()` takes a normalised server signal. At >= 75 % usage each request costs more
of the windows (requests spread out); at >= 95 % or with a server-given delay the scope pauses.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import urlsplit

import redis
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ads_kit.resilience.errors import ConfigError, Scope
from ads_kit.resilience.platforms import canonical_platform

log = logging.getLogger(__name__)

REDIS_URL_ENV = "ADS_REDIS_URL"


class Priority(enum.IntEnum):
    """Who goes first when several requests wait for the same app quota (lower first)."""

    INTERACTIVE = 0
    RECENT = 1
    BACKFILL = 2


# A waiter's place is its arrival time plus this head start; a backfill request that has waited
# longer than the difference is served before a newly arrived recent one, so nothing starves.
_HEAD_START_S = {Priority.INTERACTIVE: 0.0, Priority.RECENT: 5.0, Priority.BACKFILL: 30.0}

# A report window whose last day is this many days old or more is backfill: the days a daily sync
# re-reads (restatement lookbacks reach 28-30 days) stay recent, a first sync's history does not.
BACKFILL_AFTER_DAYS = 31
_days_priority: ContextVar[Priority] = ContextVar("days_priority", default=Priority.RECENT)


@contextmanager
def reading_days(last_day: date, today: date) -> Iterator[Priority]:
    """Requests made inside the block read days up to ``last_day``: they wait for the quota as
    backfill when that is BACKFILL_AFTER_DAYS or more before ``today``, else as recent days. The
    report layer sets it around each window; the transport asks `requested_priority()`."""
    priority = Priority.BACKFILL if (today - last_day).days >= BACKFILL_AFTER_DAYS else Priority.RECENT
    token = _days_priority.set(priority)
    try:
        yield priority
    finally:
        _days_priority.reset(token)


def requested_priority() -> Priority:
    """The priority of a request made now: that of the days being read (`reading_days`), recent
    outside any."""
    return _days_priority.get()


SLOWDOWN_AT_PCT = 75.0
PAUSE_AT_PCT = 95.0
# Meta asks for minutes of rest at full usage without always saying how long (Airbyte waits
# 10 minutes); one minute, then usage headers tell us more on the next call.
FULL_USAGE_PAUSE_S = 60.0
# How long a slow-down lasts without a fresh usage signal.
SLOWDOWN_TTL_S = 60.0
# Upper bound of one sleep inside acquire(): waiters refresh their liveness this often.
_HEARTBEAT_S = 1.0
# A waiter or slot holder silent for this long is considered dead and removed.
_WAITER_TTL_S = 10.0
# Poll period for a waiter that is not at the head of the queue (Redis has no cheap wake-up).
_TURN_POLL_S = 0.02


@dataclass(frozen=True)
class ThrottleSignal:
    """What a response says about quota, normalised by the platform.

    usage_pct: highest usage percentage the platform reports (Meta usage headers);
    regain_after_s: time until access comes back (Meta `estimated_time_to_regain_access`, given in
    minutes: convert); retry_after_s: explicit retry delay (Google `retry_delay`, TikTok 40100's
    5-minute QPM lockout).
    """

    usage_pct: float | None = None
    regain_after_s: float | None = None
    retry_after_s: float | None = None
    scope: Scope = Scope.APP


@dataclass(frozen=True)
class Grant:
    """What `acquire()` yields: when and in which turn a request was let through.

    place: its place in the app's wait queue, on the coordinator's clock (Redis server time, or
    this process's clock without Redis) at joining the queue plus the priority's head start; the
    lowest place is served first.
    counted_from, counted_to: the coordinator's clock (Redis server time, or this process's clock
    without Redis) just before the first and just after the last of the request's window hits.
    Every window stamps the request inside these bounds, and a window of N per period never holds
    more than N stamps within one period; the bounds let a caller check that without trusting
    when it got to run after the grant.
    """

    place: float
    counted_from: float
    counted_to: float


@dataclass(frozen=True)
class EndpointLimit:
    """A platform limit on one endpoint class, app-wide or per account."""

    rates: str  # `limits` notation, e.g. "1/second;60/minute"
    per_account: bool


# Documented endpoint-class limits (tiktok-marketing-api.md §3.8 and §4.2).
ENDPOINT_LIMITS: dict[str, dict[str, tuple[EndpointLimit, ...]]] = {
    "tiktok_ads": {
        "report_task_create": (
            EndpointLimit("1/second;60/minute", per_account=False),
            EndpointLimit("500/hour", per_account=True),
        ),
    },
}

# Defaults stay under the lowest documented tier: TikTok Basic 10 QPS / 600 QPM; Google basic access
# 15,000 operations a day; Meta standard tier BUC quotas start at a few hundred calls an hour per
# account (usage headers then steer the rest).
PLATFORM_DEFAULTS: dict[str, dict[str, float]] = {
    "meta_ads": {
        "requests_per_hour": 3000,
        "requests_per_minute": 200,
        "burst": 10,
        "concurrent_requests": 4,
    },
    "google_ads": {"requests_per_hour": 600, "requests_per_minute": 60, "burst": 5, "concurrent_requests": 4},
    "tiktok_ads": {
        "requests_per_hour": 30000,
        "requests_per_minute": 500,
        "burst": 8,
        "concurrent_requests": 4,
    },
}
_COMMON_DEFAULTS: dict[str, float] = {"backoff_multiplier": 1.0, "max_retries": 5, "max_wait_seconds": 900}
# setting -> (whole number?, smallest allowed value)
_NUMBER_RULES: dict[str, tuple[bool, float]] = {
    "requests_per_hour": (True, 1),
    "requests_per_minute": (True, 1),
    "burst": (True, 1),
    "concurrent_requests": (True, 1),
    "max_retries": (True, 0),
    "backoff_multiplier": (False, 0),
    "max_wait_seconds": (False, 0),
}


@dataclass(frozen=True)
class RateLimitSettings:
    """The `rate_limiting` config object of one platform, with defaults filled in."""

    requests_per_hour: int
    requests_per_minute: int
    burst: int
    backoff_multiplier: float
    max_retries: int
    concurrent_requests: int
    max_wait_seconds: float
    redis_url: str | None

    @classmethod
    def from_config(cls, platform: str, config: Mapping[str, Any] | None) -> RateLimitSettings:
        defaults = cls.defaults(platform)
        config = dict(config or {})
        unknown = set(config) - set(_NUMBER_RULES) - {"redis_url"}
        if unknown:
            raise ConfigError(f"rate_limiting.{sorted(unknown)[0]}", "unknown setting")
        # Meltano writes unset nullable settings as null: null means "use the default".
        given = {key: value for key, value in config.items() if value is not None}
        values: dict[str, Any] = {
            key: _checked_number(key, given.get(key, defaults[key])) for key in _NUMBER_RULES
        }
        redis_url = given.get("redis_url") or os.environ.get(REDIS_URL_ENV) or None
        if redis_url is not None and urlsplit(str(redis_url)).scheme not in ("redis", "rediss"):
            raise ConfigError("rate_limiting.redis_url", "must be a redis:// or rediss:// URL")
        return cls(redis_url=redis_url, **values)

    @staticmethod
    def defaults(platform: str) -> dict[str, float]:
        """The numeric settings a platform uses when the config leaves them out."""
        platform = canonical_platform(platform)
        if platform not in PLATFORM_DEFAULTS:
            known = sorted(PLATFORM_DEFAULTS)
            raise ConfigError("platform", f"unknown platform {platform!r}; one of {known}")
        return {**_COMMON_DEFAULTS, **PLATFORM_DEFAULTS[platform]}

    def app_rates(self) -> list[RateLimitItem]:
        return parse_many(
            f"{self.burst}/second;{self.requests_per_minute}/minute;{self.requests_per_hour}/hour"
        )


def _checked_number(key: str, value: Any) -> int | float:
    whole, minimum = _NUMBER_RULES[key]
    setting = f"rate_limiting.{key}"
    if isinstance(value, Decimal):  # singer-sdk reads config numbers with a fraction as Decimal
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(setting, f"must be a number, got {value!r}")
    if whole and value != int(value):
        raise ConfigError(setting, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise ConfigError(setting, f"must be at least {minimum}, got {value!r}")
    return int(value) if whole else float(value)


def _address(url: str) -> str:
    """host:port of a Redis URL, without user or password, for messages."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


class _Coordinator(Protocol):
    """Wait queue, in-flight slots, pauses and slow-downs of one app (local or Redis)."""

    def join(self, token: str, head_start: float, place: float | None) -> float: ...
    def leave(self, token: str) -> None: ...
    def waiting(self) -> int: ...
    def is_first(self, token: str, place: float) -> bool: ...
    def take_slot(self, token: str) -> bool: ...
    def release_slot(self, token: str) -> None: ...
    def now(self) -> float: ...
    def pause(self, scope: str, seconds: float) -> None: ...
    def paused_for(self, scope: str) -> float: ...
    def set_cost(self, scope: str, cost: int, ttl_s: float) -> None: ...
    def cost(self, scope: str) -> int: ...
    def wait_turn(self, seconds: float) -> None: ...


class _LocalCoordinator:
    """One process: a condition variable wakes waiters when the head leaves or a slot frees."""

    def __init__(self, concurrent: int) -> None:
        self._slots = threading.BoundedSemaphore(concurrent)
        self._changed = threading.Condition()
        self._queue: dict[str, float] = {}
        self._pauses: dict[str, float] = {}
        self._costs: dict[str, tuple[int, float]] = {}

    def join(self, token: str, head_start: float, place: float | None) -> float:
        with self._changed:
            # Stamped under the lock, so places are in joining order (see _JOIN).
            place = time.time() + head_start if place is None else place
            self._queue[token] = place
            return place

    def leave(self, token: str) -> None:
        with self._changed:
            self._queue.pop(token, None)
            self._changed.notify_all()

    def waiting(self) -> int:
        with self._changed:
            return len(self._queue)

    def is_first(self, token: str, place: float) -> bool:
        with self._changed:
            return min(self._queue, key=lambda t: (self._queue[t], t)) == token

    def take_slot(self, token: str) -> bool:
        return self._slots.acquire(blocking=False)

    def release_slot(self, token: str) -> None:
        self._slots.release()
        with self._changed:
            self._changed.notify_all()

    def now(self) -> float:
        return time.time()

    def pause(self, scope: str, seconds: float) -> None:
        with self._changed:
            self._pauses[scope] = max(time.time() + seconds, self._pauses.get(scope, 0.0))

    def paused_for(self, scope: str) -> float:
        return max(0.0, self._pauses.get(scope, 0.0) - time.time())

    def set_cost(self, scope: str, cost: int, ttl_s: float) -> None:
        self._costs[scope] = (cost, time.time() + ttl_s)

    def cost(self, scope: str) -> int:
        cost, until = self._costs.get(scope, (1, 0.0))
        return cost if until > time.time() else 1

    def wait_turn(self, seconds: float) -> None:
        with self._changed:
            self._changed.wait(seconds)


# Redis's clock in seconds, read inside a script: every stamp and deadline in Redis is on it, so
# workers on hosts whose clocks disagree still agree on windows, places, leases and pauses.
_NOW = """
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1e6
end
"""

# KEYS: queue, alive. ARGV: token, head start, place ('' for a newcomer), ttl. A newcomer's place is
# Redis's clock plus its head start, read in the same atomic step that queues it: a place taken on
# the client before joining would let a process descheduled in between join later with an earlier
# place and take the head from a waiter already granted its look at the windows.
# %.6f keeps microseconds (Lua's tostring would round to 14 digits, 0.1 ms).
_JOIN = (
    _NOW
    + """
local place = ARGV[3]
if place == '' then
  place = string.format('%.6f', now() + tonumber(ARGV[2]))
end
redis.call('ZADD', KEYS[1], 'NX', place, ARGV[1])
redis.call('ZADD', KEYS[2], now() + tonumber(ARGV[4]), ARGV[1])
redis.call('EXPIRE', KEYS[1], 3600)
redis.call('EXPIRE', KEYS[2], 3600)
return place
"""
)

# KEYS: queue, alive. ARGV: token, place, ttl. Drops waiters that stopped refreshing (killed
# processes), refreshes the caller (re-adding it if it was dropped), answers "is the caller first".
_IS_FIRST = (
    _NOW
    + """
local t = now()
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', t)) do
  redis.call('ZREM', KEYS[1], dead)
  redis.call('ZREM', KEYS[2], dead)
end
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], t + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], 3600)
redis.call('EXPIRE', KEYS[2], 3600)
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if first[1] == ARGV[1] then return 1 end
return 0
"""
)

# KEYS: slots. ARGV: token, lease, limit. A slot is a lease: a killed worker's slot expires.
_TAKE_SLOT = (
    _NOW
    + """
local t = now()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[1])
  redis.call('EXPIRE', KEYS[1], 3600)
  return 1
end
return 0
"""
)

# KEYS: pause. ARGV: seconds. Keeps the later of two pauses set concurrently; the key expires with it.
_PAUSE = (
    _NOW
    + """
local deadline = now() + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if deadline > current then
  local ttl_ms = math.max(1, math.ceil(tonumber(ARGV[1]) * 1000))
  redis.call('SET', KEYS[1], string.format('%.6f', deadline), 'PX', ttl_ms)
end
return 1
"""
)

# KEYS: pause. Seconds left of the pause, '0' when none.
_PAUSED_FOR = (
    _NOW
    + """
local deadline = tonumber(redis.call('GET', KEYS[1]) or '0')
return string.format('%.6f', math.max(0, deadline - now()))
"""
)

# `limits`' moving window (resources/redis/lua_scripts/acquire_moving_window.lua and
# moving_window.lua) with the stamp read from Redis's clock instead of taken from ARGV.
# KEYS: window. ARGV: limit, expiry, amount.
_ACQUIRE_MOVING_WINDOW = (
    _NOW
    + """
local timestamp = now()
local limit = tonumber(ARGV[1])
local expiry = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
if amount > limit then
  return false
end
local entry = redis.call('LINDEX', KEYS[1], limit - amount)
if entry and tonumber(entry) >= timestamp - expiry then
  return false
end
local stamp = string.format('%.6f', timestamp)
for i = 1, amount do
  redis.call('LPUSH', KEYS[1], stamp)
end
redis.call('LTRIM', KEYS[1], 0, limit - 1)
redis.call('EXPIRE', KEYS[1], expiry)
return true
"""
)

# KEYS: window. ARGV: limit, expiry. {oldest entry inside the window, entries inside}, or
# {now, 0} when none is; binary search, newest first, as in `limits`.
_MOVING_WINDOW = (
    _NOW
    + """
local t = now()
local target = t - tonumber(ARGV[2])
local low, high, found = 0, tonumber(ARGV[1]) - 1, nil
while low <= high do
  local mid = math.floor((low + high) / 2)
  local value = tonumber(redis.call('LINDEX', KEYS[1], mid))
  if value and value >= target then
    found = mid
    low = mid + 1
  else
    high = mid - 1
  end
end
if found then
  return {redis.call('LINDEX', KEYS[1], found), found + 1}
end
return {string.format('%.6f', t), 0}
"""
)


class _ServerClockRedisStorage(RedisStorage):
    """`limits`' Redis storage with moving-window entries stamped on Redis's clock (see module doc).

    No STORAGE_SCHEME of its own: `limits` registers storages by that attribute of the class body,
    and this one must not take over the ``redis://`` scheme from `limits`' own storage."""

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self._acquire_at_server_time = self.get_connection().register_script(_ACQUIRE_MOVING_WINDOW.encode())
        self._window_at_server_time = self.get_connection().register_script(_MOVING_WINDOW.encode())

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return bool(self._acquire_at_server_time([self.prefixed_key(key)], [limit, expiry, amount]))

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        oldest, count = self._window_at_server_time([self.prefixed_key(key)], [limit, expiry])
        return float(oldest), int(count)


# Longest a request may hold an in-flight slot before other workers may reuse it; long enough for
# a slow report call, short enough that a killed worker's slot comes back soon.
_SLOT_LEASE_S = 300.0


class _RedisCoordinator:
    """Many processes: sorted sets with expiry in Redis, keyed by platform and app, on Redis's clock."""

    def __init__(self, client: redis.Redis, prefix: str, concurrent: int) -> None:
        self._redis = client
        self._prefix = prefix
        self._concurrent = concurrent
        self._join = client.register_script(_JOIN)
        self._is_first = client.register_script(_IS_FIRST)
        self._take_slot = client.register_script(_TAKE_SLOT)
        self._pause = client.register_script(_PAUSE)
        self._paused_for = client.register_script(_PAUSED_FOR)

    def _key(self, name: str) -> str:
        return f"{self._prefix}:{name}"

    def now(self) -> float:
        seconds, microseconds = self._redis.time()
        return seconds + microseconds / 1e6

    def join(self, token: str, head_start: float, place: float | None) -> float:
        keys = [self._key("queue"), self._key("alive")]
        given = "" if place is None else repr(place)
        args: list[str | float] = [token, head_start, given, _WAITER_TTL_S]
        return float(self._join(keys=keys, args=args))

    def leave(self, token: str) -> None:
        self._redis.zrem(self._key("queue"), token)
        self._redis.zrem(self._key("alive"), token)

    def waiting(self) -> int:
        # Counts a killed worker's waiter until the next turn check sweeps it (within _WAITER_TTL_S).
        return int(self._redis.zcard(self._key("queue")))

    def is_first(self, token: str, place: float) -> bool:
        keys = [self._key("queue"), self._key("alive")]
        return bool(self._is_first(keys=keys, args=[token, place, _WAITER_TTL_S]))

    def take_slot(self, token: str) -> bool:
        args: list[str | float] = [token, _SLOT_LEASE_S, self._concurrent]
        return bool(self._take_slot(keys=[self._key("slots")], args=args))

    def release_slot(self, token: str) -> None:
        self._redis.zrem(self._key("slots"), token)

    def pause(self, scope: str, seconds: float) -> None:
        self._pause(keys=[self._key(f"pause:{scope}")], args=[seconds])

    def paused_for(self, scope: str) -> float:
        return float(self._paused_for(keys=[self._key(f"pause:{scope}")]))

    def set_cost(self, scope: str, cost: int, ttl_s: float) -> None:
        self._redis.set(self._key(f"cost:{scope}"), cost, px=int(ttl_s * 1000))

    def cost(self, scope: str) -> int:
        value = self._redis.get(self._key(f"cost:{scope}"))
        return int(value) if value is not None else 1

    def wait_turn(self, seconds: float) -> None:
        time.sleep(min(seconds, _TURN_POLL_S))


class RateLimiter:
    """Proactive and reactive limits for one platform app, shared through Redis when configured.

    Build with `from_config`; wrap every request in `with limiter.acquire(account, endpoint, priority)`;
    feed response signals to `observe`. `namespace` separates unrelated users of one Redis.
    """

    def __init__(
        self,
        platform: str,
        app: str,
        settings: RateLimitSettings,
        *,
        namespace: str = "ads",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.platform = platform = canonical_platform(platform)
        self.settings = settings
        self._sleep = sleep
        # The quota's owner may be a secret (Google's developer token): keys carry only its digest.
        self.app_key = hashlib.sha256(app.encode()).hexdigest()[:16]
        self._ids = (namespace, platform, self.app_key)
        self._app_rates = settings.app_rates()
        self._endpoint_limits = ENDPOINT_LIMITS.get(platform, {})
        if settings.redis_url:
            client = redis.Redis.from_url(settings.redis_url)
            try:
                client.ping()
            except redis.RedisError as exc:
                address = _address(settings.redis_url)
                raise ConfigError(
                    "rate_limiting.redis_url", f"cannot reach Redis at {address}: {exc}"
                ) from None
            storage: Any = _ServerClockRedisStorage(settings.redis_url)
            self._coordinator: _Coordinator = _RedisCoordinator(
                client, ":".join(("ADSKIT", *self._ids)), settings.concurrent_requests
            )
        else:
            storage = storage_from_string("memory://")
            self._coordinator = _LocalCoordinator(settings.concurrent_requests)
        self._windows = MovingWindowRateLimiter(storage)

    @classmethod
    def from_config(
        cls, platform: str, app: str, config: Mapping[str, Any] | None, **kwargs: Any
    ) -> RateLimiter:
        return cls(platform, app, RateLimitSettings.from_config(platform, config), **kwargs)

    # Scopes name what a pause or a slow-down applies to.
    def _scope(self, scope: Scope, account: str) -> str:
        return "app" if scope is Scope.APP else f"account:{account}"

    def _own_windows(self, account: str, endpoint: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        windows: list[tuple[RateLimitItem, tuple[str, ...]]] = []
        for limit in self._endpoint_limits.get(endpoint, ()):
            ids = (*self._ids, endpoint, account) if limit.per_account else (*self._ids, endpoint)
            windows.extend((item, ids) for item in parse_many(limit.rates))
        return windows

    def _window_wait(
        self, windows: list[tuple[RateLimitItem, tuple[str, ...]]], cost: int, now: float
    ) -> float:
        wait = 0.0
        for item, ids in windows:
            stats = self._windows.get_window_stats(item, *ids)
            if stats.remaining < min(cost, item.amount):
                wait = max(wait, stats.reset_time - now)
        return wait

    def _cost(self, account: str) -> int:
        coordinator = self._coordinator
        return max(coordinator.cost("app"), coordinator.cost(self._scope(Scope.ACCOUNT, account)))

    def _count(self, windows: list[tuple[RateLimitItem, tuple[str, ...]]], cost: int) -> bool:
        """Hit every window; False as soon as one refuses (another waiter took the room since this
        one looked). Hits already made stay counted: that spaces later requests a little more, and
        never lets one out early."""
        return all(self._windows.hit(item, *ids, cost=min(cost, item.amount)) for item, ids in windows)

    @contextmanager
    def acquire(
        self, account: str, endpoint: str = "default", priority: Priority = Priority.RECENT
    ) -> Iterator[Grant]:
        """Block until one request for `account` on `endpoint` may go out; hold an in-flight slot."""
        token = uuid.uuid4().hex
        grant = self._wait_for_turn(token, str(account), endpoint, priority)
        try:
            yield grant
        finally:
            self._coordinator.release_slot(token)

    def waiting(self) -> int:
        """How many requests wait for their turn at this app's quota, in every process sharing it
        (requests held back by their own account's pause or endpoint window are not counted)."""
        return self._coordinator.waiting()

    def _wait_for_turn(self, token: str, account: str, endpoint: str, priority: Priority) -> Grant:
        coordinator = self._coordinator
        own_windows = self._own_windows(account, endpoint)
        app_windows: list[tuple[RateLimitItem, tuple[str, ...]]] = [
            (item, self._ids) for item in self._app_rates
        ]
        account_scope = self._scope(Scope.ACCOUNT, account)
        head_start = _HEAD_START_S[priority]
        # Set when the waiter first joins the queue; kept when it steps aside and comes back. Age
        # counts from joining the app's queue: time held by the request's own constraints is not
        # time spent waiting for the app's quota.
        place: float | None = None
        queued = False
        try:
            while True:
                now = coordinator.now()
                cost = self._cost(account)
                own_wait = max(
                    coordinator.paused_for(account_scope), self._window_wait(own_windows, cost, now)
                )
                if own_wait > 0:
                    # Step aside so waiters of other accounts and endpoints are not held up.
                    if queued:
                        coordinator.leave(token)
                        queued = False
                    self._sleep(min(own_wait, _HEARTBEAT_S))
                    continue
                if not queued:
                    place = coordinator.join(token, head_start, place)
                    queued = True
                assert place is not None  # the first join comes before any turn check
                if not coordinator.is_first(token, place):
                    coordinator.wait_turn(_HEARTBEAT_S)
                    continue
                shared_wait = max(coordinator.paused_for("app"), self._window_wait(app_windows, cost, now))
                if shared_wait > 0:
                    self._sleep(min(shared_wait, _HEARTBEAT_S))
                    continue
                if not coordinator.take_slot(token):
                    coordinator.wait_turn(_HEARTBEAT_S)
                    continue
                counted_from = coordinator.now()
                if not self._count(own_windows + app_windows, cost):
                    # The check above is a look, not a reservation: wait for the room like anyone.
                    coordinator.release_slot(token)
                    continue
                return Grant(place, counted_from, coordinator.now())
        finally:
            if queued:
                coordinator.leave(token)

    def observe(self, account: str, endpoint: str, signal: ThrottleSignal) -> None:
        """React to what a response said about quota: pause the scope or spread its requests."""
        scope = self._scope(signal.scope, str(account))
        usage = signal.usage_pct or 0.0
        pause_s = max(signal.regain_after_s or 0.0, signal.retry_after_s or 0.0)
        if pause_s == 0 and usage >= PAUSE_AT_PCT:
            pause_s = FULL_USAGE_PAUSE_S
        where = f"{self.platform} {scope} (account {account}, {endpoint})"
        if pause_s > 0:
            self._coordinator.pause(scope, pause_s)
            log.warning("%s: quota %.0f%% used; pausing requests for %.0f s", where, usage, pause_s)
        elif usage >= SLOWDOWN_AT_PCT:
            cost = slowdown_cost(usage)
            self._coordinator.set_cost(scope, cost, SLOWDOWN_TTL_S)
            log.info("%s: quota %.0f%% used; spreading requests (each counts %dx)", where, usage, cost)

    def paused_for(self, account: str) -> float:
        """Seconds until neither the app nor `account` is paused (0 when free to go)."""
        account_scope = self._scope(Scope.ACCOUNT, str(account))
        return max(self._coordinator.paused_for("app"), self._coordinator.paused_for(account_scope))


def slowdown_cost(usage_pct: float) -> int:
    """How many window slots one request takes at this usage: 2 from 75 %, 4 from 85 %."""
    if usage_pct >= 85:
        return 4
    if usage_pct >= SLOWDOWN_AT_PCT:
        return 2
    return 1
