"""The TikTok Marketing API v1.3 emulator: routes and the one pipeline every call runs (reference §8).

Paths are the real host's, trailing slash included (`/open_api/v1.3/campaign/get/`); a path without
it, or any unknown path, is the gateway's plain 404 (§1.1). Every API outcome is HTTP 200 with the
`{code, message, request_id, data}` envelope (§1.3). The pipeline: the `Access-Token` header through
the core's token check (40104 missing, 40105 unknown or revoked, 40102 expired), the QPM lockout,
the endpoint's permission scope (40001), the parameters (unknown ones refused, 40002), then the
handler, which opens the advertiser through the core (`SandboxContext.open_account`: 40001 unknown
or denied, quota refusals 40100/40133 via `throttle`). OAuth's token exchange and revocation are
`ads_kit.sandbox.oauth`'s; this emulator serves the calls made with a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from ads_kit.sandbox.limits import QuotaExceeded
from ads_kit.sandbox.server import ACCOUNT_ID, RATE_LIMITED, RouteDef, SandboxContext
from ads_kit.sandbox.tiktok import accounts, audiences, errors, objects, pixels, tasks
from ads_kit.sandbox.tiktok import catalog as names
from ads_kit.sandbox.tiktok.errors import TikTokError, envelope
from ads_kit.sandbox.tiktok.params import Params, page_of, paged, parse_day
from ads_kit.sandbox.tiktok.report_query import ReportQuery, parse_report
from ads_kit.sandbox.tiktok.report_rows import (
    DEFAULT_AD_CAP,
    DEFAULT_CELL_LIMIT,
    THROTTLE_HEADER,
    THROTTLE_MESSAGE,
    ReportRows,
)
from ads_kit.sandbox.tiktok.throttle import DEFAULT_LOCKOUT_S, Throttle
from ads_kit.sandbox.tokens import AccountRefused, TokenError, TokenInfo
from ads_kit.sandbox.world import Account

PLATFORM = "tiktok"
API = "/open_api/v1.3/"
FILE_PATH = "/wsos_v2/statistics/object/{file_id}"  # §3.8: download URLs on ads.tiktok.com/wsos_v2/…
# Permission scopes (the numeric ids of ads_kit.sandbox.server.SCOPES, §5).
REPORTING, ACCOUNT, CAMPAIGNS, AD_GROUPS, ADS, AUDIENCES, PIXELS = "4", "100", "200", "210", "220", "30", "80"
REPORT_CACHE_SIZE = 16
TOKEN_REFUSALS = {"missing": errors.token_missing, "expired": errors.token_expired}


@dataclass
class Call:
    request: web.Request
    params: Params
    token: TokenInfo
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # below /open_api/v1.3/
    name: str
    scope: str | None
    handler: Handler

    @property
    def params(self) -> frozenset[str]:
        """What the endpoint takes, from the catalogue (every other parameter is refused)."""
        return names.params(self.name) if self.name in names.catalog()["endpoints"] else frozenset()


class TikTokEmulator:
    platform = PLATFORM
    settings_schema = {
        "tiktok_task_seconds": {
            "type": "number",
            "minimum": 0,
            "description": "Latency of an async report task (default: job_seconds, else 0.3)",
        },
        "tiktok_task_checks": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "Async report tasks advance by status checks instead of time: SUCCESS on "
            "the check after this many (tests that must see every phase on a slow machine); "
            "null goes back to seconds",
        },
        "tiktok_qpm_lockout_seconds": {
            "type": "number",
            "minimum": 0,
            "description": "Seconds a per-minute (or longer) app quota refusal restricts the app "
            "(default 300)",
        },
        "tiktok_empty_total_page": {
            "enum": [0, 1],
            "description": "page_info.total_page of an empty list (the reference leaves 0 or 1; default 0)",
        },
        "tiktok_query_cell_limit": {
            "type": "integer",
            "minimum": 1,
            "description": "Ad-cells (ads x days or hours x breakdown values) a report may scan before "
            "40067 query too large (default 1000000)",
        },
        "tiktok_advertiser_ids_cap": {
            "type": "integer",
            "minimum": 1,
            "description": "advertiser_ids advertiser/info/ takes at once, an assumption: TikTok documents "
            "no cap, peers send at most 100 (default 100)",
        },
        "tiktok_report_ad_cap": {
            "type": "integer",
            "minimum": 1,
            "description": "Ads a sync report reads at most, newest first, then X-Tt-Ads-Throttle "
            "(default 20000)",
        },
    }

    def __init__(self) -> None:
        self.tasks = tasks.ReportTasks()
        self._file_key = secrets.token_bytes(16)
        self._reports: OrderedDict[tuple[Any, ...], ReportRows] = OrderedDict()

    # -- plug-in surface ----------------------------------------------------------------------
    def routes(self, ctx: SandboxContext) -> list[RouteDef]:
        self.ctx = ctx
        self.throttle = Throttle(PLATFORM, ctx.limits)
        endpoints = [
            Endpoint(
                "GET",
                "oauth2/advertiser/get/",
                "oauth2_advertiser_get",
                ACCOUNT,
                self._authorized_advertisers,
            ),
            Endpoint("GET", "advertiser/info/", "advertiser_info", ACCOUNT, self._advertiser_info),
            Endpoint("GET", "campaign/get/", "campaign_get", CAMPAIGNS, self._entities("campaign")),
            Endpoint("GET", "adgroup/get/", "adgroup_get", AD_GROUPS, self._entities("adgroup")),
            Endpoint("GET", "ad/get/", "ad_get", ADS, self._entities("ad")),
            Endpoint(
                "GET", "dmp/custom_audience/list/", "custom_audience_list", AUDIENCES, self._audience_list
            ),
            Endpoint("GET", "dmp/custom_audience/get/", "custom_audience_get", AUDIENCES, self._audience_get),
            Endpoint("GET", "pixel/list/", "pixel_list", PIXELS, self._pixel_list),
            Endpoint("GET", "pixel/event/stats/", "pixel_event_stats", PIXELS, self._pixel_stats),
            Endpoint("GET", "report/integrated/get/", "report_integrated_get", REPORTING, self._report),
            Endpoint("POST", "report/task/create/", "report_task_create", REPORTING, self._task_create),
            Endpoint("GET", "report/task/check/", "report_task_check", REPORTING, self._task_check),
            Endpoint("GET", "report/task/download/", "report_task_download", REPORTING, self._task_download),
            Endpoint("POST", "report/task/cancel/", "report_task_cancel", REPORTING, self._task_cancel),
            # §2.9: singer GETs it, the Go SDK POSTs it; both are served (it takes no parameters).
            # singer-io's token check calls it without the trailing slash (§1.1), and works in
            # production: served both ways.
            *[
                Endpoint(method, path, "user_info", None, self._user_info)
                for method in ("GET", "POST")
                for path in ("user/info/", "user/info")
            ],
        ]
        routes = [RouteDef(e.method, API + e.path, e.name, self._pipeline(e)) for e in endpoints]
        routes.append(RouteDef("GET", FILE_PATH, "report_file", self._report_file))
        return routes

    def error_response(self, name: str, request: web.Request) -> web.StreamResponse:
        """A fault the core injects by name (`errors.NAMED_ERRORS`). `qpm_limit` also starts the lockout."""
        error = errors.named_error(name)
        if name == "qpm_limit":
            self.throttle.start_lockout(self._lockout_seconds())
            error = errors.app_restricted(self._app_id(request))
        elif name == "advertiser_qps_limit":
            error = errors.advertiser_qps_limit(
                self.account_of(request) or request.query.get("advertiser_id", "0"), 11, 10
            )
        if name in ("qps_limit", "rate_limit", "qpm_limit", "advertiser_qps_limit", "too_frequent"):
            request[RATE_LIMITED] = True
        return self._render(error)

    def account_of(self, request: web.Request) -> str | None:
        """`advertiser/info/` names its advertisers in `advertiser_ids` (the first one is the call's)."""
        raw = request.query.get("advertiser_ids")
        try:
            ids = json.loads(raw) if raw else None
        except ValueError:
            return None
        return str(ids[0]) if isinstance(ids, list) and ids else None

    # -- the pipeline -------------------------------------------------------------------------
    def _pipeline(self, endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def run(request: web.Request) -> web.StreamResponse:
            try:
                token = self._authenticate(request.headers.get("Access-Token"))
                if self.throttle.locked():
                    request[RATE_LIMITED] = True
                    raise errors.app_restricted(token.client_id)
                if endpoint.scope is not None and endpoint.scope not in token.scopes:
                    raise errors.scope_missing()
                raw = await self._raw_params(request, endpoint)
                call = Call(request, Params(raw, endpoint.params, body=endpoint.method == "POST"), token)
                data = await endpoint.handler(call)
            except TikTokError as error:
                return self._render(error)
            if isinstance(data, web.StreamResponse):
                return data
            return self._ok(data, call.headers)

        return run

    async def _raw_params(self, request: web.Request, endpoint: Endpoint) -> dict[str, Any]:
        if endpoint.method == "GET" or endpoint.name == "user_info":
            return dict(request.query)
        # POST endpoints take a JSON object body (§1.1); anything else is the real 40000.
        if request.content_type != "application/json":
            raise errors.body_unparseable()
        try:
            body = await request.json()
        except ValueError:
            raise errors.body_unparseable() from None
        if not isinstance(body, dict) or request.query:
            raise errors.body_unparseable()
        return body

    def _authenticate(self, token: str | None) -> TokenInfo:
        """The core's token check, its refusals as TikTok's codes (unknown and revoked are both 40105)."""
        try:
            return self.ctx.tokens.authenticate(PLATFORM, token)
        except TokenError as exc:
            refusal = TOKEN_REFUSALS.get(exc.reason, errors.token_invalid)
        raise refusal()

    def _open(self, call: Call, advertiser_id: str | None = None) -> Account:
        """The advertiser a call reads, billed to the quotas through the core."""
        account_id = advertiser_id or call.params.string("advertiser_id", required=True)
        assert account_id is not None
        call.request[ACCOUNT_ID] = account_id
        try:
            account, _ = self.ctx.open_account(PLATFORM, call.token, account_id)
        except QuotaExceeded as exceeded:
            raise self._quota_error(call, exceeded, account_id) from None
        except AccountRefused as refused:
            if refused.reason == "unknown":
                raise errors.advertiser_unknown(account_id) from None
            raise errors.advertiser_denied(account_id) from None
        return account

    def _charge(self, call: Call) -> None:
        """Bill a call that opens no advertiser to the app quota."""
        try:
            self.ctx.limits.charge(PLATFORM)
        except QuotaExceeded as exceeded:
            raise self._quota_error(call, exceeded, "") from None

    def _quota_error(self, call: Call, exceeded: QuotaExceeded, account_id: str) -> TikTokError:
        call.request[RATE_LIMITED] = True
        rules = self.ctx.settings.get("limits") or {}
        return self.throttle.refusal(
            exceeded, call.token.client_id, account_id, self._lockout_seconds(), rules
        )

    def _lockout_seconds(self) -> float:
        return float(self.ctx.settings.get("tiktok_qpm_lockout_seconds", DEFAULT_LOCKOUT_S))

    def _app_id(self, request: web.Request) -> str:
        try:
            return self.ctx.tokens.validate(PLATFORM, request.headers.get("Access-Token", "")).client_id
        except TokenError:
            return "0"

    def _ok(self, data: Any, headers: dict[str, str]) -> web.Response:
        body = envelope(0, "OK", data, self.ctx.world.now)
        return web.json_response(body, headers={"X-Tt-Logid": body["request_id"], **headers})

    def _render(self, error: TikTokError) -> web.Response:
        return errors.response(error, self.ctx.world.now)

    def _empty_total_page(self) -> int:
        return int(self.ctx.settings.get("tiktok_empty_total_page", 0))

    def _page(self, items: list[Any], call: Call, cap: int, key: str = "list") -> dict[str, Any]:
        page, info = paged(items, page_of(call.params, cap), self._empty_total_page())
        return {key: page, "page_info": info}

    # -- accounts -----------------------------------------------------------------------------
    async def _authorized_advertisers(self, call: Call) -> dict[str, Any]:
        app_id = call.params.string("app_id", required=True)
        secret = call.params.string("secret", required=True)
        try:
            self.ctx.tokens.client(PLATFORM, app_id or "", secret)
        except TokenError:
            raise errors.app_credentials_invalid() from None
        if call.token.client_id != app_id:
            raise errors.token_invalid()  # a token of another app
        self._charge(call)
        listed = [
            a for a in self.ctx.world.accounts(PLATFORM) if self.ctx.may_read(PLATFORM, call.token, a.id)
        ]
        return {"list": [{"advertiser_id": a.id, "advertiser_name": a.name} for a in listed]}

    async def _advertiser_info(self, call: Call) -> dict[str, Any]:
        cap = int(self.ctx.settings.get("tiktok_advertiser_ids_cap", accounts.MAX_ADVERTISER_IDS))
        ids = call.params.strings("advertiser_ids", required=True, max_items=cap) or []
        opened = [self._open(call, ids[0])]
        for advertiser_id in ids[1:]:  # one call, billed once; every advertiser must be readable
            account = self._readable(call, advertiser_id)
            opened.append(account)
        return {
            "list": [
                accounts.select_advertiser_fields(accounts.advertiser_record(a), call.params) for a in opened
            ]
        }

    def _readable(self, call: Call, advertiser_id: str) -> Account:
        try:
            account = self.ctx.world.account(advertiser_id)
        except KeyError:
            raise errors.advertiser_unknown(advertiser_id) from None
        if account.platform != PLATFORM:
            raise errors.advertiser_unknown(advertiser_id)
        if not self.ctx.may_read(PLATFORM, call.token, advertiser_id):
            raise errors.advertiser_denied(advertiser_id)
        return account

    async def _user_info(self, call: Call) -> dict[str, Any]:
        self._charge(call)
        created = min(a.created_at for a in self.ctx.world.accounts(PLATFORM)) - timedelta(days=30)
        return accounts.user_record(call.token.client_id, created)

    # -- entities -----------------------------------------------------------------------------
    def _entities(self, level: str) -> Handler:
        async def handler(call: Call) -> dict[str, Any]:
            account = self._open(call)
            records = objects.list_entities(self.ctx.world, account, level, call.params)
            return self._page(records, call, names.maximum(f"{level}_get", "page_size"))

        return handler

    async def _audience_list(self, call: Call) -> dict[str, Any]:
        account = self._open(call)
        wanted = call.params.strings("custom_audience_ids", max_items=audiences.MAX_IDS)
        now = self.ctx.world.now
        listed = [
            audiences.audience_record(a, account, now)
            for a in self.ctx.world.audiences(account.id)
            if a.status != "deleted" and (wanted is None or a.id in wanted)
        ]
        return self._page(listed, call, names.maximum("custom_audience_list", "page_size"))

    async def _audience_get(self, call: Call) -> dict[str, Any]:
        account = self._open(call)
        wanted = call.params.strings("custom_audience_ids", required=True, max_items=audiences.MAX_IDS) or []
        history = call.params.integer("history_size", audiences.MAX_HISTORY, 1, audiences.MAX_HISTORY)
        known = {a.id: a for a in self.ctx.world.audiences(account.id) if a.status != "deleted"}
        missing = [audience_id for audience_id in wanted if audience_id not in known]
        if missing:
            raise errors.object_missing(f"Audience {missing[0]}")
        now = self.ctx.world.now
        return {"list": [audiences.audience_details(known[i], account, now, history) for i in wanted]}

    async def _pixel_list(self, call: Call) -> dict[str, Any]:
        account = self._open(call)
        params = call.params
        params.string("order_by", choices=pixels.ORDER_BY)
        spec = params.json_value("filtering", dict) or {}
        if set(spec) - {"available_for_catalog_only"} or not isinstance(
            spec.get("available_for_catalog_only", False), bool
        ):
            raise errors.invalid_parameter(
                "filtering: Only available_for_catalog_only (a boolean) is accepted."
            )
        record = pixels.pixel_record(self.ctx.world, account)
        name = params.string("name")
        keep = (
            params.string("pixel_id") in (None, record["pixel_id"])
            and params.string("code") in (None, record["pixel_code"])
            and (name is None or name.lower() in record["pixel_name"].lower())
            and not spec.get("available_for_catalog_only", False)
        )
        cap = names.maximum("pixel_list", "page_size")
        return self._page([record] if keep else [], call, cap, key="pixels")

    async def _pixel_stats(self, call: Call) -> dict[str, Any]:
        account = self._open(call)
        ids = call.params.strings("pixel_ids", required=True, max_items=pixels.MAX_PIXEL_IDS) or []
        span = call.params.json_value("date_range", dict, required=True)
        if set(span) != {"start_date", "end_date"} or not all(isinstance(v, str) for v in span.values()):
            raise errors.invalid_parameter("date_range: Needs exactly start_date and end_date (YYYY-MM-DD).")
        start, end = (
            parse_day(span["start_date"], "date_range.start_date"),
            parse_day(span["end_date"], "date_range.end_date"),
        )
        if start > end or (end - start).days + 1 > pixels.MAX_STATS_DAYS:
            raise errors.invalid_parameter(
                f"date_range: The range must run forward and cover at most {pixels.MAX_STATS_DAYS} days."
            )
        unknown = [pixel for pixel in ids if pixel != pixels.pixel_id(account)]
        if unknown:
            raise errors.object_missing(f"Pixel {unknown[0]}")
        return {"list": [pixels.event_stats(self.ctx.world, account, start, end)]}

    # -- reports ------------------------------------------------------------------------------
    def _query(self, call: Call, account: Account, *, task: bool) -> ReportQuery:
        """The validated report; lifetime reports run from the account's first local day to today."""
        created = account.created_at.astimezone(ZoneInfo(account.timezone)).date()
        today = self.ctx.world.account_today(account)
        return parse_report(call.params, account.id, created, today, task=task)

    def _rows(self, query: ReportQuery) -> ReportRows:
        world, settings = self.ctx.world, self.ctx.settings
        ad_cap = int(settings.get("tiktok_report_ad_cap", DEFAULT_AD_CAP))
        cell_limit = int(settings.get("tiktok_query_cell_limit", DEFAULT_CELL_LIMIT))
        key = (query, world.now, world.reporting_delay[PLATFORM], ad_cap, cell_limit)
        rows = self._reports.get(key)
        if rows is None:
            rows = self._reports[key] = ReportRows(world, query, ad_cap=ad_cap, cell_limit=cell_limit)
            while len(self._reports) > REPORT_CACHE_SIZE:
                self._reports.popitem(last=False)
        return rows

    async def _report(self, call: Call) -> dict[str, Any]:
        account = self._open(call)
        query = self._query(call, account, task=False)
        page = page_of(call.params, names.maximum("report_integrated_get", "page_size"))
        rows = self._rows(query)
        items, info = paged(rows.rows, page, self._empty_total_page())
        data: dict[str, Any] = {"list": [rows.record(row) for row in items], "page_info": info}
        if query.total_metrics:
            data["total_metrics"] = rows.total_metrics()
        if rows.truncated:
            call.headers[THROTTLE_HEADER] = THROTTLE_MESSAGE
        return data

    # -- async tasks --------------------------------------------------------------------------
    async def _task_create(self, call: Call) -> dict[str, Any]:
        account = self._open(call)
        query = self._query(call, account, task=True)
        params = call.params
        export = tasks.Export(
            params.string("output_format", choices=names.enum("report_task_create", "output_format"))
            or "CSV_STRING",
            params.string("file_name"),
            params.boolean("enable_report_title_translation", default=True),
        )
        if export.file_name is not None and len(export.file_name) > tasks.MAX_FILE_NAME:
            raise errors.invalid_parameter(f"file_name: Length must be at most {tasks.MAX_FILE_NAME}.")
        # §4.2: task creation has its own app window (2 QPS / 60 QPM / 4500 QPD documented); the
        # `limits` setting's kind "task_create" sets it, unlimited by default.
        if not self.ctx.limits.hit(PLATFORM, "task_create").allowed:
            call.request[RATE_LIMITED] = True
            raise errors.endpoint_too_frequent()
        settings = self.ctx.settings
        latency = float(
            settings.get("tiktok_task_seconds", settings.get("job_seconds", tasks.DEFAULT_TASK_SECONDS))
        )
        fails = self.ctx.faults.take_job_failure(PLATFORM, account.id, "report_task_create")
        task = self.tasks.create(query, export, latency, settings.get("tiktok_task_checks"), fails)
        return {"task_id": task.id}

    def _task(self, call: Call) -> tasks.ReportTask:
        account = self._open(call)
        task_id = call.params.string("task_id", required=True) or ""
        task = self.tasks.of(task_id, account.id)
        if task is None:
            raise errors.object_missing(f"Task {task_id}")
        return task

    async def _task_check(self, call: Call) -> dict[str, str]:
        return self._task(call).check(time.monotonic())

    async def _task_cancel(self, call: Call) -> dict[str, str]:
        task = self._task(call)
        if task.status(time.monotonic()) not in (tasks.QUEUING, tasks.PROCESSING):
            raise errors.task_error()  # the reference is silent on cancelling a finished task
        task.canceled = True
        return {"status": tasks.CANCELED}

    async def _task_download(self, call: Call) -> Any:
        task = self._task(call)
        status = task.status(time.monotonic())
        if status in (tasks.QUEUING, tasks.PROCESSING):
            raise errors.task_not_ready()  # §3.8: downloading before ready is 40201
        if status != tasks.SUCCESS:
            raise errors.task_error()
        if task.export.output_format == "CSV_STRING":
            text = tasks.csv_text(tasks.table(self._rows(task.query), task.export.translate))
            return web.Response(
                text=text, content_type="text/csv", headers={"X-Tt-Logid": errors.request_id()}
            )
        expire = int(time.time() + tasks.URL_LIFETIME_S)
        path = FILE_PATH.format(file_id=task.id)
        url = f"{self.ctx.base_url(PLATFORM)}{path}?expire={expire}&sign={self._sign(task.id, expire)}"
        return {
            "download_url": url,
            "file_name": task.export.download_name(task.id),
            "output_format": task.export.output_format,
        }

    def _sign(self, file_id: str, expire: int) -> str:
        return hmac.new(self._file_key, f"{file_id}:{expire}".encode(), hashlib.sha256).hexdigest()[:32]

    async def _report_file(self, request: web.Request) -> web.Response:
        """A signed download URL (§3.8): the file until the URL expires, then 403."""
        file_id = request.match_info["file_id"]
        expire = request.query.get("expire", "")
        sign = request.query.get("sign", "")
        valid = expire.isdigit() and hmac.compare_digest(sign, self._sign(file_id, int(expire)))
        task = self.tasks.get(file_id)
        if not valid or task is None or int(expire) < time.time():
            return web.Response(
                status=403,
                text="AccessDenied: Request has expired or is not signed",
                content_type="text/plain",
            )
        cells = tasks.table(self._rows(task.query), task.export.translate)
        disposition = {"Content-Disposition": f'attachment; filename="{task.export.download_name(task.id)}"'}
        if task.export.output_format == "XLSX_DOWNLOAD":
            return web.Response(
                body=tasks.xlsx_bytes(cells),
                content_type=tasks.CONTENT_TYPES["XLSX_DOWNLOAD"],
                headers=disposition,
            )
        return web.Response(text=tasks.csv_text(cells), content_type="text/csv", headers=disposition)
