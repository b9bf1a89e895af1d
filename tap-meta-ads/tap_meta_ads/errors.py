"""Meta's error table: an error body (and HTTP status) -> one of the suite's error classes.

The classes are ``ads_kit.resilience.errors.ErrorClass``; this module only knows which Meta codes
fall into which class.
Sources: Meta error-handling and rate-limiting references plus the real bodies in
tests/fixtures/meta/error_*.json.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

# Throttles: app (4), user (17), page (32), application (341), custom (613) and the Business Use
# Case family 80000-80014 (ads_insights, pages, instagram, custom_audience, ads_management ...).
QUOTA_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
APP_QUOTA_CODES = frozenset({4, 341})
PERMISSION_CODES = frozenset({3, 10, 368, 803, *range(200, 300)})
TOKEN_CODES = frozenset({102, 190})
# Insights subcodes (Ads Insights API error table, v25+).
SHRINK_SUBCODES = frozenset({1487534, 1504018, 1504038})
BAD_REPORT_SUBCODES = frozenset({1504041, 1504042})
ASYNC_REPORT_NOT_READY = 2601
BATCH_ABORTED = 960
ASYNC_REPORT_FAILED = -2
DEPRECATED_VERSION = 2635
REDUCE_DATA_TEXT = "reduce the amount of data"
SUMMARY_PARAM_TEXT = "in summary param"
_LATEST_VERSION = re.compile(r"latest version:\s*(v\d+\.\d+)")
# "(#100) Tried accessing nonexisting field (x) on node type (y)";
# "(#100) x, y are not valid for fields param"
_NONEXISTING_FIELD = re.compile(r"nonexisting field \((\w+)\)")
_INVALID_FIELDS = re.compile(r"\(#100\) ([\w, ]+?) (?:is|are) not valid for fields param")


def suggested_version(message: str) -> str | None:
    """The version a #2635 "deprecated version" error message names as the latest."""
    if f"#{DEPRECATED_VERSION}" not in message:
        return None
    match = _LATEST_VERSION.search(message)
    return match.group(1) if match else None


def rejected_field(message: str) -> str | None:
    """The first field a #100 "nonexisting field" / "not valid for fields param" error names."""
    match = _NONEXISTING_FIELD.search(message) or _INVALID_FIELDS.search(message)
    return match.group(1).split(",")[0].strip() if match else None


def _as_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) or str(value).lstrip("-").isdigit() else None


def classify(http_status: int | None, body: Any, retry_after_s: float | None = None) -> Classified:
    """Classify a failed response. ``body`` is the decoded JSON (or raw text when it was not JSON);
    ``retry_after_s`` is Meta's own wait hint read from the usage headers of the same response."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        # No Graph error envelope: a proxy or load balancer answered, or the body was cut short. Graph
        # wraps every answer to a request it understands, so a 4xx without one says the host is not Graph.
        code_text, text = f"HTTP {http_status}", "answer without a Graph error body"
        if http_status is None or http_status >= 500 or http_status == 429:
            return Classified(ErrorClass.RETRYABLE, code_text, text)
        return Classified(
            ErrorClass.FATAL_CONFIG, code_text, f"{text}; is it the Graph API host?", setting="api_base_url"
        )
    code = _as_int(error.get("code"))
    subcode = _as_int(error.get("error_subcode"))
    code_text = f"{code}/{subcode}" if subcode is not None else str(code)
    message = one_line(error.get("message") or "no message")
    if error.get("error_user_msg"):
        message = one_line(f"{message} ({error['error_user_msg']})")
    error_class = _error_class(http_status, code, subcode, error)
    return Classified(
        error_class,
        code_text,
        message,
        retry_after_s=retry_after_s or None,
        scope=Scope.APP if code in APP_QUOTA_CODES else Scope.ACCOUNT,
        setting=_setting(code, subcode, message) if error_class == ErrorClass.FATAL_CONFIG else None,
    )


def _setting(code: int | None, subcode: int | None, message: str) -> str:
    """The config key a fatal error asks the user to change."""
    lowered = message.lower()
    if code == DEPRECATED_VERSION:
        return "api_version"
    if "appsecret_proof" in lowered:
        return "app_secret"
    if "breakdown" in lowered or subcode == 1504041:
        return "breakdowns"
    if "attribution" in lowered:
        return "action_attribution_windows"
    if "time range" in lowered or "start date" in lowered:
        return "date_range"
    return "metrics"


def _error_class(
    http_status: int | None, code: int | None, subcode: int | None, error: Mapping
) -> ErrorClass:
    text = str(error.get("message", "")).lower()
    if code in TOKEN_CODES:
        return ErrorClass.REAUTH
    if code in QUOTA_CODES or subcode in {1504022, 1504039}:
        return ErrorClass.QUOTA
    if code in PERMISSION_CODES:
        return ErrorClass.SKIP_ACCOUNT
    if code == DEPRECATED_VERSION:
        return ErrorClass.FATAL_CONFIG
    if subcode in SHRINK_SUBCODES or REDUCE_DATA_TEXT in text:
        return ErrorClass.SHRINK
    if subcode in BAD_REPORT_SUBCODES:
        return ErrorClass.FATAL_CONFIG
    if code == 100:
        if subcode == 33 or "missing permission" in text:
            return ErrorClass.SKIP_ACCOUNT
        # Meta's own transient glitch when fetching async results (retried by every peer).
        return ErrorClass.RETRYABLE if SUMMARY_PARAM_TEXT in text else ErrorClass.FATAL_CONFIG
    if code in {1, 2, ASYNC_REPORT_NOT_READY, BATCH_ABORTED, ASYNC_REPORT_FAILED}:
        # Code 1 with Meta's explicit "not transient" and a user title is a permanent condition
        # of the object (e.g. 1/2853001 "profile is not linked to delegate page").
        if code == 1 and error.get("is_transient") is False and error.get("error_user_title"):
            return ErrorClass.SKIP_ACCOUNT
        return ErrorClass.RETRYABLE
    if error.get("is_transient") or (http_status is not None and http_status >= 500):
        return ErrorClass.RETRYABLE
    return ErrorClass.FATAL_CONFIG
