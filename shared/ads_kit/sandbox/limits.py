"""Server-side quotas of the emulated platforms, on the `limits` library's moving windows.

Rules are per platform and per scope kind, each a list of `limits` rate strings evaluated together,
e.g. ``{"meta": {"app": ["200/second", "20000/hour"], "account": ["40/second", "4000/hour"]}}``
(burst and sustained windows). A scope key is ``"app"`` or ``"<kind>:<id>"`` such as
``"account:123"``; its kind selects the rules, and a kind without rules is never limited.
Defaults are generous so ordinary syncs never meet them; settings tighten them per run.
`charge` is the one way an emulator bills an API call: the app scope, then the account's.

Every call billed to an app is counted when it arrives, allowed or refused (`AppCallMeter`): calls per
second of the sandbox's clock, and the most calls within any one second (a moving window), so a test
reads the aggregate rate of all its workers at the server.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

# Assumptions, not any platform's numbers: Meta's business-use-case quotas depend on the app's
# access tier and the account's active ads, and the others publish none per app; set `limits` to model one.
DEFAULT_RULES: dict[str, dict[str, list[str]]] = {
    platform: {"app": ["500/second", "200000/hour"], "account": ["100/second", "50000/hour"]}
    for platform in ("meta", "google_ads", "tiktok")
}

# App quotas of the real platforms' entry tiers, for runs that model one (``limits`` setting):
# TikTok Basic 10 QPS / 600 QPM (tiktok-marketing-api.md §4.2) and Google Ads Basic access 15,000
# operations a day (google-ads-api.md §4.5) are documented; Meta publishes no app-wide figure (its
# quotas are per ad account and business use case), so Meta's entry is an assumption: the Standard
# tier's ads_insights quota of 600 calls an hour plus 400 per active ad, for one ad.
DOCUMENTED_APP_QUOTAS: dict[str, list[str]] = {
    "tiktok": ["10/second", "600/minute"],
    "google_ads": ["15000/day"],
    "meta": ["1000/hour"],
}

# How many seconds of per-second counts are kept: an hour of a run.
_COUNTED_SECONDS = 3600


class AppCallMeter:
    """Calls billed to each platform's app: per second, in total, and the most within one second."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._per_second: dict[str, Counter[int]] = {}
        self._recent: dict[str, deque[float]] = {}
        self._peak: Counter[str] = Counter()

    def record(self, platform: str) -> None:
        """One call arrived (called under the engine's lock)."""
        now = self._clock()
        seconds = self._per_second.setdefault(platform, Counter())
        seconds[int(now)] += 1
        if len(seconds) > _COUNTED_SECONDS:
            del seconds[min(seconds)]
        recent = self._recent.setdefault(platform, deque())
        recent.append(now)
        while recent[0] <= now - 1.0:
            recent.popleft()
        self._peak[platform] = max(self._peak[platform], len(recent))

    def counts(self) -> dict[str, dict[str, Any]]:
        """{platform: {"total", "peak_per_second", "per_second": {unix second: calls}}}."""
        return {
            platform: {
                "total": sum(seconds.values()),
                "peak_per_second": self._peak[platform],
                "per_second": {str(second): n for second, n in sorted(seconds.items())},
            }
            for platform, seconds in self._per_second.items()
        }

    def reset(self) -> None:
        self._per_second.clear()
        self._recent.clear()
        self._peak.clear()


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    usage_pct: float  # fullest window of the scope after this call, 0-100
    retry_after_s: float  # 0 when allowed; else until the fullest window has room again


@dataclass(frozen=True, slots=True)
class Charge:
    """What the quotas said about one call: the app window, and the account's when one was billed."""

    app: Decision
    account: Decision | None = None  # None: no account named, or the app window refused first

    @property
    def refused_scope(self) -> str | None:
        """``"app"`` or ``"account"`` when that window refused the call, else None."""
        if not self.app.allowed:
            return "app"
        if self.account is not None and not self.account.allowed:
            return "account"
        return None


class QuotaExceeded(Exception):
    """A call a quota window refused; `scope` is ``app`` or ``account``, `charge` the whole bill."""

    def __init__(self, charge: Charge) -> None:
        self.scope = charge.refused_scope or "app"
        self.charge = charge
        denied = charge.app if self.scope == "app" else charge.account
        self.retry_after_s = denied.retry_after_s if denied is not None else 0.0
        super().__init__(f"{self.scope} quota exceeded; retry in {self.retry_after_s:.0f} s")


def parse_rules(rules: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[RateLimitItem]]]:
    """Parse rate strings, raising ValueError naming the first bad one."""
    parsed: dict[str, dict[str, list[RateLimitItem]]] = {}
    for platform, kinds in rules.items():
        for kind, texts in kinds.items():
            try:
                parsed.setdefault(platform, {})[kind] = parse_many(";".join(texts)) if texts else []
            except ValueError:
                raise ValueError(
                    f"limits.{platform}.{kind}: {texts!r} is not a list of rates like '10/second'"
                ) from None
    return parsed


class LimitEngine:
    def __init__(self, rules: dict[str, dict[str, list[str]]] | None = None) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, dict[str, list[RateLimitItem]]] = parse_rules(DEFAULT_RULES)
        self._storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self.rejections: Counter[tuple[str, str]] = Counter()
        self.app_calls = AppCallMeter()
        if rules:
            self.configure(rules)

    def configure(self, rules: dict[str, dict[str, list[str]]]) -> None:
        """Replace the rules of the platform/kind pairs given (others keep theirs); windows restart."""
        parsed = parse_rules(rules)
        with self._lock:
            for platform, kinds in parsed.items():
                self._rules.setdefault(platform, {}).update(kinds)
            self._storage.reset()

    def hit(self, platform: str, scope_key: str, cost: int = 1) -> Decision:
        items = self._items(platform, scope_key)
        with self._lock:
            if scope_key == "app":
                self.app_calls.record(platform)
            if all(self._limiter.test(item, platform, scope_key, cost=cost) for item in items):
                for item in items:
                    self._limiter.hit(item, platform, scope_key, cost=cost)
                return Decision(True, self._usage(items, platform, scope_key), 0.0)
            self.rejections[(platform, scope_key.split(":")[0])] += 1
            retry_after = max(
                self._limiter.get_window_stats(item, platform, scope_key).reset_time - time.time()
                for item in items
                if not self._limiter.test(item, platform, scope_key, cost=cost)
            )
            return Decision(False, max(100.0, self._usage(items, platform, scope_key)), max(0.0, retry_after))

    def charge(self, platform: str, account_id: str | None = None, cost: int = 1) -> Charge:
        """Bill one API call to the app and, when it names one, to the account; raise QuotaExceeded
        when a window is full. The account is not billed once the app window refused the call."""
        app = self.hit(platform, "app", cost)
        charge = Charge(app)
        if app.allowed and account_id is not None:
            charge = Charge(app, self.hit(platform, f"account:{account_id}", cost))
        if charge.refused_scope is not None:
            raise QuotaExceeded(charge)
        return charge

    def usage(self, platform: str, scope_key: str) -> float:
        """Percentage of the fullest window of the scope in use right now (for usage headers)."""
        items = self._items(platform, scope_key)
        with self._lock:
            return self._usage(items, platform, scope_key)

    def rejection_counts(self) -> dict[str, Any]:
        counts: dict[str, dict[str, int]] = {}
        for (platform, kind), n in self.rejections.items():
            counts.setdefault(platform, {})[kind] = n
        return counts

    def app_call_counts(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return self.app_calls.counts()

    def reset(self) -> None:
        with self._lock:
            self._storage.reset()
            self.rejections.clear()
            self.app_calls.reset()

    def _items(self, platform: str, scope_key: str) -> list[RateLimitItem]:
        return self._rules.get(platform, {}).get(scope_key.split(":")[0], [])

    def _usage(self, items: list[RateLimitItem], platform: str, scope_key: str) -> float:
        fullest = 0.0
        for item in items:
            remaining = self._limiter.get_window_stats(item, platform, scope_key).remaining
            fullest = max(fullest, 100.0 * (item.amount - remaining) / item.amount)
        return round(fullest, 2)
