"""Every return code of TikTok's table (reference §4.1, "Appendix - Return Codes") gets a deliberate
class, with the real body where one is captured (tests/fixtures/tiktok/error_*.json); a daily quota
waits for 00:00 UTC, a partial success is read with a warning, gateway pages and cut bodies retry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from error_tables import assert_verdict

from ads_kit.resilience.errors import ErrorClass, RequestFailed, Scope
from tap_tiktok_ads.errors import classify
from tests.meta_tap.test_quota import RecordingLimiter

from .conftest import payload
from .test_transport_unit import API, OK_INFO, client, info

RETRY, QUOTA, REAUTH, SKIP, SHRINK, FATAL = (
    ErrorClass.RETRYABLE, ErrorClass.QUOTA, ErrorClass.REAUTH, ErrorClass.SKIP_ACCOUNT, ErrorClass.SHRINK,
    ErrorClass.FATAL_CONFIG,
)  # fmt: skip
APP, ACCOUNT, STREAM = Scope.APP, Scope.ACCOUNT, Scope.STREAM


def _singer(code: int, start: str = "") -> dict[str, Any]:
    """A body of singer-io's retry-set fixture (error_codes_retry_set_singer.json)."""
    bodies = payload("error_codes_retry_set_singer.json")
    return next(b for b in bodies if b["code"] == code and b["message"].startswith(start))


# code, the reference line (§4.1 meaning column), the body (real where captured), class, scope or setting
TABLE: list[tuple[int, str, dict[str, Any], ErrorClass, Scope | str]] = [
    (40000, "Invalid parameters", payload("error_40000_and_40115_real_log.json")[0], FATAL, "advertiser_ids"),
    (40001, "No permission to perform operation", payload("error_40001_permission_scope.json"), SKIP, STREAM),
    (40001, "advertiser doesn't exist or has been deleted", _singer(40001, "advertiser"), SKIP, ACCOUNT),
    (40001, "singer-io's test body for a throttle", _singer(40001, "Requests"), QUOTA, APP),
    (40002, "Parameter error", {"message": "Please correct the information in invalid metric fields and "
        "try again. Invalid metric fields: ['voucher_spend', 'cash_spend']. "}, FATAL,
        "custom_reports.metrics"),
    (40002, "Parameter error (§3.7 conflict)", {"message": "Conflict occurs. The input params including "
        "metrics and dimensions have no relation."}, FATAL, "custom_reports.dimensions"),
    (40006, "API version incompatible", {}, FATAL, "api_version"),
    (40007, "Object does not exist", {}, SKIP, STREAM),
    (40008, "endpoint/param not supported (in sandbox)", {}, FATAL, "api_base_url"),
    (40009, "endpoint/param not supported (in sandbox)", {}, FATAL, "api_base_url"),
    (40010, "wrong domain", {}, FATAL, "api_base_url"),
    (40011, "too many IDs in one request", {}, FATAL, "advertiser_ids"),
    (40013, "sandbox account missing", {}, FATAL, "api_base_url"),
    (40014, "sandbox account missing", {}, FATAL, "api_base_url"),
    (40016, "Requests too frequent (app level, endpoint)", {}, QUOTA, APP),
    (40050, "Duplicated request", {}, RETRY, ACCOUNT),
    (40051, "Invalid API version", {}, FATAL, "api_version"),
    (40067, "query too large", {}, SHRINK, ACCOUNT),
    (40100, "Requests made too frequently (app-level QPS/QPM/QPD)", payload("error_40100_qps_limit.json"),
        QUOTA, APP),
    (40101, "Invalid auth params (app_id/secret mismatch, bad auth_code)", {}, FATAL, "secret"),
    (40102, "Access token expired", {}, REAUTH, ACCOUNT),
    (40103, "Refresh token expired (Accounts/TCM APIs)", {}, FATAL, "access_token"),
    (40104, "Access token empty", {}, REAUTH, ACCOUNT),
    (40105, "Invalid or incorrect access token (revoked)", payload("error_40105_access_token_revoked.json"),
        REAUTH, ACCOUNT),
    (40106, "Core user invalid (token vs advertiser mismatch)", {}, REAUTH, ACCOUNT),
    (40107, "Invalid refresh token", {}, FATAL, "access_token"),
    (40108, "Invalid grant_type", {}, FATAL, "access_token"),
    (40110, "Invalid auth_code (used/expired/cancelled)", {}, FATAL, "access_token"),
    (40113, "App blocked/non-existent", {}, FATAL, "app_id"),
    (40115, "auth_code already used (real log)", payload("error_40000_and_40115_real_log.json")[1], FATAL,
        "access_token"),
    (40118, "Not allow-listed for feature", {}, SKIP, STREAM),
    (40119, "Developer and advertiser not same company", {}, SKIP, ACCOUNT),
    (40125, "Developer lacks permission (scope)", {}, SKIP, STREAM),
    (40132, "QPS limited for a field value (pixel_code)", {}, QUOTA, ACCOUNT),
    (40133, "Advertiser-level QPS limit", {"message": "Advertiser (1)'s QPS (11) reaches QPS limit 10 for "
        "current path, request is temporarily restricted."}, QUOTA, ACCOUNT),
    (40200, "Task error", _singer(40200), RETRY, ACCOUNT),
    (40201, "Task not ready", _singer(40201), RETRY, ACCOUNT),
    (40202, "Write/update conflict", _singer(40202), RETRY, ACCOUNT),
    (40300, "Advertiser does not exist", {}, SKIP, ACCOUNT),
    (40301, "Advertiser cannot be matched", {}, SKIP, ACCOUNT),
    (40700, "Internal service validation error", _singer(40700), RETRY, ACCOUNT),
    (41000, "Client IP in banned country", {}, FATAL, "api_base_url"),
    (41001, "Interface offline", {}, FATAL, "api_version"),
    (41002, "fields not in use", {"message": "Invalid metric fields: ['placement']."}, FATAL,
        "custom_reports.metrics"),
    (50000, "System error", payload("error_50000_system_error_with_data.json"), RETRY, ACCOUNT),
    (50002, "Error processing request on TikTok side", _singer(50002), RETRY, ACCOUNT),
    (51001, "Internal service timeout", {}, RETRY, ACCOUNT),
    (51008, "Service error: (singer-io's account check)", _singer(51008), RETRY, ACCOUNT),
    (51305, "Satellite service error", {}, RETRY, ACCOUNT),
    (60001, "System in maintenance", {}, RETRY, ACCOUNT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "meaning", "body", "expected", "detail"), TABLE, ids=[f"{r[0]}-{r[1][:30]}" for r in TABLE]
)
def test_every_documented_code_has_its_class(
    code: int, meaning: str, body: dict[str, Any], expected: ErrorClass, detail: Scope | str
) -> None:
    body = {"code": code, "message": meaning, "request_id": "1", "data": {}, **body}
    verdict = classify(200, body)
    assert_verdict(verdict, expected, str(code), detail)


def test_the_table_covers_the_reference_table() -> None:
    """§4.1's codes, listed here from the reference, each have a row above (0 and 20001 are not failures)."""
    documented = {
        40000, 40001, 40002, 40006, 40007, 40008, 40009, 40010, 40011, 40013, 40014, 40016, 40050, 40051,
        40067, 40100, 40101, 40102, 40103, 40104, 40105, 40106, 40107, 40108, 40110, 40113, 40118, 40119,
        40125, 40132, 40133, 40200, 40201, 40202, 40300, 40301, 40700, 41000, 41001, 41002, 50000, 50002,
        51001, 51305, 60001,
    }  # fmt: skip
    assert documented <= {row[0] for row in TABLE}


RESTRICTED = {
    "code": 40100,
    "message": "Due to too many requests, requests from App [7] are temporarily restricted.",
}


def test_qps_waits_a_second_a_restriction_the_lockout_and_the_daily_quota_until_midnight_utc() -> None:
    assert classify(200, payload("error_40100_qps_limit.json")).retry_after_s == 1.0
    assert classify(200, RESTRICTED, qpm_lockout_s=300).retry_after_s == 300
    now = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)  # §4.2: "QPD exceeded -> wait until 00:00:00 UTC"
    daily = classify(200, RESTRICTED, 300, after_lockout=True, now=now)
    assert (daily.error_class, daily.scope, daily.retry_after_s) == (QUOTA, APP, 3.5 * 3600)


@pytest.fixture
def api() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_restriction_met_again_after_the_lockout_ends_the_call_with_one_line(
    api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADS_NOW", "2026-11-25T20:30:00+00:00")
    for _ in range(3):
        api.get(f"{API}/advertiser/info/", json=RESTRICTED)
    waits: list[float] = []
    with pytest.raises(RequestFailed) as failed:
        info(client(waits, RecordingLimiter()))
    # The lockout was waited; the second restriction is the daily quota, beyond the wait budget.
    assert waits == [300.0]
    assert "rate_limiting.max_wait_seconds" in str(failed.value) and "\n" not in str(failed.value)


def test_a_restriction_after_a_success_is_a_lockout_again(api: responses.RequestsMock) -> None:
    for body in (RESTRICTED, OK_INFO, RESTRICTED, OK_INFO):
        api.get(f"{API}/advertiser/info/", json=body)
    waits: list[float] = []
    tiktok = client(waits, RecordingLimiter())
    assert info(tiktok)["list"] and info(tiktok)["list"]
    assert waits == [300.0, 300.0]


def test_a_partial_success_is_read_with_a_warning(
    api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(f"{API}/advertiser/info/", json={**OK_INFO, "code": 20001, "message": "Partially successful"})
    assert info(client([], RecordingLimiter()))["list"]
    assert "partly succeeded: Partially successful" in caplog.text


def test_a_gateway_page_or_a_cut_body_is_retried_and_a_4xx_page_names_the_host() -> None:
    html = "<html><head><title>504 Gateway Time-out</title></head></html>"
    assert classify(504, html).error_class is ErrorClass.RETRYABLE
    assert classify(200, '{"code": 0, "message": "OK", "da').error_class is ErrorClass.RETRYABLE
    assert classify(404, "404 page not found").setting == "api_base_url"
