"""Google's error table: a failed call (gRPC status + GoogleAdsFailure) -> one of the suite's error
classes (``ads_kit.resilience.errors.ErrorClass``). Sources: reference §4 (shapes, how google-ads 34
surfaces each status, the retry policy of Google and the peers) and the real bodies in
tests/fixtures/google_ads/error_*.

The library raises ``GoogleAdsException`` (failure parsed) for most statuses, but leaves the failure
of RESOURCE_EXHAUSTED and INTERNAL in the trailers of a ``google.api_core`` exception; ``failure_of``
reads both into one plain body, which ``classify`` judges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc
from google.ads.googleads.errors import GoogleAdsException
from google.api_core import exceptions

from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

FAILURE_TRAILER = "google.ads.googleads.{version}.errors.googleadsfailure-bin"
F, Q, K = ErrorClass.FATAL_CONFIG, ErrorClass.QUOTA, ErrorClass.SKIP_ACCOUNT
_TOKEN = "developer_token"
# Every error code of the reference's tables (§2.3, §2.4, §4.3): member, code, class, and for a
# fatal one the setting the user fixes. quota_error RESOURCE_EXHAUSTED and EXCESSIVE_LONG_TERM_*
# are `_verdict`'s (the rate scope decides); a code not listed takes its member's default (`*`).
# `status` lines judge a gRPC status that carries no GoogleAdsFailure (§4.2: transport failures;
# PERMISSION_DENIED from Google's front end is SERVICE_DISABLED, the token's project lacks the API).
_TABLE = """
quota_error RESOURCE_TEMPORARILY_EXHAUSTED quota
quota_error EXCESSIVE_SHORT_TERM_QUERY_RESOURCE_CONSUMPTION quota
quota_error PAYMENTS_PROFILE_ACTIVATION_RATE_LIMIT_EXCEEDED quota
quota_error ACCESS_PROHIBITED fatal_config developer_token
authentication_error AUTHENTICATION_ERROR reauth
authentication_error OAUTH_TOKEN_INVALID reauth
authentication_error OAUTH_TOKEN_EXPIRED reauth
authentication_error OAUTH_TOKEN_DISABLED reauth
authentication_error OAUTH_TOKEN_REVOKED reauth
authentication_error OAUTH_TOKEN_HEADER_INVALID reauth
authentication_error NOT_ADS_USER fatal_config refresh_token
authentication_error GOOGLE_ACCOUNT_DELETED fatal_config refresh_token
authentication_error TWO_STEP_VERIFICATION_NOT_ENROLLED fatal_config refresh_token
authentication_error CLIENT_CUSTOMER_ID_INVALID fatal_config customer_ids
authentication_error CUSTOMER_NOT_FOUND fatal_config customer_ids
authentication_error DEVELOPER_TOKEN_INVALID fatal_config developer_token
authentication_error ORGANIZATION_NOT_ASSOCIATED_WITH_DEVELOPER_TOKEN fatal_config developer_token
authorization_error USER_PERMISSION_DENIED skip_account
authorization_error CUSTOMER_NOT_ENABLED skip_account
authorization_error ACCESS_DENIED_FOR_ACCOUNT_TYPE skip_account
authorization_error ACTION_NOT_PERMITTED_FOR_SUSPENDED_ACCOUNT skip_account
authorization_error INCOMPLETE_SIGNUP skip_account
authorization_error ACTION_NOT_PERMITTED skip_account
authorization_error DEVELOPER_TOKEN_NOT_ON_ALLOWLIST fatal_config developer_token
authorization_error DEVELOPER_TOKEN_PROHIBITED fatal_config developer_token
authorization_error DEVELOPER_TOKEN_NOT_APPROVED fatal_config developer_token
authorization_error CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION fatal_config developer_token
authorization_error CLOUD_PROJECT_NOT_UNDER_ORGANIZATION fatal_config developer_token
authorization_error PROJECT_DISABLED fatal_config developer_token
authorization_error MISSING_TOS fatal_config developer_token
authorization_error SERVICE_ACCESS_DENIED fatal_config developer_token
authorization_error AUTHORIZATION_ERROR fatal_config refresh_token
authorization_error INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION fatal_config login_customer_id
authorization_error METRIC_ACCESS_DENIED fatal_config custom_reports
header_error INVALID_LOGIN_CUSTOMER_ID fatal_config login_customer_id
header_error INVALID_LINKED_CUSTOMER_ID fatal_config login_customer_id
request_error INVALID_CUSTOMER_ID fatal_config customer_ids
request_error DEVELOPER_TOKEN_PARAMETER_MISSING fatal_config developer_token
request_error CLOUD_PROJECT_NOT_FOUND fatal_config developer_token
request_error LOGIN_CUSTOMER_ID_PARAMETER_MISSING fatal_config login_customer_id
request_error RPC_DEADLINE_TOO_SHORT fatal_config request_timeout
request_error UNSUPPORTED_VERSION fatal_config api_version
request_error INVALID_PAGE_TOKEN retryable
request_error EXPIRED_PAGE_TOKEN retryable
query_error REQUESTED_METRICS_FOR_MANAGER skip_account
query_error DATE_RANGE_TOO_WIDE shrink
quota_error * quota
authentication_error * reauth
authorization_error * skip_account
internal_error * retryable
header_error * fatal_config login_customer_id
request_error * fatal_config
query_error * fatal_config custom_reports
field_error * fatal_config custom_reports
status INTERNAL retryable
status UNAVAILABLE retryable
status DEADLINE_EXCEEDED retryable
status UNKNOWN retryable
status CANCELLED retryable
status ABORTED retryable
status RESOURCE_EXHAUSTED quota
status UNAUTHENTICATED reauth
status PERMISSION_DENIED fatal_config developer_token
status NOT_FOUND fatal_config api_version
status INVALID_ARGUMENT fatal_config
"""
# Why: a customer the user cannot read (or a manager, which has no metrics) is skipped and the
# others go on; a page token is only as good as its query, which is read again from the start; a
# window too wide is split in halves (sources.py); the access level forbidding a call is not waited.
CODES: dict[str, dict[str, tuple[ErrorClass, str | None]]] = {}
for _line in _TABLE.strip().splitlines():
    _member, _code, _class, *_setting = _line.split()
    CODES.setdefault(_member, {})[_code] = (ErrorClass(_class), _setting[0] if _setting else None)
# A developer-scope RESOURCE_EXHAUSTED is the daily operations cap of the access level (§4.4-4.5:
# "Retry in 40591 seconds"), as is a long-term query consumption: waiting is pointless.
DAILY_QUOTA_CODES = frozenset({"RESOURCE_EXHAUSTED", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION"})


def failure_of(exc: Exception, version: str) -> dict[str, Any]:
    """A failed call as a plain body: ``{"status", "message", "request_id", "errors": [{"member",
    "code", "message", "retry_delay_s", "rate_scope"}]}`` (errors empty when Google sent none)."""
    failure: Any = None
    if isinstance(exc, GoogleAdsException):
        status = exc.error.code().name
        failure = type(exc.failure).pb(exc.failure)
    else:
        code = getattr(exc, "grpc_status_code", None)
        status = code.name if code is not None else type(exc).__name__.upper()
        response = getattr(exc, "response", None)
        trailers = getattr(response, "trailing_metadata", None)
        if callable(trailers):
            failure = _trailer_failure(dict(trailers() or ()), version)
    body: dict[str, Any] = {"status": status, "message": one_line(getattr(exc, "message", None) or str(exc))}
    body["errors"] = [_error(item) for item in failure.errors] if failure is not None else []
    if failure is not None and failure.request_id:
        body["request_id"] = failure.request_id
    return body


def _trailer_failure(trailers: Mapping[str, Any], version: str) -> Any:
    blob = trailers.get(FAILURE_TRAILER.format(version=version))
    if blob is None:
        return None
    module = __import__(f"google.ads.googleads.{version}.errors.types.errors", fromlist=["GoogleAdsFailure"])
    return module.GoogleAdsFailure.pb().FromString(blob)


def _error(item: Any) -> dict[str, Any]:
    member = item.error_code.WhichOneof("error_code")
    number = getattr(item.error_code, member)
    enum = item.error_code.DESCRIPTOR.fields_by_name[member].enum_type
    error: dict[str, Any] = {
        "member": member,
        "code": enum.values_by_number[number].name,
        "message": item.message,
    }
    if item.details.HasField("quota_error_details"):
        quota = item.details.quota_error_details
        error["retry_delay_s"] = quota.retry_delay.seconds + quota.retry_delay.nanos / 1e9
        error["rate_scope"] = (
            quota.DESCRIPTOR.fields_by_name["rate_scope"].enum_type.values_by_number[quota.rate_scope].name
        )
    if item.location.field_path_elements:
        error["field"] = ".".join(e.field_name for e in item.location.field_path_elements)
    return error


def http_status(status: str) -> int | None:
    """The HTTP status of a gRPC status name, as api_core (and Google's REST front end) map it."""
    code = grpc.StatusCode.__members__.get(status)
    return exceptions.from_grpc_status(code, "").code if code is not None else None


def is_api_failure(exc: BaseException) -> bool:
    return isinstance(exc, GoogleAdsException | exceptions.GoogleAPICallError)


def classify(body: Mapping[str, Any]) -> Classified:
    """The verdict on a failed call's body (``failure_of``)."""
    status = str(body.get("status"))
    errors = list(body.get("errors") or ())
    first = errors[0] if errors else {}
    code = first.get("code") or status
    message = one_line(first.get("message") or body.get("message") or status)
    if body.get("request_id"):
        message = f"{message} (request-id {body['request_id']})"
    error_class, setting, scope = _verdict(status, first, str(body.get("message")))
    retry_after = first.get("retry_delay_s") if error_class is ErrorClass.QUOTA else None
    return Classified(error_class, code, message, retry_after_s=retry_after, scope=scope, setting=setting)


def _verdict(status: str, first: Mapping[str, Any], text: str) -> tuple[ErrorClass, str | None, Scope]:
    member, code = first.get("member"), first.get("code")
    if member == "quota_error" and code in DAILY_QUOTA_CODES:
        if first.get("rate_scope") == "DEVELOPER":
            return F, _TOKEN, Scope.APP
        # One customer's cap: it waits Google's delay (the daily one), its long-term one skips it.
        return (Q if code == "RESOURCE_EXHAUSTED" else K), None, Scope.ACCOUNT
    if member is None:
        # "Getting metadata from plugin failed" is a refresh refused inside gRPC: never retried blind.
        if "metadata from plugin" in text:
            return F, "refresh_token", Scope.APP
        error_class, setting = CODES["status"].get(status, (F, None))
    else:
        codes = CODES.get(member, {})
        error_class, setting = codes.get(code or "") or codes.get("*", (F, None))
    account = error_class is K or first.get("rate_scope") == "ACCOUNT"
    return error_class, setting, Scope.ACCOUNT if account else Scope.APP
