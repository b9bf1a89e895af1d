"""TikTok's answer to a full quota (reference §4.2): HTTP 200 with code 40100 (the app) or 40133
(an advertiser), no headers, and after a per-minute refusal a lockout of about five minutes.

The windows themselves are the core's (`SandboxContext.open_account`, `LimitEngine`); this module
only decides which TikTok error a refusal is and holds the lockout. A refusal that clears within a
second came from a per-second window (QPS: "App reaches the QPS limit.", retry at once); a longer one
from a minute or longer window (QPM/QPD), which restricts the app for `tiktok_qpm_lockout_seconds`
(default 300) or until that window has room, whichever is later. During the lockout every call is
refused before it reaches the windows.

The lockout lives in the core's limit storage as a marker window (kind ``qpm_lockout``), so whatever
starts the windows afresh ends it too: a sandbox reset, or a new ``limits`` setting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from limits import parse

from ads_kit.sandbox.limits import DEFAULT_RULES, LimitEngine, QuotaExceeded
from ads_kit.sandbox.tiktok.errors import TikTokError, advertiser_qps_limit, app_qps_limit, app_restricted

DEFAULT_LOCKOUT_S = 300.0
MARKER = "qpm_lockout"
# One hit fills it; it only says "a lockout was started since the last reset".
MARKER_RULE = ["1/1000 days"]


class Throttle:
    def __init__(
        self, platform: str, limits: LimitEngine, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.platform = platform
        self.limits = limits
        self._clock = clock
        self._until = 0.0
        limits.configure({platform: {MARKER: MARKER_RULE}})

    def start_lockout(self, seconds: float) -> None:
        if self.limits.usage(self.platform, MARKER) < 100:
            self.limits.hit(self.platform, MARKER)
        self._until = max(self._until, self._clock() + seconds)

    def locked(self) -> bool:
        if self._until <= self._clock():
            return False
        if self.limits.usage(self.platform, MARKER) < 100:  # the windows were reset since
            self._until = 0.0
            return False
        return True

    def refusal(
        self, exceeded: QuotaExceeded, app_id: str, account_id: str, lockout_s: float, rules: dict
    ) -> TikTokError:
        """The TikTok error for a quota refusal; a per-minute-or-longer app refusal starts the lockout."""
        if exceeded.scope == "account":
            limit = _per_second(rules, self.platform)
            return advertiser_qps_limit(account_id, limit + 1, limit)
        if exceeded.retry_after_s <= 1.0:
            return app_qps_limit()
        self.start_lockout(max(lockout_s, exceeded.retry_after_s))
        return app_restricted(app_id)


def _per_second(rules: dict, platform: str) -> int:
    """The advertiser window's size for the 40133 message: the configured account rule (else the
    core's default), as requests per second."""
    texts = (rules.get(platform) or {}).get("account") or DEFAULT_RULES[platform]["account"]
    item = parse(texts[0])
    return max(1, round(item.amount / item.get_expiry()))
