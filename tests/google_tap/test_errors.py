"""Google's error table on the real error bodies in tests/fixtures/google_ads: each body, raised the
way google-ads 34 raises it (reference §4.2), gets the documented behaviour."""

from __future__ import annotations

import re
from typing import Any

import grpc
import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions
from google.protobuf import json_format, text_format

from ads_kit.resilience.errors import ErrorClass, Scope
from tap_google_ads_unified.errors import FAILURE_TRAILER, classify, failure_of

from .conftest import FIXTURES, payload

VERSION = "v26"


def _failure_from_rest(body: dict[str, Any]) -> Any:
    """The GoogleAdsFailure of a REST error envelope (its first detail), as v26's message."""
    error = body.get("error", body)
    detail = {k: v for k, v in error["details"][0].items() if k != "@type"}
    return json_format.ParseDict(detail, GoogleAdsFailure.pb()())


class _Call(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, failure: Any) -> None:
        self._code, self._failure = code, failure

    def code(self) -> grpc.StatusCode:
        return self._code

    def trailing_metadata(self) -> list[tuple[str, bytes]]:
        return [(FAILURE_TRAILER.format(version=VERSION), self._failure.SerializeToString())]


def _raised(status: grpc.StatusCode, failure: Any) -> Exception:
    """What the library raises for this status and failure: RESOURCE_EXHAUSTED and INTERNAL as
    google.api_core exceptions with the failure left in the trailers, the rest as GoogleAdsException."""
    call = _Call(status, failure)
    if status is grpc.StatusCode.RESOURCE_EXHAUSTED:
        return exceptions.ResourceExhausted("Resource has been exhausted", response=call)
    if status is grpc.StatusCode.INTERNAL:
        return exceptions.InternalServerError("Internal error encountered.", response=call)
    return GoogleAdsException(call, call, GoogleAdsFailure.deserialize(failure.SerializeToString()), "rid")


def _verdict(status: grpc.StatusCode, failure: Any) -> Any:
    return classify(failure_of(_raised(status, failure), VERSION))


def test_daily_developer_quota_fails_fast_naming_the_developer_token() -> None:
    failure = _failure_from_rest(payload("error_429_resource_exhausted_quota_retrydelay.json"))
    verdict = _verdict(grpc.StatusCode.RESOURCE_EXHAUSTED, failure)
    assert (verdict.error_class, verdict.setting, verdict.scope) == (
        ErrorClass.FATAL_CONFIG, "developer_token", Scope.APP,
    )  # fmt: skip
    assert "Retry in 40591 seconds" in verdict.message


def test_short_term_quota_waits_googles_retry_delay() -> None:
    failure = _failure_from_rest(payload("error_429_resource_exhausted_quota_retrydelay.json"))
    error = failure.errors[0]
    error.error_code.quota_error = (
        error.error_code.DESCRIPTOR.fields_by_name["quota_error"]
        .enum_type.values_by_name["RESOURCE_TEMPORARILY_EXHAUSTED"]
        .number
    )
    error.details.quota_error_details.retry_delay.seconds = 17
    error.details.quota_error_details.rate_scope = 2  # ACCOUNT
    verdict = _verdict(grpc.StatusCode.RESOURCE_EXHAUSTED, failure)
    assert (verdict.error_class, verdict.retry_after_s, verdict.scope) == (
        ErrorClass.QUOTA,
        17.0,
        Scope.ACCOUNT,
    )


@pytest.mark.parametrize(
    ("name", "status", "setting"),
    [
        ("error_401_unauthenticated_not_ads_user.json", grpc.StatusCode.UNAUTHENTICATED, "refresh_token"),
        (
            "error_400_query_error_unrecognized_field_real.json",
            grpc.StatusCode.INVALID_ARGUMENT,
            "custom_reports",
        ),
        ("error_400_query_error_bad_value_real.json", grpc.StatusCode.INVALID_ARGUMENT, "custom_reports"),
        ("error_invalid_argument_required_field_missing_docs.json", grpc.StatusCode.INVALID_ARGUMENT, None),
    ],
)
def test_configuration_errors_stop_with_one_line(
    name: str, status: grpc.StatusCode, setting: str | None
) -> None:
    failure = _failure_from_rest(payload(name))
    verdict = _verdict(status, failure)
    assert (verdict.error_class, verdict.setting) == (ErrorClass.FATAL_CONFIG, setting)
    assert failure.errors[0].message in verdict.message and "\n" not in verdict.message
    assert failure.request_id in verdict.message


def test_user_permission_denied_skips_the_customer() -> None:
    text = (FIXTURES / "error_user_permission_denied_proto_text.txt").read_text()
    proto = text.split("Failure message:", 1)[1].replace("\\'", "'")
    failure = text_format.Parse(proto, GoogleAdsFailure.pb()())
    verdict = _verdict(grpc.StatusCode.PERMISSION_DENIED, failure)
    assert (verdict.error_class, verdict.code) == (ErrorClass.SKIP_ACCOUNT, "USER_PERMISSION_DENIED")
    assert "login-customer-id" in verdict.message and "c9ugRp4PtwqWRcea9Gd9Cw" in verdict.message


def test_expired_token_is_renewed_and_internal_errors_retried() -> None:
    failure = GoogleAdsFailure.pb()()
    error = failure.errors.add()
    members = error.error_code.DESCRIPTOR.fields_by_name
    error.error_code.authentication_error = (
        members["authentication_error"].enum_type.values_by_name["OAUTH_TOKEN_EXPIRED"].number
    )
    assert _verdict(grpc.StatusCode.UNAUTHENTICATED, failure).error_class is ErrorClass.REAUTH
    error.error_code.internal_error = (
        members["internal_error"].enum_type.values_by_name["INTERNAL_ERROR"].number
    )
    assert _verdict(grpc.StatusCode.INTERNAL, failure).error_class is ErrorClass.RETRYABLE


@pytest.mark.parametrize(
    "error",
    [
        exceptions.DeadlineExceeded("Deadline Exceeded"),
        exceptions.ServiceUnavailable("failed to connect to all addresses"),
        exceptions.Unknown("Stream removed"),
    ],
)
def test_transport_failures_without_a_google_failure_are_retried(error: Exception) -> None:
    verdict = classify(failure_of(error, VERSION))
    assert verdict.error_class is ErrorClass.RETRYABLE


def test_a_refresh_refused_inside_grpc_is_never_retried_blind() -> None:
    error = exceptions.ServiceUnavailable(
        "Getting metadata from plugin failed with error: "
        "('invalid_grant: Token has been expired or revoked.')"
    )
    verdict = classify(failure_of(error, VERSION))
    assert verdict.error_class is ErrorClass.FATAL_CONFIG
    assert re.search("invalid_grant", verdict.message)
