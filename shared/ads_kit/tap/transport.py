"""The request layer a platform's transport is built on.

A platform supplies its call (``send``: one attempt, an error answer raised as ``HttpFailure``), its
error table (``classify``: an error answer -> ``ads_kit.resilience`` class) and its throttle signals
(``throttle``: usage headers -> ``ThrottleSignal``). Everything else is here, once: retries with
backoff (``call_with_retries``), the shared rate limiter, re-authentication after a rejected token,
network failures and truncated bodies as retryable (but a host never reached this run as the
fault of the setting naming it, ``host_setting``, at once), header observation (throttle signals to the
limiter, the served API version), field names as the API version spells them, and a switch of API
version when the platform says the one in use is gone (``VersionPolicy.call``). Failures leave as
the one-line, redacted ``ads_kit.resilience.errors`` exceptions.

Every attempt can be logged on the ``ads_kit.http`` logger at DEBUG (method, redacted URL, status,
duration, attempt, bytes, a truncated redacted body): on when that logger is at DEBUG, or with the
``log_requests`` setting, which lowers only that logger (``log_requests=True`` here).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests

from ads_kit.auth.provider import TokenProvider
from ads_kit.redaction import redact
from ads_kit.resilience.errors import Classified, ErrorClass, Scope
from ads_kit.resilience.network import never_connected
from ads_kit.resilience.ratelimit import Priority, RateLimiter, ThrottleSignal, requested_priority
from ads_kit.resilience.retry import RetryPolicy, Target, call_with_retries
from ads_kit.resilience.versions import VersionPolicy
from ads_kit.tap.progress import Progress

APP_SCOPE = "app"
"""The ``account`` of a request that concerns no account (the app's own quota)."""
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)

http_log = logging.getLogger("ads_kit.http")
"""One logger for the requests of every tap, so one setting (or logger level) shows them all."""
LOGGED_BODY_CHARS = 500
"""How much of a body a request log line shows: enough to recognise an answer, never a whole page."""


@dataclass(frozen=True)
class Response:
    status: int | None
    headers: Mapping[str, str]
    body: str | bytes | Any
    """The body text (decoded here, Decimals for numbers), or an already decoded body."""


class HttpFailure(Exception):
    """An error answer, raised by a platform's ``send`` for ``classify`` to judge."""

    def __init__(self, status: int | None, headers: Mapping[str, str], body: Any) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        super().__init__(f"HTTP {status}")


class AttemptFailed(Exception):
    """One failed attempt, already classified; ``call_with_retries`` decides what happens next."""

    def __init__(self, classified: Classified, *, platform: str, path: str) -> None:
        self.classified = classified
        super().__init__(
            f"{platform} {classified.error_class} {classified.code} on {path}: {classified.message}"
        )


class Transport:
    platform: ClassVar[str]
    host_setting: ClassVar[str | None] = None
    """The setting naming the API host (Meta: ``api_base_url``). A host that has not answered once
    this run and refuses the connection is that setting's fault: fail at once, never retry for
    minutes. Once it has answered, a network failure is a glitch and retried."""

    def __init__(
        self,
        *,
        tokens: TokenProvider,
        versions: VersionPolicy,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log_requests: bool = False,
        progress: Progress | None = None,
    ) -> None:
        if log_requests:
            # Only this logger: the rest of the tap keeps its log level.
            http_log.setLevel(logging.DEBUG)
        self.tokens = tokens
        self.versions = versions
        self.policy = policy or RetryPolicy()
        self.limiter = limiter
        self.sleep = sleep
        self.progress = progress
        self.calls = 0
        self.reached = False

    # -- what a platform supplies -----------------------------------------------------------------

    def send(self, method: str, path: str, params: dict[str, Any], token: str) -> Response:
        """One attempt with this access token, at ``self.versions.version``."""
        raise NotImplementedError

    def classify(self, status: int | None, body: Any, retry_after_s: float | None) -> Classified:
        """The platform's error table; ``retry_after_s`` is its own wait hint from the same answer."""
        raise NotImplementedError

    def throttle(self, headers: Mapping[str, str]) -> ThrottleSignal:
        """How close to its quota the platform says we are (usage headers)."""
        return ThrottleSignal()

    def url(self, path: str, params: Mapping[str, Any]) -> str:
        """What the request log shows as the URL of a request (the platform adds its host)."""
        query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        return f"{path}?{query}" if query else path

    def named_version(self, error: Exception) -> str | bool | None:
        """After a request failed for good: the API version the platform says to use instead, True to
        fall back to the previous live version, None when the failure is not about the version."""
        return None

    # -- shared -----------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None, **target: Any) -> dict[str, Any]:
        return self.request("GET", path, params, **target)

    def post(self, path: str, params: Mapping[str, Any] | None = None, **target: Any) -> dict[str, Any]:
        return self.request("POST", path, params, **target)

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str = APP_SCOPE,
        endpoint: str = "objects",
        stream: str | None = None,
        priority: Priority | None = None,
    ) -> dict[str, Any]:
        """One logical call with retries; raises the ``ads_kit.resilience`` errors on final failure.
        ``priority`` defaults to that of the days being read (recent, or backfill for old windows)."""
        owner = None if account == APP_SCOPE else account
        attempts = itertools.count(1)  # numbers the attempts of this call, across version switches

        def with_retries(version: str) -> dict[str, Any]:
            return call_with_retries(
                lambda: self._attempt(method, path, dict(params or {}), account, endpoint, next(attempts)),
                classify=_classified,
                policy=self.policy,
                target=Target(self.platform, account, endpoint, stream),
                limiter=self.limiter,
                priority=priority if priority is not None else requested_priority(),
                reauthenticate=lambda: self.tokens.invalidate(owner),
                sleep=self.sleep,
            )

        return self.versions.call(with_retries, self.named_version)

    def _attempt(
        self, method: str, path: str, params: dict[str, Any], account: str, endpoint: str, attempt: int = 1
    ) -> dict[str, Any]:
        self.calls += 1
        if self.progress is not None:
            self.progress.request(attempt)
        if "fields" in params:
            params["fields"] = self.versions.fields(params["fields"])
        token = self.tokens.access_token(None if account == APP_SCOPE else account)
        logged = (
            _RequestLog(self, method, path, params, attempt) if http_log.isEnabledFor(logging.DEBUG) else None
        )
        try:
            response = self.send(method, path, params, token)
        except HttpFailure as failure:
            self.reached = True
            if logged:
                logged.done(failure.status, failure.body)
            signal = self._observe(failure.headers, account, endpoint)
            verdict = self.classify(failure.status, failure.body, signal.regain_after_s)
            if verdict.error_class is ErrorClass.QUOTA and self.progress is not None:
                self.progress.quota_answer()
            raise AttemptFailed(verdict, platform=self.platform, path=path) from None
        except NETWORK_ERRORS as exc:
            if logged:
                logged.done(None, None, type(exc).__name__)
            raise AttemptFailed(
                self._network_verdict(exc, path, params), platform=self.platform, path=path
            ) from None
        self.reached = True
        if logged:
            logged.done(response.status, response.body)
        self._observe(response.headers, account, endpoint)
        body = response.body
        if isinstance(body, str | bytes):
            try:
                body = json.loads(body, parse_float=Decimal)
            except ValueError:
                verdict = Classified(
                    ErrorClass.RETRYABLE, f"HTTP {response.status}", "body is not complete JSON"
                )
                raise AttemptFailed(verdict, platform=self.platform, path=path) from None
        return body if isinstance(body, dict) else {"data": body}

    def _network_verdict(self, exc: Exception, path: str, params: Mapping[str, Any]) -> Classified:
        # The exception text holds the URL with its query; the host and the class name suffice.
        if self.host_setting and not self.reached and never_connected(exc):
            host = urlsplit(self.url(path, params))
            return Classified(
                ErrorClass.FATAL_CONFIG,
                "network",
                f"cannot reach {host.scheme}://{host.netloc} ({type(exc).__name__})",
                setting=self.host_setting,
            )
        return Classified(ErrorClass.RETRYABLE, "network", f"network failure ({type(exc).__name__})")

    def _observe(self, headers: Mapping[str, str], account: str, endpoint: str) -> ThrottleSignal:
        self.versions.check_served(headers)
        scope = Scope.APP if account == APP_SCOPE else Scope.ACCOUNT
        signal = replace(self.throttle(headers), scope=scope)
        if self.limiter is not None and (signal.usage_pct or signal.regain_after_s):
            self.limiter.observe(account, endpoint, signal)
        return signal


class _RequestLog:
    """The DEBUG line of one attempt; built only when the ``ads_kit.http`` logger is at DEBUG."""

    def __init__(
        self, transport: Transport, method: str, path: str, params: Mapping[str, Any], attempt: int
    ) -> None:
        self.what = f"{transport.platform} {method} {redact(transport.url(path, params))}"
        self.attempt = attempt
        self.started = time.monotonic()

    def done(self, status: int | None, body: Any, failure: str | None = None) -> None:
        elapsed_ms = (time.monotonic() - self.started) * 1000
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        if not isinstance(text, str):
            text = "" if text is None else json.dumps(text, default=str)
        # Redacted whole, then cut: a cut first could leave half a secret no pattern recognises.
        shown = redact(text)
        if len(shown) > LOGGED_BODY_CHARS:
            shown = f"{shown[:LOGGED_BODY_CHARS]}... ({len(shown) - LOGGED_BODY_CHARS} more chars)"
        http_log.debug(
            "%s status=%s duration_ms=%.1f attempt=%d bytes=%d body=%s",
            self.what,
            failure or status,
            elapsed_ms,
            self.attempt,
            len(text.encode("utf-8")),
            shown.replace("\n", " "),
        )


def _classified(exc: BaseException) -> Classified | None:
    return exc.classified if isinstance(exc, AttemptFailed) else None
