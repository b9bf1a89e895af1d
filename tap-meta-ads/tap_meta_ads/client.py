"""The one transport every Meta call goes through: the official SDK session pointed at
``api_base_url``, the shared rate limiter, usage-header throttling, Meta's error table, retries,
token refresh and served-version detection.

The token travels in the ``Authorization`` header instead of the SDK's default query parameter so
it never appears in a URL (URLs end up in exception texts and proxy logs).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

import requests
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from ads_kit.auth.provider import TokenProvider
from ads_kit.resilience.errors import Classified, ConfigError, ErrorClass, Scope, ShrinkRequired
from ads_kit.resilience.ratelimit import Priority, RateLimiter, ThrottleSignal
from ads_kit.resilience.retry import RetryPolicy, Target, call_with_retries
from ads_kit.resilience.versions import VersionPolicy
from tap_meta_ads.errors import classify, suggested_version
from tap_meta_ads.usage import parse_usage

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_TIMEOUT_S = 60.0
PAGE_SIZE = 500
# Halving stops here: Meta's own default page size.
MIN_PAGE_SIZE = 25
APP_SCOPE = "app"

logger = logging.getLogger("tap_meta_ads.client")


class MetaApiError(Exception):
    """One failed attempt, already classified; ``call_with_retries`` decides what happens next."""

    def __init__(self, classified: Classified, *, path: str) -> None:
        self.classified = classified
        self.path = path
        super().__init__(f"Meta {classified.error_class} {classified.code} on {path}: {classified.message}")


class MetaClient:
    def __init__(
        self,
        *,
        tokens: TokenProvider,
        versions: VersionPolicy,
        base_url: str = DEFAULT_BASE_URL,
        app_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.versions = versions
        self.calls = 0
        self._tokens = tokens
        self._token = tokens.access_token()
        self._app_secret = app_secret
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._policy = policy or RetryPolicy()
        self._limiter = limiter
        self._sleep = sleep
        self._api = self._build_api()

    def _build_api(self) -> FacebookAdsApi:
        token = self._token
        session = FacebookSession(access_token=token, app_secret=self._app_secret, timeout=self._timeout)
        session.GRAPH = self._base_url  # instance attribute: the class default stays graph.facebook.com
        session.requests.params.pop("access_token", None)  # appsecret_proof stays: it is a hash
        session.requests.headers["Authorization"] = f"Bearer {token}"
        # Constructed directly, never through FacebookAdsApi.init: init installs a crash reporter
        # that posts tracebacks to the real graph.
        return FacebookAdsApi(session, api_version=self.versions.version)

    def get(self, path: str, params: Mapping[str, Any] | None = None, **target: Any) -> dict[str, Any]:
        return self.request("GET", path, params, **target)

    def post(self, path: str, params: Mapping[str, Any] | None = None, **target: Any) -> dict[str, Any]:
        return self.request("POST", path, params, **target)

    def pages(
        self, path: str, params: Mapping[str, Any] | None = None, **target: Any
    ) -> Iterator[list[dict[str, Any]]]:
        """Cursor-paged edge: yields each page's ``data``; follows ``after`` while ``next`` exists.

        "Please reduce the amount of data" halves the page size and asks for the same page again.
        """
        page_params = {"limit": PAGE_SIZE, **(params or {})}
        while True:
            try:
                body = self.get(path, page_params, **target)
            except ShrinkRequired:
                if page_params["limit"] <= MIN_PAGE_SIZE:
                    raise
                page_params = {**page_params, "limit": max(MIN_PAGE_SIZE, page_params["limit"] // 2)}
                continue
            yield list(body.get("data") or [])
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not (after and paging.get("next")):
                return
            page_params = {**page_params, "after": after}

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str = APP_SCOPE,
        endpoint: str = "objects",
        stream: str | None = None,
        priority: Priority = Priority.RECENT,
    ) -> dict[str, Any]:
        """One logical call with retries; raises the ``ads_kit.resilience`` errors on final failure.

        A #2635 "deprecated version" answer names the version to use: switch to it once and retry.
        """
        try:
            return self._request(method, path, params, account, endpoint, stream, priority)
        except ConfigError as exc:
            newer = suggested_version(str(exc))
            if exc.setting != "api_version" or not newer or newer == self.versions.version:
                raise
            logger.warning(
                "Meta rejected API %s as deprecated; switching to %s", self.versions.version, newer
            )
            self.versions.version = newer
            self._api = self._build_api()
            return self._request(method, path, params, account, endpoint, stream, priority)

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        account: str,
        endpoint: str,
        stream: str | None,
        priority: Priority,
    ) -> dict[str, Any]:
        return call_with_retries(
            lambda: self._call_once(method, path, dict(params or {}), account, endpoint),
            classify=_classified,
            policy=self._policy,
            target=Target("meta", account, endpoint, stream),
            limiter=self._limiter,
            priority=priority,
            reauthenticate=lambda: self._tokens.invalidate(None if account == APP_SCOPE else account),
            sleep=self._sleep,
        )

    def _call_once(
        self, method: str, path: str, params: dict[str, Any], account: str, endpoint: str
    ) -> dict[str, Any]:
        self.calls += 1
        token = self._tokens.access_token(None if account == APP_SCOPE else account)
        if token != self._token:  # renewed (before expiry, or after Meta rejected the old one)
            self._token = token
            self._api = self._build_api()
        try:
            response = self._api.call(method, tuple(path.strip("/").split("/")), params=params)
        except FacebookRequestError as exc:
            headers = dict(exc.http_headers() or {})
            usage = self._observe(headers, account, endpoint)
            classified = classify(exc.http_status(), exc.body(), usage.regain_after_s)
            raise MetaApiError(classified, path=path) from None
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            # The exception text holds the URL; the class name is all a user needs.
            failure = Classified(ErrorClass.RETRYABLE, "network", f"network failure ({type(exc).__name__})")
            raise MetaApiError(failure, path=path) from None
        self._observe(dict(response.headers() or {}), account, endpoint)
        try:
            body = json.loads(response.body(), parse_float=Decimal)
        except ValueError:
            status = f"HTTP {response.status()}"
            raise MetaApiError(
                Classified(ErrorClass.RETRYABLE, status, "body is not complete JSON"), path=path
            ) from None
        return body if isinstance(body, dict) else {"data": body}

    def _observe(self, headers: Mapping[str, str], account: str, endpoint: str) -> ThrottleSignal:
        self.versions.check_served(headers)
        signal = replace(parse_usage(headers), scope=Scope.APP if account == APP_SCOPE else Scope.ACCOUNT)
        if self._limiter is not None and (signal.usage_pct or signal.regain_after_s):
            self._limiter.observe(account, endpoint, signal)
        return signal


def _classified(exc: BaseException) -> Classified | None:
    return exc.classified if isinstance(exc, MetaApiError) else None
