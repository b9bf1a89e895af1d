"""Run one request with retries decided by the platform's classifier, on `backoff`.

Exponential backoff with full jitter (scaled by `backoff_multiplier`), server-given delays honoured,
at most `max_retries` retries and `max_wait_seconds` of waiting in total. Each retry is logged once
with its reason. REAUTH calls the `reauthenticate` hook once; QUOTA also tells the limiter so every
worker waits; SKIP_ACCOUNT, SHRINK and FATAL_CONFIG raise at once. A grant that cannot be renewed for
one account (`ReauthenticationRequired` naming it) skips that account like SKIP_ACCOUNT.

`backoff` is the module singer-sdk already installs (python-backoff); it is never declared here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import backoff

from ads_kit.resilience.errors import (
    AccountSkipped,
    Classified,
    ConfigError,
    ErrorClass,
    RequestFailed,
    Scope,
    ShrinkRequired,
    one_line,
)
from ads_kit.resilience.ratelimit import Priority, RateLimiter, RateLimitSettings, ThrottleSignal

log = logging.getLogger(__name__)

T = TypeVar("T")

Classifier = Callable[[BaseException], Classified | None]
"""Maps a failure to its class; None means "not an API failure" and the exception propagates as is."""

_RETRIED = frozenset({ErrorClass.RETRYABLE, ErrorClass.QUOTA, ErrorClass.REAUTH})


class ThrottleObserver(Protocol):
    def observe(self, account: str, endpoint: str, signal: ThrottleSignal) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_multiplier: float = 1.0
    max_wait_seconds: float = 900.0
    # One backoff step never exceeds this, whatever the attempt number.
    max_backoff_s: float = 300.0

    @classmethod
    def from_settings(cls, settings: RateLimitSettings) -> RetryPolicy:
        return cls(settings.max_retries, settings.backoff_multiplier, settings.max_wait_seconds)


@dataclass(frozen=True)
class Target:
    """What a request is about, for limiter keys and messages: "meta account 123 insights"."""

    platform: str
    account: str
    endpoint: str
    stream: str | None = None

    def describe(self) -> str:
        stream = f" stream {self.stream}" if self.stream else ""
        return f"{self.platform} account {self.account}{stream} ({self.endpoint})"


def _no_wait() -> Generator[float, Any, None]:
    """backoff's own wait: always zero, because the wait runs through the caller's `sleep` (backoff
    sleeps with `time.sleep`, which neither tests nor the limiter's clock can stand in for)."""
    while True:
        yield 0.0


class _Attempts:
    """State of one call_with_retries(): classifications, the next wait, whether re-auth was spent."""

    def __init__(self, classify: Classifier, policy: RetryPolicy, target: Target, can_reauth: bool) -> None:
        self.classify = classify
        self.policy = policy
        self.target = target
        self.verdicts: dict[int, Classified | None] = {}
        self.can_reauth = can_reauth
        self.reauthenticated = False
        self.stop_reason = ""
        self.tries = 0
        self.waited = 0.0
        self.upcoming = 0.0
        # Steps advance once per retry, so attempt n's ceiling is multiplier * 2^(n-1) (capped)
        # whether or not earlier retries waited a server-given delay instead.
        self._steps = backoff.expo(factor=policy.backoff_multiplier, max_value=policy.max_backoff_s)
        next(self._steps)  # expo's first value is the priming 0

    def verdict(self, exc: BaseException) -> Classified | None:
        if id(exc) not in self.verdicts:
            self.verdicts[id(exc)] = self.classify(exc)
        return self.verdicts[id(exc)]

    def give_up(self, exc: BaseException) -> bool:
        """backoff's `giveup`: decides retry or not and, when retrying, the wait that follows."""
        self.tries += 1
        verdict = self.verdict(exc)
        if verdict is None or verdict.error_class not in _RETRIED:
            return True
        if verdict.error_class is ErrorClass.REAUTH and (self.reauthenticated or not self.can_reauth):
            again = " again after re-authentication" if self.reauthenticated else ""
            self.stop_reason = f"credentials rejected{again}"
            return True
        step = next(self._steps)
        if verdict.error_class is ErrorClass.REAUTH:
            self.upcoming = 0.0
        elif verdict.retry_after_s is not None:
            self.upcoming = float(verdict.retry_after_s)
        else:
            self.upcoming = backoff.full_jitter(step)
        if self.tries > self.policy.max_retries:
            self.stop_reason = f"retries exhausted (rate_limiting.max_retries={self.policy.max_retries})"
        elif self.waited + self.upcoming > self.policy.max_wait_seconds:
            self.stop_reason = (
                f"waiting {self.upcoming:.0f} s more would exceed "
                f"rate_limiting.max_wait_seconds={self.policy.max_wait_seconds:g}"
            )
        return bool(self.stop_reason)

    def log_retry(self, verdict: Classified) -> None:
        log.warning(
            "%s: %s %s, retry %d/%d in %.1f s: %s",
            self.target.describe(),
            verdict.error_class,
            verdict.code,
            self.tries,
            self.policy.max_retries,
            self.upcoming,
            one_line(verdict.message),
        )


def call_with_retries(
    request: Callable[[], T],
    *,
    classify: Classifier,
    policy: RetryPolicy,
    target: Target,
    limiter: RateLimiter | None = None,
    priority: Priority = Priority.RECENT,
    observer: ThrottleObserver | None = None,
    reauthenticate: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `request()` (inside `limiter.acquire` when given) until it succeeds or fails for good.

    Raises AccountSkipped, ShrinkRequired, ConfigError for those classes and RequestFailed when
    retries or the wait budget run out; exceptions the classifier does not know propagate unchanged,
    except `ReauthenticationRequired` for one account (from the token provider or the
    `reauthenticate` hook), which becomes AccountSkipped for that account.
    `observer` defaults to the limiter: QUOTA verdicts pause its scope for every worker.
    """
    attempts = _Attempts(classify, policy, target, can_reauth=reauthenticate is not None)
    observer = observer or limiter

    def tell_observer(verdict: Classified, wait: float) -> None:
        if verdict.error_class is ErrorClass.QUOTA and observer is not None:
            observer.observe(
                target.account, target.endpoint, ThrottleSignal(retry_after_s=wait, scope=verdict.scope)
            )

    def attempt() -> T:
        if limiter is None:
            return request()
        with limiter.acquire(target.account, target.endpoint, priority):
            return request()

    def before_sleep(details: Any) -> None:
        verdict = attempts.verdict(details["exception"])
        assert verdict is not None  # only classified failures are retried
        attempts.log_retry(verdict)
        tell_observer(verdict, attempts.upcoming)
        if verdict.error_class is ErrorClass.REAUTH and reauthenticate is not None:
            attempts.reauthenticated = True
            reauthenticate()
        sleep(attempts.upcoming)
        attempts.waited += attempts.upcoming

    try:
        for retry in backoff.retry_context(
            Exception,
            _no_wait,
            jitter=None,
            giveup=attempts.give_up,
            on_backoff=before_sleep,
            raise_on_giveup=True,
            logger=None,  # each retry is logged once, by log_retry
        ):
            with retry:
                return attempt()
    except Exception as exc:
        skipped = _account_access_lost(exc)
        if skipped is not None:
            raise skipped from None
        verdict = attempts.verdict(exc)
        if verdict is None:
            raise
        # A server delay beyond the budget (Google's daily quota) still holds back the other workers.
        tell_observer(verdict, attempts.upcoming)
        raise _final_error(verdict, attempts, max(attempts.tries, 1)) from exc
    raise AssertionError("backoff.retry_context ended without an answer or an error")  # unreachable


def _account_access_lost(exc: BaseException) -> AccountSkipped | None:
    """AccountSkipped when the grant cannot be renewed for one account; None otherwise (a grant
    lost for every account propagates: nothing else can be read either)."""
    from ads_kit.auth.errors import ReauthenticationRequired  # here: ads_kit.auth retries through us

    if isinstance(exc, ReauthenticationRequired) and exc.account is not None:
        return AccountSkipped(exc.account, str(exc))
    return None


def _final_error(verdict: Classified, attempts: _Attempts, tried: int) -> Exception:
    what = attempts.target.describe()
    match verdict.error_class:
        case ErrorClass.SKIP_ACCOUNT:
            reason = f"{verdict.code}: {verdict.message}"
            return AccountSkipped(attempts.target.account, reason, stream_only=verdict.scope is Scope.STREAM)
        case ErrorClass.SHRINK:
            return ShrinkRequired(what, f"{verdict.code}: {verdict.message}")
        case ErrorClass.FATAL_CONFIG:
            setting = verdict.setting or f"{attempts.target.platform} request"
            return ConfigError(setting, f"{verdict.code}: {verdict.message} ({what})")
    return RequestFailed(what, verdict, tried, attempts.stop_reason)
