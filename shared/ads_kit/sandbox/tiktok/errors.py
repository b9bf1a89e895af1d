"""TikTok's envelope and return codes (reference §1.3, §4.1).

Every API outcome is HTTP 200 with ``{"code", "message", "request_id", "data"}``; ``code`` 0 is
success and an error carries ``data: {}``. Messages quoted by the reference or a captured payload
(tests/fixtures/tiktok) are used word for word; where only the code's meaning is documented
(40102, 40016, 51001, 60001, the 40002 parameter messages) the wording is the sandbox's and says so.
The one non-JSON answer is the gateway's HTML 504 (§1.1), rendered by the named fault ``gateway_timeout``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ads_kit import clock

# §1.1: "5xx (notably 504 with non-JSON body) = gateway/server". The body's text is not captured;
# this is the usual gateway page.
GATEWAY_TIMEOUT_HTML = (
    "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    "<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"
)


def request_id(now: datetime | None = None) -> str:
    """A log id like the real ones: a UTC timestamp then 20 upper-case hex digits (§1.3)."""
    moment = (now or clock.now()).astimezone(UTC)
    return moment.strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()


def envelope(code: int, message: str, data: Any, now: datetime | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id(now), "data": data}


@dataclass
class TikTokError(Exception):
    """One refused call, raised anywhere in a handler and rendered by the emulator's pipeline.

    `status` is 200 for every API-level error; only the gateway's answers (`html`) have another.
    """

    code: int
    message: str
    status: int = 200
    html: str | None = None

    def __str__(self) -> str:
        return self.message

    def body(self, now: datetime | None = None) -> dict[str, Any]:
        return envelope(self.code, self.message, {}, now)


def _fixed(code: int, message: str) -> Callable[[], TikTokError]:
    """A factory of an error whose message never varies."""

    def make() -> TikTokError:
        return TikTokError(code, message)

    return make


# -- authentication and permissions (§1.2, §4.1) ------------------------------------------------------

token_missing = _fixed(40104, "Access token is null, you should set it in http header with key Access-Token.")
# tests/fixtures/tiktok/error_40105_access_token_revoked.json
token_invalid = _fixed(40105, "Access token is incorrect or has been revoked.")
# §4.1 "40102 Access token expired"; the wording is the sandbox's (advertiser tokens do not expire on
# the real platform, §5, but the sandbox's token registry gives every token a lifetime).
token_expired = _fixed(40102, "Access token has expired.")
# tests/fixtures/tiktok/error_40001_permission_scope.json
scope_missing = _fixed(40001, "Permission error: The access token lacks the required scope for endpoint.")
# §4.1 "40101 Invalid auth params (app_id/secret mismatch)"; the wording is the sandbox's.
app_credentials_invalid = _fixed(40101, "Invalid auth params: app_id or secret is not correct.")


def advertiser_unknown(advertiser_id: str) -> TikTokError:
    # tests/fixtures/tiktok/error_codes_retry_set_singer.json (40001, "doesn't exist or has been deleted")
    return TikTokError(40001, f"advertiser {advertiser_id} doesn't exist or has been deleted.")


def advertiser_denied(advertiser_id: str) -> TikTokError:
    # §4.1 "40001 No permission to perform operation"; the wording is the sandbox's.
    text = f"Permission error: The access token has no permission to access advertiser {advertiser_id}."
    return TikTokError(40001, text)


# -- parameters (§1.5, §3.7) -----------------------------------------------------------------------------


def invalid_parameter(message: str) -> TikTokError:
    """40002, the platform's parameter error; `message` names the parameter (sandbox wording, §10)."""
    return TikTokError(40002, message)


# tests/fixtures/tiktok/error_40000_and_40115_real_log.json: the real message is zh-CN
# ("无法解析本次请求所需的账户ID,请检查:请求头(Content-Type)/JSON格式是否设置正确、
# 必填字段不可以设置为空"); served here in English, same meaning.
body_unparseable = _fixed(
    40000,
    "Unable to parse the account ID this request needs. Please check that the request header "
    "(Content-Type) and the JSON format are correct and that required fields are not empty.",
)
# §3.3/§3.6, verbatim: audience report with stat_time_hour, RESERVATION_* levels on an auction account.
no_relation = _fixed(
    40002, "Conflict occurs. The input params including metrics and dimensions have no relation."
)
# §3.2 / §4.1: 40067 "query too large" (Airbyte's wording of it; the full real text is not captured).
query_too_large = _fixed(40067, "Query too large. Please narrow down the time range or the number of IDs.")


def _invalid_fields(kind: str, names: list[str]) -> TikTokError:
    return invalid_parameter(
        f"Please correct the information in invalid {kind} fields and try again. "
        f"Invalid {kind} fields: {names!r}. "
    )


def invalid_metrics(names: list[str]) -> TikTokError:
    """§0/§1.3 (airbyte#11375), verbatim including the trailing space."""
    return _invalid_fields("metric", names)


def invalid_dimensions(names: list[str]) -> TikTokError:
    """Patterned on the metric message (§3.7); the real dimension wording is not captured."""
    return _invalid_fields("dimension", names)


def object_missing(what: str) -> TikTokError:
    # §4.1 "40007 Object does not exist"; the wording is the sandbox's.
    return TikTokError(40007, f"{what} does not exist.")


# -- rate limits (§4.2) ------------------------------------------------------------------------------

# tests/fixtures/tiktok/error_40100_qps_limit.json
app_qps_limit = _fixed(40100, "App reaches the QPS limit.")
# §4.1 "40016 Requests too frequent (app level, endpoint)"; the wording is the sandbox's.
endpoint_too_frequent = _fixed(40016, "Requests too frequent for this endpoint. Please try again later.")


def app_restricted(app_id: str) -> TikTokError:
    # §3.6 / airbyte#70992: the production message of a QPM/QPD refusal and of the lockout after it.
    return TikTokError(
        40100, f"Due to too many requests, requests from App [{app_id}] are temporarily restricted."
    )


def advertiser_qps_limit(advertiser_id: str, current: int, limit: int) -> TikTokError:
    # §3.6 / §4.1, verbatim template.
    return TikTokError(
        40133,
        f"Advertiser ({advertiser_id})'s QPS ({current}) reaches QPS limit {limit} for current path, "
        "request is temporarily restricted.",
    )


# -- async tasks (§3.8), from tests/fixtures/tiktok/error_codes_retry_set_singer.json; the server ----------

task_error = _fixed(40200, "Task error.")
task_not_ready = _fixed(40201, "Task is not ready.")
# tests/fixtures/tiktok/error_50000_system_error_with_data.json
system_error = _fixed(50000, "System error.")


def gateway_timeout() -> TikTokError:
    return TikTokError(504, "504 Gateway Time-out", status=504, html=GATEWAY_TIMEOUT_HTML)


_SINGER = {  # tests/fixtures/tiktok/error_codes_retry_set_singer.json, verbatim
    "write_conflict": (40202, "Write or update entity conflict. Retry may resolve this issue."),
    "internal_validation": (40700, "Internal service validation error."),
    "internal_error": (
        50002,
        "Error processing request on TikTok side. Please see error message for details.",
    ),
    "service_error": (51008, "Service error:"),
}
_DOCUMENTED = {  # §4.1 codes whose real wording is not captured (sandbox wording)
    "service_timeout": (51001, "Internal service timeout. Please try again later."),
    "maintenance": (60001, "System is under maintenance. Please try again later."),
}

# The errors the fault engine injects by name (FaultRule kind "error"). `qpm_limit` also starts the
# app's QPM lockout (the emulator does that, see `TikTokEmulator.error_response`).
NAMED_ERRORS: dict[str, Callable[[], TikTokError]] = {
    "qps_limit": app_qps_limit,
    "rate_limit": app_qps_limit,
    "qpm_limit": lambda: app_restricted("0"),
    "advertiser_qps_limit": lambda: advertiser_qps_limit("0", 11, 10),
    "too_frequent": endpoint_too_frequent,
    "server_error": system_error,
    "gateway_timeout": gateway_timeout,
    "token_missing": token_missing,
    "token_invalid": token_invalid,
    "token_revoked": token_invalid,
    "token_expired": token_expired,
    "permission": scope_missing,
    "advertiser_unknown": lambda: advertiser_unknown("0"),
    "invalid_parameter": lambda: invalid_parameter("Invalid parameters."),
    "query_too_large": query_too_large,
    "task_error": task_error,
    "task_not_ready": task_not_ready,
    **{name: _fixed(code, message) for name, (code, message) in (_SINGER | _DOCUMENTED).items()},
}


def response(error: TikTokError, now: datetime | None = None) -> web.Response:
    """An error as the platform sends it: the envelope with HTTP 200, or the gateway's HTML page."""
    if error.html is not None:
        return web.Response(status=error.status, text=error.html, content_type="text/html")
    body = error.body(now)
    return web.json_response(body, status=error.status, headers={"X-Tt-Logid": body["request_id"]})


def named_error(name: str) -> TikTokError:
    """The error the fault engine asked for by name; an unknown name is a sandbox setup mistake."""
    try:
        return NAMED_ERRORS[name]()
    except KeyError:
        raise ValueError(
            f"unknown TikTok fault error name {name!r}; known: {', '.join(sorted(NAMED_ERRORS))}"
        ) from None
