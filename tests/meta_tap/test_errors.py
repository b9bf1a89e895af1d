"""Every code of Meta's error table (reference §5.2) and every real Meta error body maps to a
deliberate class, with one line a user can act on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from error_tables import assert_verdict

from ads_kit.resilience.errors import ErrorClass, Scope
from tap_meta_ads.errors import classify, rejected_field, suggested_version
from tap_meta_ads.usage import parse_usage

from .conftest import FIXTURES, payload

RETRY, QUOTA, REAUTH, SKIP, SHRINK, FATAL = (
    ErrorClass.RETRYABLE, ErrorClass.QUOTA, ErrorClass.REAUTH, ErrorClass.SKIP_ACCOUNT, ErrorClass.SHRINK,
    ErrorClass.FATAL_CONFIG,
)  # fmt: skip
APP, ACCOUNT, STREAM = Scope.APP, Scope.ACCOUNT, Scope.STREAM
# code, subcode, the reference line (§5.2 meaning/example), HTTP status, real body (else None: a body
# is made of the line), class, scope or (for FATAL_CONFIG) the setting named
REFERENCE_TABLE: list[tuple[int, int | None, str, int, str | None, ErrorClass, Scope | str]] = [
    (1, 99, "An unknown error occurred", 500, "error_1_99_unknown_500.json", RETRY, ACCOUNT),
    (1, None, "Please reduce the amount of data you're asking for, then retry your request", 500,
        "error_1_reduce_amount_of_data_real.json", SHRINK, ACCOUNT),
    (1, None, "Please reduce the amount of data (HTTP 500)", 500, "error_1_reduce_amount_of_data_500.json",
        SHRINK, ACCOUNT),
    (1, 2853001, "profile is not linked to delegate page (not transient, user title)", 400,
        "error_1_2853001_profile_not_linked.json", SKIP, ACCOUNT),
    (2, None, "Service temporarily unavailable", 400, "error_2_service_temporarily_unavailable.json", RETRY,
        ACCOUNT),
    (3, None, "API Method: capability/permission", 400, None, FATAL, "access_token"),
    (4, None, "App request limit reached", 400, "error_4_application_request_limit_real.json", QUOTA, APP),
    (4, 1504022, "App request limit reached (insights subcode)", 400, None, QUOTA, APP),
    (4, 1504039, "App request limit reached (insights subcode)", 400, None, QUOTA, APP),
    (10, None, "Application does not have permission for this action", 400, None, SKIP, ACCOUNT),
    (17, 2446079, "User request limit reached", 400, None, QUOTA, ACCOUNT),
    (32, None, "Page request limit reached", 400, "error_32_page_request_limit_docs.json", QUOTA, ACCOUNT),
    (100, None, "Invalid parameter", 400, None, FATAL, "metrics"),
    (100, 33, "Unsupported get request. Object with ID 'xxx' does not exist", 400,
        "error_100_33_unsupported_get_request.json", SKIP, ACCOUNT),
    (100, 1487534, "reduce the amount of data", 400, None, SHRINK, ACCOUNT),
    (100, 1504018, "timeout", 400, None, SHRINK, ACCOUNT),
    (100, 2446289, "Ad Creative Is Incomplete", 400, None, SKIP, STREAM),
    (100, 2446211, "Invalid parameter", 400, None, FATAL, "metrics"),
    (100, None, "Missing permissions", 400, "error_100_missing_permissions.json", SKIP, ACCOUNT),
    (102, None, "API Session: login/token invalid", 400, None, REAUTH, ACCOUNT),
    (190, 458, "The user has not authorized application", 400, "error_190_458_app_not_authorized.json",
        REAUTH, ACCOUNT),
    (190, 459, "checkpointed", 400, None, REAUTH, ACCOUNT),
    (190, 460, "password changed", 400, "error_190_460_password_changed.json", REAUTH, ACCOUNT),
    (190, 463, "Session has expired", 400, "error_190_463_session_expired_real.json", REAUTH, ACCOUNT),
    (190, 463, "Session has expired (docs)", 400, "error_190_463_session_expired.json", REAUTH, ACCOUNT),
    (190, 464, "unconfirmed user", 400, None, REAUTH, ACCOUNT),
    (190, 467, "invalid token", 400, None, REAUTH, ACCOUNT),
    (190, 492, "invalid session", 400, None, REAUTH, ACCOUNT),
    (190, None, "Invalid OAuth access token - Cannot parse access token", 400, None, REAUTH, ACCOUNT),
    (200, None, "Requires business_management permission to manage the object", 403,
        "error_200_requires_business_management_403.json", SKIP, ACCOUNT),
    (299, None, "Permission (per permission)", 400, None, SKIP, ACCOUNT),
    (341, None, "Application limit reached", 400, None, QUOTA, APP),
    (368, None, "Temporarily blocked for policy violations", 400, None, FATAL, "access_token"),
    (613, None, "Calls to this api have exceeded the rate limit.", 400, None, QUOTA, ACCOUNT),
    (613, 1487742, "There have been too many calls from this ad-account.", 400, None, QUOTA, ACCOUNT),
    (803, None, "Some of the aliases you requested do not exist: act_x", 400, None, SKIP, ACCOUNT),
    (960, None, "batch request aborted/timed out", 400, None, RETRY, ACCOUNT),
    (2601, 1815107, "Error accessing adreport job", 400, "error_2601_1815107_async_report_not_ready.json",
        RETRY, ACCOUNT),
    (2635, None, "You are calling a deprecated version of the Ads API.", 400, None, FATAL, "api_version"),
    (-2, 2490547, "async report failed", 400, None, RETRY, ACCOUNT),
    (80000, 2446079, "ads_insights", 400, "error_80000_2446079_too_many_calls_ad_account.json", QUOTA,
        ACCOUNT),
    (80001, None, "pages", 400, "error_80001_buc_page_calls_docs.json", QUOTA, ACCOUNT),
    (80002, None, "instagram", 400, None, QUOTA, ACCOUNT),
    (80003, 2446079, "custom_audience", 400, None, QUOTA, ACCOUNT),
    (80004, 2446079, "ads_management", 400, "error_80004_2446079_too_many_calls_ad_account_real.json", QUOTA,
        ACCOUNT),
    (80005, None, "leadgen", 400, None, QUOTA, ACCOUNT),
    (80006, None, "messenger", 400, None, QUOTA, ACCOUNT),
    (80008, None, "WhatsApp Business Management", 400, None, QUOTA, ACCOUNT),
    (80009, None, "catalog management", 400, None, QUOTA, ACCOUNT),
    (80014, None, "catalog batch", 400, None, QUOTA, ACCOUNT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "subcode", "meaning", "status", "fixture", "expected", "detail"),
    REFERENCE_TABLE,
    ids=[f"{r[0]}/{r[1]}-{r[2][:24]}" for r in REFERENCE_TABLE],
)
def test_every_documented_code_has_its_class(
    code: int,
    subcode: int | None,
    meaning: str,
    status: int,
    fixture: str | None,
    expected: ErrorClass,
    detail: Scope | str,
) -> None:
    body: Any = payload(fixture) if fixture else None
    if body is None:
        error = {"message": f"(#{code}) {meaning}", "type": "OAuthException", "code": code}
        body = {"error": error if subcode is None else {**error, "error_subcode": subcode}}
    verdict = classify(status, body)
    assert_verdict(verdict, expected, (f"{code}/{subcode}" if subcode is not None else str(code)), detail)


def test_the_table_covers_every_code_of_the_reference() -> None:
    """§5.2's codes, listed here from the reference (200-299 and 80000-80014 by their ends)."""
    documented = {1, 2, 3, 4, 10, 17, 32, 100, 102, 190, 200, 299, 341, 368, 613, 803, 960, 2601, 2635, -2}
    documented |= {80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014}
    assert documented <= {row[0] for row in REFERENCE_TABLE}


def test_a_start_date_beyond_37_months_names_the_date_range() -> None:
    verdict = classify(400, payload("error_3018_start_date_beyond_37_months.json"))
    assert (verdict.error_class, verdict.setting) == (ErrorClass.FATAL_CONFIG, "date_range")


def test_user_facing_text_is_joined_into_one_line() -> None:
    verdict = classify(400, payload("error_2601_1815107_async_report_not_ready.json"))
    assert verdict.message.startswith("Error accessing adreport job. (Sorry, the report cannot be loaded")


def test_app_throttle_pauses_the_app_and_account_throttle_the_account() -> None:
    assert classify(400, payload("error_4_application_request_limit_real.json")).scope is Scope.APP
    buc = classify(400, payload("error_80004_2446079_too_many_calls_ad_account_real.json"), 300.0)
    assert buc.scope is Scope.ACCOUNT and buc.retry_after_s == 300.0


def test_deprecated_version_is_a_config_error_naming_the_newer_version() -> None:
    lines = (FIXTURES / "error_2635_deprecated_api_version_real.txt").read_text().splitlines()
    captured = next(line for line in lines if line.startswith("FacebookRequestError"))
    body = {
        "error": {"message": captured[captured.index("(#2635)") :], "type": "OAuthException", "code": 2635}
    }
    verdict = classify(400, body)
    assert verdict.error_class is ErrorClass.FATAL_CONFIG and verdict.setting == "api_version"
    assert suggested_version(verdict.message) == "v15.0"


def test_invalid_field_names_the_setting_and_the_field() -> None:
    body = {
        "error": {
            "message": "(#100) store_visit_actions, cost_per_store_visit_action are not valid for fields"
            " param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/",
            "code": 100,
        }
    }
    verdict = classify(400, body)
    assert (verdict.error_class, verdict.setting) == (ErrorClass.FATAL_CONFIG, "metrics")
    assert rejected_field(verdict.message) == "store_visit_actions"


def test_bodies_without_a_graph_envelope() -> None:
    assert classify(502, "<html>Bad Gateway</html>").error_class is ErrorClass.RETRYABLE
    assert classify(404, "Not Found").error_class is ErrorClass.FATAL_CONFIG


def test_business_use_case_header_gives_usage_and_wait() -> None:
    header = json.dumps(payload("headers_x_business_use_case_usage_restfb.json"))
    signal = parse_usage({"X-Business-Use-Case-Usage": header})
    assert signal.usage_pct == 100 and signal.regain_after_s == 600


def test_usage_headers_take_the_highest_percentage() -> None:
    signal = parse_usage(
        {
            "x-app-usage": '{"call_count":28,"total_time":25,"total_cputime":25}',
            "x-ad-account-usage": '{"acc_id_util_pct":9.67,"reset_time_duration":100}',
            "x-fb-ads-insights-throttle": '{"app_id_util_pct":0,"acc_id_util_pct":41}',
        }
    )
    assert signal.usage_pct == 41 and signal.regain_after_s is None
    assert parse_usage({"x-app-usage": "not json"}).usage_pct == 0
