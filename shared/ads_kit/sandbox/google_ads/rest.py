"""The REST interface: the same operations and messages as gRPC, in the proto3 JSON mapping.

``POST /vNN/customers/{id}/googleAds:searchStream`` answers a JSON array of the stream's batches,
``POST …/googleAds:search`` one page, ``GET /vNN/customers:listAccessibleCustomers`` the resource
names, ``POST /vNN/googleAdsFields:search`` and ``GET /vNN/googleAdsFields/{name}`` the catalog
(reference §2.5, §3.2). JSON names are lowerCamelCase, int64 values strings, enums names and the
field mask one comma-joined string (`json_format`, as the REST reference and
docs_searchstream_json_mapping.txt show). Headers carry what gRPC metadata does: ``Authorization:
Bearer``, ``developer-token``, ``login-customer-id``. Failures are the ``{"error": …}`` envelope
(`failures.ApiFailure.rest_body`).

Requests are strict like the JSON transcoding in front of Google's API: a body that is not JSON, a
field the request message does not have, or a query parameter that names no request field is
refused (400 INVALID_ARGUMENT; the wording is the transcoder's, which the reference does not
record). Route names (for fault rules and the log) are the REST methods' own:
``googleAds:searchStream``, ``googleAds:search``, ``customers:listAccessibleCustomers``,
``googleAdsFields:search``, ``googleAdsFields:get``; the gRPC methods' faults are separate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2

from ads_kit.sandbox.google_ads.access import PLATFORM
from ads_kit.sandbox.google_ads.failures import ApiFailure, RequestIds
from ads_kit.sandbox.google_ads.named import named_failure, unsupported_version
from ads_kit.sandbox.google_ads.protos import LATEST, RETIRED_VERSIONS, SERVED_VERSIONS, Protos, protos
from ads_kit.sandbox.google_ads.service import GoogleAdsApi
from ads_kit.sandbox.limits import QuotaExceeded
from ads_kit.sandbox.server import ACCOUNT_ID, RATE_LIMITED, RouteDef, SandboxContext
from ads_kit.sandbox.tokens import TokenError, TokenInfo
from ads_kit.sandbox.world import Account

VERSION = "{version:v[0-9]+}"
JSON = "application/json"
_HEADERS = ("developer-token", "login-customer-id", "linked-customer-id")
# Query parameters every Google API takes beside the request's fields.
_SYSTEM_PARAMETERS = frozenset({"alt", "prettyPrint"})

# (version, request message, headers as metadata, caller) -> the JSON body
Operation = Callable[[str, Any, dict[str, str], "RestCaller"], Any]


class RestCaller:
    """The access checks' view of a REST request: the core's account check, billing, the log."""

    def __init__(self, ctx: SandboxContext, request: web.Request, info: TokenInfo) -> None:
        self.ctx, self.request, self.info = ctx, request, info

    def open_account(self, account_id: str) -> Account:
        self.request[ACCOUNT_ID] = account_id
        try:
            account, _ = self.ctx.open_account(PLATFORM, self.info, account_id)
        except QuotaExceeded:
            self.request[RATE_LIMITED] = True
            raise
        return account

    def charge(self, account_id: str | None) -> None:
        try:
            self.ctx.limits.charge(PLATFORM, account_id)
        except QuotaExceeded:
            self.request[RATE_LIMITED] = True
            raise


def _invalid_json(message: str, field: str | None = None) -> ApiFailure:
    """A request the JSON transcoder refuses before the Ads API sees it: no GoogleAdsFailure."""
    details: tuple[Message, ...] = ()
    if field is not None:
        violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=message)
        details = (error_details_pb2.BadRequest(field_violations=[violation]),)
    return ApiFailure(grpc.StatusCode.INVALID_ARGUMENT, (), message, details)


class RestApi:
    def __init__(self, ctx: SandboxContext, api: GoogleAdsApi, ids: RequestIds) -> None:
        self.ctx, self.api, self.ids = ctx, api, ids

    def routes(self) -> list[RouteDef]:
        api = self.api
        customer = f"/{VERSION}/customers/{{customer_id:[^/:]+}}"
        operations: dict[str, tuple[str, str, str, Operation]] = {
            "googleAds:searchStream": (
                "POST",
                f"{customer}/googleAds:searchStream",
                "stream_request",
                lambda v, m, md, c: [_dict(b) for b in api.search_stream(v, m, md, c, self.ids.next())],
            ),
            "googleAds:search": (
                "POST",
                f"{customer}/googleAds:search",
                "search_request",
                lambda v, m, md, c: _dict(api.search(v, m, md, c)),
            ),
            "customers:listAccessibleCustomers": (
                "GET",
                f"/{VERSION}/customers:listAccessibleCustomers",
                "",
                lambda v, m, md, c: _dict(api.list_accessible_customers(v, md, c)),
            ),
            "googleAdsFields:search": (
                "POST",
                f"/{VERSION}/googleAdsFields:search",
                "fields_request",
                lambda v, m, md, c: _dict(api.search_fields(v, m, md, c)),
            ),
            "googleAdsFields:get": (
                "GET",
                f"/{VERSION}/googleAdsFields/{{name}}",
                "get_field_request",
                lambda v, m, md, c: _dict(api.get_field(v, m, md, c)),
            ),
        }
        return [
            RouteDef(method, path, name, self._handler(kind, operation))
            for name, (method, path, kind, operation) in operations.items()
        ]

    def failure_response(self, failure: ApiFailure, request: web.Request) -> web.Response:
        version = request.match_info.get("version", LATEST)
        body = failure.rest_body(version if version in SERVED_VERSIONS else LATEST, self.ids.next())
        return _json(body, failure.http_status)

    def _handler(self, kind: str, operation: Operation) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            version = request.match_info["version"]
            try:
                if version in RETIRED_VERSIONS:
                    raise unsupported_version(version)
                if version not in SERVED_VERSIONS:
                    return _json(_not_found(request.path), 404)
                info = self._authenticate(request)
                message = await self._request(protos(version), kind, request)
                metadata = {key: request.headers[key] for key in _HEADERS if key in request.headers}
                body = operation(version, message, metadata, RestCaller(self.ctx, request, info))
            except ApiFailure as failure:
                return self.failure_response(failure, request)
            return _json(body, 200)

        return handle

    def _authenticate(self, request: web.Request) -> TokenInfo:
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        token = credential.strip() if scheme.lower() == "bearer" else None
        try:
            return self.ctx.tokens.authenticate(PLATFORM, token or None)
        except TokenError as exc:
            raise named_failure(f"token_{exc.reason}") from None

    async def _request(self, classes: Protos, kind: str, request: web.Request) -> Message | None:
        """The request message from the JSON body, the path and the query parameters."""
        if not kind:
            _refuse_parameters(request, set())
            return None
        message = getattr(classes, kind)()
        fields = {f.json_name: f.name for f in message.DESCRIPTOR.fields}
        body: dict[str, Any] = {}
        if request.method == "POST":
            text = await request.text()
            try:
                parsed = json.loads(text) if text.strip() else {}
            except ValueError:
                raise _invalid_json("Invalid JSON payload received. Unexpected token.") from None
            if not isinstance(parsed, dict):
                raise _invalid_json("Invalid JSON payload received. Expected an object.")
            body = parsed
        for name, value in request.query.items():
            if name in _SYSTEM_PARAMETERS:
                continue
            if name not in fields and name not in fields.values():
                raise _invalid_json(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter.',
                    name,
                )
            body.setdefault(name, value)  # a field given as a query parameter (Matatika's pageToken)
        try:
            json_format.ParseDict(body, message)
        except json_format.ParseError as exc:
            unknown = re.search(r'no field named "([^"]+)"', str(exc))
            if unknown:
                raise _invalid_json(
                    f'Invalid JSON payload received. Unknown name "{unknown[1]}": Cannot find field.',
                    unknown[1],
                ) from None
            raise _invalid_json(f"Invalid JSON payload received. {exc}") from None
        if "customer_id" in request.match_info:
            message.customer_id = request.match_info["customer_id"]
        if "name" in request.match_info:
            message.resource_name = "googleAdsFields/" + request.match_info["name"]
        return message


def _refuse_parameters(request: web.Request, allowed: set[str]) -> None:
    for name in request.query:
        if name not in _SYSTEM_PARAMETERS and name not in allowed:
            raise _invalid_json(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter.', name
            )


def _not_found(path: str) -> dict[str, Any]:
    # A version Google has not released: no such service. The reference has no sample of this body.
    return {
        "error": {"code": 404, "message": f"Requested entity was not found: {path}.", "status": "NOT_FOUND"}
    }


def _dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def _json(body: Any, status: int) -> web.Response:
    return web.Response(body=json.dumps(body).encode(), status=status, content_type=JSON, charset="UTF-8")


__all__ = ["RestApi", "RestCaller"]
