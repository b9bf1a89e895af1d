"""Meta's quota answers: the client waits the time Meta says it takes to regain access."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from ads_kit.auth.provider import TokenProvider
from ads_kit.resilience.errors import Scope
from ads_kit.resilience.ratelimit import Priority, ThrottleSignal
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import VersionPolicy
from ads_kit.sandbox.client import SandboxClient
from tap_meta_ads.client import MetaClient


class RecordingLimiter:
    """Lets every request go and keeps what the client tells it about quota."""

    def __init__(self) -> None:
        self.signals: list[tuple[str, ThrottleSignal]] = []

    @contextmanager
    def acquire(self, account: str, endpoint: str, priority: Priority) -> Iterator[None]:
        yield

    def observe(self, account: str, endpoint: str, signal: ThrottleSignal) -> None:
        self.signals.append((account, signal))


def test_the_regain_time_meta_announces_is_waited_and_pauses_the_account(sandbox_meta: SandboxClient) -> None:
    sandbox_meta.settings(meta_quota_regain_minutes=1)
    meta = sandbox_meta.platform("meta")
    account = meta["accounts"][0]
    sandbox_meta.add_fault(
        {
            "platform": "meta",
            "route": "ad_account",
            "kind": "error",
            "name": "rate_limit_account",
            "calls": [1],
        }
    )
    waits: list[float] = []
    limiter = RecordingLimiter()
    client = MetaClient(
        tokens=TokenProvider.from_config("meta_ads", {"access_token": meta["access_token"]}),
        versions=VersionPolicy("meta_ads", None, datetime.now(UTC).date()),
        base_url=meta["base_url"],
        policy=RetryPolicy(max_retries=2),
        limiter=limiter,  # type: ignore[arg-type]
        sleep=waits.append,
    )
    node = client.get(f"act_{account}", {"fields": "currency"}, account=account)
    assert node["currency"]
    assert waits == [60.0]  # "estimated_time_to_regain_access": 1 (minute), not a short backoff
    paused = [s for a, s in limiter.signals if a == account and s.scope is Scope.ACCOUNT and s.regain_after_s]
    assert [s.regain_after_s for s in paused] == [60.0]
