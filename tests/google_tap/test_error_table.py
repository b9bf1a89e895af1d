"""The whole Google error table: every error code and gRPC status the reference documents (its
section and line in /work/shared/reference/google-ads-api.md beside each), raised the way
google-ads 34 raises it (reference §4.2), gets its deliberate class, scope and setting.

The expectations restate the reference's policy (§4.4), not the tap's table: an entry the tap
judges otherwise fails here, and so does a documented code the tap's table leaves to a default.
"""

# ruff: noqa: E501  (one table row a line: code names are long)

from __future__ import annotations

import re
from datetime import date
from typing import Any

import grpc
import pytest
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions

from ads_kit.resilience import ShrinkRequired
from ads_kit.resilience.errors import ErrorClass, Scope
from tap_google_ads_unified.errors import CODES, DAILY_QUOTA_CODES, classify, failure_of
from tap_google_ads_unified.sources import GoogleSource

from .conftest import FIXTURES
from .test_errors import VERSION, _raised

S = grpc.StatusCode
RETRY, QUOTA, REAUTH, SKIP, SHRINK, FATAL = (
    ErrorClass.RETRYABLE,
    ErrorClass.QUOTA,
    ErrorClass.REAUTH,
    ErrorClass.SKIP_ACCOUNT,
    ErrorClass.SHRINK,
    ErrorClass.FATAL_CONFIG,
)
TOKEN, LOGIN, CUSTOMERS, REFRESH, REPORTS = (
    "developer_token",
    "login_customer_id",
    "customer_ids",
    "refresh_token",
    "custom_reports",
)
# (reference line, status, error-code member, code, class, setting, rate scope of a quota error)
TABLE: list[tuple[int, S, str, str, ErrorClass, str | None, str | None]] = [
    # §4.3 QuotaError (line 465); §4.4 (lines 492-494): wait a short throttle, stop on the daily cap.
    (465, S.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_EXHAUSTED", FATAL, TOKEN, "DEVELOPER"),
    (465, S.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_EXHAUSTED", QUOTA, None, "ACCOUNT"),
    (465, S.PERMISSION_DENIED, "quota_error", "ACCESS_PROHIBITED", FATAL, TOKEN, None),
    (465, S.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED", QUOTA, None, "ACCOUNT"),
    (465, S.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED", QUOTA, None, "DEVELOPER"),
    (466, S.RESOURCE_EXHAUSTED, "quota_error", "EXCESSIVE_SHORT_TERM_QUERY_RESOURCE_CONSUMPTION", QUOTA, None, "ACCOUNT"),
    (466, S.RESOURCE_EXHAUSTED, "quota_error", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION", FATAL, TOKEN, "DEVELOPER"),
    (466, S.RESOURCE_EXHAUSTED, "quota_error", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION", SKIP, None, "ACCOUNT"),
    (467, S.RESOURCE_EXHAUSTED, "quota_error", "PAYMENTS_PROFILE_ACTIVATION_RATE_LIMIT_EXCEEDED", QUOTA, None, "ACCOUNT"),
    # §4.3 AuthorizationError (lines 470-474); §4.4 line 498: one customer denied is skipped.
    (470, S.PERMISSION_DENIED, "authorization_error", "USER_PERMISSION_DENIED", SKIP, None, None),
    (470, S.PERMISSION_DENIED, "authorization_error", "DEVELOPER_TOKEN_NOT_ON_ALLOWLIST", FATAL, TOKEN, None),
    (471, S.PERMISSION_DENIED, "authorization_error", "DEVELOPER_TOKEN_PROHIBITED", FATAL, TOKEN, None),
    (471, S.PERMISSION_DENIED, "authorization_error", "PROJECT_DISABLED", FATAL, TOKEN, None),
    (471, S.PERMISSION_DENIED, "authorization_error", "AUTHORIZATION_ERROR", FATAL, REFRESH, None),
    (471, S.PERMISSION_DENIED, "authorization_error", "ACTION_NOT_PERMITTED", SKIP, None, None),
    (472, S.PERMISSION_DENIED, "authorization_error", "INCOMPLETE_SIGNUP", SKIP, None, None),
    (472, S.PERMISSION_DENIED, "authorization_error", "CUSTOMER_NOT_ENABLED", SKIP, None, None),
    (472, S.PERMISSION_DENIED, "authorization_error", "MISSING_TOS", FATAL, TOKEN, None),
    (472, S.PERMISSION_DENIED, "authorization_error", "DEVELOPER_TOKEN_NOT_APPROVED", FATAL, TOKEN, None),
    (473, S.PERMISSION_DENIED, "authorization_error", "CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION", FATAL, TOKEN, None),
    (473, S.PERMISSION_DENIED, "authorization_error", "INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION", FATAL, LOGIN, None),
    (474, S.PERMISSION_DENIED, "authorization_error", "SERVICE_ACCESS_DENIED", FATAL, TOKEN, None),
    (474, S.PERMISSION_DENIED, "authorization_error", "ACCESS_DENIED_FOR_ACCOUNT_TYPE", SKIP, None, None),
    (474, S.PERMISSION_DENIED, "authorization_error", "METRIC_ACCESS_DENIED", FATAL, REPORTS, None),
    (475, S.PERMISSION_DENIED, "authorization_error", "CLOUD_PROJECT_NOT_UNDER_ORGANIZATION", FATAL, TOKEN, None),
    (475, S.PERMISSION_DENIED, "authorization_error", "ACTION_NOT_PERMITTED_FOR_SUSPENDED_ACCOUNT", SKIP, None, None),
    # §4.3 AuthenticationError (lines 476-479); §4.4 line 497: a refused token is renewed once,
    # anything else about the credentials stops the run naming the setting.
    (476, S.UNAUTHENTICATED, "authentication_error", "AUTHENTICATION_ERROR", REAUTH, None, None),
    (476, S.UNAUTHENTICATED, "authentication_error", "CLIENT_CUSTOMER_ID_INVALID", FATAL, CUSTOMERS, None),
    (476, S.UNAUTHENTICATED, "authentication_error", "CUSTOMER_NOT_FOUND", FATAL, CUSTOMERS, None),
    (477, S.UNAUTHENTICATED, "authentication_error", "GOOGLE_ACCOUNT_DELETED", FATAL, REFRESH, None),
    (477, S.UNAUTHENTICATED, "authentication_error", "NOT_ADS_USER", FATAL, REFRESH, None),
    (477, S.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_INVALID", REAUTH, None, None),
    (477, S.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_EXPIRED", REAUTH, None, None),
    (478, S.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_DISABLED", REAUTH, None, None),
    (478, S.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_REVOKED", REAUTH, None, None),
    (478, S.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_HEADER_INVALID", REAUTH, None, None),
    (479, S.UNAUTHENTICATED, "authentication_error", "TWO_STEP_VERIFICATION_NOT_ENROLLED", FATAL, REFRESH, None),
    (479, S.UNAUTHENTICATED, "authentication_error", "ORGANIZATION_NOT_ASSOCIATED_WITH_DEVELOPER_TOKEN", FATAL, TOKEN, None),
    (479, S.UNAUTHENTICATED, "authentication_error", "DEVELOPER_TOKEN_INVALID", FATAL, TOKEN, None),
    # §4.3 InternalError (line 481); §4.4 line 495: retried with backoff.
    (481, S.INTERNAL, "internal_error", "INTERNAL_ERROR", RETRY, None, None),
    (481, S.INTERNAL, "internal_error", "ERROR_CODE_NOT_PUBLISHED", RETRY, None, None),
    (481, S.INTERNAL, "internal_error", "TRANSIENT_ERROR", RETRY, None, None),
    (482, S.INTERNAL, "internal_error", "DEADLINE_EXCEEDED", RETRY, None, None),
    # §4.3 HeaderError (line 483), §2.4 line 242; §4.4 line 499: fatal.
    (483, S.INVALID_ARGUMENT, "header_error", "INVALID_LOGIN_CUSTOMER_ID", FATAL, LOGIN, None),
    (483, S.INVALID_ARGUMENT, "header_error", "INVALID_LINKED_CUSTOMER_ID", FATAL, LOGIN, None),
    # §4.3 RequestError (lines 484-487); §4.4 lines 496, 499.
    (484, S.INVALID_ARGUMENT, "request_error", "INVALID_CUSTOMER_ID", FATAL, CUSTOMERS, None),
    (484, S.INVALID_ARGUMENT, "request_error", "INVALID_PAGE_TOKEN", RETRY, None, None),
    (484, S.INVALID_ARGUMENT, "request_error", "EXPIRED_PAGE_TOKEN", RETRY, None, None),
    (485, S.INVALID_ARGUMENT, "request_error", "PAGE_SIZE_NOT_SUPPORTED", FATAL, None, None),
    (485, S.INVALID_ARGUMENT, "request_error", "DEVELOPER_TOKEN_PARAMETER_MISSING", FATAL, TOKEN, None),
    (486, S.INVALID_ARGUMENT, "request_error", "LOGIN_CUSTOMER_ID_PARAMETER_MISSING", FATAL, LOGIN, None),
    (486, S.INVALID_ARGUMENT, "request_error", "CANNOT_RETURN_SUMMARY_ROW_FOR_REQUEST_WITHOUT_METRICS", FATAL, None, None),
    (487, S.INVALID_ARGUMENT, "request_error", "RPC_DEADLINE_TOO_SHORT", FATAL, "request_timeout", None),
    (487, S.INVALID_ARGUMENT, "request_error", "UNSUPPORTED_VERSION", FATAL, "api_version", None),
    (487, S.INVALID_ARGUMENT, "request_error", "CLOUD_PROJECT_NOT_FOUND", FATAL, TOKEN, None),
    # §2.1 and §2.3 QueryError (lines 162-173, 207-227): the query is the user's (custom reports),
    # a manager has no metrics (its clients are read), a window too wide is split.
    (162, S.INVALID_ARGUMENT, "query_error", "EXPECTED_FILTERS_ON_DATE_RANGE", FATAL, REPORTS, None),
    (163, S.INVALID_ARGUMENT, "query_error", "MISALIGNED_DATE_FOR_FILTER", FATAL, REPORTS, None),
    (172, S.INVALID_ARGUMENT, "query_error", "BAD_LIMIT_VALUE", FATAL, REPORTS, None),
    (172, S.INVALID_ARGUMENT, "query_error", "LIMIT_VALUE_TOO_LOW", FATAL, REPORTS, None),
    (173, S.INVALID_ARGUMENT, "query_error", "PROHIBITED_FIELD_IN_ORDER_BY_CLAUSE", FATAL, REPORTS, None),
    (207, S.INVALID_ARGUMENT, "query_error", "REQUESTED_METRICS_FOR_MANAGER", SKIP, None, None),
    (209, S.INVALID_ARGUMENT, "query_error", "PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE", FATAL, REPORTS, None),
    (212, S.INVALID_ARGUMENT, "query_error", "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE", FATAL, REPORTS, None),
    (214, S.INVALID_ARGUMENT, "query_error", "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE", FATAL, REPORTS, None),
    (224, S.INVALID_ARGUMENT, "query_error", "UNRECOGNIZED_FIELD", FATAL, REPORTS, None),
    (224, S.INVALID_ARGUMENT, "query_error", "BAD_FIELD_NAME", FATAL, REPORTS, None),
    (225, S.INVALID_ARGUMENT, "query_error", "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE", FATAL, REPORTS, None),
    (225, S.INVALID_ARGUMENT, "query_error", "PROHIBITED_FIELD_COMBINATION_IN_SELECT_CLAUSE", FATAL, REPORTS, None),
    (226, S.INVALID_ARGUMENT, "query_error", "DATE_RANGE_TOO_WIDE", SHRINK, None, None),
    (226, S.INVALID_ARGUMENT, "query_error", "REQUIRED_SEGMENT_FIELD_MISSING", FATAL, REPORTS, None),
    (227, S.INVALID_ARGUMENT, "query_error", "FILTER_HAS_TOO_MANY_VALUES", FATAL, REPORTS, None),
]  # fmt: skip
# §4.2 (lines 437-447) and §4.2's status table (lines 453-460): statuses with no GoogleAdsFailure.
STATUS_TABLE: list[tuple[int, Exception, ErrorClass, str | None]] = [
    (443, exceptions.DeadlineExceeded("Deadline Exceeded"), RETRY, None),
    (444, exceptions.ServiceUnavailable("failed to connect to all addresses; Ssl handshake failed"), RETRY, None),
    (445, exceptions.ServiceUnavailable(
        "Getting metadata from plugin failed with error: ('invalid_grant: Token has been expired or revoked.')"
    ), FATAL, REFRESH),
    (446, exceptions.Cancelled("Stream removed (Channel deallocated!)"), RETRY, None),
    (447, exceptions.Unknown("Stream removed"), RETRY, None),
    (453, exceptions.InvalidArgument("Request contains an invalid argument."), FATAL, None),
    (454, exceptions.Unauthenticated("Request is missing required authentication credential."), REAUTH, None),
    (455, exceptions.PermissionDenied("Google Ads API has not been used in project 1 before or it is disabled."), FATAL, TOKEN),
    (456, exceptions.NotFound("Method not found."), FATAL, "api_version"),
    (457, exceptions.ResourceExhausted("Resource has been exhausted (e.g. check quota)."), QUOTA, None),
    (458, exceptions.InternalServerError("Internal error encountered."), RETRY, None),
    (459, exceptions.ServiceUnavailable("The service is currently unavailable."), RETRY, None),
    (460, exceptions.DeadlineExceeded("504 Deadline Exceeded"), RETRY, None),
]  # fmt: skip
RETRY_DELAY_S = 17


def _failure(member: str, code: str, rate_scope: str | None) -> Any:
    failure = GoogleAdsFailure.pb()(request_id="rid-of-the-call")
    error = failure.errors.add(message=f"{code} as Google words it")
    enum = error.error_code.DESCRIPTOR.fields_by_name[member].enum_type
    setattr(error.error_code, member, enum.values_by_name[code].number)  # KeyError: not the client's code
    if rate_scope is not None:
        details = error.details.quota_error_details
        scopes = details.DESCRIPTOR.fields_by_name["rate_scope"].enum_type
        details.rate_scope = scopes.values_by_name[rate_scope].number
        details.retry_delay.seconds = RETRY_DELAY_S
    return failure


@pytest.mark.parametrize(
    ("line", "status", "member", "code", "error_class", "setting", "rate_scope"),
    TABLE,
    ids=[f"{row[3]}-{row[6] or row[1].name}" for row in TABLE],
)
def test_every_documented_error_code_has_its_class(
    line: int,
    status: S,
    member: str,
    code: str,
    error_class: ErrorClass,
    setting: str | None,
    rate_scope: str | None,
) -> None:
    verdict = classify(failure_of(_raised(status, _failure(member, code, rate_scope)), VERSION))
    assert (verdict.error_class, verdict.setting, verdict.code) == (error_class, setting, code)
    # One line for the user: Google's message and the request id to quote to Google's support.
    assert verdict.message == f"{code} as Google words it (request-id rid-of-the-call)"
    account_scoped = error_class is SKIP or rate_scope == "ACCOUNT"
    assert verdict.scope is (Scope.ACCOUNT if account_scoped else Scope.APP)
    assert verdict.retry_after_s == (RETRY_DELAY_S if error_class is QUOTA and rate_scope else None)


@pytest.mark.parametrize(
    ("line", "error", "error_class", "setting"), STATUS_TABLE, ids=[str(r[0]) for r in STATUS_TABLE]
)
def test_every_documented_status_without_a_failure_has_its_class(
    line: int, error: Exception, error_class: ErrorClass, setting: str | None
) -> None:
    verdict = classify(failure_of(error, VERSION))
    assert (verdict.error_class, verdict.setting) == (error_class, setting)
    assert "\n" not in verdict.message


def test_the_taps_table_is_the_documented_one() -> None:
    """Every code the tap names is documented here, and every documented code is named by the tap
    (none left to its member's default by accident), but the ones whose member default is meant."""
    documented = {(member, code) for _, _, member, code, *_ in TABLE}
    named = {
        (member, code)
        for member, codes in CODES.items()
        if member != "status"
        for code in codes
        if code != "*"
    }
    # The two quota codes whose rate scope decides are judged in code, not in the table.
    by_default = documented - named - {("quota_error", code) for code in DAILY_QUOTA_CODES}
    assert all(member in ("query_error", "request_error", "internal_error") for member, _ in by_default)
    assert named - documented == set()


class _Client:
    """A Google client refusing any report window wider than `widest` days with DATE_RANGE_TOO_WIDE."""

    def __init__(self, widest: int) -> None:
        self.widest = widest
        self.windows: list[tuple[str, str]] = []

    def search(self, customer: str, fields: Any, resource: str, where: str, **_: Any) -> list[dict[str, Any]]:
        first, last = (part.split("'")[1] for part in where.split("segments.date")[1:3])
        if (date.fromisoformat(last) - date.fromisoformat(first)).days + 1 > self.widest:
            raise ShrinkRequired("reports", "DATE_RANGE_TOO_WIDE: The date range is too wide.")
        self.windows.append((first, last))
        return [{"window": (first, last)}]


class _Customers:
    def login_of(self, customer: str) -> None:
        return None


class _Query:
    name, fields, resource = "report", ["segments.date"], "campaign"

    def filter(self, since: date, until: date) -> str:
        return f"segments.date >= '{since}' AND segments.date <= '{until}'"


def test_a_window_too_wide_is_read_in_halves_down_to_one_day() -> None:
    client = _Client(widest=3)
    source = GoogleSource(client, _Customers(), cache=None, include_deleted=False)  # type: ignore[arg-type]
    rows = source.window(_Query(), "1234567890", date(2026, 11, 1), date(2026, 11, 10))  # type: ignore[arg-type]
    assert [r["window"] for r in rows] == client.windows
    days = [date.fromisoformat(d) for window in client.windows for d in window]
    assert days[0] == date(2026, 11, 1) and days[-1] == date(2026, 11, 10)
    assert all((date.fromisoformat(b) - date.fromisoformat(a)).days < 3 for a, b in client.windows)
    with pytest.raises(ShrinkRequired):
        GoogleSource(_Client(widest=0), _Customers(), None, include_deleted=False).window(  # type: ignore[arg-type]
            _Query(),
            "1234567890",
            date(2026, 11, 1),
            date(2026, 11, 1),  # type: ignore[arg-type]
        )


def _quoted(name: str, pattern: str) -> str:
    found = re.search(pattern, (FIXTURES / name).read_text().replace("\\'", "'").replace("\\/", "/"))
    assert found is not None, name
    return found[1]


def _real(name: str) -> Exception:
    """The real payloads the other tests leave out (provenance in <name>.source.txt), raised as
    google-ads 34 raises them: the message and code they show, the status their source names."""
    if name == "error_permission_denied_service_disabled_partial.txt":
        # Google's front end answers before the Ads API: no GoogleAdsFailure, only google.rpc details.
        return exceptions.PermissionDenied(_quoted(name, r'"message": "([^"]+)"'))
    if name == "error_internal_php.txt":
        return exceptions.InternalServerError(_quoted(name, r'"message": "([^"]+)"'))
    member, code, pattern, status = {
        "error_permission_denied_user_permission_denied_partial.txt": (
            "authorization_error", "USER_PERMISSION_DENIED", r'"message": "([^"]+)', S.PERMISSION_DENIED,
        ),
        "error_developer_token_test_only_log.txt": (
            "authorization_error", "DEVELOPER_TOKEN_NOT_APPROVED", r'FaultMessage: "\["([^"]+)"', S.PERMISSION_DENIED,
        ),
        "error_finite_date_range_required_node_repr.txt": (
            "query_error", "EXPECTED_FILTERS_ON_DATE_RANGE", r'message: "([^"]+)"', S.INVALID_ARGUMENT,
        ),
        "error_query_prohibited_segment_proto_text.txt": (
            "query_error", "PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE", r'message: "([^"]+)"', S.INVALID_ARGUMENT,
        ),
    }[name]  # fmt: skip
    failure = _failure(member, code, None)
    failure.errors[0].message = _quoted(name, pattern)
    return _raised(status, failure)


@pytest.mark.parametrize(
    ("name", "error_class", "setting"),
    [
        ("error_permission_denied_service_disabled_partial.txt", FATAL, TOKEN),
        ("error_internal_php.txt", RETRY, None),
        ("error_permission_denied_user_permission_denied_partial.txt", SKIP, None),
        ("error_developer_token_test_only_log.txt", FATAL, TOKEN),
        ("error_finite_date_range_required_node_repr.txt", FATAL, REPORTS),
        ("error_query_prohibited_segment_proto_text.txt", FATAL, REPORTS),
    ],
)
def test_the_real_payloads_get_their_class(name: str, error_class: ErrorClass, setting: str | None) -> None:
    error = _real(name)
    verdict = classify(failure_of(error, VERSION))
    assert (verdict.error_class, verdict.setting) == (error_class, setting)
    text = str(getattr(error, "message", "")) or failure_of(error, VERSION)["errors"][0]["message"]
    assert text and text.split("(")[0].strip() in verdict.message and "\n" not in verdict.message
