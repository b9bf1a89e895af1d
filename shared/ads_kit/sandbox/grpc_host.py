"""gRPC plug-ins: services over TLS on a platform's own loopback port, run through the same core as
the HTTP routes: one fault engine, one request log, one token check, one account and quota check.

A plug-in (a class in `server.PLUGINS`, beside or instead of HTTP routes) offers:

* ``grpc_services(ctx) -> list[GrpcService]``: services by full name, each a list of `GrpcMethod`;
  a handler takes ``(request, call: GrpcCall)``; unary handlers are coroutines returning the
  response, streaming (unary-stream) ones async generators yielding the responses;
* ``grpc_error(name, call) -> GrpcError``: a named error in the platform's own shape (status code,
  details, trailing metadata such as Google's ``…googleadsfailure-bin``), for the ``name`` of an
  ``error`` fault rule and for the core's refusals: ``token_missing``, ``token_invalid``,
  ``token_expired``, ``token_revoked`` (the token check), ``account_unknown``, ``account_denied``
  (the account check), ``quota_app``, ``quota_account`` (the quotas);
* optionally ``grpc_account_of(request, call) -> str | None``: the account of a request whose
  ``account_id``/``customer_id``/``advertiser_id`` field does not name it;
* optionally ``grpc_cut_error(call) -> GrpcError``: the status a ``truncate`` fault ends a stream
  with, so the cut carries the platform's own trailers (Google's mid-stream INTERNAL has its
  GoogleAdsFailure); without it, INTERNAL with no trailers.

Every call runs one pipeline: the account of the request; the faults for ``(platform, route,
account)`` (route ``GoogleAdsService/SearchStream``: the service's short name and the method);
the token check on the ``authorization: Bearer`` metadata; the handler, which calls
`GrpcCall.open_account` for the core's account and quota check (a call that reads no one account
bills the app with ``ctx.limits.charge(platform)``); the request log. A handler fails
a call by raising `GrpcError` (or letting the core's refusals through). The log entry is written
before the status leaves (a response or stream when the handler has finished, an error before the
core aborts the call), so a client that has its answer finds the call in the log; a call the client
ends (its deadline, a cancel) is logged when the server learns of it.

Faults: ``error`` renders ``grpc_error(name)``; ``latency`` waits first; ``timeout`` holds the call
``seconds`` (default 120) before serving it, so a client deadline ends it as DEADLINE_EXCEEDED;
``drop`` fails it as UNAVAILABLE (what a client sees when the connection is reset); ``truncate``
sends the whole messages that fit in ``bytes`` (default half the stream's bytes, always at least
one message short) and then ends the call with INTERNAL (a unary call: no response, INTERNAL).

Why grpc.aio rather than the thread-pool server: it runs on the sandbox's one event loop beside the
aiohttp apps, so the world, the emulators' state and the engines are only ever used from one
thread, as the HTTP emulators assume; a held call costs a suspended coroutine instead of a pool
thread; and a client's deadline cancels the handler's task, which is how the log learns the call
ended.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

import grpc
import grpc.aio

from ads_kit.sandbox.faults import DEFAULT_TIMEOUT_S, FaultRule
from ads_kit.sandbox.limits import QuotaExceeded
from ads_kit.sandbox.requestlog import ACCOUNT_FIELDS, LoggedRequest
from ads_kit.sandbox.tls import TlsIdentity
from ads_kit.sandbox.tokens import AccountRefused, TokenError, TokenInfo

if TYPE_CHECKING:
    from ads_kit.sandbox.server import SandboxContext
    from ads_kit.sandbox.world import Account

# The client's deadline fires before the server's copy of it (which starts when the call's headers
# arrive), so the client's cancel reaches the server a little early: that close, it is the deadline.
_DEADLINE_SLACK_S = 0.25
# Messages as large as the google-ads client accepts (it sets max_receive_message_length to 64 MB).
_OPTIONS = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]


@dataclass(frozen=True, slots=True)
class GrpcMethod:
    name: str  # "SearchStream"
    handler: Callable[[Any, GrpcCall], Awaitable[Any]] | Callable[[Any, GrpcCall], AsyncIterator[Any]]
    request_deserializer: Callable[[bytes], Any]
    response_serializer: Callable[[Any], bytes]
    streaming: bool = False  # unary-stream: the handler is an async generator


@dataclass(frozen=True, slots=True)
class GrpcService:
    name: str  # fully qualified: "google.ads.googleads.v26.services.GoogleAdsService"
    methods: Sequence[GrpcMethod]


@dataclass
class GrpcError(Exception):
    """A call's failure: the status code, its details and the trailing metadata sent with it."""

    code: grpc.StatusCode
    details: str = ""
    trailing_metadata: tuple[tuple[str, str | bytes], ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{self.code.name}: {self.details}"


class _Cut(GrpcError):
    """A drop or truncate fault: logged with no status, as an HTTP call cut short is."""


class GrpcPlugin(Protocol):
    def grpc_services(self, ctx: SandboxContext) -> list[GrpcService]: ...

    def grpc_error(self, name: str, call: GrpcCall) -> GrpcError: ...


class GrpcCall:
    """One gRPC call as the core runs it: what a handler may use, and what the log will record."""

    def __init__(
        self, ctx: SandboxContext, platform: str, route: str, path: str, context: grpc.aio.ServicerContext
    ) -> None:
        self.ctx, self.platform, self.route, self.path, self.context = ctx, platform, route, path, context
        self.metadata: dict[str, str | bytes] = dict(context.invocation_metadata() or ())
        self.account: str | None = None  # for the log; `open_account` sets it
        self.token_info: TokenInfo | None = None  # set by the core's token check before the handler runs
        self.rate_limited = False
        self.fault: FaultRule | None = None
        self.status: str | None = None
        self.ended = False
        self.recorded = False
        self.arrived, self.started = time.time(), time.perf_counter()

    @property
    def token(self) -> str | None:
        """The bearer token of the ``authorization`` metadata (what google-auth's plug-in sends)."""
        scheme, _, credential = str(self.metadata.get("authorization", "")).partition(" ")
        return (credential.strip() or None) if scheme.lower() == "bearer" else None

    def open_account(self, account_id: str, cost: int = 1) -> Account:
        """The world account if the call's token may read it, after billing the call to the quotas;
        raises the core's refusals (AccountRefused, QuotaExceeded), rendered by `grpc_error`."""
        if self.token_info is None:
            raise RuntimeError("open_account runs in a handler, after the core's token check")
        self.account = account_id
        account, _ = self.ctx.open_account(self.platform, self.token_info, account_id, cost)
        return account

    def end(self, status: str | None) -> None:
        self.status, self.ended = status, True


class GrpcHost:
    """One platform's `grpc.aio` server: every gRPC plug-in's services behind the core's pipeline."""

    def __init__(self, ctx: SandboxContext, platform: str, plugins: Sequence[GrpcPlugin]) -> None:
        self.ctx, self.platform = ctx, platform
        self._handlers: list[grpc.GenericRpcHandler] = []
        for plugin in plugins:
            for service in plugin.grpc_services(ctx):
                methods = {method.name: self._method(plugin, service, method) for method in service.methods}
                self._handlers.append(grpc.method_handlers_generic_handler(service.name, methods))
        self._server: grpc.aio.Server | None = None

    async def start(self, identity: TlsIdentity) -> int:
        """Listen on a free loopback port with TLS; returns the port."""
        self._server = grpc.aio.server(options=_OPTIONS)
        self._server.add_generic_rpc_handlers(self._handlers)
        credentials = grpc.ssl_server_credentials([(identity.key_pem, identity.cert_pem)])
        port = self._server.add_secure_port("127.0.0.1:0", credentials)
        await self._server.start()
        return port

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(None)  # held calls (timeout faults) are aborted, not waited for
            self._server = None

    def _method(self, plugin: GrpcPlugin, service: GrpcService, method: GrpcMethod) -> grpc.RpcMethodHandler:
        route = f"{service.name.rsplit('.', 1)[-1]}/{method.name}"
        path = f"/{service.name}/{method.name}"
        serializers = {
            "request_deserializer": method.request_deserializer,
            "response_serializer": method.response_serializer,
        }

        if method.streaming:

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                async for response in self._run(plugin, method, route, path, request, context):
                    yield response

            return grpc.unary_stream_rpc_method_handler(stream, **serializers)

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            # The pipeline is one async generator for both kinds; a unary call yields its one response,
            # and is run to its end (the log written) before the response leaves.
            (response,) = [
                response async for response in self._run(plugin, method, route, path, request, context)
            ]
            return response

        return grpc.unary_unary_rpc_method_handler(unary, **serializers)

    async def _run(
        self,
        plugin: GrpcPlugin,
        method: GrpcMethod,
        route: str,
        path: str,
        request: Any,
        context: grpc.aio.ServicerContext,
    ) -> AsyncIterator[Any]:
        call = GrpcCall(self.ctx, self.platform, route, path, context)
        try:
            await self._admit(plugin, call, request)
            # the method's kind says which of the two handler shapes it has
            responses: AsyncIterator[Any]
            if method.streaming:
                responses = cast("AsyncIterator[Any]", method.handler(request, call))
            else:
                responses = _single(cast("Awaitable[Any]", method.handler(request, call)))
            if call.fault is not None and call.fault.kind == "truncate":
                kept, total = await _cut(responses, call.fault.bytes, method.response_serializer)
                for response in kept:
                    yield response
                raise _cut_error(plugin, call, f"sandbox fault: cut after {len(kept)} of {total} messages")
            async for response in responses:
                yield response
            call.end(grpc.StatusCode.OK.name)
        except grpc.aio.AbortError:  # a handler aborted the context itself: its status has left already
            call.end(context.code().name if context.code() else grpc.StatusCode.UNKNOWN.name)
            raise
        except Exception as exc:
            call.end(grpc.StatusCode.UNKNOWN.name)  # what grpc answers for an exception it is handed
            error = self._rendered(plugin, call, exc)
            if error is None:
                raise
            call.end(None if isinstance(error, _Cut) else error.code.name)
            self._record(call)  # now: abort sends the status before it raises
            await context.abort(error.code, error.details, error.trailing_metadata)
        finally:
            if not call.ended:  # cancelled while held or streaming: the deadline, or the client, gave up
                remaining = context.time_remaining()
                expired = remaining is not None and remaining <= _DEADLINE_SLACK_S
                call.end((grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED).name)
            self._record(call)

    async def _admit(self, plugin: GrpcPlugin, call: GrpcCall, request: Any) -> None:
        """The faults of the call (all but truncate, which acts on the responses), then the token check."""
        call.account = _account_of(request, plugin, call)
        decision = self.ctx.faults.decide(self.platform, call.route, call.account)
        call.fault = fault = decision.fault
        if decision.latency_s:
            await asyncio.sleep(decision.latency_s)
        if fault is not None and fault.kind == "error":
            raise plugin.grpc_error(fault.name or "", call)
        if fault is not None and fault.kind == "drop":
            raise _Cut(grpc.StatusCode.UNAVAILABLE, "sandbox fault: connection reset by peer")
        if fault is not None and fault.kind == "timeout":
            await asyncio.sleep(DEFAULT_TIMEOUT_S if fault.seconds is None else fault.seconds)
        call.token_info = self.ctx.tokens.authenticate(self.platform, call.token)

    @staticmethod
    def _rendered(plugin: GrpcPlugin, call: GrpcCall, exc: Exception) -> GrpcError | None:
        """The error to answer for an exception of the pipeline; None for anything but a refusal."""
        if isinstance(exc, GrpcError):
            return exc
        if isinstance(exc, TokenError):
            return plugin.grpc_error(f"token_{exc.reason}", call)
        if isinstance(exc, AccountRefused):
            return plugin.grpc_error(f"account_{exc.reason}", call)
        if isinstance(exc, QuotaExceeded):
            call.rate_limited = True
            return plugin.grpc_error(f"quota_{exc.scope}", call)
        return None

    def _record(self, call: GrpcCall) -> None:
        if call.recorded:
            return
        call.recorded = True
        self.ctx.log.record(
            LoggedRequest(
                at=call.arrived,
                platform=self.platform,
                route=call.route,
                method="gRPC",
                path=call.path,
                account=call.account,
                status=call.status,
                duration_ms=round((time.perf_counter() - call.started) * 1000, 3),
                rate_limited=call.rate_limited,
                fault=call.fault.label if call.fault else None,
            )
        )


def _account_of(request: Any, plugin: GrpcPlugin, call: GrpcCall) -> str | None:
    for name in ACCOUNT_FIELDS:
        value = getattr(request, name, None)
        if value:
            return str(value)
    account_of = getattr(plugin, "grpc_account_of", None)
    return account_of(request, call) if account_of else None


def _cut_error(plugin: GrpcPlugin, call: GrpcCall, details: str) -> _Cut:
    render = getattr(plugin, "grpc_cut_error", None)
    error = render(call) if render is not None else GrpcError(grpc.StatusCode.INTERNAL, details)
    return _Cut(error.code, error.details, error.trailing_metadata)


async def _single(response: Awaitable[Any]) -> AsyncIterator[Any]:
    yield await response


async def _cut(
    responses: AsyncIterator[Any], keep: int | None, serialize: Callable[[Any], bytes]
) -> tuple[list[Any], int]:
    """The whole messages within `keep` bytes (default half the stream's), at least one short of all."""
    messages = [message async for message in responses]
    sizes = [len(serialize(message)) for message in messages]
    budget = sum(sizes) // 2 if keep is None else keep
    kept: list[Any] = []
    for message, size in zip(messages[:-1], sizes, strict=False):
        if size > budget:
            break
        kept.append(message)
        budget -= size
    return kept, len(messages)


__all__ = ["GrpcCall", "GrpcError", "GrpcHost", "GrpcMethod", "GrpcPlugin", "GrpcService"]
