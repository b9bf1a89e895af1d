"""The sandbox host: per platform an aiohttp application (and a gRPC server when a plug-in serves
gRPC) on its own loopback ports, plus the control application.

Emulators plug in by import path (`PLUGINS`). A plug-in class is constructed with the platform name
when its constructor takes an argument, else with none, and offers HTTP routes, gRPC services
(`ads_kit.sandbox.grpc_host`), or both:

* HTTP: ``routes(ctx) -> list[RouteDef]`` and ``error_response(name, request) -> web.Response``,
  optionally ``account_of(request) -> str | None`` (the account a request is for, when the path
  hides it);
* gRPC: ``grpc_services(ctx) -> list[GrpcService]`` and ``grpc_error(name, call) -> GrpcError``,
  optionally ``grpc_account_of(request, call) -> str | None``;
* either: ``settings_schema: dict[str, dict]`` (the settings keys it reads, as JSON schemas) and
  ``connection_info(ctx) -> dict`` (keys merged into its platform's connection-file entry).

Both transports share the core: `FaultEngine.decide` picks a call's faults, `RequestLog` records it,
`TokenRegistry.authenticate` checks its token, and `SandboxContext.open_account` checks that the
token may read the account (``<platform>_denied_accounts`` settings, the token's grant) and bills
the call to the quotas (`LimitEngine.charge`).

A plug-in whose module or class does not exist is skipped with one log line.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import inspect
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeGuard

from aiohttp import web

from ads_kit import clock
from ads_kit.sandbox.config import validate_settings
from ads_kit.sandbox.faults import DEFAULT_TIMEOUT_S, FaultEngine, FaultRule
from ads_kit.sandbox.grpc_host import GrpcHost, GrpcPlugin
from ads_kit.sandbox.limits import DEFAULT_RULES, Charge, LimitEngine
from ads_kit.sandbox.requestlog import ACCOUNT_FIELDS, LoggedRequest, RequestLog, redact_query
from ads_kit.sandbox.tls import self_signed
from ads_kit.sandbox.tokens import AccountRefused, TokenError, TokenInfo, TokenRegistry
from ads_kit.sandbox.world import PLATFORMS, Account, World

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PLUGINS: dict[str, list[str]] = {
    "meta": ["ads_kit.sandbox.meta:MetaEmulator", "ads_kit.sandbox.oauth:OAuthRoutes"],
    "google_ads": ["ads_kit.sandbox.google_ads:GoogleAdsEmulator", "ads_kit.sandbox.oauth:OAuthRoutes"],
    "tiktok": ["ads_kit.sandbox.tiktok:TikTokEmulator", "ads_kit.sandbox.oauth:OAuthRoutes"],
}
API_VERSIONS = {"meta": "v26.0", "google_ads": "v26", "tiktok": "v1.3"}
SCOPES = {
    "meta": ["ads_read", "ads_management", "business_management"],
    "google_ads": ["https://www.googleapis.com/auth/adwords"],
    # TikTok grants numeric permission ids: reporting, account, campaigns, ad groups, ads, audiences, pixels.
    "tiktok": ["4", "100", "200", "210", "220", "30", "80"],
}
# OAuth endpoints as the real hosts lay them out (paths relative to the platform's base URL).
OAUTH_PATHS = {
    "meta": {
        "authorize_url": "/{v}/dialog/oauth",
        "token_url": "/{v}/oauth/access_token",
        "revoke_url": "/{v}/me/permissions",
    },
    "google_ads": {"authorize_url": "/o/oauth2/v2/auth", "token_url": "/token", "revoke_url": "/revoke"},
    "tiktok": {
        "authorize_url": "/portal/auth",
        "token_url": "/open_api/{v}/oauth2/access_token/",
        "revoke_url": "/open_api/{v}/oauth2/revoke_token/",
    },
}
# What an emulator tells the request log: the account a request was for, and that a quota denied it.
# (The plain string keys "account_id" and "rate_limited" are read too.)
ACCOUNT_ID = web.RequestKey("account_id", str)
RATE_LIMITED = web.RequestKey("rate_limited", bool)
# The core's setting per platform: account ids every token of that platform is refused on.
DENIED_ACCOUNTS = "{platform}_denied_accounts"


@dataclass(frozen=True, slots=True)
class RouteDef:
    method: str
    path: str
    name: str
    handler: Handler


class Emulator(Protocol):
    """An HTTP plug-in (gRPC plug-ins: `ads_kit.sandbox.grpc_host.GrpcPlugin`)."""

    def routes(self, ctx: SandboxContext) -> list[RouteDef]: ...

    def error_response(self, name: str, request: web.Request) -> web.StreamResponse: ...


# A loaded plug-in serves HTTP routes, gRPC services or both.
Plugin = Emulator | GrpcPlugin


def _serves_http(plugin: Plugin) -> TypeGuard[Emulator]:
    return hasattr(plugin, "routes")


def _serves_grpc(plugin: Plugin) -> TypeGuard[GrpcPlugin]:
    return hasattr(plugin, "grpc_services")


@dataclass
class SandboxContext:
    world: World
    faults: FaultEngine
    limits: LimitEngine
    log: RequestLog
    tokens: TokenRegistry
    settings: dict[str, Any]
    base_urls: dict[str, str] = field(default_factory=dict)
    grpc_endpoints: dict[str, str] = field(default_factory=dict)  # "127.0.0.1:PORT" per gRPC platform

    def base_url(self, platform: str) -> str:
        return self.base_urls[platform]

    def may_read(self, platform: str, info: TokenInfo, account_id: str) -> bool:
        """Whether a token may read an account: not denied by the settings, and granted to the token
        (a token granted no accounts in particular reads them all)."""
        denied = self.settings.get(DENIED_ACCOUNTS.format(platform=platform)) or ()
        return account_id not in denied and (not info.accounts or account_id in info.accounts)

    def open_account(
        self, platform: str, info: TokenInfo, account_id: str, cost: int = 1
    ) -> tuple[Account, Charge]:
        """The world account a call reads, and its bill. Raises QuotaExceeded when a quota is full,
        else AccountRefused ``unknown`` or ``denied``; a refused call is billed to the app only."""
        try:
            account: Account | None = self.world.account(account_id)
        except KeyError:
            account = None
        if account is None or account.platform != platform:
            raise AccountRefused("unknown", account_id, self.limits.charge(platform, None, cost))
        if not self.may_read(platform, info, account_id):
            raise AccountRefused("denied", account_id, self.limits.charge(platform, None, cost))
        return account, self.limits.charge(platform, account_id, cost)


def load_plugins(registry: dict[str, list[str]]) -> tuple[dict[str, list[Plugin]], list[str]]:
    """The plug-ins per platform, and the import paths that do not exist (yet)."""
    plugins: dict[str, list[Plugin]] = {}
    missing: list[str] = []
    for platform, paths in registry.items():
        plugins[platform] = []
        for path in paths:
            module_name, _, class_name = path.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and module_name.startswith(exc.name):
                    missing.append(path)
                    continue
                raise
            cls = getattr(module, class_name, None)
            if cls is None:
                missing.append(path)
                continue
            takes_platform = len(inspect.signature(cls).parameters) > 0
            plugins[platform].append(cls(platform) if takes_platform else cls())
    return plugins, missing


@dataclass(frozen=True)
class _StartingState:
    """What `restore_settings` returns to: the settings given at start and the engines' state then."""

    settings: dict[str, Any]
    limits: dict[str, dict[str, list[str]]]
    reporting_delay: dict[str, int]
    token_lifetime_s: float


def _rule_texts(
    base: dict[str, dict[str, list[str]]], overrides: dict[str, dict[str, list[str]]]
) -> dict[str, dict[str, list[str]]]:
    """`base` with the platform/kind pairs of `overrides` replaced, as `LimitEngine.configure` does."""
    merged = {platform: dict(kinds) for platform, kinds in base.items()}
    for platform, kinds in overrides.items():
        merged.setdefault(platform, {}).update(kinds)
    return merged


class Sandbox:
    """Every emulator in one event loop; `start()` binds the ports and returns the connection info."""

    def __init__(
        self,
        world: World,
        settings: dict[str, Any] | None = None,
        registry: dict[str, list[str]] | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.plugins, self.missing_plugins = load_plugins(PLUGINS if registry is None else registry)
        self.settings_schema: dict[str, dict[str, Any]] = {
            DENIED_ACCOUNTS.format(platform=platform): {
                "type": "array",
                "items": {"type": "string"},
                "description": f"Account ids every {platform} token is refused on (its permission error)",
            }
            for platform in self.plugins
        }
        for emulators in self.plugins.values():
            for emulator in emulators:
                self.settings_schema.update(getattr(emulator, "settings_schema", {}))
        settings = dict(validate_settings({} if settings is None else settings, self.settings_schema))
        self.ctx = SandboxContext(
            world=world,
            faults=FaultEngine(world.seed),
            limits=LimitEngine(),
            log=RequestLog(),
            tokens=TokenRegistry(world.seed),
            settings={},
        )
        self._limited: set[tuple[str, str]] = set()  # every (platform, kind) a `limits` setting named
        self.apply_settings(settings)
        self._started = _StartingState(
            settings=copy.deepcopy(self.ctx.settings),
            limits=_rule_texts(DEFAULT_RULES, settings.get("limits") or {}),
            reporting_delay=dict(world.reporting_delay),
            token_lifetime_s=self.ctx.tokens.lifetime,
        )
        self.workdir = workdir
        self._runners: list[web.AppRunner] = []
        self._grpc_hosts: list[GrpcHost] = []
        self._routes: dict[str, dict[web.AbstractRoute, tuple[str, Emulator]]] = {}
        self.connection: dict[str, Any] = {}

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Validate and merge settings into ctx.settings, updating the engines they drive."""
        validate_settings(settings, self.settings_schema)
        if "limits" in settings:
            self.ctx.limits.configure(settings["limits"])
            self._limited.update((p, kind) for p, kinds in settings["limits"].items() for kind in kinds)
        if "reporting_delay_minutes" in settings:
            self.ctx.world.set_reporting_delay(settings["reporting_delay_minutes"])
        if "token_lifetime_s" in settings:
            self.ctx.tokens.set_lifetime(settings["token_lifetime_s"])
        self.ctx.settings.update(settings)

    def restore_settings(self) -> None:
        """Back to the settings the sandbox started with, and the engines they drive: a test that
        tightened a limit or shortened token lifetimes leaves nothing behind a reset."""
        started = self._started
        # A rule a later `limits` setting added where the start had none becomes "no rule" again.
        cleared: dict[str, dict[str, list[str]]] = {}
        for platform, kind in self._limited:
            cleared.setdefault(platform, {})[kind] = []
        self.ctx.limits.configure(_rule_texts(cleared, started.limits))
        self.ctx.world.set_reporting_delay(started.reporting_delay)
        self.ctx.tokens.set_lifetime(started.token_lifetime_s)
        # In place: emulators hold this very dict.
        self.ctx.settings.clear()
        self.ctx.settings.update(copy.deepcopy(started.settings))

    async def start(self) -> dict[str, Any]:
        sockets = {name: _loopback_socket() for name in (*self.plugins, "control")}
        self.ctx.base_urls.update(
            {name: f"http://127.0.0.1:{sock.getsockname()[1]}" for name, sock in sockets.items()}
        )
        apps = {platform: self._platform_app(platform) for platform in self.plugins}
        apps["control"] = self._control_app()
        for name, app in apps.items():
            # Held connections (timeout faults) must not delay shutdown.
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            await runner.setup()
            await web.SockSite(runner, sockets[name]).start()
            self._runners.append(runner)
        identity = self_signed()
        for platform, emulators in self.plugins.items():
            grpc_plugins = [emulator for emulator in emulators if _serves_grpc(emulator)]
            if grpc_plugins:
                host = GrpcHost(self.ctx, platform, grpc_plugins)
                self.ctx.grpc_endpoints[platform] = f"127.0.0.1:{await host.start(identity)}"
                self._grpc_hosts.append(host)
        for path in self.missing_plugins:
            log.info("sandbox plug-in %s does not exist; its platform serves without it", path)
        cert_path = identity.write(self.workdir)[0] if self.workdir is not None else None
        world = self.ctx.world
        self.connection = {
            "seed": world.seed,
            "pid": os.getpid(),
            # The instant the world started at; "pinned" when it stands still but for /advance.
            "now": world.started_at.isoformat(),
            "pinned": world.pinned,
            "control_url": self.ctx.base_url("control"),
            "tls_cert": str(cert_path) if cert_path else None,
            "world": {
                "scale": world.scale,
                "history_days": world.history_days,
                "ads_per_account": world.ads_per_account,
                "accounts_per_platform": world.accounts_per_platform,
                "account_ids": world.account_ids,
                "shape": world.shape,
            },
            "platforms": {platform: self._credentials(platform) for platform in self.plugins},
        }
        return self.connection

    async def stop(self) -> None:
        for host in self._grpc_hosts:
            await host.stop()
        self._grpc_hosts.clear()
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()

    def _credentials(self, platform: str) -> dict[str, Any]:
        tokens, base = self.ctx.tokens, self.ctx.base_url(platform)
        client_id = tokens.new_secret(f"{platform}_client_id")
        client_secret = tokens.new_secret(f"{platform}_client_secret")
        tokens.register_client(platform, client_id, client_secret, allowed_scopes=SCOPES[platform])
        accounts = [account.id for account in self.ctx.world.accounts(platform)]
        issued = tokens.issue(platform, client_id, SCOPES[platform], accounts)
        version = API_VERSIONS[platform]
        entry: dict[str, Any] = {
            "base_url": base,
            "api_version": version,
            "client_id": client_id,
            "client_secret": client_secret,
            "access_token": issued.access_token,
            "refresh_token": issued.refresh_token,
            **{key: base + path.format(v=version) for key, path in OAUTH_PATHS[platform].items()},
            "scopes": SCOPES[platform],
            "accounts": accounts,
        }
        if platform == "google_ads":
            entry["developer_token"] = tokens.new_secret("google_ads_developer_token")
        if platform in self.ctx.grpc_endpoints:
            entry["grpc_endpoint"] = self.ctx.grpc_endpoints[platform]
        for emulator in self.plugins[platform]:
            connection_info = getattr(emulator, "connection_info", None)
            if connection_info is not None:
                entry.update(connection_info(self.ctx))
        return entry

    # ----- platform apps --------------------------------------------------------------------

    def _platform_app(self, platform: str) -> web.Application:
        app = web.Application(middlewares=[self._middleware(platform)], client_max_size=64 * 1024**2)
        routes = self._routes.setdefault(platform, {})
        for emulator in self.plugins[platform]:
            if not _serves_http(emulator):
                continue
            for route in emulator.routes(self.ctx):
                added = app.router.add_route(route.method, route.path, route.handler)
                routes[added] = (route.name, emulator)
        return app

    def _middleware(self, platform: str) -> Any:
        routes = self._routes.setdefault(platform, {})

        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            started, arrived = time.perf_counter(), time.time()
            name, emulator = routes.get(request.match_info.route, ("unmatched", None))
            account = _account_of(request, emulator)
            decision = self.ctx.faults.decide(platform, name, account) if emulator else None
            fault = decision.fault if decision else None
            status: int | None = None
            try:
                if decision and decision.latency_s:
                    await asyncio.sleep(decision.latency_s)
                response = await self._respond(request, handler, emulator, fault)
                status = None if fault and fault.kind in ("drop", "truncate") else response.status
                return response
            except web.HTTPException as exc:
                status = exc.status
                raise
            finally:
                self.ctx.log.record(
                    LoggedRequest(
                        at=arrived,
                        platform=platform,
                        route=name,
                        method=request.method,
                        path=request.path
                        + (f"?{redact_query(request.query_string)}" if request.query_string else ""),
                        account=request.get(ACCOUNT_ID) or request.get("account_id") or account,
                        status=status,
                        duration_ms=round((time.perf_counter() - started) * 1000, 3),
                        rate_limited=bool(request.get(RATE_LIMITED) or request.get("rate_limited")),
                        fault=fault.label if fault else None,
                    )
                )

        return middleware

    async def _respond(
        self, request: web.Request, handler: Handler, emulator: Emulator | None, fault: FaultRule | None
    ) -> web.StreamResponse:
        if fault is None or emulator is None:
            return await handler(request)
        if fault.kind == "error":
            return emulator.error_response(fault.name or "", request)
        if fault.kind == "timeout":
            await asyncio.sleep(DEFAULT_TIMEOUT_S if fault.seconds is None else fault.seconds)
            return await handler(request)
        if fault.kind == "drop":
            _close(request)
            return web.Response(status=499)
        response = await handler(request)
        return await _truncated(request, response, fault.bytes)

    # ----- control app ----------------------------------------------------------------------

    def _control_app(self) -> web.Application:
        app = web.Application(middlewares=[_json_errors])
        app.router.add_get("/__sandbox/stats", self._stats)
        app.router.add_get("/__sandbox/log", self._log)
        app.router.add_get("/__sandbox/faults", self._list_faults)
        app.router.add_post("/__sandbox/faults", self._add_faults)
        app.router.add_delete("/__sandbox/faults", self._clear_faults)
        app.router.add_post("/__sandbox/advance", self._advance)
        app.router.add_post("/__sandbox/settings", self._settings)
        app.router.add_post("/__sandbox/reset", self._reset)
        app.router.add_post("/__sandbox/tokens/expire", self._expire_token)
        app.router.add_post("/__sandbox/tokens/revoke", self._revoke_token)
        return app

    async def _stats(self, request: web.Request) -> web.Response:
        world = self.ctx.world
        return web.json_response(
            {
                "seed": world.seed,
                "now": world.now.isoformat(),
                "pinned": world.pinned,
                "origin": world.origin.isoformat(),
                "reporting_delay_minutes": world.reporting_delay,
                **self.ctx.log.stats(),
                "faults_applied": self.ctx.faults.applied_counts(),
                "limit_rejections": self.ctx.limits.rejection_counts(),
                "app_calls": self.ctx.limits.app_call_counts(),
                "settings": self.ctx.settings,
            }
        )

    async def _log(self, request: web.Request) -> web.Response:
        limit = request.query.get("limit")
        if limit is not None and not limit.isdigit():
            raise _BadRequest(f"limit must be a whole number, got {limit!r}")
        entries = self.ctx.log.entries(
            request.query.get("platform"), request.query.get("route"), int(limit) if limit else None
        )
        return web.json_response([entry.to_dict() for entry in entries])

    async def _list_faults(self, request: web.Request) -> web.Response:
        return web.json_response([rule.to_dict() for rule in self.ctx.faults.rules()])

    async def _add_faults(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        try:
            rules = [FaultRule.from_dict(item) for item in (body if isinstance(body, list) else [body])]
        except ValueError as exc:
            raise _BadRequest(str(exc)) from None
        for rule in rules:
            if rule.platform not in self.plugins:
                raise _BadRequest(f"fault rule field 'platform' must be one of {', '.join(self.plugins)}")
        added = self.ctx.faults.add(rules)
        return web.json_response({"added": [rule.to_dict() for rule in added]})

    async def _clear_faults(self, request: web.Request) -> web.Response:
        self.ctx.faults.clear()
        return web.json_response({"cleared": True})

    async def _advance(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if not isinstance(body, dict) or set(body) - {"days", "hours", "to"}:
            raise _BadRequest("advance takes {'days': N, 'hours': N} or {'to': ISO-8601 instant}")
        world = self.ctx.world
        if "to" in body:
            try:
                world.move_to(clock.parse_instant(str(body["to"])))
            except ValueError as exc:
                raise _BadRequest(f"advance 'to': {exc}") from None
            return web.json_response({"now": world.now.isoformat()})
        steps = {"days": body.get("days", 0 if "hours" in body else 1), "hours": body.get("hours", 0)}
        for name, value in steps.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _BadRequest(f"advance {name!r} must be a whole number >= 0, got {value!r}")
        if not any(steps.values()):
            raise _BadRequest("advance needs 'days' or 'hours' above 0")
        world.advance(steps["days"], hours=steps["hours"])
        return web.json_response({"now": world.now.isoformat()})

    async def _settings(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        try:
            self.apply_settings(body)
        except ValueError as exc:
            raise _BadRequest(str(exc)) from None
        return web.json_response(self.ctx.settings)

    async def _reset(self, request: web.Request) -> web.Response:
        self.restore_settings()
        self.ctx.log.clear()
        self.ctx.faults.clear()
        self.ctx.limits.reset()
        self.ctx.world.rewind()
        return web.json_response({"reset": True})

    async def _expire_token(self, request: web.Request) -> web.Response:
        return await self._token_action(request, self.ctx.tokens.expire)

    async def _revoke_token(self, request: web.Request) -> web.Response:
        return await self._token_action(request, self.ctx.tokens.revoke)

    async def _token_action(self, request: web.Request, action: Callable[[str, str], None]) -> web.Response:
        body = await _json_body(request)
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("platform", "token")):
            raise _BadRequest('body must be {"platform": ..., "token": ...}')
        try:
            action(body["platform"], body["token"])
        except TokenError as exc:  # its message never holds the token
            raise _BadRequest(f"{body['platform']}: {exc}") from None
        return web.json_response({"ok": True})


class _BadRequest(Exception):
    """A control request that cannot be honoured; answered as 400 {"error": one line}."""


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except _BadRequest as exc:
        return web.json_response({"error": str(exc)}, status=400)


async def _json_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise _BadRequest("request body must be JSON") from None


def _account_of(request: web.Request, emulator: Emulator | None) -> str | None:
    for key in ACCOUNT_FIELDS:
        value = request.match_info.get(key) or request.query.get(key)
        if value:
            return value
    account_of = getattr(emulator, "account_of", None)
    return account_of(request) if account_of else None


def _close(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.close()


async def _truncated(
    request: web.Request, response: web.StreamResponse, keep: int | None
) -> web.StreamResponse:
    """Send the response's head announcing its full length, then only part of the body, then hang up."""
    body = response.body if isinstance(response, web.Response) else None
    if not isinstance(body, bytes | bytearray):
        log.warning("truncate fault on %s: the response is streamed, so it is sent whole", request.path)
        return response
    cut = web.StreamResponse(status=response.status, reason=response.reason)
    for key, value in response.headers.items():
        if key.lower() not in ("content-length", "transfer-encoding"):
            cut.headers.add(key, value)
    cut.content_length = len(body)
    await cut.prepare(request)
    await cut.write(bytes(body[: len(body) // 2 if keep is None else min(keep, len(body) - 1)]))
    _close(request)
    return cut


def _loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


__all__ = [
    "ACCOUNT_ID",
    "DENIED_ACCOUNTS",
    "PLATFORMS",
    "PLUGINS",
    "RATE_LIMITED",
    "RouteDef",
    "Sandbox",
    "SandboxContext",
    "load_plugins",
]
