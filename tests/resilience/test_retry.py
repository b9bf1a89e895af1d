"""Retry runner: each error class's behaviour, server delays, budgets, logging and redaction."""

from __future__ import annotations

import logging

import pytest

from ads_kit.auth.errors import ReauthenticationRequired
from ads_kit.resilience import (
    AccountSkipped,
    Classified,
    ConfigError,
    ErrorClass,
    RateLimiter,
    RequestFailed,
    RetryPolicy,
    Scope,
    ShrinkRequired,
    Target,
    ThrottleSignal,
    call_with_retries,
)


class PlatformError(Exception):
    """What a platform transport raises: the parsed error body."""

    def __init__(self, body: dict) -> None:
        super().__init__(str(body))
        self.body = body


def classify_google(exc: BaseException) -> Classified | None:
    """The Google REST quota rule, as a tap would write it (google-ads-api.md §4.4)."""
    if not isinstance(exc, PlatformError):
        return None
    failure = exc.body["error"]["details"][0]["errors"][0]
    delay = failure["details"]["quotaErrorDetails"]["retryDelay"]
    return Classified(
        ErrorClass.QUOTA, failure["errorCode"]["quotaError"], failure["message"], float(delay[:-1])
    )


def classify_tiktok(exc: BaseException) -> Classified | None:
    """TikTok 40100: app QPM exceeded, about five minutes of lockout (tiktok-marketing-api.md §4.2)."""
    if isinstance(exc, PlatformError) and exc.body.get("code") == 40100:
        return Classified(ErrorClass.QUOTA, "40100", exc.body["message"], retry_after_s=300.0)
    return None


class Observer:
    def __init__(self) -> None:
        self.signals: list[tuple[str, str, ThrottleSignal]] = []

    def observe(self, account: str, endpoint: str, signal: ThrottleSignal) -> None:
        self.signals.append((account, endpoint, signal))


class Script:
    """A request that raises the given exceptions in turn, then returns "ok"."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def verdicts(*classes: Classified):
    """A classifier answering from a list (one verdict per raised exception)."""
    queue = list(classes)
    return lambda exc: queue.pop(0)


TARGET = Target("meta_ads", "123", "insights", "unified_ad_performance")
TRANSIENT = Classified(ErrorClass.RETRYABLE, "2", "(#2) Service temporarily unavailable")


def test_retryable_errors_back_off_with_full_jitter_within_the_cap(sleeps, caplog):
    request = Script(PlatformError({}), PlatformError({}), PlatformError({}))
    policy = RetryPolicy(max_retries=5, backoff_multiplier=2.0)
    with caplog.at_level(logging.WARNING):
        result = call_with_retries(
            request,
            classify=verdicts(TRANSIENT, TRANSIENT, TRANSIENT),
            policy=policy,
            target=TARGET,
            sleep=sleeps,
        )
    assert result == "ok" and request.calls == 4
    assert len(sleeps.waits) == 3
    # Full jitter: attempt n waits between 0 and multiplier * 2^(n-1).
    for attempt, wait in enumerate(sleeps.waits, 1):
        assert 0 <= wait <= 2.0 * 2 ** (attempt - 1)
    retry_lines = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retry_lines) == 3  # logged once per retry
    assert "meta_ads account 123 stream unified_ad_performance (insights)" in retry_lines[0]
    assert "retryable 2, retry 1/5" in retry_lines[0] and "retry 3/5" in retry_lines[2]


def test_backoff_multiplier_zero_retries_without_waiting(sleeps):
    request = Script(PlatformError({}), PlatformError({}))
    call_with_retries(
        request,
        classify=verdicts(TRANSIENT, TRANSIENT),
        policy=RetryPolicy(max_retries=3, backoff_multiplier=0.0),
        target=TARGET,
        sleep=sleeps,
    )
    assert sleeps.waits == [0.0, 0.0]


def test_retries_exhausted_raise_one_line_naming_the_setting(sleeps):
    request = Script(*[PlatformError({}) for _ in range(10)])
    with pytest.raises(RequestFailed) as caught:
        call_with_retries(
            request,
            classify=lambda exc: TRANSIENT,
            policy=RetryPolicy(max_retries=2),
            target=TARGET,
            sleep=sleeps,
        )
    assert request.calls == 3 and caught.value.attempts == 3
    message = str(caught.value)
    assert "\n" not in message
    assert "rate_limiting.max_retries=2" in message and "account 123" in message


def test_tiktok_40100_waits_the_lockout_and_tells_the_limiter(sleeps, fixture_payload):
    body = fixture_payload("tiktok/error_40100_qps_limit.json")
    observer = Observer()
    request = Script(PlatformError(body))
    target = Target("tiktok_ads", "7000", "report")
    result = call_with_retries(
        request,
        classify=classify_tiktok,
        policy=RetryPolicy(),
        target=target,
        observer=observer,
        sleep=sleeps,
    )
    assert result == "ok"
    assert sleeps.waits == [300.0]  # the server's delay, not a backoff guess
    assert observer.signals == [("7000", "report", ThrottleSignal(retry_after_s=300.0, scope=Scope.APP))]


def test_google_daily_quota_fails_fast_when_the_delay_exceeds_the_budget(sleeps, fixture_payload):
    body = fixture_payload("google_ads/error_429_resource_exhausted_quota_retrydelay.json")
    observer = Observer()
    request = Script(PlatformError(body))
    with pytest.raises(RequestFailed) as caught:
        call_with_retries(
            request,
            classify=classify_google,
            policy=RetryPolicy(max_wait_seconds=900),
            target=Target("google_ads", "1234567890", "search"),
            observer=observer,
            sleep=sleeps,
        )
    assert sleeps.waits == [] and request.calls == 1
    assert "rate_limiting.max_wait_seconds=900" in str(caught.value)
    assert caught.value.classified.code == "RESOURCE_EXHAUSTED"
    # Other workers must not spend the same quota: the limiter still hears about it.
    assert observer.signals[0][2].retry_after_s == 40591.0


def test_total_wait_budget_stops_a_run_of_backoffs(sleeps):
    quota = Classified(ErrorClass.QUOTA, "17", "User request limit reached", retry_after_s=40.0)
    request = Script(*[PlatformError({}) for _ in range(10)])
    with pytest.raises(RequestFailed):
        call_with_retries(
            request,
            classify=lambda exc: quota,
            policy=RetryPolicy(max_retries=10, max_wait_seconds=100),
            target=TARGET,
            sleep=sleeps,
        )
    assert sleeps.waits == [40.0, 40.0]  # a third 40 s wait would pass 100 s


def test_reauth_refreshes_once_then_retries(sleeps):
    refreshed = []
    rejected = Classified(ErrorClass.REAUTH, "190/463", "Error validating access token: Session has expired")
    request = Script(PlatformError({}))
    result = call_with_retries(
        request,
        classify=verdicts(rejected),
        policy=RetryPolicy(),
        target=TARGET,
        reauthenticate=lambda: refreshed.append(True),
        sleep=sleeps,
    )
    assert result == "ok" and refreshed == [True] and sleeps.waits == [0.0]


def test_reauth_rejected_twice_fails_without_a_second_refresh(sleeps):
    refreshed = []
    rejected = Classified(ErrorClass.REAUTH, "40105", "Access token is incorrect or has been revoked.")
    request = Script(PlatformError({}), PlatformError({}), PlatformError({}))
    with pytest.raises(RequestFailed) as caught:
        call_with_retries(
            request,
            classify=lambda exc: rejected,
            policy=RetryPolicy(),
            target=TARGET,
            reauthenticate=lambda: refreshed.append(True),
            sleep=sleeps,
        )
    assert refreshed == [True] and request.calls == 2
    assert "again after re-authentication" in str(caught.value)


def test_reauth_without_a_refresh_hook_fails_at_once(sleeps):
    rejected = Classified(ErrorClass.REAUTH, "190", "Invalid OAuth access token")
    request = Script(PlatformError({}))
    with pytest.raises(RequestFailed, match="credentials rejected"):
        call_with_retries(
            request, classify=lambda exc: rejected, policy=RetryPolicy(), target=TARGET, sleep=sleeps
        )
    assert request.calls == 1


def test_skip_account_raises_account_skipped_for_that_account(sleeps):
    denied = Classified(ErrorClass.SKIP_ACCOUNT, "USER_PERMISSION_DENIED", "User doesn't have permission")
    with pytest.raises(AccountSkipped) as caught:
        call_with_retries(
            Script(PlatformError({})),
            classify=lambda exc: denied,
            policy=RetryPolicy(),
            target=Target("google_ads", "555", "search"),
            sleep=sleeps,
        )
    assert caught.value.account == "555" and "USER_PERMISSION_DENIED" in str(caught.value)
    assert sleeps.waits == []


def test_shrink_raises_shrink_required(sleeps):
    too_big = Classified(ErrorClass.SHRINK, "1", "Please reduce the amount of data you're asking for")
    with pytest.raises(ShrinkRequired, match="split it"):
        call_with_retries(
            Script(PlatformError({})),
            classify=lambda exc: too_big,
            policy=RetryPolicy(),
            target=TARGET,
            sleep=sleeps,
        )


def test_fatal_config_names_the_setting_and_hides_secrets(sleeps):
    bad_field = Classified(
        ErrorClass.FATAL_CONFIG,
        "100",
        "(#100) Tried accessing nonexisting field (spend_x)\n"
        "request: GET /v26.0/act_1/insights?access_token=EAABsecretsecretsecret12345",
        setting="insights_fields",
    )
    with pytest.raises(ConfigError) as caught:
        call_with_retries(
            Script(PlatformError({})),
            classify=lambda exc: bad_field,
            policy=RetryPolicy(),
            target=TARGET,
            sleep=sleeps,
        )
    message = str(caught.value)
    assert message.startswith("insights_fields: 100: (#100) Tried accessing nonexisting field (spend_x)")
    assert "\n" not in message and "EAABsecret" not in message
    assert caught.value.setting == "insights_fields"


def test_unclassified_exceptions_propagate_unchanged(sleeps):
    with pytest.raises(KeyError):
        call_with_retries(
            Script(KeyError("x")), classify=lambda exc: None, policy=RetryPolicy(), target=TARGET
        )


def test_quota_verdicts_pause_the_limiter_for_every_worker(sleeps, fixture_payload):
    body = fixture_payload("google_ads/error_429_resource_exhausted_quota_retrydelay.json")
    limiter = RateLimiter.from_config("google_ads", "dev-token", {}, sleep=sleeps)
    with pytest.raises(RequestFailed):
        call_with_retries(
            Script(PlatformError(body)),
            classify=classify_google,
            policy=RetryPolicy(),
            target=Target("google_ads", "1234567890", "search"),
            limiter=limiter,
            sleep=sleeps,
        )
    # DEVELOPER scope: the whole app waits, whichever account asks next.
    assert 40000 < limiter.paused_for("another-account") <= 40591


def test_a_grant_lost_for_one_account_skips_that_account_in_one_line(sleeps):
    def renewal_refused():
        raise ReauthenticationRequired("meta_ads", "123")

    rejected = Classified(ErrorClass.REAUTH, "190/460", "The session has been invalidated")
    with pytest.raises(AccountSkipped) as caught:
        call_with_retries(
            Script(PlatformError({})),
            classify=lambda exc: rejected,
            policy=RetryPolicy(),
            target=TARGET,
            reauthenticate=renewal_refused,
            sleep=sleeps,
        )
    assert caught.value.account == "123"
    assert str(caught.value) == (
        "account 123 skipped: meta_ads: access for account 123 was revoked or expired; "
        "run `ads-auth login meta_ads` again"
    )


def test_a_grant_lost_for_every_account_still_stops_the_run(sleeps):
    def token_for_nobody():
        raise ReauthenticationRequired("meta")

    with pytest.raises(ReauthenticationRequired):
        call_with_retries(token_for_nobody, classify=lambda exc: None, policy=RetryPolicy(), target=TARGET)
