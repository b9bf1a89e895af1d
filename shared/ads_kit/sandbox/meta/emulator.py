"""The Meta Graph / Marketing API emulator: routes, Graph's errors and usage headers, and batch.

Every route runs one pipeline (`_serve`): version check, the core's token check, the handler (which
opens the account through the core: denied accounts, the token's grant, quota billing), then the
response with Graph's headers. This module only turns the core's refusals into Graph's errors.
Batch items run the same pipeline in-process, so a batched call behaves exactly like a direct one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from ads_kit.sandbox.limits import Charge, QuotaExceeded
from ads_kit.sandbox.meta import catalog, errors
from ads_kit.sandbox.meta.errors import GraphError
from ads_kit.sandbox.meta.headers import Usage, base_headers, usage_headers
from ads_kit.sandbox.meta.insights import InsightsReport, check_date_preset, parse_query
from ads_kit.sandbox.meta.objects import (
    ObjectRenderer,
    ad_id_of_creative,
    check_fields,
    object_kinds,
    passes,
    select,
)
from ads_kit.sandbox.meta.paging import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, offset_page, paging_block
from ads_kit.sandbox.meta.params import (
    FilterRule,
    loads_relaxed,
    merged_params,
    parse_bool,
    parse_fields,
    parse_filtering,
    parse_int,
    parse_list,
    parse_time_range,
)
from ads_kit.sandbox.meta.reports import ReportRun, ReportRuns
from ads_kit.sandbox.meta.versions import live_versions, served_version
from ads_kit.sandbox.meta.wire import DEFAULT_VISIBLE_STATUSES
from ads_kit.sandbox.server import RouteDef, SandboxContext
from ads_kit.sandbox.tokens import AccountRefused, TokenError, TokenInfo
from ads_kit.sandbox.world import Account, Ad, AdGroup, Audience, Campaign, ConversionEvent

PLATFORM = "meta"
VERSION = r"{version:v[0-9]+\.[0-9]+}"
MAX_BATCH = 50
DEFAULT_JOB_SECONDS = 0.3

# Edges of an ad account: route name -> object kind.
EDGES = {
    "campaigns": "campaign",
    "adsets": "adset",
    "ads": "ad",
    "adcreatives": "creative",
    "customaudiences": "audience",
    "customconversions": "conversion",
    "adimages": "image",
    "advideos": "video",
    "adlabels": "label",
    "leads": "lead",  # an ad's edge only
}
ACCOUNT_EDGES = [edge for edge in EDGES if edge != "leads"]
# Campaign and ad set edges (the client's Campaign.get_ad_sets/get_ads, AdSet.get_ads/get_ad_creatives).
NODE_EDGES = {"campaign": ("adsets", "ads"), "adset": ("ads", "adcreatives"), "ad": ("leads",)}
NODE_EDGE_NAMES = sorted({edge for edges in NODE_EDGES.values() for edge in edges})
# Kinds whose edges hide ARCHIVED and DELETED objects unless the filter asks for them.
STATUS_FILTERED = {"campaign", "adset", "ad", "creative"}


@dataclass
class GraphCall:
    """One Graph request, from HTTP or from a batch item."""

    method: str
    path: str
    match: dict[str, str]
    params: dict[str, str]
    token: str | None
    token_in_query: bool
    request: web.Request | None = None
    usage: Usage | None = None
    account_id: str | None = None
    insights: bool = False
    served: str = ""
    extra_headers: dict[str, str] = field(default_factory=dict)
    proof: str | None = None
    """``appsecret_proof`` as sent (query or form), checked against the token's app secret."""


Handler = Callable[[GraphCall, TokenInfo], Awaitable[Any]]


class MetaEmulator:
    platform = PLATFORM
    # Limits: Meta documents the batch size (50), insights retention (37 months) and reach with
    # breakdowns (13 months); the ones below are the sandbox's assumptions, each a setting.
    settings_schema = {
        "meta_job_seconds": {
            "type": "number",
            "minimum": 0,
            "description": "Latency of an async report job (assumption: Meta documents none; default 0.3)",
        },
        "meta_max_page_size": {
            "type": "integer",
            "minimum": 1,
            "description": "Largest `limit` a page may ask for (assumption: Meta documents no maximum; "
            "default 5000, larger asks get (#100))",
        },
        "meta_job_polls": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "Async report jobs advance by status polls instead of time: done after this many "
            "(tests that must see every phase on a slow machine); null goes back to meta_job_seconds",
        },
        "meta_quota_regain_minutes": {
            "type": "integer",
            "minimum": 0,
            "description": "Minutes a named quota fault says it takes to regain access "
            "(estimated_time_to_regain_access; default 1 as Meta; 0 announces no wait)",
        },
        "meta_auto_upgrade_versions": {
            "type": "boolean",
            "description": "Serve expired API versions as the oldest live one instead of answering #2635",
        },
    }

    def __init__(self) -> None:
        self.jobs = ReportRuns()
        self._reports: dict[str, InsightsReport] = {}
        self._table: list[tuple[str, str, str, re.Pattern[str], Handler]] = []

    # -- plug-in surface ----------------------------------------------------------------------
    def routes(self, ctx: SandboxContext) -> list[RouteDef]:
        self.ctx = ctx
        self.objects = ObjectRenderer(ctx.world)
        self.kinds = object_kinds(self.objects)
        account_path = f"/{VERSION}/act_{{account_id:[0-9]+}}"
        node_path = f"/{VERSION}/{{node_id:[0-9]+}}"
        table: list[tuple[str, str, str, Handler]] = [
            ("GET", f"/{VERSION}/me/adaccounts", "me_adaccounts", self._me_adaccounts),
            ("GET", account_path, "ad_account", self._ad_account),
            ("GET", account_path + "/", "ad_account", self._ad_account),
            *[("GET", f"{account_path}/{edge}", edge, self._edge) for edge in ACCOUNT_EDGES],
            ("GET", f"{account_path}/insights", "insights", self._insights),
            ("POST", f"{account_path}/insights", "insights_async", self._submit_report),
            ("GET", f"{node_path}/insights", "node_insights", self._node_insights),
            *[("GET", f"{node_path}/{edge}", f"node_{edge}", self._node_edge) for edge in NODE_EDGE_NAMES],
            ("POST", f"{node_path}/insights", "node_insights_async", self._submit_report),
            ("GET", node_path, "node", self._node),
            ("GET", node_path + "/", "node", self._node),
        ]
        self._table = [(m, p, n, _compile(p), h) for m, p, n, h in table]
        routes = [RouteDef(m, p, n, self._http(h)) for m, p, n, _, h in self._table]
        batch = self._http_batch
        routes += [RouteDef("POST", f"/{VERSION}/", "batch", batch), RouteDef("POST", "/", "batch", batch)]
        return routes

    def error_response(self, name: str, request: web.Request) -> web.Response:
        """A fault the core injects by name, rendered with Graph's envelope and usage headers."""
        error = errors.named_error(name, self._latest())
        regain_minutes = self.ctx.settings.get("meta_quota_regain_minutes")
        if error.retry_after_s and regain_minutes is not None:
            error = replace(error, retry_after_s=regain_minutes * 60.0)
        usage = Usage(100.0, 100.0, error.retry_after_s) if error.retry_after_s else Usage()
        account_id = request.match_info.get("account_id") or self.account_of(request)
        insights = "insights" in request.path
        headers = {**base_headers(request.match_info.get("version", self._latest())), **error.headers}
        headers.update(usage_headers(usage, account_id, insights))
        return _json(error.body(), error.status, headers)

    def account_of(self, request: web.Request) -> str | None:
        """The ad account of a node path (report runs, campaigns, ads …) for logs and fault rules."""
        node_id = request.match_info.get("node_id")
        return self._account_of_node(node_id) if node_id else None

    # -- HTTP adapters ------------------------------------------------------------------------
    def _http(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def run(request: web.Request) -> web.Response:
            form = await request.post() if request.method == "POST" else {}
            call = _call_from_request(request, {k: str(v) for k, v in form.items()})
            status, body, headers = await self._serve(call, handler)
            return _json(body, status, headers)

        return run

    async def _http_batch(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        call = _call_from_request(request, form)
        version = request.match_info.get("version")
        try:
            if version is not None:
                call.served = self._version(version)
            body = await self._batch(call, version or self._latest())
            return _json(body, 200, base_headers(call.served or self._latest()))
        except GraphError as error:
            return _json(
                error.body(), error.status, {**base_headers(call.served or self._latest()), **error.headers}
            )

    # -- the pipeline -------------------------------------------------------------------------
    async def _serve(self, call: GraphCall, handler: Handler) -> tuple[int, Any, dict[str, str]]:
        try:
            call.served = self._version(call.match["version"])
            info = self._authenticate(call.token)
            self._check_proof(call, info)
            body = await handler(call, info)
            status, extra = 200, {}
        except GraphError as error:
            body, status, extra = error.body(), error.status, error.headers
        headers = base_headers(call.served or call.match.get("version", self._latest()))
        if call.usage is not None:
            headers.update(usage_headers(call.usage, call.account_id, call.insights))
        headers.update(extra)
        return status, body, headers

    def _latest(self) -> str:
        live = live_versions(self.ctx.world.now.date())
        return live[-1] if live else "v26.0"

    def _version(self, requested: str) -> str:
        auto = bool(self.ctx.settings.get("meta_auto_upgrade_versions"))
        return served_version(requested, self.ctx.world.now.date(), auto)

    def _authenticate(self, token: str | None) -> TokenInfo:
        try:
            return self.ctx.tokens.authenticate(PLATFORM, token)
        except TokenError as exc:
            if exc.reason == "missing":
                raise errors.token_missing() from None
            if exc.reason == "expired":
                raise errors.token_expired() from None
            if exc.reason == "revoked":
                raise errors.token_invalid() from None
            raise errors.token_unparseable() from None

    def _check_proof(self, call: GraphCall, info: TokenInfo) -> None:
        """Graph checks an ``appsecret_proof`` whenever one is sent: HMAC-SHA256 of the access token
        keyed with the app secret of the token's app (so a wrong app_secret is noticed at once)."""
        if call.proof is None or call.token is None:
            return
        secret = self.ctx.tokens.client(PLATFORM, info.client_id).client_secret
        expected = hmac.new(secret.encode(), call.token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, call.proof):
            raise errors.invalid_appsecret_proof()

    def _open_account(self, call: GraphCall, info: TokenInfo, account_id: str, *, insights: bool) -> Account:
        """The world account if this token may read it, after charging the call to the quotas
        (the core's check; unknown accounts answer Graph's unsupported get, denied ones #100)."""
        call.account_id, call.insights = account_id, insights
        if call.request is not None:
            call.request["account_id"] = account_id
        try:
            account, charge = self.ctx.open_account(PLATFORM, info, account_id)
        except QuotaExceeded as exceeded:
            raise self._quota_error(call, exceeded) from None
        except AccountRefused as refused:
            _bill(call, refused.charge)
            if refused.reason == "unknown":
                raise errors.unsupported_get(f"act_{account_id}") from None
            raise errors.missing_permissions() from None
        _bill(call, charge)
        return account

    def _charge(self, call: GraphCall) -> None:
        """Bill a call that opens no account (listings, unknown nodes) to the app quota."""
        try:
            _bill(call, self.ctx.limits.charge(PLATFORM))
        except QuotaExceeded as exceeded:
            raise self._quota_error(call, exceeded) from None

    @staticmethod
    def _quota_error(call: GraphCall, exceeded: QuotaExceeded) -> GraphError:
        _bill(call, exceeded.charge)
        if call.request is not None:
            call.request["rate_limited"] = True
        if exceeded.scope == "app":
            return errors.app_rate_limited(exceeded.retry_after_s)
        return errors.account_rate_limited(call.insights, exceeded.retry_after_s)

    # -- nodes --------------------------------------------------------------------------------
    def _account_of_node(self, node_id: str) -> str | None:
        job = self.jobs.get(node_id)
        if job is not None:
            return job.query.account_id
        entity = self._find(node_id)
        return entity.account_id if entity is not None else None

    def _find(
        self, node_id: str
    ) -> Campaign | AdGroup | Ad | Audience | ConversionEvent | _CreativeOf | None:
        """A world entity by id; creatives come back as a `_CreativeOf` their ad."""
        entity = self.ctx.world.find(node_id)
        if (
            entity is not None
            and getattr(entity, "platform", None) == PLATFORM
            and not isinstance(entity, Account)
        ):
            return entity
        ad_id = ad_id_of_creative(node_id)
        ad = self.ctx.world.find(ad_id) if ad_id else None
        if isinstance(ad, Ad) and ad.platform == PLATFORM:
            return _CreativeOf(ad)
        return None

    async def _node(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        node_id = call.match["node_id"]
        job = self.jobs.get(node_id)
        if job is not None:
            self._open_account(call, info, job.query.account_id, insights=True)
            body = job.poll(self.jobs.now())
            specs = parse_fields(call.params.get("fields"))
            for spec in specs or []:
                if spec.name not in catalog.node_fields("AdReportRun"):
                    raise errors.nonexisting_field(spec.name, "AdReportRun")
            if specs:
                body = {key: body[key] for key in ["id", *(s.name for s in specs)] if key in body}
            return body
        entity = self._find(node_id)
        if entity is None:
            self._charge(call)
            raise errors.unsupported_get(node_id)
        account = self._open_account(call, info, entity.account_id, insights=False)
        kind, subject = _kind_of(entity)
        # The client's params of a node read (catalog `node_params`) are checked by type; only the
        # creative's thumbnail size changes the answer (date_preset, time_range, am_call_tags,
        # from_adtable, review_feedback_breakdown, the audience's account and category params select
        # nothing the world has) [U: Meta documents their effect on a node read nowhere].
        node_type = self.kinds[kind].node_type
        for name, param_type in catalog.catalog()["node_params"][node_type].items():
            if name in call.params:
                _check_type(call.params[name], name, param_type)
        record = self.kinds[kind].render(subject, account)
        if kind == "creative" and {"thumbnail_width", "thumbnail_height"} & call.params.keys():
            # The thumbnail in the asked size (64 x 64 unless asked), as Graph's stp= URL parameter.
            width, height = (call.params.get(f"thumbnail_{side}", "64") for side in ("width", "height"))
            record["thumbnail_url"] += f"?stp=dst-emg0_p{width}x{height}"
        return select(record, parse_fields(call.params.get("fields")), self.kinds[kind], call.served)

    async def _me_adaccounts(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        self._charge(call)
        accounts = [a for a in self.ctx.world.accounts(PLATFORM) if self.ctx.may_read(PLATFORM, info, a.id)]
        records = [self.objects.account(a) for a in accounts]
        return self._list_page(call, records, self.kinds["account"])

    async def _ad_account(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        account = self._open_account(call, info, call.match["account_id"], insights=False)
        specs = parse_fields(call.params.get("fields"))
        return select(self.objects.account(account), specs, self.kinds["account"], call.served)

    async def _edge(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        account = self._open_account(call, info, call.match["account_id"], insights=False)
        return self._edge_page(call, account, lambda subject: True)

    async def _node_edge(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        """A campaign's ad sets and ads, an ad set's ads and creatives (the same objects as the
        account's edges, those under the node)."""
        node_id, edge = call.match["node_id"], call.path.rstrip("/").rsplit("/", 1)[-1]
        entity = self._find(node_id)
        kind = _kind_of(entity)[0] if entity is not None else None
        if entity is None or edge not in NODE_EDGES.get(kind or "", ()):
            self._charge(call)
            raise errors.unsupported_get(node_id)
        account = self._open_account(call, info, entity.account_id, insights=False)
        parent = {"campaign": "campaign_id", "adset": "ad_group_id", "ad": "id"}[kind or ""]
        return self._edge_page(call, account, lambda subject: getattr(subject, parent) == node_id)

    def _edge_page(self, call: GraphCall, account: Account, under: Callable[[Any], bool]) -> dict[str, Any]:
        edge = call.path.rstrip("/").rsplit("/", 1)[-1]
        kind_name = EDGES[edge]
        kind = self.kinds[kind_name]
        subjects = [subject for subject in self._subjects(kind_name, account) if under(subject)]
        for name, param_type in catalog.edge_params(edge).items():
            if name in call.params:
                _check_type(call.params[name], name, param_type)
        subjects = [subject for subject in subjects if self._edge_params_pass(call, edge, account, subject)]
        records = [kind.render(subject, account) for subject in subjects]
        rules = parse_filtering(call.params.get("filtering"))
        statuses = parse_list(call.params.get("effective_status"), "effective_status")
        if statuses and "effective_status" in catalog.edge_params(edge):
            rules.append(FilterRule(f"{kind.filter_prefix}.effective_status", "IN", statuses))
        if call.params.get("updated_since"):
            since = parse_int(call.params["updated_since"], "updated_since", 0)
            rules.append(FilterRule(f"{kind.filter_prefix}.updated_time", "GREATER_THAN", since))
        if kind_name in STATUS_FILTERED and not any(r.field.endswith("effective_status") for r in rules):
            visible = [*DEFAULT_VISIBLE_STATUSES, "CAMPAIGN_PAUSED", "ADSET_PAUSED"]
            status_key = "status" if kind_name == "creative" else "effective_status"
            records = [r for r in records if r[status_key] in visible]
        records = [r for r in records if passes(r, rules, kind.filter_prefix)]
        return self._list_page(call, records, kind)

    def _edge_params_pass(self, call: GraphCall, edge: str, account: Account, subject: Any) -> bool:
        """The client's params of an edge (catalog `edge_params`) beyond filtering and effective_status:
        each is checked against the client's type, then applied where the world has what it selects.

        `is_completed`: campaigns and ad sets whose schedule ended before the account's today (or not).
        `pixel_id`: audiences built on that pixel. `hashes`, `selected_hashes`, `name`, `minwidth`,
        `minheight`: images. `date_preset` / `time_range` do not narrow an object list, and
        `business_id`, `biz_tag_id`, `fetch_primary_audience` select nothing the world has (one
        business per account, no tags, no primary audiences) [U: Meta documents none of them].
        """
        params = call.params
        if params.get("is_completed") and edge in ("campaigns", "adsets"):
            today = self.ctx.world.account_today(account)
            completed = subject.end_date is not None and subject.end_date < today
            if completed != parse_bool(params["is_completed"], "is_completed"):
                return False
        if params.get("pixel_id") and edge == "customaudiences":
            return self.objects.audience(subject, account).get("pixel_id") == params["pixel_id"]
        if edge == "adimages":
            image = self.objects.image(subject, account)
            hashes = parse_list(params.get("hashes") or params.get("selected_hashes"), "hashes")
            return (
                (not hashes or image["hash"] in hashes)
                and params.get("name", image["name"]) == image["name"]
                and image["width"] >= int(params.get("minwidth", 0))
                and image["height"] >= int(params.get("minheight", 0))
            )
        return True

    def _subjects(self, kind: str, account: Account) -> list[Any]:
        world = self.ctx.world
        if kind == "campaign":
            return world.campaigns(account.id)
        if kind == "adset":
            return world.ad_groups(account.id)
        if kind in ("ad", "creative", "image"):
            return world.ads(account.id)
        if kind in ("video", "label", "lead"):
            return []  # the world has no videos, labels or leads
        if kind == "audience":
            # Deleted audiences are gone from Graph entirely.
            return [a for a in world.audiences(account.id) if a.status != "deleted"]
        return world.conversion_events(account.id)

    def _list_page(self, call: GraphCall, records: list[dict[str, Any]], kind: Any) -> dict[str, Any]:
        specs = parse_fields(call.params.get("fields"))
        limit = self._page_size(call)
        check_fields(specs, kind, call.served)
        page, start, has_next, has_previous = offset_page(records, call.params, limit)
        body: dict[str, Any] = {"data": [select(r, specs, kind, call.served) for r in page]}
        if page:
            body["paging"] = paging_block(
                first=start,
                last=start + len(page) - 1,
                has_next=has_next,
                has_previous=has_previous,
                **self._page_link(call),
            )
        if parse_bool(call.params.get("summary"), "summary"):
            body["summary"] = {"total_count": len(records)}
        return body

    def _page_size(self, call: GraphCall) -> int:
        maximum = int(self.ctx.settings.get("meta_max_page_size", MAX_LIMIT))
        return parse_int(call.params.get("limit"), "limit", DEFAULT_LIMIT, 1, maximum)

    def _page_link(self, call: GraphCall) -> dict[str, Any]:
        return {
            "base_url": self.ctx.base_url(PLATFORM),
            "path": call.path,
            "params": call.params,
            "query_token": call.token if call.token_in_query else None,
        }

    # -- insights -----------------------------------------------------------------------------
    def _insights_query(self, call: GraphCall, info: TokenInfo, node_id: str | None):
        if node_id is None:
            account_id, level, node = call.match["account_id"], "account", call.match["account_id"]
        else:
            entity = self._find(node_id)
            kind = _kind_of(entity)[0] if entity is not None else None
            if entity is None or kind not in ("campaign", "adset", "ad"):
                self._charge(call)
                raise errors.unsupported_get(node_id)
            account_id, level, node = entity.account_id, kind, node_id
        self._open_account(call, info, account_id, insights=True)
        today = self.ctx.world.account_today(self.ctx.world.account(account_id))
        return parse_query(
            call.params,
            account_id=account_id,
            node_level=level,
            node_id=node,
            today=today,
            version=call.served,
        )

    async def _insights(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        query = self._insights_query(call, info, None)
        return self._insights_page(call, InsightsReport(self.ctx.world, query))

    async def _node_insights(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        node_id = call.match["node_id"]
        job = self.jobs.get(node_id)
        if job is None:
            query = self._insights_query(call, info, node_id)
            return self._insights_page(call, InsightsReport(self.ctx.world, query))
        self._open_account(call, info, job.query.account_id, insights=True)
        if not job.completed(self.jobs.now()):
            raise errors.report_not_ready()
        return self._insights_page(call, self._report_of(job))

    def _report_of(self, job: ReportRun) -> InsightsReport:
        report = self._reports.get(job.id)
        if report is None:
            report = self._reports[job.id] = InsightsReport(self.ctx.world, job.query)
        return report

    def _insights_page(self, call: GraphCall, report: InsightsReport) -> dict[str, Any]:
        limit = self._page_size(call)
        after, before = call.params.get("after"), call.params.get("before")
        if before and not after:
            rows, has_previous = report.page_before(_report_cursor(before, "before", report), limit)
            has_next = True
        else:
            position = _report_cursor(after, "after", report) if after else None
            rows, has_next = report.page(position, limit)
            has_previous = position is not None
        body: dict[str, Any] = {"data": [row for _, row in rows]}
        if rows:
            body["paging"] = paging_block(
                first=rows[0][0],
                last=rows[-1][0],
                has_next=has_next,
                has_previous=has_previous,
                **self._page_link(call),
            )
        summary = report.summary()
        if summary is not None:
            body["summary"] = summary
        return body

    async def _submit_report(self, call: GraphCall, info: TokenInfo) -> dict[str, Any]:
        query = self._insights_query(call, info, call.match.get("node_id"))
        settings = self.ctx.settings
        latency = float(settings.get("meta_job_seconds", settings.get("job_seconds", DEFAULT_JOB_SECONDS)))
        route = "insights_async" if "account_id" in call.match else "node_insights_async"
        fails = self.ctx.faults.take_job_failure(PLATFORM, query.account_id, route)
        job = self.jobs.submit(query, latency, fails, settings.get("meta_job_polls"))
        return {"report_run_id": job.id}

    # -- batch --------------------------------------------------------------------------------
    async def _batch(self, outer: GraphCall, version: str) -> list[Any]:
        raw = outer.params.get("batch")
        if not raw:
            raise errors.invalid_parameter("The parameter batch is required")
        try:
            items = json.loads(raw)
        except ValueError:
            raise errors.invalid_parameter("param batch must be a JSON array") from None
        if not isinstance(items, list):
            raise errors.invalid_parameter("param batch must be a JSON array")
        if len(items) > MAX_BATCH:
            raise errors.invalid_parameter(
                f"Too many requests in batch message. Maximum batch size is {MAX_BATCH}"
            )
        return [await self._batch_item(outer, version, index, item) for index, item in enumerate(items)]

    async def _batch_item(self, outer: GraphCall, version: str, index: int, item: Any) -> Any:
        if not isinstance(item, dict) or not isinstance(item.get("relative_url"), str):
            error = errors.invalid_parameter(f"batch[{index}] must be an object with method and relative_url")
            return _batch_result(error.status, error.body(), base_headers(version))
        method = str(item.get("method", "GET")).upper()
        split = urlsplit(item["relative_url"].lstrip("/"))
        path = split.path if re.match(r"v[0-9]+\.[0-9]+/", split.path) else f"{version}/{split.path}"
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        params.update(parse_qsl(str(item.get("body") or ""), keep_blank_values=True))
        token = params.get("access_token") or outer.token
        for method_, _, _name, pattern, handler in self._table:  # noqa: B007 (used after the loop)
            found = pattern.fullmatch("/" + path)
            if method_ == method and found:
                break
        else:
            error = errors.unsupported_get(path)
            return _batch_result(error.status, error.body(), base_headers(version))
        call = GraphCall(
            method, "/" + path, found.groupdict(), merged_params(params), token, token_in_query=True
        )
        if token == outer.token:
            call.proof = params.get("appsecret_proof") or outer.proof
        else:
            call.proof = params.get("appsecret_proof")
        fault = self.ctx.faults.decide(PLATFORM, "batch_item", self._item_account(call)).fault
        if fault is not None and fault.kind in ("drop", "timeout"):
            return None  # Graph's "not executed" entry; clients retry these.
        if fault is not None and fault.kind == "error":
            error = errors.named_error(fault.name or "", self._latest())
            return _batch_result(error.status, error.body(), {**base_headers(version), **error.headers})
        status, body, headers = await self._serve(call, handler)
        return _batch_result(status, body, headers)

    def _item_account(self, call: GraphCall) -> str | None:
        if "account_id" in call.match:
            return call.match["account_id"]
        node_id = call.match.get("node_id")
        return self._account_of_node(node_id) if node_id else None


@dataclass(frozen=True)
class _CreativeOf:
    """A creative node: the ad it belongs to."""

    ad: Ad

    @property
    def account_id(self) -> str:
        return self.ad.account_id


def _bill(call: GraphCall, charge: Charge) -> None:
    """The usage a call reports in its headers, from what the quotas said about it."""
    app, account = charge.app, charge.account
    if not app.allowed:
        call.usage = Usage(app.usage_pct, 0.0, app.retry_after_s)
    elif account is None:
        call.usage = Usage(app.usage_pct)
    else:
        call.usage = Usage(app.usage_pct, account.usage_pct, account.retry_after_s)


def _kind_of(entity: Any) -> tuple[str, Any]:
    if isinstance(entity, _CreativeOf):
        return "creative", entity.ad
    kinds = {
        Campaign: "campaign",
        AdGroup: "adset",
        Ad: "ad",
        Audience: "audience",
        ConversionEvent: "conversion",
    }
    return kinds[type(entity)], entity


def _check_type(raw: str, param: str, kind: str) -> None:
    """A param's value against the type the client declares for it (`int`, `bool`, `map`, `list<…>`)."""
    if kind in ("int", "unsigned int"):
        parse_int(raw, param, 0)
    elif kind == "float":
        try:
            float(raw)
        except ValueError:
            raise errors.invalid_parameter(f"param {param} must be a number") from None
    elif kind == "bool":
        parse_bool(raw, param)
    elif param == "time_range":
        parse_time_range(raw)
    elif kind == "map" and not isinstance(loads_relaxed(raw, param), dict):
        raise errors.invalid_parameter(f"param {param} must be a JSON object")
    elif kind.startswith("list") and kind != "list<Object>":  # filtering: parse_filtering reads it
        parse_list(raw, param)
    elif kind == "date_preset_enum":
        check_date_preset(raw)


def _report_cursor(cursor: str, param: str, report: InsightsReport) -> list[int]:
    """A report position: [bucket, entity, cell], or [rank] in a sorted report."""
    position = decode_cursor(cursor, param)
    size = 1 if report.query.sort else 3
    if not (
        isinstance(position, list) and len(position) == size and all(isinstance(n, int) for n in position)
    ):
        raise errors.invalid_parameter(f"The {param} cursor is not valid: {cursor}")
    return position


def _compile(path: str) -> re.Pattern[str]:
    """An aiohttp path pattern as a regex, to route batch items through the same table."""
    pattern, position = "", 0
    for found in re.finditer(r"\{(\w+)(?::([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}", path):
        pattern += re.escape(path[position : found.start()])
        pattern += f"(?P<{found.group(1)}>{found.group(2) or '[^/]+'})"
        position = found.end()
    return re.compile(pattern + re.escape(path[position:]))


def _call_from_request(request: web.Request, form: dict[str, str]) -> GraphCall:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    query_token = request.query.get("access_token")
    token = credential.strip() if scheme.lower() in ("bearer", "oauth") and credential else None
    token = token or query_token or form.get("access_token")
    return GraphCall(
        method=request.method,
        path=request.path,
        match=dict(request.match_info),
        params=merged_params(request.query, form),
        token=token,
        token_in_query=bool(query_token) and token == query_token,
        request=request,
        proof=form.get("appsecret_proof") or request.query.get("appsecret_proof"),
    )


def _json(body: Any, status: int, headers: dict[str, str]) -> web.Response:
    text = json.dumps(body, separators=(",", ":"))
    return web.Response(text=text, status=status, headers=headers)


def _batch_result(status: int, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "code": status,
        "headers": [{"name": name, "value": value} for name, value in headers.items()],
        "body": json.dumps(body, separators=(",", ":")),
    }
