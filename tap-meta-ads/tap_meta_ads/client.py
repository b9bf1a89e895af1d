"""The Meta transport: the official SDK session pointed at ``api_base_url`` as the call, Meta's error
table (``errors.py``) and usage headers (``usage.py``) as its throttle signals, and cursor paging.
Retries, limits, re-auth, version switches and redaction are ``ads_kit.tap.transport``'s.

The token travels in the ``Authorization`` header instead of the SDK's default query parameter so
it never appears in a URL (URLs end up in exception texts and proxy logs).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from ads_kit.resilience.errors import Classified, ConfigError, ShrinkRequired
from ads_kit.resilience.ratelimit import ThrottleSignal
from ads_kit.tap.transport import HttpFailure, Response, Transport
from tap_meta_ads.errors import classify, suggested_version
from tap_meta_ads.usage import parse_usage

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_TIMEOUT_S = 60.0
PAGE_SIZE = 500
# Halving stops here: Meta's own default page size.
MIN_PAGE_SIZE = 25


class MetaClient(Transport):
    platform = "meta_ads"
    host_setting = "api_base_url"

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        app_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        **shared: Any,
    ) -> None:
        super().__init__(**shared)
        self._app_secret = app_secret
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._api: tuple[str, str, FacebookAdsApi] | None = None  # (token, version, session)

    def _session(self, token: str) -> FacebookAdsApi:
        """The SDK session of this token and version (rebuilt after a renewal or a version switch)."""
        version = self.versions.version
        if self._api is None or self._api[:2] != (token, version):
            session = FacebookSession(access_token=token, app_secret=self._app_secret, timeout=self._timeout)
            session.GRAPH = self._base_url  # instance attribute: the class default stays graph.facebook.com
            session.requests.params.pop("access_token", None)  # appsecret_proof stays: it is a hash
            session.requests.headers["Authorization"] = f"Bearer {token}"
            # Constructed directly, never through FacebookAdsApi.init: init installs a crash reporter
            # that posts tracebacks to the real graph.
            self._api = (token, version, FacebookAdsApi(session, api_version=version))
        return self._api[2]

    def send(self, method: str, path: str, params: dict[str, Any], token: str) -> Response:
        try:
            answer = self._session(token).call(method, tuple(path.strip("/").split("/")), params=params)
        except FacebookRequestError as exc:
            raise HttpFailure(exc.http_status(), dict(exc.http_headers() or {}), exc.body()) from None
        status, headers = answer.status(), dict(answer.headers() or {})
        if status is not None and status >= 400:
            # The SDK takes any non-JSON body for a success whatever the status (a proxy's plain-text
            # 404); the status decides, so the error table sees it.
            raise HttpFailure(status, headers, answer.body())
        return Response(status, headers, answer.body())

    def url(self, path: str, params: Mapping[str, Any]) -> str:
        """The Graph URL as sent, but for the token (a header) and appsecret_proof the session adds."""
        return f"{self._base_url}/{self.versions.version}/{super().url(path.strip('/'), params)}"

    def classify(self, status: int | None, body: Any, retry_after_s: float | None) -> Classified:
        return classify(status, body, retry_after_s)

    def throttle(self, headers: Mapping[str, str]) -> ThrottleSignal:
        return parse_usage(headers)

    def named_version(self, error: Exception) -> str | None:
        """A #2635 "deprecated version" answer names the version to use."""
        if isinstance(error, ConfigError) and error.setting == "api_version":
            return suggested_version(str(error))
        return None

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
