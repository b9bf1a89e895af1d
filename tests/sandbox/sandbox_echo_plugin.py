"""A minimal emulator for exercising the sandbox host: its routes reveal what the host did."""

from __future__ import annotations

from aiohttp import web

from ads_kit.sandbox.server import RATE_LIMITED, RouteDef, SandboxContext
from ads_kit.sandbox.tokens import TokenError


class EchoEmulator:
    settings_schema = {"echo_greeting": {"type": "string"}}

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def routes(self, ctx: SandboxContext) -> list[RouteDef]:
        self.ctx = ctx
        return [
            RouteDef("GET", "/v1/insights", "insights", self.insights),
            RouteDef("GET", "/v1/accounts/{account_id}/items", "items", self.items),
            RouteDef("GET", "/v1/me", "me", self.me),
        ]

    def error_response(self, name: str, request: web.Request) -> web.Response:
        return web.json_response({"error": {"name": name}}, status=400)

    async def insights(self, request: web.Request) -> web.Response:
        decision = self.ctx.limits.hit(self.platform, "app")
        if not decision.allowed:
            request[RATE_LIMITED] = True
            return web.json_response({"error": {"name": "quota"}}, status=429)
        return web.json_response({"ok": True, "greeting": self.ctx.settings.get("echo_greeting")})

    async def items(self, request: web.Request) -> web.Response:
        account = request.match_info["account_id"]
        return web.json_response(
            {"account": account, "items": [{"n": n, "pad": "x" * 40} for n in range(200)]}
        )

    async def me(self, request: web.Request) -> web.Response:
        try:
            info = self.ctx.tokens.validate(self.platform, request.query.get("access_token", ""))
        except TokenError as exc:
            return web.json_response({"error": exc.reason}, status=401)
        return web.json_response({"accounts": info.accounts})
