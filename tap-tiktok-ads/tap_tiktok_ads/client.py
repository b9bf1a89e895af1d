"""The TikTok transport: plain ``requests`` against ``api_base_url`` with the ``Access-Token``
header, TikTok's envelope and error table (``errors.py``), and page/page_size paging.
Retries, limits, re-auth and redaction are ``ads_kit.tap.transport``'s.

GET parameters that are lists or objects travel as JSON text in the query string (reference §1.5);
POST endpoints take a JSON body. Every API outcome is HTTP 200: a body whose ``code`` is not 0 is
raised as an ``HttpFailure`` so the error table judges it like a failed status.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import requests

from ads_kit.resilience.errors import Classified
from ads_kit.tap.transport import HttpFailure, Response, Transport
from tap_tiktok_ads.errors import PARTIAL_SUCCESS, QPM_LOCKOUT_S, classify

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://business-api.tiktok.com"
DEFAULT_TIMEOUT_S = 120.0
PAGE_SIZE = 1000  # §1.4: the cap of entity and report lists
# §3.6, §6.5: a synchronous report over an advertiser with 20,000 ads or more reads only the newest
# 20,000 and says so in this header, with code 0; report tasks are not truncated.
TRUNCATED_HEADER = "X-Tt-Ads-Throttle"


def query_value(value: Any) -> str:
    """A query parameter as TikTok reads it: strings as they are, anything else as JSON text."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


class TikTokClient(Transport):
    platform = "tiktok_ads"
    host_setting = "api_base_url"

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT_S,
        qpm_lockout_s: float = QPM_LOCKOUT_S,
        **shared: Any,
    ) -> None:
        super().__init__(**shared)
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._qpm_lockout_s = qpm_lockout_s
        self._session = requests.Session()
        # Whether this thread's last answer was a restriction (40100 "temporarily restricted"):
        # met again on the retry after the lockout, it is the daily quota (errors.py).
        self._restricted = threading.local()

    def _endpoint(self, path: str) -> str:
        return f"{self._base_url}/open_api/{self.versions.version}/{path.strip('/')}/"

    def send(self, method: str, path: str, params: dict[str, Any], token: str) -> Response:
        headers = {"Access-Token": token}
        if method == "GET":
            query = {k: query_value(v) for k, v in params.items() if v is not None}
            answer = self._session.get(
                self._endpoint(path), params=query, headers=headers, timeout=self._timeout
            )
        else:
            answer = self._session.post(
                self._endpoint(path), json=params, headers=headers, timeout=self._timeout
            )
        status, answer_headers = answer.status_code, dict(answer.headers)
        if TRUNCATED_HEADER in answer.headers:
            log.warning(
                "tiktok_ads advertiser %s: %s answered %r: the report leaves ads out; "
                "report_mode async reads it through report tasks, which are not truncated",
                params.get("advertiser_id"),
                path,
                answer.headers[TRUNCATED_HEADER],
            )
        if answer.headers.get("Content-Type", "").startswith("text/csv") and status == 200:
            return Response(status, answer_headers, {"csv": answer.text})  # a report task's file
        text = answer.text
        try:
            body = json.loads(text, parse_float=Decimal)
        except ValueError:
            if status >= 400:
                raise HttpFailure(status, answer_headers, text) from None
            return Response(status, answer_headers, text)  # cut short: the transport retries it
        code = body.get("code") if isinstance(body, dict) else None
        if status >= 400 or code not in (0, PARTIAL_SUCCESS):
            raise HttpFailure(status, answer_headers, body)
        if code == PARTIAL_SUCCESS:
            advertiser, message = params.get("advertiser_id"), body.get("message")
            log.warning("tiktok_ads advertiser %s: %s partly succeeded: %s", advertiser, path, message)
        self._restricted.last = False
        return Response(status, answer_headers, body)

    def url(self, path: str, params: Mapping[str, Any]) -> str:
        shown = {k: query_value(v) for k, v in params.items() if v is not None}
        return super().url(self._endpoint(path), shown)

    def classify(self, status: int | None, body: Any, retry_after_s: float | None) -> Classified:
        after_lockout = getattr(self._restricted, "last", False)
        verdict = classify(status, body, self._qpm_lockout_s, after_lockout=after_lockout)
        self._restricted.last = verdict.code == "40100" and verdict.retry_after_s == self._qpm_lockout_s
        return verdict

    def data(self, method: str, path: str, params: Mapping[str, Any], **target: Any) -> dict[str, Any]:
        """The ``data`` object of one call."""
        return dict(self.request(method, path, params, **target).get("data") or {})

    def pages(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        key: str = "list",
        page_size: int = PAGE_SIZE,
        **target: Any,
    ) -> Iterator[list[dict[str, Any]]]:
        """Each page's list; stops at ``page_info.total_page`` (a missing ``page_info`` is the last page)."""
        page = 1
        while True:
            data = self.data("GET", path, {**params, "page": page, "page_size": page_size}, **target)
            yield list(data.get(key) or [])
            info = data.get("page_info") or {}
            if page >= int(info.get("total_page") or 0):
                return
            page += 1
