"""Failures as Google sends them (reference §4): the GoogleAdsFailure in the trailers, what the
library makes of each status, quota details, a stream cut mid-way, deadlines, tokens, OAuth."""

from __future__ import annotations

import re
from datetime import timedelta

import grpc
import pytest
import requests
from google.ads.googleads.client import GoogleAdsClient
from google.ads.googleads.errors import GoogleAdsException
from google.api_core import exceptions
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from google.rpc import error_details_pb2, status_pb2
from google_ads_client import Ads, codes, failure_of, fixture, fixture_text

from ads_kit.sandbox.google_ads.named import NAMED, named_failure
from ads_kit.sandbox.limits import DEFAULT_RULES

SEARCH = "GoogleAdsService/Search"
STREAM = "GoogleAdsService/SearchStream"
CAMPAIGNS = "SELECT campaign.id FROM campaign"
_EXHAUSTED, _INTERNAL = grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.INTERNAL
# name, status, error-code member and value (a dash: no GoogleAdsFailure).
_TABLE = """
token_missing UNAUTHENTICATED authentication_error OAUTH_TOKEN_HEADER_INVALID
token_invalid UNAUTHENTICATED authentication_error OAUTH_TOKEN_INVALID
token_expired UNAUTHENTICATED authentication_error OAUTH_TOKEN_EXPIRED
token_revoked UNAUTHENTICATED authentication_error OAUTH_TOKEN_REVOKED
not_ads_user UNAUTHENTICATED authentication_error NOT_ADS_USER
developer_token_invalid UNAUTHENTICATED authentication_error DEVELOPER_TOKEN_INVALID
account_unknown PERMISSION_DENIED authorization_error USER_PERMISSION_DENIED
account_denied PERMISSION_DENIED authorization_error USER_PERMISSION_DENIED
user_permission_denied PERMISSION_DENIED authorization_error USER_PERMISSION_DENIED
developer_token_not_approved PERMISSION_DENIED authorization_error DEVELOPER_TOKEN_NOT_APPROVED
cloud_project_not_approved PERMISSION_DENIED authorization_error CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION
customer_not_enabled PERMISSION_DENIED authorization_error CUSTOMER_NOT_ENABLED
service_disabled PERMISSION_DENIED - -
quota_app RESOURCE_EXHAUSTED quota_error RESOURCE_TEMPORARILY_EXHAUSTED
quota_account RESOURCE_EXHAUSTED quota_error RESOURCE_TEMPORARILY_EXHAUSTED
rate_limit RESOURCE_EXHAUSTED quota_error RESOURCE_TEMPORARILY_EXHAUSTED
quota_exhausted RESOURCE_EXHAUSTED quota_error RESOURCE_EXHAUSTED
internal_error INTERNAL internal_error INTERNAL_ERROR
server_error INTERNAL internal_error INTERNAL_ERROR
transient_error INTERNAL internal_error TRANSIENT_ERROR
deadline_exceeded INTERNAL internal_error DEADLINE_EXCEEDED
unsupported_version INVALID_ARGUMENT request_error UNSUPPORTED_VERSION
"""
EXPECTED = {
    name: (grpc.StatusCode[status], None if member == "-" else member, None if value == "-" else value)
    for name, status, member, value in (line.split() for line in _TABLE.strip().splitlines())
}


def test_every_named_failure_is_covered() -> None:
    assert set(EXPECTED) == set(NAMED)
    with pytest.raises(ValueError, match="unknown Google Ads fault error name 'nope'; known: account_denied"):
        named_failure("nope")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_faults_fail_as_the_library_expects(ads: Ads, name: str) -> None:
    status, member, value = EXPECTED[name]
    ads.fault(SEARCH, name, calls=[1])
    with pytest.raises(Exception) as caught:
        ads.search(CAMPAIGNS)
    error = caught.value
    # The library wraps every status but INTERNAL and RESOURCE_EXHAUSTED that carries a failure
    # (reference §4.2); those two surface as api_core errors with the failure in the trailers.
    if status in (_EXHAUSTED, _INTERNAL):
        assert isinstance(
            error, exceptions.ResourceExhausted if status == _EXHAUSTED else exceptions.InternalServerError
        )
    elif member is None:
        assert isinstance(error, exceptions.PermissionDenied)
    else:
        assert isinstance(error, GoogleAdsException) and error.error.code() == status
    if member is not None:
        assert codes(error) == [(member, value)]
        failure = failure_of(error)
        assert len(failure.request_id) == 22 and failure.errors[0].message
    assert len(ads.search(CAMPAIGNS)) == 4, "the fault fired once"
    assert [e["status"] for e in ads.log(SEARCH)] == [status.name, "OK"]


def _trailers(error: Exception) -> dict[str, bytes | str]:
    return dict(error.response.trailing_metadata())


def test_quota_failures_carry_quota_error_details(ads: Ads) -> None:
    ads.fault(SEARCH, "rate_limit", calls=[1], seconds=17)
    ads.fault(STREAM, "quota_exhausted", calls=[1])
    with pytest.raises(exceptions.ResourceExhausted) as short:
        ads.search(CAMPAIGNS)
    details = failure_of(short.value).errors[0].details.quota_error_details
    assert (details.retry_delay.seconds, enum_name(details, "rate_scope")) == (17, "ACCOUNT")
    with pytest.raises(exceptions.ResourceExhausted) as daily:
        ads.stream(CAMPAIGNS)
    error = failure_of(daily.value).errors[0]
    real = fixture("error_429_resource_exhausted_quota_retrydelay.json")["error"]["details"][0]["errors"][0]
    assert error.message == real["message"]
    quota = error.details.quota_error_details
    assert (enum_name(quota, "rate_scope"), quota.rate_name, f"{quota.retry_delay.seconds}s") == (
        real["details"]["quotaErrorDetails"]["rateScope"],
        real["details"]["quotaErrorDetails"]["rateName"],
        real["details"]["quotaErrorDetails"]["retryDelay"],
    )


def enum_name(message, field: str) -> str:
    return message.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number[getattr(message, field)].name


def test_the_cores_quotas_answer_google_short_term_throttle(ads: Ads) -> None:
    ads.settings(
        limits={"google_ads": {"app": ["100/minute"], "account": ["2/minute"]}},
        restore={"limits": {"google_ads": DEFAULT_RULES["google_ads"]}},
    )
    assert len(ads.search(CAMPAIGNS)) == len(ads.search(CAMPAIGNS)) == 4
    with pytest.raises(exceptions.ResourceExhausted) as refused:
        ads.search(CAMPAIGNS)
    details = failure_of(refused.value).errors[0].details.quota_error_details
    assert enum_name(details, "rate_scope") == "ACCOUNT" and 1 <= details.retry_delay.seconds <= 60
    assert codes(refused.value) == [("quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED")]
    assert len(ads.search(CAMPAIGNS, customer=ads.accounts[1])) == 4  # another account's window
    assert [e["rate_limited"] for e in ads.log(SEARCH)] == [False, False, True, False]


def test_trailers_are_the_three_real_servers_send(ads: Ads) -> None:
    # google-ads-php#827 lists them: googleadsfailure-bin, grpc-status-details-bin, request-id.
    keys = re.findall(r'"@type": "([^"]+)"', fixture_text("error_invalid_argument_trailer_keys_php.txt"))
    ads.fault(SEARCH, "internal_error", calls=[1])
    with pytest.raises(exceptions.InternalServerError) as caught:
        ads.search(CAMPAIGNS)
    trailers = _trailers(caught.value)
    expected = [key.replace("v8", "v26") for key in keys]
    assert [key for key in trailers if key in expected] == expected
    failure = failure_of(caught.value)
    assert trailers["request-id"] == failure.request_id
    status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    assert (status.code, status.message) == (13, "Internal error encountered.")  # google-ads-php#184
    assert status.details[0].type_url.endswith("google.ads.googleads.v26.errors.GoogleAdsFailure")


def test_service_disabled_has_no_ads_failure_but_the_rpc_details(ads: Ads) -> None:
    ads.fault(SEARCH, "service_disabled", calls=[1])
    with pytest.raises(exceptions.PermissionDenied) as caught:
        ads.search(CAMPAIGNS)
    status = status_pb2.Status.FromString(_trailers(caught.value)["grpc-status-details-bin"])
    info = error_details_pb2.ErrorInfo()
    status.details[1].Unpack(info)
    assert (info.reason, info.domain) == ("SERVICE_DISABLED", "googleapis.com")
    assert status.message in fixture_text("error_permission_denied_service_disabled_partial.txt").replace(
        "\\/", "/"
    )


def _hourly(ads: Ads) -> str:
    today = ads.today()
    return (
        "SELECT ad_group_ad.ad.id, segments.date, segments.hour, metrics.impressions FROM ad_group_ad "
        f"WHERE segments.date BETWEEN '{today - timedelta(days=90)}' AND '{today - timedelta(days=1)}'"
    )


def test_a_stream_cut_mid_way_fails_internal_after_its_first_rows(ads: Ads) -> None:
    ads.fault(STREAM, kind="truncate", calls=[1], bytes=10**9)  # all but the last message
    service = ads.service()
    received = []
    with pytest.raises(exceptions.InternalServerError) as cut:
        for batch in service.search_stream(customer_id=ads.accounts[0], query=_hourly(ads)):
            received.append(len(batch.results))
    assert received == [10_000]  # rows were delivered before the failure (reference §3.2)
    assert codes(cut.value) == [("internal_error", "INTERNAL_ERROR")]
    assert len(ads.stream_batches(_hourly(ads))[0].results) == 10_000


def test_a_client_deadline_ends_a_held_call(ads: Ads) -> None:
    ads.fault(SEARCH, kind="timeout", calls=[1], seconds=30)
    service = ads.service()
    with pytest.raises(exceptions.DeadlineExceeded):
        list(service.search(customer_id=ads.accounts[0], query=CAMPAIGNS, timeout=1))
    assert len(ads.search(CAMPAIGNS)) == 4


def _fresh_token(ads: Ads) -> dict[str, str]:
    response = requests.post(ads.entry["token_url"], data=_refresh_form(ads.entry), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_expired_revoked_and_unknown_access_tokens_are_unauthenticated(ads: Ads) -> None:
    for action, code in (("expire", "OAUTH_TOKEN_EXPIRED"), ("revoke", "OAUTH_TOKEN_REVOKED")):
        token = _fresh_token(ads)["access_token"]
        assert len(ads.search(CAMPAIGNS, token=token)) == 4
        getattr(ads.sandbox, f"{action}_token")("google_ads", token)
        with pytest.raises(GoogleAdsException) as caught:
            ads.search(CAMPAIGNS, token=token)
        assert caught.value.error.code() == grpc.StatusCode.UNAUTHENTICATED
        assert codes(caught.value) == [("authentication_error", code)]
    with pytest.raises(GoogleAdsException) as unknown:
        ads.search(CAMPAIGNS, token="ya29.not-issued-here")
    assert codes(unknown.value) == [("authentication_error", "OAUTH_TOKEN_INVALID")]
    assert failure_of(unknown.value).errors[0].message


def test_google_token_endpoint_refreshes_and_answers_invalid_grant_once_revoked(ads: Ads) -> None:
    entry = ads.entry
    grant = _fresh_token(ads)
    assert grant["expires_in"] == 3599 and grant["token_type"] == "Bearer"  # reference §5.1
    assert "refresh_token" not in grant  # only the code exchange returns one
    # A refresh token of our own (the code flow), revoked at the end: the connection's stays alive.
    credentials = _credentials(entry, entry["refresh_token"])
    credentials.refresh(Request())
    assert len(ads.search(CAMPAIGNS, token=credentials.token)) == 4
    for path in ("/oauth2/v4/token", "/oauth2/v3/token", "/o/oauth2/token"):  # peers' and the library's
        response = requests.post(entry["base_url"] + path, data=_refresh_form(entry), timeout=10)
        assert response.status_code == 200 and response.json()["access_token"].startswith("ya29.")
    code = _authorization_code(entry)
    exchanged = requests.post(
        entry["token_url"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:1/",
            "client_id": entry["client_id"],
            "client_secret": entry["client_secret"],
        },
        timeout=10,
    ).json()
    own = exchanged["refresh_token"]
    ads.sandbox.revoke_token("google_ads", own)
    revoked = _credentials(entry, own)
    with pytest.raises(RefreshError, match=re.escape("invalid_grant: Token has been expired or revoked.")):
        revoked.refresh(Request())
    # Left to the library's gRPC auth plug-in, the same refusal is a 503 (reference §4.2).
    client = GoogleAdsClient(
        credentials=revoked,
        developer_token=entry["developer_token"],
        endpoint=ads.endpoint,
        login_customer_id=ads.manager,
        use_proto_plus=False,
    )
    service = client.get_service("GoogleAdsService")
    with pytest.raises(exceptions.ServiceUnavailable, match="invalid_grant"):
        list(service.search(customer_id=ads.accounts[0], query=CAMPAIGNS))


def _credentials(entry: dict, refresh_token: str) -> Credentials:
    """Credentials as a tap builds them: refreshed at our token endpoint (reference §5.2)."""
    client = {key: entry[key] for key in ("client_id", "client_secret")}
    return Credentials(
        None, refresh_token=refresh_token, token_uri=entry["token_url"], scopes=entry["scopes"], **client
    )


def _refresh_form(entry: dict) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "refresh_token": entry["refresh_token"],
        "client_id": entry["client_id"],
        "client_secret": entry["client_secret"],
    }


def _authorization_code(entry: dict) -> str:
    response = requests.get(
        entry["authorize_url"],
        params={
            "client_id": entry["client_id"],
            "redirect_uri": "http://127.0.0.1:1/",
            "response_type": "code",
            "scope": "https://www.googleapis.com/auth/adwords",
            "access_type": "offline",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    return re.search(r"[?&]code=([^&]+)", response.headers["Location"])[1]
