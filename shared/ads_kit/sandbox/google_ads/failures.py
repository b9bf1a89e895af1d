"""Google Ads failures, one model for both transports.

A failure is a gRPC status plus a `GoogleAdsFailure` (reference §4.1): over gRPC the failure rides in
the trailers ``google.ads.googleads.vNN.errors.googleadsfailure-bin`` and ``request-id`` (what the
library's ExceptionInterceptor reads, §4.2), beside the ``grpc-status-details-bin`` status that
real servers also send (google-ads-php#827 lists all three trailers:
tests/fixtures/google_ads/error_invalid_argument_trailer_keys_php.txt); over REST the same status
is the ``{"error": {code, message, status, details}}`` envelope with the failure as
``details[0]`` (fixtures error_400_*, error_401_*, error_429_*).

Status messages are the real ones of the fixtures; a GoogleAdsError's message is the real one where
a fixture shows it, else the description the library gives the error code (its enum docstring).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import grpc
from google.protobuf import any_pb2, json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from ads_kit.sandbox.google_ads.protos import LATEST, SERVED_VERSIONS, failure_key, protos

# gRPC status -> HTTP status of the REST envelope (reference §4.2, "typical mapping").
HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}
# The status messages real responses carry (fixtures named in the module docstring; INTERNAL from
# google-ads-php#184: error_internal_php.txt). NOT_FOUND and UNIMPLEMENTED have no real sample.
STATUS_MESSAGE = {
    grpc.StatusCode.INVALID_ARGUMENT: "Request contains an invalid argument.",
    grpc.StatusCode.UNAUTHENTICATED: (
        "Request is missing required authentication credential. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    grpc.StatusCode.PERMISSION_DENIED: "The caller does not have permission",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "Resource has been exhausted (e.g. check quota).",
    grpc.StatusCode.INTERNAL: "Internal error encountered.",
    grpc.StatusCode.NOT_FOUND: "Requested entity was not found.",
    grpc.StatusCode.UNIMPLEMENTED: "Method not implemented.",
}


class QuotaDetails(NamedTuple):
    """`QuotaErrorDetails` (reference §4.1): the scope (ACCOUNT or DEVELOPER), its name, the wait."""

    rate_scope: str
    rate_name: str
    retry_delay_s: int


@dataclass(frozen=True, slots=True)
class AdsError:
    """One `GoogleAdsError`: the error-code oneof member and value, message, location, quota details."""

    kind: str  # "query_error", "authorization_error", ...
    code: str  # "UNRECOGNIZED_FIELD", ...
    message: str
    location: tuple[tuple[str, int | None], ...] = ()  # field path elements: (field_name, index)
    quota: QuotaDetails | None = None
    trigger: str | None = None  # the offending value, as a string Value


@dataclass
class ApiFailure(Exception):
    """A failed call: its status and GoogleAdsErrors (or, for failures Google's front end answers
    before the Ads API does, such as SERVICE_DISABLED, only google.rpc details)."""

    status: grpc.StatusCode
    errors: tuple[AdsError, ...] = ()
    message: str | None = None  # the status message; default the real one of the status
    rpc_details: tuple[Message, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        codes = ", ".join(f"{e.kind}.{e.code}" for e in self.errors)
        return f"{self.status.name} {codes}".strip()

    @property
    def status_message(self) -> str:
        return self.message or STATUS_MESSAGE.get(self.status, self.status.name)

    def failure(self, version: str, request_id: str) -> Message:
        """The `GoogleAdsFailure` message of `version` (a sunset version's in the newest classes:
        the failure's fields keep their numbers)."""
        classes = protos(version if version in SERVED_VERSIONS else LATEST)
        failure = classes.failure(request_id=request_id)
        for spec in self.errors:
            error = failure.errors.add()
            member = error.error_code.DESCRIPTOR.fields_by_name[spec.kind]
            setattr(error.error_code, spec.kind, member.enum_type.values_by_name[spec.code].number)
            error.message = spec.message
            if spec.trigger is not None:
                error.trigger.string_value = spec.trigger
            for name, index in spec.location:
                element = error.location.field_path_elements.add(field_name=name)
                if index is not None:
                    element.index = index
            if spec.quota is not None:
                details = error.details.quota_error_details
                details.rate_scope = (
                    details.DESCRIPTOR.fields_by_name["rate_scope"]
                    .enum_type.values_by_name[spec.quota.rate_scope]
                    .number
                )
                details.rate_name = spec.quota.rate_name
                details.retry_delay.seconds = spec.quota.retry_delay_s
        return failure

    def rpc_status(self, version: str, request_id: str) -> status_pb2.Status:
        """The google.rpc.Status both transports carry: the failure packed first, then other details."""
        status = status_pb2.Status(code=self.status.value[0], message=self.status_message)
        if self.errors:
            status.details.add().Pack(self.failure(version, request_id))
        for detail in self.rpc_details:
            status.details.add().Pack(detail)
        return status

    def grpc_trailers(self, version: str, request_id: str) -> tuple[tuple[str, str | bytes], ...]:
        trailers: list[tuple[str, str | bytes]] = []
        if self.errors:
            trailers.append((failure_key(version), self.failure(version, request_id).SerializeToString()))
        trailers.append(("grpc-status-details-bin", self.rpc_status(version, request_id).SerializeToString()))
        trailers.append(("request-id", request_id))
        return tuple(trailers)

    def rest_body(self, version: str, request_id: str) -> dict[str, Any]:
        """The REST error envelope: code is the HTTP status, status the gRPC code's name."""
        status = self.rpc_status(version, request_id)
        return {
            "error": {
                "code": HTTP_STATUS.get(self.status, 500),
                "message": status.message,
                "status": self.status.name,
                "details": [_any_to_dict(detail) for detail in status.details],
            }
        }

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.status, 500)


def _any_to_dict(detail: any_pb2.Any) -> dict[str, Any]:
    return json_format.MessageToDict(detail)


def error(status: grpc.StatusCode, kind: str, code: str, message: str, **extra: Any) -> ApiFailure:
    """A failure of one GoogleAdsError."""
    return ApiFailure(status, (AdsError(kind, code, message, **extra),))


def query_error(code: str, message: str) -> ApiFailure:
    return error(grpc.StatusCode.INVALID_ARGUMENT, "query_error", code, message)


def request_error(code: str, message: str, location: tuple[tuple[str, int | None], ...] = ()) -> ApiFailure:
    return error(grpc.StatusCode.INVALID_ARGUMENT, "request_error", code, message, location=location)


# Messages a fixture shows verbatim.
USER_PERMISSION_DENIED = (  # error_user_permission_denied_proto_text.txt (google-ads-java#751)
    "User doesn't have permission to access customer. Note: If you're accessing a client customer, the "
    "manager's customer id must be set in the 'login-customer-id' header. See "
    "https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid"
)
NOT_ADS_USER = (  # error_401_unauthenticated_not_ads_user.json
    "The Google account (@gmail.com user) that generated the OAuth access tokens is not associated with "
    "any Ads accounts. Create a new account, or add the Google account to an existing Ads account."
)
DEVELOPER_TOKEN_NOT_APPROVED = (  # error_developer_token_test_only_log.txt (google-ads-php#896)
    "The developer token is only approved for use with test accounts. To access non-test accounts, "
    "apply for Basic or Standard access."
)
# The library's description of AuthorizationError.CUSTOMER_NOT_ENABLED (no real sample on record).
CUSTOMER_NOT_ENABLED = (
    "The customer account can't be accessed because it is not yet enabled or has been deactivated."
)
DAILY_QUOTA_RATE_NAME = "Number of operations for basic access"  # error_429_*.json
DAILY_QUOTA_RETRY_S = 40591  # the same fixture's retryDelay


def user_permission_denied() -> ApiFailure:
    return error(
        grpc.StatusCode.PERMISSION_DENIED,
        "authorization_error",
        "USER_PERMISSION_DENIED",
        USER_PERMISSION_DENIED,
    )


def quota(code: str, scope: str, rate_name: str, retry_delay_s: float) -> ApiFailure:
    """A QuotaError with its QuotaErrorDetails; the message as the 429 fixture words it."""
    seconds = max(1, round(retry_delay_s))
    return error(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "quota_error",
        code,
        f"Too many requests. Retry in {seconds} seconds.",
        quota=QuotaDetails(scope, rate_name, seconds),
    )


def service_disabled(project: str) -> ApiFailure:
    """PERMISSION_DENIED from Google's front end when the project has not enabled the API
    (error_permission_denied_service_disabled_partial.txt): no GoogleAdsFailure, a Help link and an
    ErrorInfo. The fixture is cut inside ErrorInfo.metadata after the key "service"; the value given
    here is the API's own host."""
    url = (
        f"https://console.developers.google.com/apis/api/googleads.googleapis.com/overview?project={project}"
    )
    message = (
        f"Google Ads API has not been used in project {project} before or it is disabled. Enable it by "
        f"visiting {url} then retry. If you enabled this API recently, wait a few minutes for the action "
        "to propagate to our systems and retry."
    )
    help_detail = error_details_pb2.Help(
        links=[error_details_pb2.Help.Link(description="Google developers console API activation", url=url)]
    )
    info = error_details_pb2.ErrorInfo(
        reason="SERVICE_DISABLED", domain="googleapis.com", metadata={"service": "googleads.googleapis.com"}
    )
    return ApiFailure(grpc.StatusCode.PERMISSION_DENIED, (), message, (help_detail, info))


class RequestIds:
    """Request ids shaped like Google's (22 characters of URL-safe base64: 16 bytes), from the seed."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            n = next(self._counter)
        digest = hashlib.blake2b(f"{self._seed}|request|{n}".encode(), digest_size=16).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


__all__ = [
    "HTTP_STATUS",
    "STATUS_MESSAGE",
    "AdsError",
    "ApiFailure",
    "QuotaDetails",
    "RequestIds",
    "error",
    "query_error",
    "quota",
    "request_error",
    "service_disabled",
    "user_permission_denied",
]
