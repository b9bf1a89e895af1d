"""The Google Ads API emulator plug-in: gRPC over TLS (what the google-ads library speaks) and the
REST interface over the same messages (what REST taps and scripts speak), one world, one core.

Plug-in surface (`ads_kit.sandbox.server`): `grpc_services`, `grpc_error`, `grpc_cut_error`,
`routes`, `error_response`, `account_of`, `settings_schema`, `connection_info`.
"""

from __future__ import annotations

import threading
from typing import Any

from aiohttp import web

from ads_kit.sandbox.google_ads import rest
from ads_kit.sandbox.google_ads.access import DISABLED_SETTING, PLATFORM, Access, manager_id
from ads_kit.sandbox.google_ads.catalog import catalog
from ads_kit.sandbox.google_ads.failures import RequestIds
from ads_kit.sandbox.google_ads.grpc_api import GrpcApi, version_of
from ads_kit.sandbox.google_ads.named import named_failure
from ads_kit.sandbox.google_ads.paging import PageTokens
from ads_kit.sandbox.google_ads.protos import LATEST
from ads_kit.sandbox.google_ads.service import GoogleAdsApi
from ads_kit.sandbox.grpc_host import GrpcCall, GrpcError, GrpcService
from ads_kit.sandbox.server import RouteDef, SandboxContext


class GoogleAdsEmulator:
    platform = PLATFORM
    settings_schema = {
        DISABLED_SETTING: {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]{10}$"},
            "description": "Customer ids that answer AuthorizationError.CUSTOMER_NOT_ENABLED "
            "(deactivated or not yet enabled accounts)",
        }
    }

    def __init__(self) -> None:
        self._ctx: SandboxContext | None = None
        self._lock = threading.Lock()

    def _setup(self, ctx: SandboxContext) -> None:
        with self._lock:
            if self._ctx is not None:
                return
            self._ctx = ctx
            self.ids = RequestIds(ctx.world.seed)
            self.access = Access.create(ctx.world, ctx.settings, ctx.world.seed)
            self.api = GoogleAdsApi(ctx.world, self.access, PageTokens(ctx.world.seed))
            # The newest version's messages take about a second to import (reference §6.5): load them
            # beside the event loop now rather than on the first call.
            threading.Thread(target=catalog, args=(LATEST,), name="google-ads-protos", daemon=True).start()

    # -- gRPC --------------------------------------------------------------------------------------
    def grpc_services(self, ctx: SandboxContext) -> list[GrpcService]:
        self._setup(ctx)
        return GrpcApi(self.api, self.ids).services()

    def grpc_error(self, name: str, call: GrpcCall) -> GrpcError:
        fault = call.fault
        seconds = fault.seconds if fault is not None and fault.kind == "error" else None
        failure = named_failure(name, seconds)
        version = version_of(call)
        return GrpcError(
            failure.status, failure.status_message, failure.grpc_trailers(version, self.ids.next())
        )

    def grpc_cut_error(self, call: GrpcCall) -> GrpcError:
        """A stream a truncate fault cuts: INTERNAL with InternalError.INTERNAL_ERROR in the trailers,
        as a real mid-stream failure arrives (reference §4.2: InternalServerError after 20,000 rows)."""
        failure = named_failure("internal_error")
        return GrpcError(
            failure.status, failure.status_message, failure.grpc_trailers(version_of(call), self.ids.next())
        )

    # -- REST --------------------------------------------------------------------------------------
    def routes(self, ctx: SandboxContext) -> list[RouteDef]:
        self._setup(ctx)
        self.rest = rest.RestApi(ctx, self.api, self.ids)
        return self.rest.routes()

    def error_response(self, name: str, request: web.Request) -> web.Response:
        return self.rest.failure_response(named_failure(name), request)

    # -- either ------------------------------------------------------------------------------------
    def connection_info(self, ctx: SandboxContext) -> dict[str, Any]:
        """The developer tokens and the manager the world lacks (module `access`)."""
        self._setup(ctx)
        basic = ctx.tokens.new_secret("google_ads_developer_token")
        test_only = ctx.tokens.new_secret("google_ads_developer_token")
        self.access.developer_tokens.update({basic: "basic", test_only: "test"})
        manager = self.access.manager.id
        return {
            "developer_token": basic,
            "developer_token_test_only": test_only,
            "manager_customer_id": manager,
            "login_customer_id": manager,
        }


__all__ = ["GoogleAdsEmulator", "manager_id"]
