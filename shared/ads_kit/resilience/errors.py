"""Error classes every platform maps its failures onto, and the exceptions the taps act on.

A platform supplies a classifier `(exception) -> Classified | None`; the retry runner (`retry.py`)
turns the class into an action. Every exception here renders as one redacted line that names the
setting, account, stream or field concerned, because that line is all a user sees.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ads_kit.redaction import redact


class ErrorClass(enum.StrEnum):
    """What to do about a failed request (values match `unified_dead_letters.error_class`)."""

    RETRYABLE = "retryable"  # transient: back off and retry
    QUOTA = "quota"  # throttled: wait (server delay if given), tell the limiter, retry
    REAUTH = "reauth"  # token rejected: refresh once, then retry
    SKIP_ACCOUNT = "skip_account"  # no permission / disabled account: skip it, keep the others
    SHRINK = "shrink"  # request too large: the caller splits it
    FATAL_CONFIG = "fatal_config"  # bad field, bad query, bad setting: stop and tell the user


class Scope(enum.StrEnum):
    """Whose quota a throttle signal is about; for SKIP_ACCOUNT, what is skipped (STREAM: only the
    stream that met the refusal, e.g. a token without the scope of one endpoint)."""

    APP = "app"
    ACCOUNT = "account"
    STREAM = "stream"


@dataclass(frozen=True)
class Classified:
    """A platform's verdict on one failure.

    `code` is the platform's own code as text ("80004/2446079", "RESOURCE_EXHAUSTED", "40100");
    `setting` names the config key or field to fix for FATAL_CONFIG; `scope` says whether a QUOTA
    verdict concerns the whole app or one account.
    """

    error_class: ErrorClass
    code: str
    message: str
    retry_after_s: float | None = None
    scope: Scope = Scope.APP
    setting: str | None = None


def account_failure(exc: Exception) -> str | None:
    """Why `exc` blocks one account only (no permission, or credentials still rejected after a
    renewal), or None when it concerns more than that account."""
    if isinstance(exc, AccountSkipped):
        return exc.reason
    if isinstance(exc, RequestFailed) and exc.classified.error_class is ErrorClass.REAUTH:
        return f"{exc.classified.code}: {exc.classified.message}"
    return None


def one_line(text: object) -> str:
    """Collapse `text` to one redacted line: platform messages often carry newlines and tokens."""
    return redact(" ".join(str(text).split()))


class ResilienceError(Exception):
    """Base of the errors raised by `ads_kit.resilience`; str() is one redacted line."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class ConfigError(ResilienceError):
    """A setting or requested field the platform rejects; retrying cannot help."""

    def __init__(self, setting: str, message: str) -> None:
        self.setting = setting
        super().__init__(f"{setting}: {message}")


def config_error(exc: Exception) -> ConfigError:
    """The ConfigError of a ``<setting>: <message>`` error (a ValueError from a settings check)."""
    if isinstance(exc, ConfigError):
        return exc
    setting, _, message = str(exc).partition(": ")
    return ConfigError(setting, message) if message else ConfigError("config", setting)


class AccountSkipped(ResilienceError):
    """This account cannot be read (no permission, disabled); the tap skips it and goes on."""

    def __init__(self, account: str | None, reason: str, *, stream_only: bool = False) -> None:
        self.account = account
        self.reason = one_line(reason)
        self.stream_only = stream_only  # the account's other streams go on
        super().__init__(f"account {account or '?'} skipped: {reason}")


class ShrinkRequired(ResilienceError):
    """The request asks for too much data; the caller splits it (dates, objects, fields)."""

    def __init__(self, what: str, reason: str) -> None:
        self.what = what
        super().__init__(f"{what}: too much data requested, split it: {reason}")


class RequestFailed(ResilienceError):
    """A request that failed for good after retries (or whose server-given wait exceeds the budget)."""

    def __init__(self, what: str, classified: Classified, attempts: int, reason: str) -> None:
        self.what = what
        self.classified = classified
        self.attempts = attempts
        super().__init__(
            f"{what}: {reason} after {attempts} attempt(s): "
            f"{classified.error_class} {classified.code}: {classified.message}"
        )
