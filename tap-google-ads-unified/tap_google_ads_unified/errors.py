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
# Every error code of the reference's tables (§2.3, §2.4, §4.3): a line is a member, a class (with
# the setting the user fixes, for a fatal one) and its codes. quota_error RESOURCE_EXHAUSTED and
# EXCESSIVE_LONG_TERM_* are `_verdict`'s (the rate scope decides); a code not listed takes its
# member's default (`*`). `status` lines judge a gRPC status that carries no GoogleAdsFailure (§4.2:
# transport failures; PERMISSION_DENIED from Google's front end is SERVICE_DISABLED, the token's
# project lacks the API). Why: a customer the user cannot read (or a manager, which has no metrics)
# is skipped and the others go on; a page token is only as good as its query, read again from the
# start; a window too wide is split in halves (sources.py); an access level forbidding a call is
# not waited for.
_TABLE = """
quota_error quota * RESOURCE_TEMPORARILY_EXHAUSTED EXCESSIVE_SHORT_TERM_QUERY_RESOURCE_CONSUMPTION
quota_error quota PAYMENTS_PROFILE_ACTIVATION_RATE_LIMIT_EXCEEDED
quota_error fatal_config:developer_token ACCESS_PROHIBITED
authentication_error reauth * AUTHENTICATION_ERROR OAUTH_TOKEN_INVALID OAUTH_TOKEN_EXPIRED
authentication_error reauth OAUTH_TOKEN_DISABLED OAUTH_TOKEN_REVOKED OAUTH_TOKEN_HEADER_INVALID
authentication_error fatal_config:refresh_token NOT_ADS_USER GOOGLE_ACCOUNT_DELETED
authentication_error fatal_config:refresh_token TWO_STEP_VERIFICATION_NOT_ENROLLED
authentication_error fatal_config:customer_ids CLIENT_CUSTOMER_ID_INVALID CUSTOMER_NOT_FOUND
authentication_error fatal_config:developer_token DEVELOPER_TOKEN_INVALID
authentication_error fatal_config:developer_token ORGANIZATION_NOT_ASSOCIATED_WITH_DEVELOPER_TOKEN
authorization_error skip_account * USER_PERMISSION_DENIED CUSTOMER_NOT_ENABLED ACCESS_DENIED_FOR_ACCOUNT_TYPE
authorization_error skip_account ACTION_NOT_PERMITTED_FOR_SUSPENDED_ACCOUNT INCOMPLETE_SIGNUP
authorization_error skip_account ACTION_NOT_PERMITTED
authorization_error fatal_config:developer_token DEVELOPER_TOKEN_NOT_ON_ALLOWLIST DEVELOPER_TOKEN_PROHIBITED
authorization_error fatal_config:developer_token DEVELOPER_TOKEN_NOT_APPROVED SERVICE_ACCESS_DENIED
authorization_error fatal_config:developer_token CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION PROJECT_DISABLED
authorization_error fatal_config:developer_token CLOUD_PROJECT_NOT_UNDER_ORGANIZATION MISSING_TOS
authorization_error fatal_config:refresh_token AUTHORIZATION_ERROR
authorization_error fatal_config:login_customer_id INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION
authorization_error fatal_config:custom_reports METRIC_ACCESS_DENIED
internal_error retryable *
header_error fatal_config:login_customer_id * INVALID_LOGIN_CUSTOMER_ID INVALID_LINKED_CUSTOMER_ID
request_error fatal_config *
request_error fatal_config:customer_ids INVALID_CUSTOMER_ID
request_error fatal_config:developer_token DEVELOPER_TOKEN_PARAMETER_MISSING CLOUD_PROJECT_NOT_FOUND
request_error fatal_config:login_customer_id LOGIN_CUSTOMER_ID_PARAMETER_MISSING
request_error fatal_config:request_timeout RPC_DEADLINE_TOO_SHORT
request_error fatal_config:api_version UNSUPPORTED_VERSION
request_error retryable INVALID_PAGE_TOKEN EXPIRED_PAGE_TOKEN
query_error fatal_config:custom_reports *
query_error skip_account REQUESTED_METRICS_FOR_MANAGER
query_error shrink DATE_RANGE_TOO_WIDE
field_error fatal_config:custom_reports *
status retryable INTERNAL UNAVAILABLE DEADLINE_EXCEEDED UNKNOWN CANCELLED ABORTED
status quota RESOURCE_EXHAUSTED
status reauth UNAUTHENTICATED
status fatal_config:developer_token PERMISSION_DENIED
status fatal_config:api_version NOT_FOUND
status fatal_config INVALID_ARGUMENT
"""
CODES: dict[str, dict[str, tuple[ErrorClass, str | None]]] = {}
for _line in _TABLE.strip().splitlines():
    _member, _verdict_text, *_codes = _line.split()
    _class, _, _setting = _verdict_text.partition(":")
    for _code in _codes:
        CODES.setdefault(_member, {})[_code] = (ErrorClass(_class), _setting or None)
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
