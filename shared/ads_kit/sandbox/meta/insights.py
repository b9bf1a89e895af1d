"""Ads Insights: parse a query, then produce its rows lazily from the world (reference §3).

Rows are generated in a fixed order (time bucket, then entity, then breakdown value) and addressed
by that position, so a page is computed from its cursor without materialising the report: a
365-day, 1 000-ad report costs one page of world lookups per request.

Conversions. The world's `conversions` / `conversions_value` of a row are carried by the action
types of the account's primary conversion event (`conversion_action_types`): for the sandbox's
"Purchase" custom conversion `offsite_conversion.fb_pixel_purchase`, `omni_purchase` and
`offsite_conversion.custom.<id>`, each with the same count, as Meta reports one purchase under
several types; a reader counts exactly one of them. The `value` key equals the world's number (the account's
default 7d_click + 1d_view setting); the per-window keys split it deterministically:
`1d_view = n // 5`, `7d_click = n - 1d_view`, `1d_click = 7d_click * 7 // 10`,
`28d_click = 7d_click + n // 10`. `link_click` carries clicks in every click window.

Fields. Every field of the client's catalogue (`catalog.json`, 238 in v26) is accepted but those
Meta removed (`REMOVED_FIELDS`, `NONEXISTING_FIELDS`: Meta's own errors). A row carries the fields
the world has numbers for: ids, names and settings of the row's objects; impressions, clicks, spend,
reach and what derives from them alone (ctr, cpc, cpm, cpp, frequency, the inline/outbound/unique
click forms: link clicks = inline link clicks = outbound clicks = clicks, unique clicks =
min(clicks, reach), recallers = reach // 10, rankings by impressions); conversions through the
action lists and purchase_roas / website_purchase_roas. Every other field (video, canvas, messaging,
catalogue, SKAN, results …) is left out of the row, as Meta leaves out a metric without data.
"""

from __future__ import annotations

import calendar
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ads_kit.sandbox.meta import catalog, wire
from ads_kit.sandbox.meta.errors import (
    invalid_insights_fields,
    invalid_parameter,
    nonexisting_field,
    retention_exceeded,
)
from ads_kit.sandbox.meta.params import (
    FilterRule,
    field_names,
    matches,
    parse_bool,
    parse_fields,
    parse_filtering,
    parse_int,
    parse_list,
    parse_time_range,
    parse_time_ranges,
)
from ads_kit.sandbox.world import Metrics, split_metrics, sum_metrics

LEVELS = ("account", "campaign", "adset", "ad")


def _enum(words: str) -> frozenset[str]:
    """A Meta enum as the docs list it: whitespace-separated values."""
    return frozenset(words.split())


# World event types -> Meta pixel standard event suffixes.
PIXEL_EVENT = {
    "purchase": "purchase",
    "lead": "lead",
    "add_to_cart": "add_to_cart",
    "complete_registration": "complete_registration",
}
RETENTION_MONTHS = 37
REACH_WITH_BREAKDOWNS_MONTHS = 13

# Fields the client lists that Meta no longer serves (reference §3.3): removed in v19.0 ("not valid for
# fields param") and those Meta answers as nonexisting on the node.
REMOVED_FIELDS = _enum(
    """
    age_targeting gender_targeting labels location estimated_ad_recall_rate_lower_bound
    estimated_ad_recall_rate_upper_bound estimated_ad_recallers_lower_bound estimated_ad_recallers_upper_bound
    """
)
NONEXISTING_FIELDS = _enum("conversion_lead_rate cost_per_conversion_lead adset_start")
VALID_FIELDS = frozenset(catalog.insights_fields()) - REMOVED_FIELDS - NONEXISTING_FIELDS


def valid_fields(version: str) -> frozenset[str]:
    """The insights fields a version serves (the client's catalogue, older versions' extras)."""
    return (
        VALID_FIELDS | catalog.BEFORE_V26["AdsInsights"] if catalog.older_than_v26(version) else VALID_FIELDS
    )


ACTION_FIELDS = _enum("actions action_values cost_per_action_type purchase_roas website_purchase_roas")
CTR_FIELDS = frozenset({"ctr", "inline_link_click_ctr", "outbound_clicks_ctr", "website_ctr"})
CPC_FIELDS = frozenset(
    {"cpc", "cost_per_inline_link_click", "cost_per_inline_post_engagement", "cost_per_outbound_click"}
)
REACH_FIELDS = _enum(
    """
    reach frequency cpp unique_clicks unique_inline_link_clicks unique_ctr unique_actions
    unique_link_clicks_ctr unique_inline_link_click_ctr estimated_ad_recall_rate unique_outbound_clicks
    cost_per_unique_outbound_click cost_per_unique_action_type cost_per_unique_click
    cost_per_unique_inline_link_click estimated_ad_recallers cost_per_estimated_ad_recallers
    """
)
DEFAULT_FIELDS = ("impressions", "spend")

# The client's enums (reference §3.4, §3.5); every value validates; served: `BREAKDOWN_SOURCES`, hourly.
BREAKDOWNS = catalog.insights_enum("breakdowns")
ACTION_BREAKDOWNS = catalog.insights_enum("action_breakdowns")
ATTRIBUTION_WINDOWS = catalog.insights_enum("action_attribution_windows")
# Windows still returned after 2026-01-12 (7d_view and 28d_view are accepted but come back missing).
# Action stats carry window keys only for windows the request names; `value` is always there.
SERVED_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view")
DATE_PRESETS = catalog.insights_enum("date_preset")
SUMMARY_ACTION_BREAKDOWNS = catalog.insights_enum("summary_action_breakdowns")
REPORT_TIMES = catalog.insights_enum("action_report_time")
INCREMENTS = catalog.insights_enum("time_increment")  # monthly, all_days (and 1-90 days)
# The combinations of served breakdowns Meta allows (reference §3.4 "commonly valid").
BREAKDOWN_COMBINATIONS = frozenset(
    frozenset(combo)
    for combo in (
        ("age",),
        ("gender",),
        ("age", "gender"),
        ("country",),
        ("region",),
        ("comscore_market",),
        ("publisher_platform",),
        ("publisher_platform", "platform_position"),
        ("publisher_platform", "platform_position", "impression_device"),
        ("publisher_platform", "impression_device"),
        ("device_platform",),
        ("publisher_platform", "device_platform"),
        ("hourly_stats_aggregated_by_advertiser_time_zone",),
        ("hourly_stats_aggregated_by_audience_time_zone",),
    )
)


ZERO = Metrics()
Row = tuple[list[int], dict[str, Any]]  # (position, rendered row)
Cell = tuple[list[int], dict[str, str], Metrics]  # (position, breakdown values, numbers)


def is_empty(metrics: Metrics) -> bool:
    return not (metrics.impressions or metrics.clicks or metrics.spend_minor or metrics.conversions)


def total(items: Iterable[Metrics | None]) -> Metrics:
    return sum_metrics(items) or ZERO


@dataclass(frozen=True)
class InsightsQuery:
    account_id: str
    node_level: str
    node_id: str
    level: str
    fields: tuple[str, ...]
    since: date
    until: date
    increment: str  # "1".."90", "monthly" or "all_days"
    breakdowns: tuple[str, ...]
    windows: tuple[str, ...]
    filtering: tuple[FilterRule, ...]
    today: date
    # time_ranges: each range is one bucket of its own (time_increment does not apply) [U].
    ranges: tuple[tuple[date, date], ...] = ()
    action_breakdowns: tuple[str, ...] = ("action_type",)
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    summary: tuple[str, ...] = ()  # fields of the summary block; empty: no summary
    summary_action_breakdowns: tuple[str, ...] = ("action_type",)
    collaborative_only: bool = False  # cpas_only: the world has no collaborative ads

    def params_echo(self) -> dict[str, Any]:
        return {"date_start": self.since.isoformat(), "date_stop": self.until.isoformat()}


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """A date_preset as (since, until) in the account zone; `today` is the account's current day."""
    yesterday = today - timedelta(days=1)
    rolling = {"last_3d": 3, "last_7d": 7, "last_14d": 14, "last_28d": 28, "last_30d": 30, "last_90d": 90}
    if preset in rolling:
        return today - timedelta(days=rolling[preset]), yesterday
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    last_quarter_end = quarter_start - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    ranges = {
        "today": (today, today),
        "yesterday": (yesterday, yesterday),
        "this_month": (today.replace(day=1), today),
        "last_month": (last_month_end.replace(day=1), last_month_end),
        "this_quarter": (quarter_start, today),
        "last_quarter": (date(last_quarter_end.year, last_quarter_end.month - 2, 1), last_quarter_end),
        "this_year": (date(today.year, 1, 1), today),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        "this_week_mon_today": (monday, today),
        "this_week_sun_today": (sunday, today),
        "last_week_mon_sun": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "last_week_sun_sat": (sunday - timedelta(days=7), sunday - timedelta(days=1)),
    }
    if preset in ranges:
        return ranges[preset]
    # maximum / data_maximum: everything inside the retention window.
    return months_before(today, RETENTION_MONTHS), today


def _validate_enum(values: list[str], allowed: frozenset[str], param: str) -> None:
    for index, value in enumerate(values):
        if value not in allowed:
            raise invalid_parameter(
                f"{param}[{index}] must be one of the following values: {', '.join(sorted(allowed))}"
            )


def _check_fields(names: list[str], param: str, version: str) -> None:
    nonexisting = [name for name in names if name in NONEXISTING_FIELDS]
    if nonexisting:
        raise nonexisting_field(nonexisting[0], "AdsInsights")
    valid = valid_fields(version)
    invalid = [name for name in names if name not in valid]
    if invalid:
        raise (
            invalid_insights_fields(invalid)
            if param == "fields"
            else invalid_parameter(f"{', '.join(invalid)} are not valid for {param} param")
        )


def _parse_sort(raw: str | None) -> tuple[tuple[str, bool], ...]:
    """`sort=["spend_descending", "impressions_ascending"]`: a field of the report and a direction."""
    keys = []
    for item in parse_list(raw, "sort") or []:
        name, _, direction = item.rpartition("_")
        if direction not in {"ascending", "descending"} or name not in VALID_FIELDS:
            raise invalid_parameter(f"sort value {item} must be <field>_ascending or <field>_descending")
        keys.append((name, direction == "descending"))
    return tuple(keys)


def check_date_preset(preset: str) -> str:
    if preset not in DATE_PRESETS:
        raise invalid_parameter(
            f"date_preset must be one of the following values: {', '.join(sorted(DATE_PRESETS))}"
        )
    return preset


def _parse_ranges(params: dict[str, str], today: date) -> tuple[tuple[date, date], ...]:
    """time_ranges, else time_range, else date_preset (default last_30d); each range checked."""
    preset = check_date_preset(params.get("date_preset") or "last_30d")
    ranges = parse_time_ranges(params.get("time_ranges"))
    if not ranges:
        single = parse_time_range(params.get("time_range"))
        if single is None:
            single = preset_range(preset, today)
        ranges = [single]
    for since, _ in ranges:
        if since < months_before(today, RETENTION_MONTHS):
            raise retention_exceeded()
    return tuple(ranges)


def parse_query(
    params: dict[str, str], *, account_id: str, node_level: str, node_id: str, today: date, version: str = ""
) -> InsightsQuery:
    """Validate insights params the way Graph does; raises GraphError naming the bad param or value.

    Every param of the client's `get_insights` is read here or refused: export_* (a file export
    the sandbox does not produce) is refused by name.
    """
    specs = parse_fields(params.get("fields"))
    fields = field_names(specs) or list(DEFAULT_FIELDS)
    _check_fields(fields, "fields", version)
    exports = sorted(name for name in ("export_format", "export_name", "export_columns") if params.get(name))
    if exports:
        raise invalid_parameter(f"{', '.join(exports)}: report exports are not served by the sandbox")

    level = params.get("level") or node_level
    if level not in LEVELS:
        raise invalid_parameter(f"param level must be one of {{{', '.join(LEVELS)}}}")
    if LEVELS.index(level) < LEVELS.index(node_level):
        raise invalid_parameter(f"level {level} is above the queried {node_level} node")

    time_ranges = params.get("time_ranges")
    ranges = _parse_ranges(params, today)
    increment = (params.get("time_increment") or "all_days").strip()
    if increment not in INCREMENTS and not (increment.isdigit() and 1 <= int(increment) <= 90):
        raise invalid_parameter("time_increment must be an integer between 1 and 90, monthly or all_days")

    breakdowns = parse_list(params.get("breakdowns"), "breakdowns") or []
    _validate_enum(breakdowns, BREAKDOWNS, "breakdowns")
    if breakdowns and frozenset(breakdowns) not in BREAKDOWN_COMBINATIONS:
        columns = ", ".join(["action_type", *breakdowns])
        raise invalid_parameter(f"Current combination of data breakdown columns ({columns}) is invalid")
    action_breakdowns = parse_list(params.get("action_breakdowns"), "action_breakdowns") or ["action_type"]
    _validate_enum(action_breakdowns, ACTION_BREAKDOWNS, "action_breakdowns")
    summary_breakdowns = parse_list(params.get("summary_action_breakdowns"), "summary_action_breakdowns")
    _validate_enum(summary_breakdowns or [], SUMMARY_ACTION_BREAKDOWNS, "summary_action_breakdowns")
    windows = parse_list(params.get("action_attribution_windows"), "action_attribution_windows")
    _validate_enum(windows or [], ATTRIBUTION_WINDOWS, "action_attribution_windows")
    report_time = params.get("action_report_time")
    _validate_enum([report_time] if report_time else [], REPORT_TIMES, "action_report_time")
    # Unified attribution is always on and the report time auto-selected since 2025-06-10 (reference
    # §3.5): the world's numbers already are the account's setting, so these validate and change nothing.
    for flag in ("use_unified_attribution_setting", "use_account_attribution_setting", "graph_cache"):
        parse_bool(params.get(flag), flag)
    parse_int(params.get("product_id_limit"), "product_id_limit", 0)
    summary = parse_list(params.get("summary"), "summary") or []
    _check_fields(summary, "summary", version)
    if parse_bool(params.get("default_summary"), "default_summary") and not summary:
        summary = fields

    return InsightsQuery(
        account_id=account_id,
        node_level=node_level,
        node_id=node_id,
        level=level,
        fields=tuple(dict.fromkeys(fields)),
        since=min(since for since, _ in ranges),
        until=max(until for _, until in ranges),
        increment=increment,
        breakdowns=tuple(breakdowns),
        windows=tuple(w for w in windows or () if w in SERVED_WINDOWS),
        filtering=tuple(parse_filtering(params.get("filtering"))),
        today=today,
        ranges=ranges if time_ranges else (),
        action_breakdowns=tuple(dict.fromkeys(action_breakdowns)),
        sort=_parse_sort(params.get("sort")),
        summary=tuple(dict.fromkeys(summary)),
        summary_action_breakdowns=tuple(summary_breakdowns or ("action_type",)),
        collaborative_only=parse_bool(params.get("cpas_only"), "cpas_only"),
    )


def time_buckets(query: InsightsQuery) -> list[tuple[date, date]]:
    if query.ranges:
        return list(query.ranges)
    buckets: list[tuple[date, date]] = []
    start = query.since
    while start <= query.until:
        if query.increment == "all_days":
            stop = query.until
        elif query.increment == "monthly":
            stop = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        else:
            stop = start + timedelta(days=int(query.increment) - 1)
        stop = min(stop, query.until)
        buckets.append((start, stop))
        start = stop + timedelta(days=1)
    return buckets


def window_split(count: int) -> dict[str, int]:
    """Per-window shares of a conversion count; see the module docstring."""
    view = count // 5
    click7 = count - view
    return {
        "1d_click": click7 * 7 // 10,
        "7d_click": click7,
        "28d_click": click7 + count // 10,
        "1d_view": view,
    }


@dataclass
class _Entities:
    """The world's entities of one account, indexed for row rendering."""

    account: Any
    campaigns: dict[str, Any]
    ad_groups: dict[str, Any]
    ads: list[Any]
    conversion_action_types: list[str]


class InsightsReport:
    """One query over one world; `page(position, limit)` returns rows and whether more exist."""

    def __init__(self, world: Any, query: InsightsQuery) -> None:
        self.world = world
        self.query = query
        account = world.account(query.account_id)
        self.entities = _Entities(
            account=account,
            campaigns={c.id: c for c in world.campaigns(account.id)},
            ad_groups={g.id: g for g in world.ad_groups(account.id)},
            ads=list(world.ads(account.id)),
            conversion_action_types=conversion_action_types(world.conversion_events(account.id)),
        )
        self.currency = account.currency
        self.buckets = time_buckets(query)
        self.bucket_dates = [(since.isoformat(), until.isoformat()) for since, until in self.buckets]
        self._attribute_cache: dict[int, dict[str, Any]] = {}
        self.groups = self._groups()
        self._row_filters = [rule for rule in query.filtering if _metric_of(rule.field)]
        self.wanted = frozenset(query.fields) | frozenset(query.summary)
        self.wants_actions = bool(ACTION_FIELDS & self.wanted)
        self.wants_reach = bool(REACH_FIELDS & self.wanted)
        self.omit_reach = bool(query.breakdowns) and (
            set(query.breakdowns) & wire.HOURLY_BREAKDOWNS
            or query.since < months_before(query.today, REACH_WITH_BREAKDOWNS_MONTHS)
        )

    # -- scope -------------------------------------------------------------------------------
    def _groups(self) -> list[tuple[str, list[Any], bool]]:
        """(entity id, member ads, whether the members are the entity's whole tree) at the query level."""
        query = self.query
        if query.collaborative_only:
            return []  # cpas_only: the world runs no collaborative (CPAS) ads
        ads = [ad for ad in self.entities.ads if self._in_node(ad)]
        status_rules = [r for r in query.filtering if r.field.endswith(".effective_status")]
        if not status_rules and query.node_level != "account":
            # Campaign/ad set/ad nodes hide archived and deleted ads unless asked (reference §2.8).
            ads = [ad for ad in ads if wire.STATUS[ad.status] in wire.DEFAULT_VISIBLE_STATUSES]
        ads = [ad for ad in ads if all(self._entity_passes(rule, ad) for rule in query.filtering)]
        key = _level_key(query.level, self.entities.account.id)
        all_members: dict[str, int] = {}
        for ad in self.entities.ads:
            all_members[key(ad)] = all_members.get(key(ad), 0) + 1
        grouped: dict[str, list[Any]] = {}
        for ad in ads:
            grouped.setdefault(key(ad), []).append(ad)
        return [
            (entity_id, members, len(members) == all_members[entity_id])
            for entity_id, members in grouped.items()
        ]

    def _in_node(self, ad: Any) -> bool:
        node_id = self.query.node_id
        return {
            "account": True,
            "campaign": ad.campaign_id == node_id,
            "adset": ad.ad_group_id == node_id,
            "ad": ad.id == node_id,
        }[self.query.node_level]

    def _entity_passes(self, rule: FilterRule, ad: Any) -> bool:
        entity_kind, _, attribute = rule.field.partition(".")
        if _metric_of(rule.field):
            return True
        entity = {
            "ad": ad,
            "adset": self.entities.ad_groups.get(ad.ad_group_id),
            "campaign": self.entities.campaigns.get(ad.campaign_id),
        }.get(entity_kind)
        if entity is None or attribute not in {"effective_status", "id", "name", "status"}:
            raise invalid_parameter(f"Filtering field {rule.field} is invalid")
        if attribute == "effective_status":
            value = self._effective_status(entity_kind, ad)
        elif attribute == "status":
            value = wire.STATUS[entity.status]
        else:
            value = getattr(entity, attribute)
        return matches(rule, value)

    def _effective_status(self, kind: str, ad: Any) -> str:
        """Effective status as the object edges report it (an active ad under a paused campaign
        is CAMPAIGN_PAUSED), so insights and edges filter the same objects."""
        campaign = wire.STATUS[self.entities.campaigns[ad.campaign_id].status]
        if kind == "campaign":
            return campaign
        adset = wire.STATUS[self.entities.ad_groups[ad.ad_group_id].status]
        if kind == "adset":
            return wire.effective_status(adset, campaign_status=campaign)
        return wire.effective_status(wire.STATUS[ad.status], campaign_status=campaign, adset_status=adset)

    # -- rows --------------------------------------------------------------------------------
    def page(self, position: list[int] | None, limit: int) -> tuple[list[Row], bool]:
        """Up to `limit` rows after `position`, and whether another row exists."""
        rows: list[Row] = []
        source = (
            self._rows_after(position)
            if not self.query.sort
            else ((pos, row) for pos, row in self.rows() if position is None or pos > position)
        )
        for pos, row in source:
            if len(rows) == limit:
                return rows, True
            rows.append((pos, row))
        return rows, False

    def page_before(self, position: list[int], limit: int) -> tuple[list[Row], bool]:
        """Up to `limit` rows just before `position`, and whether an earlier row exists."""
        window: deque[Row] = deque(maxlen=limit + 1)
        for pos, row in self.rows():
            if pos >= position:
                break
            window.append((pos, row))
        rows = list(window)
        return rows[-limit:], len(rows) > limit

    def rows(self) -> Iterator[Row]:
        """Every row in report order: generation order, or `sort`'s (positions are then [rank])."""
        if not self.query.sort:
            yield from self._rows_after(None)
            return
        ranked = [row for _, row in self._rows_after(None)]
        for name, descending in reversed(self.query.sort):  # stable sorts, last key first
            ranked.sort(key=lambda row: _sort_value(row.get(name)), reverse=descending)
        for rank, row in enumerate(ranked):
            yield [rank], row

    def summary(self) -> dict[str, Any] | None:
        """The `summary` block (default_summary / summary): the query's metrics over every row."""
        if not self.query.summary:
            return None
        metrics = self._metrics(total(tally for *_, tally in self._tallies_after(None)))
        # Its action items carry summary_action_breakdowns, not the rows' action breakdowns.
        plain = {name: [_without(item, self.query.action_breakdowns) for item in value]
                 if isinstance(value, list) else value for name, value in metrics.items()}  # fmt: skip
        metrics = self._action_breakdown_keys(plain, self.query.summary_action_breakdowns)
        block = {name: metrics[name] for name in self.query.summary if name in metrics}
        return block | self.query.params_echo()

    def _rows_after(self, position: list[int] | None) -> Iterator[Row]:
        for pos, values, tally in self._tallies_after(position):
            yield pos, self._render(pos[0], pos[1], values, tally)

    def _tallies_after(self, position: list[int] | None) -> Iterator[Cell]:
        start = position or [0, 0, -1]
        for bucket_index in range(start[0], len(self.buckets)):
            first_group = start[1] if bucket_index == start[0] else 0
            for group_index in range(first_group, len(self.groups)):
                resume = bucket_index == start[0] and group_index == start[1]
                cells = self._cells(bucket_index, group_index)
                for cell_index, (values, tally) in enumerate(cells):
                    if resume and cell_index <= start[2]:
                        continue
                    if is_empty(tally) or not all(
                        _metric_passes(r, tally, self.currency) for r in self._row_filters
                    ):
                        continue
                    yield [bucket_index, group_index, cell_index], values, tally

    def _cells(self, bucket_index: int, group_index: int) -> list[tuple[dict[str, str], Metrics]]:
        since, until = self.buckets[bucket_index]
        entity_id, members, complete = self.groups[group_index]
        days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
        if not self.query.breakdowns:
            return [({}, self._total(entity_id, members, complete, days))]
        cells: dict[tuple[str, ...], Metrics] = {}
        for ad in members:
            for day in days:
                for values, tally in self._breakdown_cells(ad, day):
                    cells[values] = cells.get(values, ZERO) + tally
        return [(dict(zip(self.query.breakdowns, key, strict=True)), cells[key]) for key in sorted(cells)]

    def _total(self, entity_id: str, members: list[Any], complete: bool, days: list[date]) -> Metrics:
        world, level = self.world, self.query.level
        if complete and level != "ad":
            entity = {
                "account": self.entities.account,
                "campaign": self.entities.campaigns.get(entity_id),
                "adset": self.entities.ad_groups.get(entity_id),
            }[level]
            aggregate: Callable[[Any, date], Any] = {
                "account": world.account_day,
                "campaign": world.campaign_day,
                "adset": world.ad_group_day,
            }[level]
            return total(aggregate(entity, day) for day in days)
        return total(world.ad_day(ad, day) for ad in members for day in days)

    def _breakdown_cells(self, ad: Any, day: date) -> Iterator[tuple[tuple[str, ...], Metrics]]:
        breakdowns = self.query.breakdowns
        if set(breakdowns) & wire.HOURLY_BREAKDOWNS:
            for hour in self.world.ad_day_hours(ad, day):
                yield (wire.hour_label(hour.local_hour),), (hour.metrics)
            return
        dimensions = list(dict.fromkeys(wire.BREAKDOWN_SOURCES[b][0] for b in breakdowns))
        splits = {dim: self.world.ad_day_breakdown(ad, day, dim) for dim in dimensions}
        for combo, tally in _joint(dimensions, splits):
            values = []
            for breakdown in breakdowns:
                dim, translate = wire.BREAKDOWN_SOURCES[breakdown]
                raw = combo[dimensions.index(dim)]
                values.append(translate(raw) if translate else raw)
            yield tuple(values), tally

    def _render(
        self, bucket_index: int, group_index: int, values: dict[str, str], tally: Metrics
    ) -> dict[str, Any]:
        attributes = self._attributes(group_index)
        metrics = self._metrics(tally)
        row: dict[str, Any] = {}
        for name in self.query.fields:
            if name in attributes:
                row[name] = attributes[name]
            elif name in metrics:
                row[name] = metrics[name]
        row["date_start"], row["date_stop"] = self.bucket_dates[bucket_index]
        row.update(values)
        return row

    def _attributes(self, group_index: int) -> dict[str, Any]:
        """The id, name and setting columns of a group's rows (the same for every bucket; cached)."""
        cached = self._attribute_cache.get(group_index)
        if cached is not None:
            return cached
        entities = self.entities
        _, members, _ = self.groups[group_index]
        sample = members[0]
        campaign = entities.campaigns.get(sample.campaign_id)
        ad_group = entities.ad_groups.get(sample.ad_group_id)
        depth = LEVELS.index(self.query.level)
        attributes: dict[str, Any] = {
            "account_id": entities.account.id,
            "account_name": entities.account.name,
            "account_currency": self.currency,
            "attribution_setting": "7d_click_1d_view",
        }
        if depth >= 1 and campaign is not None:
            meta_objective = wire.objective(campaign.objective)
            attributes |= {
                "campaign_id": campaign.id,
                "campaign_name": campaign.name,
                "objective": meta_objective,
                "buying_type": "AUCTION",
                "optimization_goal": wire.OPTIMIZATION_GOAL[meta_objective],
            }
        if depth >= 2 and ad_group is not None:
            attributes |= {"adset_id": ad_group.id, "adset_name": ad_group.name}
        if depth >= 3:
            attributes |= {"ad_id": sample.id, "ad_name": sample.name}
        # created_time/updated_time of the row's object, as local dates.
        owner = [entities.account, campaign, ad_group, sample][depth]
        if owner is not None and hasattr(owner, "updated_at"):
            zone = entities.account.timezone
            attributes["created_time"] = wire.local_date(owner.created_at, zone).isoformat()
            attributes["updated_time"] = wire.local_date(owner.updated_at, zone).isoformat()
        self._attribute_cache[group_index] = attributes
        return attributes

    def _metrics(self, t: Metrics) -> dict[str, Any]:
        """Metric values as Meta writes them; a metric without data is left out, as Meta does.

        Unique clicks are modelled as min(clicks, reach); recallers as a tenth of reach.
        """
        currency = self.currency
        spend = wire.major(t.spend_minor, currency)
        clicks = str(t.clicks)
        metrics: dict[str, Any] = {
            "impressions": str(t.impressions),
            "clicks": clicks,
            "inline_link_clicks": clicks,
            "inline_post_engagement": clicks,
            "spend": wire.money_string(t.spend_minor, currency),
            "social_spend": "0",
        }
        wanted = self.wanted
        ranking = "AVERAGE" if t.impressions >= 500 else "UNKNOWN"
        for name in ("quality_ranking", "engagement_rate_ranking", "conversion_rate_ranking"):
            metrics[name] = ranking
        if t.impressions and wanted & CTR_FIELDS:
            ctr = wire.ratio_string(t.clicks * 100, t.impressions)
            metrics["ctr"] = metrics["inline_link_click_ctr"] = ctr
            metrics["outbound_clicks_ctr"] = [{"action_type": "outbound_click", "value": ctr}]
            metrics["website_ctr"] = [{"action_type": "link_click", "value": ctr}]
        if t.impressions and "cpm" in wanted:
            metrics["cpm"] = wire.ratio_string(spend * 1000, t.impressions)
        if t.clicks:
            metrics["outbound_clicks"] = [{"action_type": "outbound_click", "value": clicks}]
            if wanted & CPC_FIELDS:
                cpc = wire.ratio_string(spend, t.clicks)
                metrics["cpc"] = metrics["cost_per_inline_link_click"] = cpc
                metrics["cost_per_inline_post_engagement"] = cpc
                metrics["cost_per_outbound_click"] = [{"action_type": "outbound_click", "value": cpc}]
        if self.omit_reach:
            # Hourly rows carry no unique metrics; Meta still writes frequency as "0".
            if set(self.query.breakdowns) & wire.HOURLY_BREAKDOWNS:
                metrics["frequency"] = "0"
        elif t.reach and self.wants_reach:
            metrics |= self._reach_metrics(t, spend)
        if self.wants_actions:
            actions, values, costs = self._action_stats(t, spend)
            if actions:
                metrics["actions"] = actions
            if values:
                metrics["action_values"] = values
            if costs:
                metrics["cost_per_action_type"] = costs
            if t.conversions_value_minor and t.spend_minor:
                roas = wire.ratio_string(wire.major(t.conversions_value_minor, currency) / spend, 1)
                metrics["purchase_roas"] = [{"action_type": "omni_purchase", "value": roas}]
                pixel = "offsite_conversion.fb_pixel_purchase"
                metrics["website_purchase_roas"] = [{"action_type": pixel, "value": roas}]
        return self._action_breakdown_keys(metrics, self.query.action_breakdowns)

    def _action_breakdown_keys(self, metrics: dict[str, Any], breakdowns: tuple[str, ...]) -> dict[str, Any]:
        """Each requested action breakdown as a key of every action item (reference §3.2).

        The world has one destination per account (its page) and splits no action by device,
        reaction, video or card: every action falls in one value of each, so the items' sums stay
        the world's numbers. Values: `ACTION_BREAKDOWN_VALUES`; the page for destination and target.
        """
        extra = [b for b in breakdowns if b != "action_type"]
        if not extra:
            return metrics
        page = "3" + self.entities.account.id[1:]
        keys = {b: ACTION_BREAKDOWN_VALUES.get(b, page) for b in extra}
        for name, value in metrics.items():
            if isinstance(value, list):
                metrics[name] = [item | keys for item in value]
        return metrics

    def _reach_metrics(self, t: Metrics, spend: Decimal) -> dict[str, Any]:
        unique = min(t.clicks, t.reach)
        recallers = t.reach // 10
        metrics: dict[str, Any] = {
            "reach": str(t.reach),
            "frequency": wire.ratio_string(t.impressions, t.reach),
            "cpp": wire.ratio_string(spend * 1000, t.reach),
            "unique_clicks": str(unique),
            "unique_inline_link_clicks": str(unique),
            "unique_ctr": wire.ratio_string(unique * 100, t.reach),
        }
        metrics["unique_link_clicks_ctr"] = metrics["unique_inline_link_click_ctr"] = metrics["unique_ctr"]
        if unique:
            windows = {w: unique for w in self.query.windows if w.endswith("_click")}
            metrics["unique_actions"] = [_stat("link_click", unique, windows, str)]
            cost = wire.ratio_string(spend, unique)
            metrics["cost_per_unique_click"] = metrics["cost_per_unique_inline_link_click"] = cost
            metrics["cost_per_unique_action_type"] = [_stat("link_click", unique, windows, lambda _: cost)]
            metrics["unique_outbound_clicks"] = [{"action_type": "outbound_click", "value": str(unique)}]
            metrics["cost_per_unique_outbound_click"] = [{"action_type": "outbound_click", "value": cost}]
        if recallers:
            metrics["estimated_ad_recallers"] = str(recallers)
            metrics["estimated_ad_recall_rate"] = wire.ratio_string(recallers * 100, t.reach)
            metrics["cost_per_estimated_ad_recallers"] = wire.ratio_string(spend, recallers)
        return metrics

    def _action_stats(self, t: Metrics, spend: Decimal) -> tuple[list[dict], list[dict], list[dict]]:
        windows = self.query.windows
        wanted = self.wanted
        actions: list[dict] = []
        values: list[dict] = []
        costs: list[dict] = []

        def cost(n: int) -> str:
            return wire.ratio_string(spend, n)

        if t.clicks:
            click_windows = {w: t.clicks for w in windows if w.endswith("_click")}
            actions.append(_stat("link_click", t.clicks, click_windows, str))
            if "cost_per_action_type" in wanted:
                costs.append(_stat("link_click", t.clicks, click_windows, cost))
        if t.conversions:
            # One purchase is reported under several action types with the same numbers.
            types = self.entities.conversion_action_types
            split = window_split(t.conversions)
            counts = {w: split[w] for w in windows}
            actions += _same_stat(types, _stat("", t.conversions, counts, str))
            if "cost_per_action_type" in wanted:
                costs += _same_stat(types, _stat("", t.conversions, counts, cost))
            if t.conversions_value_minor and "action_values" in wanted:
                value_split = window_split(t.conversions_value_minor)
                amounts = {w: value_split[w] for w in windows}
                currency = self.currency
                stat = _stat("", t.conversions_value_minor, amounts, lambda m: wire.money_string(m, currency))
                values += _same_stat(types, stat)
        return actions, values, costs


def _same_stat(action_types: list[str], stat: dict[str, str]) -> list[dict[str, str]]:
    return [{**stat, "action_type": action_type} for action_type in action_types]


def conversion_action_types(events: Iterable[Any]) -> list[str]:
    """The action types that carry the world's conversions: the primary event's pixel, omni and
    custom-conversion types (e.g. offsite_conversion.fb_pixel_purchase, omni_purchase,
    offsite_conversion.custom.<id>)."""
    return [
        action_type
        for event in events
        if event.primary
        for action_type in (
            f"offsite_conversion.fb_pixel_{PIXEL_EVENT.get(event.event_type, event.event_type)}",
            f"omni_{PIXEL_EVENT.get(event.event_type, event.event_type)}",
            f"offsite_conversion.custom.{event.id}",
        )
    ]


def _stat(
    action_type: str, total: int, windows: dict[str, int], render: Callable[[int], str]
) -> dict[str, str]:
    """One AdsActionStats object (all values strings); a window with nothing in it is written as "0"."""
    stat = {"action_type": action_type, "value": render(total)}
    for window, count in windows.items():
        stat[window] = render(count) if count else "0"
    return stat


# The one value each action breakdown takes in the sandbox (`action_destination`/`action_target_id`:
# the account's page). The world has no video, carousel, canvas, reaction or persona split.
ACTION_BREAKDOWN_VALUES = {
    "action_device": "desktop",
    "action_reaction": "like",
    "action_video_sound": "unknown",
    "action_video_type": "unknown",
    "action_carousel_card_id": "0",
    "action_carousel_card_name": "unknown",
    "action_canvas_component_name": "unknown",
    "conversion_destination": "website",
    "is_business_ai_assisted": "false",
    "matched_persona_id": "0",
    "matched_persona_name": "unknown",
    "signal_source_bucket": "unknown",
    "standard_event_content_type": "unknown",
}


def _without(item: dict[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    return {key: value for key, value in item.items() if key == "action_type" or key not in keys}


def _sort_value(value: Any) -> tuple[int, Any]:
    """Numbers (sent as text) by value, then text; a missing or list value sorts first."""
    if isinstance(value, str):
        try:
            return 1, Decimal(value)
        except ArithmeticError:
            return 2, value
    return 0, 0


def _level_key(level: str, account_id: str) -> Callable[[Any], str]:
    return {
        "account": lambda ad: account_id,
        "campaign": lambda ad: ad.campaign_id,
        "adset": lambda ad: ad.ad_group_id,
        "ad": lambda ad: ad.id,
    }[level]


_METRIC_FILTERS = {"impressions", "clicks", "spend", "reach"}


def _metric_of(field: str) -> str | None:
    attribute = field.rpartition(".")[2]
    return attribute if attribute in _METRIC_FILTERS else None


def _metric_passes(rule: FilterRule, tally: Metrics, currency: str) -> bool:
    metric = _metric_of(rule.field)
    actual: Any = (
        wire.major(tally.spend_minor, currency) if metric == "spend" else getattr(tally, metric or "")
    )
    return matches(rule, actual)


def _joint(
    dimensions: list[str], splits: dict[str, dict[str, Metrics]]
) -> list[tuple[tuple[str, ...], Metrics]]:
    """Cells over several world dimensions: the first dimension's cells, each split by the next ones' shares.

    The world gives one-dimensional splits only; splitting each cell by the other dimension's
    impressions keeps every cell an integer and every total exact, so age x gender rows still add up
    to the ad's day.
    """
    cells: list[tuple[tuple[str, ...], Metrics]] = [
        ((value,), metrics) for value, metrics in sorted(splits[dimensions[0]].items())
    ]
    for dimension in dimensions[1:]:
        shares = sorted(splits[dimension].items())
        weights = [metrics.impressions or 1 for _, metrics in shares]
        cells = [
            ((*key, value), part)
            for key, metrics in cells
            if metrics.impressions  # an empty cell has nothing to split (and no weights to split by)
            for (value, _), part in zip(shares, split_metrics(metrics, weights), strict=True)
        ]
    return cells
