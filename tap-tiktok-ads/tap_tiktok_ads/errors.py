"""TikTok's error table: a return code (in an HTTP 200 body, or a gateway status) -> the suite's
error classes (reference §4.1, §4.2, §9).

TikTok answers almost everything with HTTP 200 and says what happened in the body's ``code``; a
gateway in front of it answers 5xx with an HTML page. Rate limits carry no headers: "App reaches the
QPS limit." clears within a second, while "requests from App [...] are temporarily restricted"
(a per-minute or per-day refusal) restricts the app for about five minutes, so the wait announced to
the shared limiter is the lockout, paused once for every worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

QPM_LOCKOUT_S = 300.0
"""§4.2: "QPM exceeded -> suspend ~5 minutes"."""
QPS_WAIT_S = 1.0
RESTRICTED_TEXT = "temporarily restricted"
QUOTA_CODES = frozenset({40016, 40100, 40132, 40133})
RETRYABLE_CODES = frozenset({40200, 40201, 40202, 40700, 50000, 50002, 51001, 51305, 60001})
REAUTH_CODES = frozenset({40102, 40104, 40105, 40106})
SKIP_CODES = frozenset({40001, 40007, 40118, 40125, 40300, 40301})
SHRINK_CODES = frozenset({40067})
TASK_NOT_READY = 40201
# Fatal codes that a setting fixes, and which one.
SETTINGS = {
    40101: "secret",
    40110: "access_token",
    40113: "app_id",
    40006: "api_version",
    40051: "api_version",
}


def classify(http_status: int | None, body: Any, qpm_lockout_s: float = QPM_LOCKOUT_S) -> Classified:
    """Classify one failed answer: ``body`` is the decoded envelope, or the text of a gateway page."""
    if not isinstance(body, Mapping) or "code" not in body:
        # A gateway (HTML 504) or a body cut short: no TikTok envelope. A 4xx page is a wrong host or path.
        transient = http_status is None or http_status >= 500 or http_status in (200, 429)
        error_class = ErrorClass.RETRYABLE if transient else ErrorClass.FATAL_CONFIG
        setting = None if transient else "api_base_url"
        return Classified(
            error_class, f"HTTP {http_status}", "answer without a TikTok envelope", setting=setting
        )
    code = _as_int(body.get("code"))
    message = one_line(str(body.get("message") or "no message"))
    text = f"{code}"
    if code in QUOTA_CODES:
        restricted = code == 40100 and RESTRICTED_TEXT in message
        return Classified(
            ErrorClass.QUOTA,
            text,
            message,
            retry_after_s=qpm_lockout_s if restricted else QPS_WAIT_S,
            scope=Scope.ACCOUNT if code in (40133, 40132) else Scope.APP,
        )
    if code in RETRYABLE_CODES:
        return Classified(ErrorClass.RETRYABLE, text, message)
    if code in REAUTH_CODES:
        return Classified(ErrorClass.REAUTH, text, message)
    if code in SKIP_CODES:
        return Classified(ErrorClass.SKIP_ACCOUNT, text, message, scope=Scope.ACCOUNT)
    if code in SHRINK_CODES:
        return Classified(ErrorClass.SHRINK, text, message)
    return Classified(ErrorClass.FATAL_CONFIG, text, message, setting=_setting(code, message))


def _setting(code: int | None, message: str) -> str:
    if code in SETTINGS:
        return SETTINGS[code]
    lowered = message.lower()
    if "dimension" in lowered:
        return "custom_reports.dimensions"
    if "metric" in lowered:
        return "custom_reports.metrics"
    if "time range" in lowered or "start date" in lowered or "start_date" in lowered:
        return "date_range"
    return "api_base_url"


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
