"""Run one request with retries decided by the platform's classifier, on `tenacity`.

Exponential backoff with full jitter (scaled by `backoff_multiplier`), server-given delays honoured,
at most `max_retries` retries and `max_wait_seconds` of waiting in total. Each retry is logged once
with its reason. REAUTH calls the `reauthenticate` hook once; QUOTA also tells the limiter so every
worker waits; SKIP_ACCOUNT, SHRINK and FATAL_CONFIG raise at once. A grant that cannot be renewed for
one account (`ReauthenticationRequired` naming it) skips that account like SKIP_ACCOUNT.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, wait_random_exponential

from ads_kit.resilience.errors import (
    AccountSkipped,
    Classified,
    ConfigError,
    ErrorClass,
    RequestFailed,
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


class _Attempts:
    """State of one call_with_retries(): classifications and whether re-auth was spent."""

    def __init__(self, classify: Classifier, policy: RetryPolicy, target: Target, can_reauth: bool) -> None:
        self.classify = classify
        self.policy = policy
        self.target = target
        self.verdicts: dict[int, Classified | None] = {}
        self.can_reauth = can_reauth
        self.reauthenticated = False
        self.stop_reason = ""
        self.last_wait = 0.0
        self._backoff = wait_random_exponential(
            multiplier=policy.backoff_multiplier, max=policy.max_backoff_s
        )

    def verdict(self, exc: BaseException) -> Classified | None:
        if id(exc) not in self.verdicts:
            self.verdicts[id(exc)] = self.classify(exc)
        return self.verdicts[id(exc)]

    def should_retry(self, exc: BaseException) -> bool:
        verdict = self.verdict(exc)
        if verdict is None or verdict.error_class not in _RETRIED:
            return False
        if verdict.error_class is ErrorClass.REAUTH and (self.reauthenticated or not self.can_reauth):
            again = " again after re-authentication" if self.reauthenticated else ""
            self.stop_reason = f"credentials rejected{again}"
            return False
        return True

    def wait(self, state: RetryCallState) -> float:
        verdict = self.verdict_of(state)
        if verdict.error_class is ErrorClass.REAUTH:
            wait = 0.0
        elif verdict.retry_after_s is not None:
            wait = float(verdict.retry_after_s)
        else:
            wait = self._backoff(state)
        self.last_wait = wait
        return wait

    def stop(self, state: RetryCallState) -> bool:
        if state.attempt_number > self.policy.max_retries:
            self.stop_reason = f"retries exhausted (rate_limiting.max_retries={self.policy.max_retries})"
        elif state.idle_for + state.upcoming_sleep > self.policy.max_wait_seconds:
            self.stop_reason = (
                f"waiting {state.upcoming_sleep:.0f} s more would exceed "
                f"rate_limiting.max_wait_seconds={self.policy.max_wait_seconds:g}"
            )
        return bool(self.stop_reason)

    def verdict_of(self, state: RetryCallState) -> Classified:
        verdict = self.verdict(state.outcome.exception())  # type: ignore[union-attr, arg-type]
        assert verdict is not None  # only classified failures are retried
        return verdict

    def log_retry(self, state: RetryCallState) -> None:
        verdict = self.verdict_of(state)
        log.warning(
            "%s: %s %s, retry %d/%d in %.1f s: %s",
            self.target.describe(),
            verdict.error_class,
            verdict.code,
            state.attempt_number,
            self.policy.max_retries,
            state.upcoming_sleep,
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

    def before_sleep(state: RetryCallState) -> None:
        attempts.log_retry(state)
        verdict = attempts.verdict_of(state)
        tell_observer(verdict, state.upcoming_sleep)
        if verdict.error_class is ErrorClass.REAUTH and reauthenticate is not None:
            attempts.reauthenticated = True
            reauthenticate()

    retrying = Retrying(
        sleep=sleep,
        retry=retry_if_exception(attempts.should_retry),
        wait=attempts.wait,
        stop=attempts.stop,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except Exception as exc:
        skipped = _account_access_lost(exc)
        if skipped is not None:
            raise skipped from None
        verdict = attempts.verdict(exc)
        if verdict is None:
            raise
        # A server delay beyond the budget (Google's daily quota) still holds back the other workers.
        tell_observer(verdict, attempts.last_wait)
        tried = int(retrying.statistics.get("attempt_number", 1))
        raise _final_error(verdict, attempts, tried) from exc


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
            return AccountSkipped(attempts.target.account, f"{verdict.code}: {verdict.message}")
        case ErrorClass.SHRINK:
            return ShrinkRequired(what, f"{verdict.code}: {verdict.message}")
        case ErrorClass.FATAL_CONFIG:
            setting = verdict.setting or f"{attempts.target.platform} request"
            return ConfigError(setting, f"{verdict.code}: {verdict.message} ({what})")
    return RequestFailed(what, verdict, tried, attempts.stop_reason)
