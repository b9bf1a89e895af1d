"""Named failures: what an ``error`` fault rule's ``name`` (and the core's refusals) answer.

Statuses follow reference §4.2-§4.3; messages are the fixtures' where they show one (module
`failures`), else the library's description of the code. An ``error`` rule's ``seconds`` sets the
retry delay of the quota failures (default: a short-term throttle of 30 s; the daily cap's 40591 s
as in error_429_resource_exhausted_quota_retrydelay.json).
"""

from __future__ import annotations

from collections.abc import Callable

import grpc

from ads_kit.sandbox.google_ads import failures
from ads_kit.sandbox.google_ads.failures import ApiFailure, error

SHORT_TERM_RETRY_S = 30
PROJECT_NUMBER = "979966369712"  # the project of error_permission_denied_service_disabled_partial.txt

_UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
_DENIED = grpc.StatusCode.PERMISSION_DENIED
_INTERNAL = grpc.StatusCode.INTERNAL


def _auth(code: str, message: str) -> Callable[[float | None], ApiFailure]:
    return lambda _: error(_UNAUTHENTICATED, "authentication_error", code, message)


def _denied(code: str, message: str) -> Callable[[float | None], ApiFailure]:
    return lambda _: error(_DENIED, "authorization_error", code, message)


def _internal(code: str, message: str) -> Callable[[float | None], ApiFailure]:
    return lambda _: error(_INTERNAL, "internal_error", code, message)


NAMED: dict[str, Callable[[float | None], ApiFailure]] = {
    # The core's refusals (ads_kit.sandbox.grpc_host): the token check and the account check.
    "token_missing": _auth("OAUTH_TOKEN_HEADER_INVALID", "OAuth token HTTP header is malformed."),
    "token_invalid": _auth("OAUTH_TOKEN_INVALID", "OAuth token in the header is not valid."),
    "token_expired": _auth("OAUTH_TOKEN_EXPIRED", "OAuth token in the header has expired."),
    "token_revoked": _auth("OAUTH_TOKEN_REVOKED", "OAuth token in the header has been revoked."),
    "account_unknown": lambda _: failures.user_permission_denied(),
    "account_denied": lambda _: failures.user_permission_denied(),
    "quota_app": lambda s: failures.quota(
        "RESOURCE_TEMPORARILY_EXHAUSTED", "DEVELOPER", "Sandbox app quota (the limits setting)", s or 1
    ),
    "quota_account": lambda s: failures.quota(
        "RESOURCE_TEMPORARILY_EXHAUSTED", "ACCOUNT", "Sandbox account quota (the limits setting)", s or 1
    ),
    # Faults.
    "rate_limit": lambda s: failures.quota(
        "RESOURCE_TEMPORARILY_EXHAUSTED",
        "ACCOUNT",
        "Requests per customer over a short period",
        SHORT_TERM_RETRY_S if s is None else s,
    ),
    "quota_exhausted": lambda s: failures.quota(
        "RESOURCE_EXHAUSTED",
        "DEVELOPER",
        failures.DAILY_QUOTA_RATE_NAME,
        failures.DAILY_QUOTA_RETRY_S if s is None else s,
    ),
    "internal_error": _internal("INTERNAL_ERROR", "Google Ads API encountered unexpected internal error."),
    "server_error": _internal("INTERNAL_ERROR", "Google Ads API encountered unexpected internal error."),
    "transient_error": _internal(
        "TRANSIENT_ERROR",
        "Google Ads API encountered an unexpected transient error. The user should retry their request in "
        "these cases.",
    ),
    # InternalError.DEADLINE_EXCEEDED is an INTERNAL status (reference §4.4); a client's own deadline
    # is the core's `timeout` fault.
    "deadline_exceeded": _internal("DEADLINE_EXCEEDED", "The request took longer than a deadline."),
    "not_ads_user": _auth("NOT_ADS_USER", failures.NOT_ADS_USER),
    "developer_token_invalid": _auth("DEVELOPER_TOKEN_INVALID", "The developer token is not valid."),
    "user_permission_denied": lambda _: failures.user_permission_denied(),
    "developer_token_not_approved": _denied(
        "DEVELOPER_TOKEN_NOT_APPROVED", failures.DEVELOPER_TOKEN_NOT_APPROVED
    ),
    "cloud_project_not_approved": _denied(
        "CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION",
        "The Google Cloud project is only approved for use with test accounts. To access non-test accounts, "
        "apply for Explorer, Basic or Standard access.",
    ),
    "customer_not_enabled": _denied(
        "CUSTOMER_NOT_ENABLED",
        failures.CUSTOMER_NOT_ENABLED,
    ),
    "service_disabled": lambda _: failures.service_disabled(PROJECT_NUMBER),
    "unsupported_version": lambda _: unsupported_version("this version"),
}


def named_failure(name: str, seconds: float | None = None) -> ApiFailure:
    try:
        make = NAMED[name]
    except KeyError:
        raise ValueError(
            f"unknown Google Ads fault error name {name!r}; known: {', '.join(sorted(NAMED))}"
        ) from None
    return make(seconds)


def unsupported_version(version: str) -> ApiFailure:
    """A sunset version. The message is the peers' (reference §1.2: "Version v11 is deprecated.
    Requests to this version will be blocked."); the code is RequestError.UNSUPPORTED_VERSION."""
    return failures.request_error(
        "UNSUPPORTED_VERSION", f"Version {version} is deprecated. Requests to this version will be blocked."
    )


__all__ = ["NAMED", "named_failure", "unsupported_version"]
