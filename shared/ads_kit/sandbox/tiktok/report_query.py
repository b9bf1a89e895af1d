"""`report/integrated/get/` and `report/task/create/` parameters, validated as TikTok does
(§3.1-§3.5, §3.7, §3.8).

The sandbox serves BASIC and AUDIENCE reports of one advertiser at the four auction levels, by
`stat_time_day`, `stat_time_hour` or no time dimension, broken down by `age`, `gender`,
`country_code` and `platform` (audience) or `country_code` (basic). Every other documented value is
recognised and refused with a 40002 that says the sandbox does not serve it; undocumented names get
the platform's invalid-field errors. Spans: 30 days by day, 1 day by hour, 365 days without a time
dimension (sync only; async tasks have no limit); dates before 2012-01-01 are refused (§3.2).
The exact real messages for spans and lifetime combinations are not captured (§3.2, §3.7): the
wording is the sandbox's, the codes the reference's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ads_kit.sandbox.tiktok import catalog as names
from ads_kit.sandbox.tiktok import metrics as catalogue
from ads_kit.sandbox.tiktok.errors import (
    invalid_dimensions,
    invalid_metrics,
    invalid_parameter,
    no_relation,
)
from ads_kit.sandbox.tiktok.params import Params, string_items
from ads_kit.sandbox.tiktok.wire import PRIMARY_STATUSES, words

SYNC, TASK = "report_integrated_get", "report_task_create"
REPORT_TYPES = names.enum(SYNC, "report_type")
TASK_REPORT_TYPES = names.enum(TASK, "report_type")  # §3.8: "not PLAYABLE"
SERVED_REPORT_TYPES = ("BASIC", "AUDIENCE")
SERVICE_TYPES = names.enum(SYNC, "service_type")
DATA_LEVELS = names.enum(SYNC, "data_level")
ID_DIMENSIONS = {
    "ADVERTISER": "advertiser_id",
    "CAMPAIGN": "campaign_id",
    "ADGROUP": "adgroup_id",
    "AD": "ad_id",
}
TIME_DIMENSIONS = names.dimensions("time")
SERVED_BREAKDOWNS = {"BASIC": ("country_code",), "AUDIENCE": ("age", "gender", "country_code", "platform")}
# Documented dimensions the sandbox does not model (ad_id_v2 among the id dimensions, §3.3).
UNSERVED = {
    kind: frozenset(names.dimensions(kind)) - set(SERVED_BREAKDOWNS[kind]) | {"ad_id_v2"}
    for kind in SERVED_BREAKDOWNS
}
DOCUMENTED_DIMENSIONS = frozenset(
    name for kind in ("id", "time", "BASIC", "AUDIENCE") for name in names.dimensions(kind)
)
DEFAULT_METRICS = ("spend", "impressions")
MAX_SPAN_DAYS = {"stat_time_day": 30, "stat_time_hour": 1, None: 365}
EARLIEST_DAY = date(2012, 1, 1)  # §3.2: "data older than 2012-01-01" is refused
REPORT_FILTERS, FILTER_TYPES = names.report_filters()
ID_FILTERS = ("campaign_ids", "adgroup_ids", "ad_ids")
STATUS_FILTERS = {"CAMPAIGN": "campaign_status", "ADGROUP": "adgroup_status", "AD": "ad_status"}
SERVED_FILTERS = frozenset(
    {*ID_FILTERS, *STATUS_FILTERS.values(), "buying_type", "objective_type", "country_code"}
)
UNSERVED_FILTERS = frozenset(REPORT_FILTERS) - SERVED_FILTERS
MAX_FILTER_IDS = {False: 100, True: 20_000}  # sync §3.5, async §3.8
ORDER_TYPES = names.enum(SYNC, "order_type")
BUYING_TYPES = ("AUCTION", "RESERVATION_RF", "RESERVATION_TOP_VIEW")
# §2.3 objective_type enum (+ the virtual SALES).
OBJECTIVE_TYPES = frozenset(
    words(
        "APP_PROMOTION WEB_CONVERSIONS APP_INSTALL CONVERSIONS REACH TRAFFIC VIDEO_VIEWS CATALOG_SALES "
        "PRODUCT_SALES "
        "ENGAGEMENT LEAD_GENERATION SHOP_PURCHASES RF_APP_INSTALL RF_ENGAGEMENT RF_REACH TOPVIEW_REACH "
        "RF_TRAFFIC "
        "RF_VIDEO_VIEW BRAND_CONSIDERATION SALES"
    )
)

SYNC_PARAMS = names.params(SYNC)
TASK_PARAMS = names.params(TASK)


@dataclass(frozen=True)
class ReportQuery:
    """A validated report request (hashable: the emulator caches its rows)."""

    account_id: str
    report_type: str
    level: str  # ADVERTISER | CAMPAIGN | ADGROUP | AD
    dimensions: tuple[str, ...]
    id_dimension: str | None
    time_dimension: str | None
    breakdowns: tuple[str, ...]
    metrics: tuple[str, ...]
    start: date
    end: date
    lifetime: bool
    reserved: bool  # service_type RESERVATION on an auction account: no rows (§3.1)
    id_filters: tuple[tuple[str, frozenset[str]], ...]
    status_filter: frozenset[str] | None  # primary statuses; None: the default, not deleted
    buying_types: frozenset[str] | None
    objective_types: frozenset[str] | None
    countries: frozenset[str] | None
    order_field: str | None
    order_descending: bool
    total_metrics: bool
    task: bool

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def _reject_multi_advertiser(params: Params) -> None:
    for name in ("advertiser_ids", "bc_id", "multi_adv_report_in_utc_time"):
        if name in params:
            raise invalid_parameter(f"{name}: multi-advertiser and BC reports are not served by the sandbox.")


def _dimensions(
    params: Params, report_type: str, level: str
) -> tuple[list[str], str | None, str | None, list[str]]:
    names = params.strings("dimensions", required=True) or []
    if len(set(names)) != len(names):
        raise invalid_parameter("dimensions: Dimensions must not repeat.")
    unknown = [name for name in names if name not in DOCUMENTED_DIMENSIONS]
    if unknown:
        raise invalid_dimensions(unknown)
    for name in names:
        if name in UNSERVED[report_type]:
            raise invalid_parameter(f"dimensions: {name} is not served by the sandbox.")
    other = "AUDIENCE" if report_type == "BASIC" else "BASIC"
    breakdowns = [name for name in names if name in SERVED_BREAKDOWNS[report_type]]
    ids = [name for name in names if name in ID_DIMENSIONS.values()]
    times = [name for name in names if name in TIME_DIMENSIONS]
    misplaced = [
        n
        for n in names
        if n not in breakdowns + ids + times and n in SERVED_BREAKDOWNS[other] + tuple(UNSERVED[other])
    ]
    if misplaced or len(ids) > 1 or len(times) > 1 or (ids and ids[0] != ID_DIMENSIONS[level]):
        raise no_relation()
    time_dimension = times[0] if times else None
    if report_type == "AUDIENCE" and (time_dimension == "stat_time_hour" or not breakdowns):
        raise no_relation()  # §3.3: audience reports do not support stat_time_hour
    return names, (ids[0] if ids else None), time_dimension, breakdowns


def _metrics(
    params: Params,
    report_type: str,
    level: str,
    id_dimension: str | None,
    time_dimension: str | None,
    lifetime: bool,
    task: bool,
    breakdowns: list[str],
) -> list[str]:
    names = params.strings("metrics") or list(DEFAULT_METRICS)
    names = list(dict.fromkeys(names))
    unknown = [name for name in names if name not in catalogue.KNOWN]
    if unknown:
        raise invalid_metrics(unknown)
    refused = []
    for name in names:
        attribute = catalogue.ATTRIBUTES.get(name)
        if attribute is not None:
            if id_dimension is None or not catalogue.attribute_allowed(attribute, level):
                refused.append(name)
            continue
        metric = catalogue.METRICS[name]
        advertiser_daily = level == "ADVERTISER" and time_dimension == "stat_time_day" and not lifetime
        if (
            (metric.advertiser_daily_only and not advertiser_daily)
            or (report_type == "AUDIENCE" and (metric.uv or not metric.audience))
            or (task and metric.sync_only)
            or (task and metric.uv and breakdowns)  # §3.8: no UV metrics with audience dims in async
        ):
            refused.append(name)
    if refused:
        raise invalid_metrics(refused)
    return names


def _dates(
    params: Params, time_dimension: str | None, lifetime: bool, task: bool, created: date, today: date
) -> tuple[date, date]:
    if lifetime:
        return created, today
    start = params.date("start_date", required=True)
    end = params.date("end_date", required=True)
    assert start is not None and end is not None
    if start > end:
        raise invalid_parameter("start_date: The start date must not be later than the end date.")
    if start < EARLIEST_DAY:
        raise invalid_parameter(
            f"start_date: The start date cannot be earlier than {EARLIEST_DAY.isoformat()}."
        )
    limit = MAX_SPAN_DAYS[time_dimension]
    if not task and (end - start).days + 1 > limit:
        unit = "day" if limit == 1 else "days"
        why = f" when {time_dimension} is a dimension" if time_dimension else " without a time dimension"
        raise invalid_parameter(f"The time range of the query cannot exceed {limit} {unit}{why}.")
    return start, end


def _filter_values(item: dict[str, Any], task: bool) -> list[str]:
    if item["filter_type"] != "IN":
        raise invalid_parameter(
            f"filtering: filter_type {item['filter_type']} is not supported for {item['field_name']}."
        )
    try:
        values = json.loads(item["filter_value"])
    except ValueError:
        values = None
    if not isinstance(values, list):
        raise invalid_parameter("filtering: filter_value must be a JSON array in a string for IN.")
    limit = MAX_FILTER_IDS[task] if item["field_name"] in ID_FILTERS else None
    return string_items(values, f"filtering.{item['field_name']}", max_items=limit)


def _filtering(params: Params, level: str, task: bool, breakdowns: list[str]) -> dict[str, list[str]]:
    items = params.json_value("filtering", list) or []
    found: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict) or set(item) != {"field_name", "filter_type", "filter_value"}:
            raise invalid_parameter(
                "filtering: Every filter needs exactly field_name, filter_type and filter_value."
            )
        if not all(isinstance(item[key], str) for key in item):
            raise invalid_parameter("filtering: field_name, filter_type and filter_value must be strings.")
        name = item["field_name"]
        if item["filter_type"] not in FILTER_TYPES:
            raise invalid_parameter(f"filtering: filter_type must be one of: {', '.join(FILTER_TYPES)}.")
        allowed = {*ID_FILTERS, "country_code"} if task else SERVED_FILTERS
        if name in UNSERVED_FILTERS and not task:
            raise invalid_parameter(f"filtering: {name} is not served by the sandbox.")
        if name not in allowed:
            raise invalid_parameter(f"filtering: field_name {name} is not supported.")
        if name in STATUS_FILTERS.values() and STATUS_FILTERS.get(level) != name:
            # §3.5: the status filter must match data_level; TikTok no longer ignores a wrong one.
            raise invalid_parameter(
                f"filtering: field_name {name} does not match data_level AUCTION_{level}."
            )
        if name == "country_code" and "country_code" not in breakdowns:
            raise invalid_parameter(
                "filtering: country_code filters need the country_code dimension in the sandbox."
            )
        values = _filter_values(item, task)
        enum = {"buying_type": BUYING_TYPES, "objective_type": OBJECTIVE_TYPES}.get(name)
        if name in STATUS_FILTERS.values():
            enum = PRIMARY_STATUSES
        bad = [value for value in values if enum is not None and value not in enum]
        if bad:
            raise invalid_parameter(f"filtering: {bad[0]} is not a valid value of {name}.")
        found[name] = values
    return found


def parse_report(params: Params, account_id: str, created: date, today: date, *, task: bool) -> ReportQuery:
    """Validate a report request; raises TikTokError naming what is wrong."""
    _reject_multi_advertiser(params)
    service_type = params.string("service_type", choices=SERVICE_TYPES) or "AUCTION"
    report_type = params.string(
        "report_type", required=True, choices=TASK_REPORT_TYPES if task else REPORT_TYPES
    )
    assert report_type is not None
    if report_type not in SERVED_REPORT_TYPES:
        raise invalid_parameter(f"report_type: {report_type} reports are not served by the sandbox.")
    data_level = params.string("data_level", required=True, choices=DATA_LEVELS)
    assert data_level is not None
    if data_level.startswith("RESERVATION_"):
        raise no_relation()  # §3.7: RESERVATION_* levels on an auction account
    level = data_level.removeprefix("AUCTION_")
    lifetime = params.boolean("query_lifetime")
    dimensions, id_dimension, time_dimension, breakdowns = _dimensions(params, report_type, level)
    if lifetime and (report_type == "AUDIENCE" or time_dimension or breakdowns):
        raise invalid_parameter(
            "query_lifetime: Lifetime reports take no time, audience or country dimensions."
        )
    metric_names = _metrics(
        params, report_type, level, id_dimension, time_dimension, lifetime, task, breakdowns
    )
    start, end = _dates(params, time_dimension, lifetime, task, created, today)
    filters = _filtering(params, level, task, breakdowns)
    order_field = params.string("order_field")
    if order_field is not None and order_field not in catalogue.METRICS:
        raise invalid_parameter("order_field: Must be a metric that is not an attribute.")
    order_type = params.string("order_type", choices=ORDER_TYPES) or "DESC"
    total_metrics = False if task else params.boolean("enable_total_metrics")
    if total_metrics and (report_type != "BASIC" or breakdowns or time_dimension == "stat_time_hour"):
        raise invalid_parameter(
            "enable_total_metrics: Only basic reports by one ID dimension and/or stat_time_day."
        )
    if not task and (params.string("query_mode", choices=names.enum(SYNC, "query_mode")) or "") == "CHUNK":
        raise invalid_parameter("query_mode: CHUNK is not served by the sandbox.")
    status = STATUS_FILTERS.get(level)
    return ReportQuery(
        account_id=account_id,
        report_type=report_type,
        level=level,
        dimensions=tuple(dimensions),
        id_dimension=id_dimension,
        time_dimension=time_dimension,
        breakdowns=tuple(breakdowns),
        metrics=tuple(metric_names),
        start=start,
        end=end,
        lifetime=lifetime,
        reserved=service_type == "RESERVATION",
        id_filters=tuple((name, frozenset(filters[name])) for name in ID_FILTERS if name in filters),
        status_filter=frozenset(filters[status]) if status in filters else None,
        buying_types=frozenset(filters["buying_type"]) if "buying_type" in filters else None,
        objective_types=frozenset(filters["objective_type"]) if "objective_type" in filters else None,
        countries=frozenset(filters["country_code"]) if "country_code" in filters else None,
        order_field=order_field,
        order_descending=order_type == "DESC",
        total_metrics=total_metrics,
        task=task,
    )
