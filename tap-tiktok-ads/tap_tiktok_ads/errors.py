"""TikTok's error table: a return code (in an HTTP 200 body, or a gateway status) -> the suite's
error classes (reference §4.1 "Appendix - Return Codes", §4.2, §9).

TikTok answers almost everything with HTTP 200 and a ``code`` in the body; a gateway in front of it
answers 5xx with an HTML page. Every documented code has a deliberate rule in `TABLE`; another code
is a fatal error naming the setting its message points at.

Rate limits carry no headers (§4.2): "App reaches the QPS limit." clears within a second; "requests
from App [...] are temporarily restricted" is a per-minute refusal that restricts the app for about
five minutes, or, met again right after such a lockout, the daily quota, which resets at 00:00 UTC.
Both waits are announced to the shared limiter, so every worker pauses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ads_kit import clock
from ads_kit.resilience.code_table import CodeTable, as_int, fatal, quota, reauth, retry, shrink, skip
from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

QPM_LOCKOUT_S = 300.0
"""§4.2: "QPM exceeded -> suspend ~5 minutes"."""
QPS_WAIT_S = 1.0
RESTRICTED_TEXT = "temporarily restricted"
NO_ENVELOPE = "answer without a TikTok envelope"
PARTIAL_SUCCESS = 20001  # §4.1: "Partially successful": read as success, with a warning

TABLE = CodeTable(
    {
        # The real 40000: "cannot parse the account ID" (zh-CN); 40011: too many ids in one request.
        **dict.fromkeys((40000, 40011), fatal("advertiser_ids")),
        # No permission for this endpoint (40001, a message naming the advertiser: all of it, below),
        # object missing (a pixel, an audience, an expired task), not allow-listed, no scope.
        **dict.fromkeys((40001, 40007, 40118, 40125), skip(Scope.STREAM)),
        **dict.fromkeys((40002, 41002), fatal("custom_reports")),  # a parameter; fields out of use
        **dict.fromkeys((40006, 40051, 41001), fatal("api_version")),  # version wrong or offline
        # Not in the sandbox / no sandbox account / wrong domain / the client's IP banned: the host.
        **dict.fromkeys((40008, 40009, 40010, 40013, 40014, 41000), fatal("api_base_url")),
        **dict.fromkeys((40016, 40100), quota()),  # the app's (and endpoint's) QPS/QPM/QPD
        **dict.fromkeys((40132, 40133), quota(Scope.ACCOUNT)),  # one advertiser's or field value's QPS
        40067: shrink(),  # "query too large": a smaller window
        40101: fatal("secret"),  # app_id/secret mismatch
        **dict.fromkeys((40102, 40104, 40105, 40106), reauth()),
        # Refresh token / grant type / auth_code: the Marketing API token is long-lived (§5).
        **dict.fromkeys((40103, 40107, 40108, 40110, 40115), fatal("access_token")),
        40113: fatal("app_id"),  # app blocked or non-existent
        # Advertiser of another company, missing, or not matched.
        **dict.fromkeys((40119, 40300, 40301), skip()),
        # Duplicated request (reads are idempotent), task error / not ready, write conflict,
        # internal validation, system errors and timeouts (5xxxx), maintenance.
        **dict.fromkeys((40050, 40200, 40201, 40202, 40700, 60001, range(50000, 60000)), retry()),
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
        text = f"HTTP {http_status}"
        if http_status is None or http_status >= 500 or http_status in (200, 429):
            return Classified(ErrorClass.RETRYABLE, text, NO_ENVELOPE)
        return Classified(ErrorClass.FATAL_CONFIG, text, NO_ENVELOPE, setting="api_base_url")
    code = as_int(body.get("code"))
    message = one_line(str(body.get("message") or "no message"))
    rule = TABLE.rule(code) or fatal(_setting(message))
    if code == 40001 and "advertiser" in message.lower():
        rule = skip()  # "advertiser X doesn't exist or has been deleted", "no permission to ... advertiser"
    if code == 40001 and "too frequently" in message.lower():
        rule = quota()  # the wording singer-io's tests give 40001
    wait = QPS_WAIT_S if rule.error_class is ErrorClass.QUOTA else None
    if code == 40100 and RESTRICTED_TEXT in message:
        wait = clock.seconds_to_utc_midnight(now) if after_lockout else qpm_lockout_s
    setting = _setting(message) if code in (40002, 41002) else rule.setting  # the message names the field
    return Classified(rule.error_class, str(code), message, wait, rule.scope, setting)


def _setting(message: str) -> str:
    lowered = message.lower()
    if "time range" in lowered or "start date" in lowered or "start_date" in lowered:
        return "date_range"
    named = [kind for kind in ("dimension", "metric") if kind in lowered]
    return f"custom_reports.{named[0]}s" if named else "custom_reports"
