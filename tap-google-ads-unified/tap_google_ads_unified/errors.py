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

from google.ads.googleads.errors import GoogleAdsException
from google.api_core import exceptions

from ads_kit.resilience.errors import Classified, ErrorClass, Scope, one_line

FAILURE_TRAILER = "google.ads.googleads.{version}.errors.googleadsfailure-bin"
# A developer-scope RESOURCE_EXHAUSTED is the daily operations cap of the access level (reference
# §4.4-4.5: "Retry in 40591 seconds"): waiting is pointless, the run stops with one line.
DAILY_QUOTA_CODES = frozenset({"RESOURCE_EXHAUSTED", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION"})
# Authorization errors of one customer: skipped with a dead letter, the others go on.
CUSTOMER_DENIED = frozenset(
    {"USER_PERMISSION_DENIED", "CUSTOMER_NOT_ENABLED", "ACCESS_DENIED_FOR_ACCOUNT_TYPE"}
)
# The access token is refused: renew it once and retry.
TOKEN_CODES = frozenset(
    {
        "OAUTH_TOKEN_EXPIRED",
        "OAUTH_TOKEN_INVALID",
        "OAUTH_TOKEN_REVOKED",
        "OAUTH_TOKEN_HEADER_INVALID",
        "OAUTH_TOKEN_DISABLED",
        "AUTHENTICATION_ERROR",
    }
)
# Transport statuses retried with backoff (reference §4.4).
RETRIED_STATUSES = frozenset(
    {"INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED", "UNKNOWN", "CANCELLED", "ABORTED"}
)
# Settings a fatal error names, by error-code member or value.
SETTING_OF = {
    "developer_token": {
        "DEVELOPER_TOKEN_INVALID",
        "DEVELOPER_TOKEN_NOT_APPROVED",
        "DEVELOPER_TOKEN_PROHIBITED",
        "CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION",
        "DEVELOPER_TOKEN_PARAMETER_MISSING",
        "DEVELOPER_TOKEN_NOT_ON_ALLOWLIST",
        "SERVICE_DISABLED",
        *DAILY_QUOTA_CODES,
    },
    "login_customer_id": {
        "INVALID_LOGIN_CUSTOMER_ID",
        "LOGIN_CUSTOMER_ID_PARAMETER_MISSING",
        "INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION",
    },
    "customer_ids": {"INVALID_CUSTOMER_ID", "CUSTOMER_NOT_FOUND", "CLIENT_CUSTOMER_ID_INVALID"},
    "api_version": {"UNSUPPORTED_VERSION"},
    "request_timeout": {"RPC_DEADLINE_TOO_SHORT"},
    "refresh_token": {"NOT_ADS_USER", "GOOGLE_ACCOUNT_DELETED", "TWO_STEP_VERIFICATION_NOT_ENROLLED"},
}


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


HTTP_STATUS = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}


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
    error_class, scope, retry_after = _verdict(status, first, str(body.get("message")))
    setting = None
    if error_class is ErrorClass.FATAL_CONFIG:
        setting = next((key for key, codes in SETTING_OF.items() if code in codes), None)
        if first.get("member") == "query_error" or first.get("member") == "field_error":
            setting = "custom_reports"
    return Classified(error_class, code, message, retry_after_s=retry_after, scope=scope, setting=setting)


def _verdict(status: str, first: Mapping[str, Any], text: str) -> tuple[ErrorClass, Scope, float | None]:
    code, member = first.get("code"), first.get("member")
    if status == "RESOURCE_EXHAUSTED" or member == "quota_error":
        developer = first.get("rate_scope") == "DEVELOPER"
        scope = Scope.APP if developer else Scope.ACCOUNT
        if developer and code in DAILY_QUOTA_CODES:
            return ErrorClass.FATAL_CONFIG, scope, None
        return ErrorClass.QUOTA, scope, first.get("retry_delay_s")
    if status == "UNAUTHENTICATED" and code in TOKEN_CODES:
        return ErrorClass.REAUTH, Scope.APP, None
    if member == "authorization_error" and code in CUSTOMER_DENIED:
        return ErrorClass.SKIP_ACCOUNT, Scope.ACCOUNT, None
    # "Getting metadata from plugin failed" is a refresh refused inside gRPC: never retried blind.
    if (status in RETRIED_STATUSES or member == "internal_error") and "metadata from plugin" not in text:
        return ErrorClass.RETRYABLE, Scope.APP, None
    return ErrorClass.FATAL_CONFIG, Scope.APP, None
