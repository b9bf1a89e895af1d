"""A minimal gRPC plug-in for exercising the sandbox host: JSON messages (no generated code), and
errors whose trailers name what the host asked for, so a test sees which error the host chose."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc

from ads_kit.sandbox.grpc_host import GrpcCall, GrpcError, GrpcMethod, GrpcService
from ads_kit.sandbox.server import SandboxContext

SERVICE = "sandbox.test.v1.ReportService"
FAILURE_KEY = "sandbox-failure-bin"  # binary trailer, as Google's googleadsfailure-bin is
# Named errors: the fault rules' names and the core's refusals.
NAMED = {
    "rate_limit": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "server_error": grpc.StatusCode.INTERNAL,
    "token_missing": grpc.StatusCode.UNAUTHENTICATED,
    "token_invalid": grpc.StatusCode.UNAUTHENTICATED,
    "token_expired": grpc.StatusCode.UNAUTHENTICATED,
    "token_revoked": grpc.StatusCode.UNAUTHENTICATED,
    "account_unknown": grpc.StatusCode.PERMISSION_DENIED,
    "account_denied": grpc.StatusCode.PERMISSION_DENIED,
    "quota_app": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "quota_account": grpc.StatusCode.RESOURCE_EXHAUSTED,
}


@dataclass(frozen=True)
class ReportRequest:
    customer_id: str = ""
    rows: int = 3
    rows_per_message: int = 1


def _request(data: bytes) -> ReportRequest:
    return ReportRequest(**json.loads(data))


def _response(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


class ReportPlugin:
    def __init__(self, platform: str) -> None:
        self.platform = platform

    def grpc_services(self, ctx: SandboxContext) -> list[GrpcService]:
        self.ctx = ctx
        return [
            GrpcService(
                SERVICE,
                [
                    GrpcMethod("Search", self.search, _request, _response),
                    GrpcMethod("SearchStream", self.search_stream, _request, _response, streaming=True),
                    GrpcMethod("Missing", self.missing, _request, _response),
                ],
            )
        ]

    def grpc_error(self, name: str, call: GrpcCall) -> GrpcError:
        return GrpcError(
            NAMED[name],
            f"sandbox error {name}",
            ((FAILURE_KEY, json.dumps({"name": name}).encode()), ("request-id", f"req-{call.route}")),
        )

    async def search(self, request: ReportRequest, call: GrpcCall) -> dict[str, Any]:
        account = call.open_account(request.customer_id)
        return {"customer_id": account.id, "rows": [{"n": n} for n in range(request.rows)]}

    async def missing(self, request: ReportRequest, call: GrpcCall) -> dict[str, Any]:
        """Aborts the context itself instead of raising GrpcError."""
        await call.context.abort(grpc.StatusCode.NOT_FOUND, "nothing here")

    async def search_stream(self, request: ReportRequest, call: GrpcCall) -> AsyncIterator[dict[str, Any]]:
        account = call.open_account(request.customer_id)
        for start in range(0, request.rows, request.rows_per_message):
            stop = min(start + request.rows_per_message, request.rows)
            yield {"customer_id": account.id, "rows": [{"n": n} for n in range(start, stop)]}


GOOGLE_SERVICE = "google.ads.googleads.v26.services.GoogleAdsService"
GOOGLE_FAILURE_KEY = "google.ads.googleads.v26.errors.googleadsfailure-bin"
# name -> (status, GoogleAdsError oneof, enum value name); statuses from the reference, §4.2.
GOOGLE_ERRORS = {
    "rate_limit": (grpc.StatusCode.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED"),
    "token_missing": (grpc.StatusCode.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_HEADER_INVALID"),
    "token_invalid": (grpc.StatusCode.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_INVALID"),
    "token_expired": (grpc.StatusCode.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_EXPIRED"),
    "token_revoked": (grpc.StatusCode.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_REVOKED"),
    "account_unknown": (grpc.StatusCode.PERMISSION_DENIED, "authorization_error", "USER_PERMISSION_DENIED"),
    "account_denied": (grpc.StatusCode.PERMISSION_DENIED, "authorization_error", "USER_PERMISSION_DENIED"),
    "quota_app": (grpc.StatusCode.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_EXHAUSTED"),
    "quota_account": (grpc.StatusCode.RESOURCE_EXHAUSTED, "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED"),
}
RETRY_DELAY_S = 17


class GoogleAdsShapedPlugin:
    """GoogleAdsService.SearchStream in the google-ads library's own messages, so the unmodified
    GoogleAdsClient can read from the host: each stream is one row naming the customer."""

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def grpc_services(self, ctx: SandboxContext) -> list[GrpcService]:
        from google.ads.googleads.v26.errors.types import errors
        from google.ads.googleads.v26.services.types import google_ads_service

        self.failure_type = errors.GoogleAdsFailure.pb()
        self.response_type = google_ads_service.SearchGoogleAdsStreamResponse.pb()
        stream = GrpcMethod(
            "SearchStream",
            self.search_stream,
            google_ads_service.SearchGoogleAdsStreamRequest.deserialize,
            lambda message: message.SerializeToString(),
            streaming=True,
        )
        return [GrpcService(GOOGLE_SERVICE, [stream])]

    def grpc_error(self, name: str, call: GrpcCall) -> GrpcError:
        code, oneof, value = GOOGLE_ERRORS[name]
        failure = self.failure_type()
        error = failure.errors.add()
        enum = error.error_code.DESCRIPTOR.fields_by_name[oneof].enum_type
        setattr(error.error_code, oneof, enum.values_by_name[value].number)
        error.message = f"sandbox {name}"
        if oneof == "quota_error":
            error.details.quota_error_details.retry_delay.seconds = RETRY_DELAY_S
        failure.request_id = "sandbox-request"
        trailers = ((GOOGLE_FAILURE_KEY, failure.SerializeToString()), ("request-id", failure.request_id))
        return GrpcError(code, error.message, trailers)

    async def search_stream(self, request: Any, call: GrpcCall) -> AsyncIterator[Any]:
        account = call.open_account(request.customer_id)
        response = self.response_type(request_id="sandbox-request")
        response.results.add().customer.id = int(account.id)
        yield response
