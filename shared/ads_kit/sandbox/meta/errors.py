"""Graph API errors: the table of named errors and the `{"error": {...}}` envelope.

Every body here is copied from a real payload (tests/fixtures/meta/error_*.json); where only the
code and wording are documented (17, 613, 3018, 104) the envelope is the one every captured Graph
error shares. Rate-limit errors are HTTP 400, never 429, as on the real platform.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

OAUTH = "OAuthException"
GRAPH_METHOD = "GraphMethodException"
RATE_LIMIT_DOCS = (
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
)
INSIGHTS_FIELDS_DOCS = "https://developers.facebook.com/docs/marketing-api/reference/ads-insights/"


@dataclass
class GraphError(Exception):
    """One Graph API error; raised anywhere in a handler and rendered by the router."""

    code: int
    message: str
    status: int = 400
    type: str | None = OAUTH
    subcode: int | None = None
    is_transient: bool | None = None
    user_title: str | None = None
    user_msg: str | None = None
    # Seconds until the caller may retry, surfaced in the usage headers of rate-limit errors.
    retry_after_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message}
        if self.type:
            error["type"] = self.type
        error["code"] = self.code
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_msg:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = trace_id()
        return {"error": error}


def trace_id() -> str:
    """A fresh fbtrace_id: 23 url-safe characters like the captured ones."""
    return secrets.token_urlsafe(17)[:23]


def app_rate_limited(retry_after_s: float = 60.0) -> GraphError:
    return GraphError(
        4, "(#4) Application request limit reached", is_transient=True, retry_after_s=retry_after_s
    )


def user_rate_limited(retry_after_s: float = 60.0) -> GraphError:
    return GraphError(
        17,
        "(#17) User request limit reached",
        subcode=2446079,
        is_transient=True,
        retry_after_s=retry_after_s,
    )


def account_rate_limited(insights: bool, retry_after_s: float = 60.0) -> GraphError:
    """BUC throttle: 80000 for the ads_insights use case, 80004 for ads_management."""
    if insights:
        text = "(#80000) There have been too many calls from this ad-account. Wait a bit and try again."
        return GraphError(80000, f"{text} {RATE_LIMIT_DOCS}", subcode=2446079, retry_after_s=retry_after_s)
    text = "(#80004) There have been too many calls to this ad-account. Wait a bit and try again."
    return GraphError(80004, f"{text} {RATE_LIMIT_DOCS}", subcode=2446079, retry_after_s=retry_after_s)


def custom_rate_limited(retry_after_s: float = 60.0) -> GraphError:
    return GraphError(
        613, "(#613) Calls to this api have exceeded the rate limit.", retry_after_s=retry_after_s
    )


def unknown_error() -> GraphError:
    return GraphError(1, "An unknown error occurred", status=500, type=None, subcode=99)


def reduce_data() -> GraphError:
    return GraphError(
        1,
        "Please reduce the amount of data you're asking for, then retry your request",
        status=500,
        type=None,
    )


def service_unavailable() -> GraphError:
    return GraphError(2, "(#2) Service temporarily unavailable", is_transient=True)


def token_missing() -> GraphError:
    return GraphError(104, "An access token is required to request this resource.")


def token_expired(expired_on: str = "Friday, 18-Aug-23 06:29:46 PDT") -> GraphError:
    return GraphError(
        190,
        f"Error validating access token: Session has expired on {expired_on}.",
        subcode=463,
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Session has expired"'},
    )


def token_invalid() -> GraphError:
    return GraphError(
        190,
        "Error validating access token: The session has been invalidated because the user changed their "
        "password or Facebook has changed the session for security reasons",
        subcode=460,
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Session invalidated"'},
    )


def token_unparseable() -> GraphError:
    return GraphError(190, "Invalid OAuth access token - Cannot parse access token")


def missing_permissions() -> GraphError:
    return GraphError(100, "(#100) Missing permissions")


def business_permission() -> GraphError:
    return GraphError(
        200, "(#200) Requires business_management permission to manage the object", status=403, type=None
    )


def invalid_appsecret_proof() -> GraphError:
    """What Graph answers when the appsecret_proof sent is not the token's HMAC under the app secret."""
    return GraphError(100, "Invalid appsecret_proof provided in the API argument", type=GRAPH_METHOD)


def unsupported_get(object_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        type=GRAPH_METHOD,
        subcode=33,
    )


def deprecated_version(latest: str) -> GraphError:
    return GraphError(
        2635,
        "(#2635) You are calling a deprecated version of the Ads API. "
        f"Please update to the latest version: {latest}.",
    )


def report_not_ready() -> GraphError:
    return GraphError(
        2601,
        "Error accessing adreport job.",
        subcode=1815107,
        is_transient=True,
        user_title="Loading Async Ads Report Failed",
        user_msg="Sorry, the report cannot be loaded successfully. Please check if your job status is "
        "completed instead of failed or running before fetching the data.",
    )


def retention_exceeded() -> GraphError:
    return GraphError(
        3018, "(#3018) The start date of the time range cannot be beyond 37 months from the current date"
    )


def invalid_parameter(message: str) -> GraphError:
    """A (#100) parameter error; `message` names the parameter or value at fault."""
    return GraphError(100, f"(#100) {message}")


def nonexisting_field(field_name: str, node_type: str) -> GraphError:
    return invalid_parameter(f"Tried accessing nonexisting field ({field_name}) on node type ({node_type})")


def invalid_insights_fields(names: list[str]) -> GraphError:
    return invalid_parameter(
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not valid for fields param. "
        f"please check {INSIGHTS_FIELDS_DOCS} for all valid values"
    )


# The errors the fault engine can inject by name (FaultRule kind "error").
NAMED_ERRORS: dict[str, Any] = {
    "rate_limit": app_rate_limited,
    "rate_limit_app": app_rate_limited,
    "rate_limit_user": user_rate_limited,
    "rate_limit_account": lambda: account_rate_limited(insights=False),
    "rate_limit_insights": lambda: account_rate_limited(insights=True),
    "too_many_calls": custom_rate_limited,
    "server_error": unknown_error,
    "reduce_data": reduce_data,
    "transient": service_unavailable,
    "token_expired": token_expired,
    "token_invalid": token_invalid,
    "permission": business_permission,
    "missing_permissions": missing_permissions,
    "unsupported_get": lambda: unsupported_get("0"),
    "async_not_ready": report_not_ready,
    "retention": retention_exceeded,
}


def named_error(name: str, latest_version: str) -> GraphError:
    """The error the fault engine asked for by name; unknown names are a sandbox setup mistake."""
    if name == "deprecated_version":
        return deprecated_version(latest_version)
    try:
        return NAMED_ERRORS[name]()
    except KeyError:
        known = ", ".join(sorted([*NAMED_ERRORS, "deprecated_version"]))
        raise ValueError(f"unknown Meta fault error name {name!r}; known: {known}") from None
