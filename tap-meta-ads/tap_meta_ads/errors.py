"""Meta's error table: an error body (and HTTP status) -> one of the suite's error classes.

Every code of the reference's table (§5.2, Meta's error references) has a deliberate rule in `TABLE`;
subcodes and messages (reduce the amount of data, a transient summary-param glitch, "missing
permissions") refine it in `_rule`. Real bodies: tests/fixtures/meta/error_*.json.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ads_kit.resilience.code_table import CodeTable, Rule, as_int, fatal, quota, reauth, retry, shrink, skip
from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

TABLE = CodeTable(
    {
        **dict.fromkeys((1, 2, 960, 2601, -2), retry()),  # unknown, service, batch, adreport job, job failed
        3: fatal("access_token"),  # the app lacks the capability: no account can be read
        **dict.fromkeys((4, 341), quota(Scope.APP)),  # app request limits
        **dict.fromkeys((17, 32, 613, range(80000, 80015)), quota(Scope.ACCOUNT)),  # user/page/custom/BUC
        **dict.fromkeys((10, 803, range(200, 300)), skip()),  # no permission on, or no such, account
        100: Rule(ErrorClass.FATAL_CONFIG),  # invalid parameter: the message names the setting
        (100, 33): skip(),  # object missing or not permitted
        (100, 2446289): skip(Scope.STREAM),  # an incomplete ad creative: that stream only
        **dict.fromkeys((102, 190), reauth()),  # session / access token
        368: fatal("access_token"),  # the user behind the token is blocked for policy violations
        2635: fatal("api_version"),  # deprecated version
    }
)
# Insights subcodes (Ads Insights API error table, v25+), whatever their code: too much data, timeouts.
SHRINK_SUBCODES = frozenset({1487534, 1504018, 1504038})
BAD_REPORT_SUBCODES = frozenset({1504041, 1504042})
REDUCE_DATA_TEXT = "reduce the amount of data"
SUMMARY_PARAM_TEXT = "in summary param"
_LATEST_VERSION = re.compile(r"latest version:\s*(v\d+\.\d+)")
# "(#100) Tried accessing nonexisting field (x) on node type (y)";
# "(#100) x, y are not valid for fields param"
_NONEXISTING_FIELD = re.compile(r"nonexisting field \((\w+)\)")
_INVALID_FIELDS = re.compile(r"\(#100\) ([\w, ]+?) (?:is|are) not valid for fields param")


def suggested_version(message: str) -> str | None:
    """The version a #2635 "deprecated version" error message names as the latest."""
    if "#2635" not in message:
        return None
    match = _LATEST_VERSION.search(message)
    return match.group(1) if match else None


def rejected_field(message: str) -> str | None:
    """The first field a #100 "nonexisting field" / "not valid for fields param" error names."""
    match = _NONEXISTING_FIELD.search(message) or _INVALID_FIELDS.search(message)
    return match.group(1).split(",")[0].strip() if match else None


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
    code = as_int(error.get("code"))
    subcode = as_int(error.get("error_subcode"))
    code_text = f"{code}/{subcode}" if subcode is not None else str(code)
    message = one_line(error.get("message") or "no message")
    if error.get("error_user_msg"):
        message = one_line(f"{message} ({error['error_user_msg']})")
    rule = _rule(http_status, code, subcode, error)
    setting = rule.setting or _setting(subcode, message)
    return Classified(
        rule.error_class,
        code_text,
        message,
        retry_after_s=retry_after_s or None,
        scope=rule.scope,
        setting=setting if rule.error_class is ErrorClass.FATAL_CONFIG else None,
    )


def _setting(subcode: int | None, message: str) -> str:
    """The config key a fatal error asks the user to change."""
    lowered = message.lower()
    if "appsecret_proof" in lowered:
        return "app_secret"
    if "breakdown" in lowered or subcode == 1504041:
        return "breakdowns"
    if "attribution" in lowered:
        return "action_attribution_windows"
    if "time range" in lowered or "start date" in lowered:
        return "date_range"
    return "metrics"


def _rule(http_status: int | None, code: int | None, subcode: int | None, error: Mapping) -> Rule:
    text = str(error.get("message", "")).lower()
    rule = TABLE.rule(code, subcode)
    if rule is not None and rule.error_class in (
        ErrorClass.REAUTH,
        ErrorClass.QUOTA,
        ErrorClass.SKIP_ACCOUNT,
    ):
        return rule
    if subcode in SHRINK_SUBCODES or REDUCE_DATA_TEXT in text:
        return shrink()
    if subcode in BAD_REPORT_SUBCODES:
        return Rule(ErrorClass.FATAL_CONFIG)
    if code == 100 and "missing permission" in text:
        return skip()
    if code == 100 and SUMMARY_PARAM_TEXT in text:
        return retry()  # Meta's own transient glitch when fetching async results (retried by every peer)
    # Code 1 with Meta's explicit "not transient" and a user title is a permanent condition of the
    # object (e.g. 1/2853001 "profile is not linked to delegate page").
    if code == 1 and error.get("is_transient") is False and error.get("error_user_title"):
        return skip()
    if rule is not None:
        return rule
    if error.get("is_transient") or (http_status is not None and http_status >= 500):
        return retry()
    return Rule(ErrorClass.FATAL_CONFIG)
