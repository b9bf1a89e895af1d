"""The gRPC services, per version: GoogleAdsService (Search, SearchStream), CustomerService
(ListAccessibleCustomers) and GoogleAdsFieldService (SearchGoogleAdsFields, GetGoogleAdsField).

Method paths embed the version (``/google.ads.googleads.v26.services.GoogleAdsService/SearchStream``,
reference §6.3), so each served version registers its own services with its own messages. Sunset
versions register the same methods answering UNSUPPORTED_VERSION. A version's messages are imported
on its first call (`protos`). Methods the sandbox does not serve (Mutate, …) are not registered:
gRPC answers UNIMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from google.protobuf.message import Message

from ads_kit.sandbox.google_ads.access import PLATFORM
from ads_kit.sandbox.google_ads.failures import ApiFailure, RequestIds
from ads_kit.sandbox.google_ads.named import unsupported_version
from ads_kit.sandbox.google_ads.protos import LATEST, RETIRED_VERSIONS, SERVED_VERSIONS, protos
from ads_kit.sandbox.google_ads.service import GoogleAdsApi
from ads_kit.sandbox.grpc_host import GrpcCall, GrpcError, GrpcMethod, GrpcService
from ads_kit.sandbox.limits import QuotaExceeded
from ads_kit.sandbox.world import Account

SERVICES = ("GoogleAdsService", "CustomerService", "GoogleAdsFieldService")
# method -> (service, request message attribute of `Protos`, streaming)
METHODS = {
    "Search": ("GoogleAdsService", "search_request", False),
    "SearchStream": ("GoogleAdsService", "stream_request", True),
    "ListAccessibleCustomers": ("CustomerService", "customers_request", False),
    "SearchGoogleAdsFields": ("GoogleAdsFieldService", "fields_request", False),
    "GetGoogleAdsField": ("GoogleAdsFieldService", "get_field_request", False),
}


def service_name(version: str, service: str) -> str:
    return f"google.ads.googleads.{version}.services.{service}"


def version_of(call: GrpcCall) -> str:
    """The API version of a call, from its method path."""
    return call.path.split(".")[3] if call.path.count(".") >= 4 else LATEST


class GrpcCaller:
    """The access checks' view of a gRPC call: the core's account check, billing, the log's flag."""

    def __init__(self, call: GrpcCall) -> None:
        self.call = call

    def open_account(self, account_id: str) -> Account:
        try:
            return self.call.open_account(account_id)
        except QuotaExceeded:
            self.call.rate_limited = True
            raise

    def charge(self, account_id: str | None) -> None:
        try:
            self.call.ctx.limits.charge(PLATFORM, account_id)
        except QuotaExceeded:
            self.call.rate_limited = True
            raise


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def _deserializer(version: str, attribute: str) -> Callable[[bytes], Message]:
    # Sunset versions' requests are read with the newest messages (same field numbers).
    served = version if version in SERVED_VERSIONS else LATEST

    def deserialize(data: bytes) -> Message:
        return getattr(protos(served), attribute).FromString(data)

    return deserialize


class GrpcApi:
    def __init__(self, api: GoogleAdsApi, ids: RequestIds) -> None:
        self.api = api
        self.ids = ids

    def services(self) -> list[GrpcService]:
        services = []
        for version in (*SERVED_VERSIONS, *RETIRED_VERSIONS):
            for service in SERVICES:
                methods = [
                    self._method(version, name, attribute, streaming)
                    for name, (owner, attribute, streaming) in METHODS.items()
                    if owner == service
                ]
                services.append(GrpcService(service_name(version, service), methods))
        return services

    def _method(self, version: str, name: str, attribute: str, streaming: bool) -> GrpcMethod:
        deserialize = _deserializer(version, attribute)
        if version not in SERVED_VERSIONS:
            handler = self._retired(version, streaming)
        elif streaming:
            handler = self._stream(version)
        else:
            handler = self._unary(version, name)
        return GrpcMethod(name, handler, deserialize, _serialize, streaming=streaming)

    def _failed(self, failure: ApiFailure, version: str, request_id: str) -> GrpcError:
        return GrpcError(failure.status, failure.status_message, failure.grpc_trailers(version, request_id))

    def _unary(self, version: str, name: str) -> Callable[[Message, GrpcCall], Awaitable[Message]]:
        api = self.api
        operations: dict[str, Callable[[Message, dict[str, Any], GrpcCaller], Message]] = {
            "Search": lambda r, md, c: api.search(version, r, md, c),
            "ListAccessibleCustomers": lambda r, md, c: api.list_accessible_customers(version, md, c),
            "SearchGoogleAdsFields": lambda r, md, c: api.search_fields(version, r, md, c),
            "GetGoogleAdsField": lambda r, md, c: api.get_field(version, r, md, c),
        }
        operation = operations[name]

        async def handle(request: Message, call: GrpcCall) -> Message:
            request_id = self.ids.next()
            try:
                response = operation(request, call.metadata, GrpcCaller(call))
            except ApiFailure as failure:
                raise self._failed(failure, version, request_id) from None
            call.context.set_trailing_metadata((("request-id", request_id),))
            return response

        return handle

    def _stream(self, version: str) -> Callable[[Message, GrpcCall], AsyncIterator[Message]]:
        async def handle(request: Message, call: GrpcCall) -> AsyncIterator[Message]:
            request_id = self.ids.next()
            try:
                messages = self.api.search_stream(
                    version, request, call.metadata, GrpcCaller(call), request_id
                )
            except ApiFailure as failure:
                raise self._failed(failure, version, request_id) from None
            call.context.set_trailing_metadata((("request-id", request_id),))
            for message in messages:
                yield message

        return handle

    def _retired(self, version: str, streaming: bool) -> Any:
        def failed() -> GrpcError:
            return self._failed(unsupported_version(version), version, self.ids.next())

        if streaming:

            async def stream(request: Message, call: GrpcCall) -> AsyncIterator[Message]:
                raise failed()
                yield  # pragma: no cover - makes this an async generator

            return stream

        async def unary(request: Message, call: GrpcCall) -> Message:
            raise failed()

        return unary


__all__ = ["METHODS", "SERVICES", "GrpcApi", "GrpcCaller", "service_name", "version_of"]
