"""REST interface (stub)."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class RestApi:
    def __init__(self, ctx: Any, api: Any, ids: Any) -> None:
        self.ctx, self.api, self.ids = ctx, api, ids

    def routes(self) -> list[Any]:
        return []

    def failure_response(self, failure: Any, request: web.Request) -> web.Response:
        return web.json_response(failure.rest_body("v26", self.ids.next()), status=failure.http_status)
