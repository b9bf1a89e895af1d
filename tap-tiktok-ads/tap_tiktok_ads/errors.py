"""TikTok's error table: a return code (in an HTTP 200 body, or a gateway status) -> the suite's
error classes (reference §4.1 "Appendix - Return Codes", §4.2, §9).

TikTok answers almost everything with HTTP 200 and says what happened in the body's ``code``; a
gateway in front of it answers 5xx with an HTML page. Every documented code has a deliberate rule in
`TABLE`; a code outside it is a fatal error naming the setting its message points at.

Rate limits carry no headers (§4.2): "App reaches the QPS limit." clears within a second; "requests
from App [...] are temporarily restricted" is a per-minute refusal that restricts the app for about
five minutes, or, met again right after such a lockout, the daily quota, which resets at 00:00 UTC.
Both waits are announced to the shared limiter, so every worker pauses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ads_kit import clock
from ads_kit.resilience.code_table import CodeTable, fatal, quota, reauth, retry, shrink, skip
from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

QPM_LOCKOUT_S = 300.0
"""§4.2: "QPM exceeded -> suspend ~5 minutes"."""
QPS_WAIT_S = 1.0
RESTRICTED_TEXT = "temporarily restricted"
PARTIAL_SUCCESS = 20001  # §4.1: "Partially successful": read as success, with a warning

TABLE = CodeTable(
    {
        40000: fatal("advertiser_ids"),  # the real message: "cannot parse the account ID" (zh-CN)
        # "No permission to perform operation": this endpoint's scope; naming the advertiser, all of it.
        40001: skip(Scope.STREAM),
        40002: fatal("custom_reports"),  # parameter error; the message names the field
        40006: fatal("api_version"),
        40007: skip(Scope.STREAM),  # "Object does not exist" (a pixel, an audience, an expired task)
        # Not supported in the sandbox / sandbox account missing / wrong domain: the host is wrong.
        **dict.fromkeys((40008, 40009, 40010, 40013, 40014), fatal("api_base_url")),
        40011: fatal("advertiser_ids"),  # too many ids in one request
        40016: quota(),  # too frequent, app and endpoint
        40050: retry(),  # duplicated request: reads are idempotent, the duplicate window passes
        40051: fatal("api_version"),
        40067: shrink(),  # "query too large": a smaller window
        40100: quota(),
        40101: fatal("secret"),  # app_id/secret mismatch
        **dict.fromkeys((40102, 40104, 40105, 40106), reauth()),
        # Refresh token / grant type / auth_code: the Marketing API token is long-lived (§5).
        **dict.fromkeys((40103, 40107, 40108, 40110, 40115), fatal("access_token")),
        40113: fatal("app_id"),  # app blocked or non-existent
        40118: skip(Scope.STREAM),  # not allow-listed for a feature
        40119: skip(),  # developer and advertiser not of the same company
        40125: skip(Scope.STREAM),  # developer lacks the scope
        40132: quota(Scope.ACCOUNT),  # QPS limit of one field value
        40133: quota(Scope.ACCOUNT),  # advertiser-level QPS limit
        **dict.fromkeys((40200, 40201, 40202, 40700), retry()),  # task error / not ready / conflict
        **dict.fromkeys((40300, 40301), skip()),  # advertiser does not exist / cannot be matched
        41000: fatal("api_base_url"),  # the client's IP is in a banned country
        41001: fatal("api_version"),  # interface offline
        41002: fatal("custom_reports"),  # fields no longer in use
        range(50000, 60000): retry(),  # system errors, internal timeouts, service errors
        60001: retry(),  # maintenance
    }
)


def classify(
    http_status: int | None,
    body: Any,
    qpm_lockout_s: float = QPM_LOCKOUT_S,
    *,
    after_lockout: bool = False,
    now: datetime | None = None,
) -> Classified:
    """Classify one failed answer: ``body`` is the decoded envelope, or the text of a gateway page.
    ``after_lockout``: the previous answer was a restriction, waited out; another one is the daily quota."""
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
    rule = TABLE.rule(code) or fatal(_setting(message))
    if code == 40001 and "advertiser" in message.lower():
        rule = skip()  # "advertiser X doesn't exist or has been deleted", "no permission to ... advertiser"
    if code == 40001 and "too frequently" in message.lower():
        rule = quota()  # the wording singer-io's tests give 40001
    wait = None
    if rule.error_class is ErrorClass.QUOTA:
        wait = QPS_WAIT_S
        if code == 40100 and RESTRICTED_TEXT in message:
            wait = _until_midnight_utc(now) if after_lockout else qpm_lockout_s
    setting = rule.setting
    if code in (40002, 41002) and rule.error_class is ErrorClass.FATAL_CONFIG:
        setting = _setting(message)
    return Classified(rule.error_class, str(code), message, wait, rule.scope, setting)


def _until_midnight_utc(now: datetime | None) -> float:
    """§4.2: "QPD exceeded -> wait until 00:00:00 UTC"."""
    moment = (now or clock.now()).astimezone(UTC)
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), UTC)
    return (midnight - moment).total_seconds()


def _setting(message: str) -> str:
    lowered = message.lower()
    if "time range" in lowered or "start date" in lowered or "start_date" in lowered:
        return "date_range"
    if "dimension" in lowered:
        return "custom_reports.dimensions"
    if "metric" in lowered:
        return "custom_reports.metrics"
    return "custom_reports"


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
