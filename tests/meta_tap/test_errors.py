"""Every real Meta error body maps to the documented class, with one line a user can act on."""

from __future__ import annotations

import json

import pytest

from ads_kit.resilience.errors import ErrorClass, Scope
from tap_meta_ads.errors import classify, rejected_field, suggested_version
from tap_meta_ads.usage import parse_usage

from .conftest import FIXTURES, payload

REAL_ERRORS = [
    ("error_1_99_unknown_500.json", 500, ErrorClass.RETRYABLE, "1/99"),
    ("error_2_service_temporarily_unavailable.json", 400, ErrorClass.RETRYABLE, "2"),
    ("error_2601_1815107_async_report_not_ready.json", 400, ErrorClass.RETRYABLE, "2601/1815107"),
    ("error_1_reduce_amount_of_data_real.json", 500, ErrorClass.SHRINK, "1"),
    ("error_4_application_request_limit_real.json", 400, ErrorClass.QUOTA, "4"),
    ("error_80000_2446079_too_many_calls_ad_account.json", 400, ErrorClass.QUOTA, "80000/2446079"),
    ("error_80004_2446079_too_many_calls_ad_account_real.json", 400, ErrorClass.QUOTA, "80004/2446079"),
    ("error_190_463_session_expired_real.json", 400, ErrorClass.REAUTH, "190/463"),
    ("error_190_460_password_changed.json", 400, ErrorClass.REAUTH, "190/460"),
    ("error_190_458_app_not_authorized.json", 400, ErrorClass.REAUTH, "190/458"),
    ("error_200_requires_business_management_403.json", 403, ErrorClass.SKIP_ACCOUNT, "200"),
    ("error_100_missing_permissions.json", 400, ErrorClass.SKIP_ACCOUNT, "100"),
    ("error_100_33_unsupported_get_request.json", 400, ErrorClass.SKIP_ACCOUNT, "100/33"),
    ("error_1_2853001_profile_not_linked.json", 400, ErrorClass.SKIP_ACCOUNT, "1/2853001"),
]


@pytest.mark.parametrize(("name", "status", "expected", "code"), REAL_ERRORS)
def test_real_error_bodies(name: str, status: int, expected: ErrorClass, code: str) -> None:
    verdict = classify(status, payload(name))
    assert verdict.error_class is expected
    assert verdict.code == code
    assert "\n" not in verdict.message and verdict.message


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
