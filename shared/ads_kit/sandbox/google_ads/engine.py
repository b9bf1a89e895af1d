"""Running a planned query against the world: the rows of one customer, as GAQL paths to values.

Rows are the FROM resource's entities (with their attribute resources), split by the selected
segments. WHERE conditions apply where their field lives: attributes to the entity, segments to
each day (and hour, device or conversion action) before it is summed, metrics to the summed row,
so a filter on an unselected segment narrows the sums rather than the rows (reference §2.1:
filtering on segments.date without selecting it aggregates over the range).

Zero rows (reference §8): with a segment selected, a row whose selected metrics are all zero is not
returned; unsegmented rows of a resource are every entity, zero or not. Report views have no
entities of their own, so their rows exist where the world has delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ads_kit.sandbox.google_ads import dates, resources, wire
from ads_kit.sandbox.google_ads import metrics as m
from ads_kit.sandbox.google_ads.failures import query_error
from ads_kit.sandbox.google_ads.resources import Customer, Entity
from ads_kit.sandbox.google_ads.validate import Check, Plan, date_bounds
from ads_kit.sandbox.world import Ad, ConversionEvent, Metrics, World, sum_metrics


@dataclass(frozen=True, slots=True)
class Row:
    values: dict[str, Any]  # GAQL path -> value (every attribute of the row's resources)
    totals: m.Totals | None  # the summed world metrics, for metric values and the summary row


@dataclass(frozen=True, slots=True)
class Result:
    rows: list[Row]
    total: int  # rows matching the query, ignoring LIMIT (total_results_count)
    consumption: int  # world ad-days read to answer (query_resource_consumption)


def matches(check: Check, value: Any) -> bool:
    """Whether a value meets a condition; an unset value (None) meets only IS NULL, as in SQL."""
    op, values = check.operator, check.values
    if op == "IS NULL":
        return value is None or value == []
    if op == "IS NOT NULL":
        return not (value is None or value == [])
    if value is None:
        return False
    if op in ("CONTAINS ANY", "CONTAINS ALL", "CONTAINS NONE"):
        present = set(value)
        if op == "CONTAINS ANY":
            return bool(present.intersection(values))
        return present.issuperset(values) if op == "CONTAINS ALL" else not present.intersection(values)
    if check.info.data_type == "DATE" and check.info.category == "ATTRIBUTE":
        # A *_date_time value compared with a date compares its date (DURING became such a BETWEEN).
        value = str(value)[: len(str(values[0]))]
    comparisons: dict[str, Callable[[], bool]] = {
        "=": lambda: value == values[0],
        "!=": lambda: value != values[0],
        ">": lambda: value > values[0],
        ">=": lambda: value >= values[0],
        "<": lambda: value < values[0],
        "<=": lambda: value <= values[0],
        "IN": lambda: value in values,
        "NOT IN": lambda: value not in values,
        "BETWEEN": lambda: values[0] <= value <= values[1],
        "LIKE": lambda: values[0].fullmatch(value) is not None,
        "NOT LIKE": lambda: values[0].fullmatch(value) is None,
        "REGEXP_MATCH": lambda: values[0].fullmatch(value) is not None,
        "NOT REGEXP_MATCH": lambda: values[0].fullmatch(value) is None,
    }
    return comparisons[op]()


def _resolve_during(checks: tuple[Check, ...], today: date) -> tuple[Check, ...]:
    """DURING becomes BETWEEN the function's first and last day in the customer's zone."""
    resolved = []
    for check in checks:
        if check.operator == "DURING":
            first, last = dates.during(check.values[0], today)
            check = Check(check.info, "BETWEEN", (first.isoformat(), last.isoformat()))
        resolved.append(check)
    return tuple(resolved)


class _Reader:
    """The world's numbers for one query, each ad-day read once."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.reads = 0
        self._cache: dict[tuple[str, date, str], Any] = {}

    def _read(self, ad: Ad, day: date, kind: str, compute: Callable[[], Any]) -> Any:
        key = (ad.id, day, kind)
        if key not in self._cache:
            self.reads += 1
            self._cache[key] = compute()
        return self._cache[key]

    def parts(
        self, ad: Ad, day: date, split: str | None, view: tuple[str, str] | None
    ) -> Iterable[tuple[Any, Metrics]]:
        """(split value, metrics) of an ad's day: the whole day, or its parts by the split."""
        if day < ad.delivery_start or (ad.delivery_end is not None and day > ad.delivery_end):
            return ()
        world = self.world
        if view is not None:
            dimension, value = view
            split_day = self._read(ad, day, dimension, lambda: world.ad_day_breakdown(ad, day, dimension))
            part = split_day.get(value)
            return ((None, part),) if part is not None else ()
        if split == "device":
            by_device = self._read(ad, day, "device", lambda: world.ad_day_breakdown(ad, day, "device"))
            return ((wire.DEVICE[k], v) for k, v in by_device.items())
        if split == "hour":
            hours = self._read(ad, day, "hour", lambda: world.ad_day_hours(ad, day))
            return ((h.local_hour, h.metrics) for h in hours)
        whole = self._read(ad, day, "day", lambda: world.ad_day(ad, day))
        return ((None, whole),) if whole is not None else ()


def check_customer(plan: Plan, customer: Customer) -> None:
    """What a query may not ask of this customer: a manager has no metrics (reference §2.3)."""
    if customer.manager and plan.names_metrics:
        raise query_error(
            "REQUESTED_METRICS_FOR_MANAGER",
            "Metrics cannot be requested for a manager account. To retrieve metrics, issue separate requests "
            "against each client account under the manager account.",
        )


def run(plan: Plan, customer: Customer, world: World) -> Result:
    check_customer(plan, customer)
    if plan.resource not in resources.SPECS:
        return Result([], 0, 0)  # the world has none of it (labels, assets, keywords, …: catalog)
    account = customer.account
    today = world.account_today(account)
    checks = _resolve_during(plan.checks, today)
    entity_checks = [c for c in checks if c.info.category == "ATTRIBUTE"]
    segment_checks = [c for c in checks if c.info.category == "SEGMENT"]
    metric_checks = [c for c in checks if c.info.category == "METRIC"]
    reader = _Reader(world)
    days = _days(plan, segment_checks, world, today)
    primary = _primary_event(world, customer)
    resources_named = {plan.resource, *plan.referenced}
    rows: list[Row] = []
    for entity in resources.entities(plan.resource, customer, world, set(plan.referenced)):
        values: dict[str, Any] = {}
        for resource in resources_named:
            values.update(resources.attributes(entity, resource, customer))
        if not all(matches(c, values.get(c.name)) for c in entity_checks):
            continue
        if not plan.reporting:
            rows.append(Row(values, None))
            continue
        for segment_values, totals in _groups(plan, entity, days, segment_checks, reader, customer, primary):
            row_values = {**values, **segment_values}
            for info in plan.metrics:
                row_values[info.name] = m.value(info.name, info.data_type, totals)
            if not all(matches(c, m.value(c.name, c.info.data_type, totals)) for c in metric_checks):
                continue
            rows.append(Row(row_values, totals))
    rows = _ordered(rows, plan)
    total = len(rows)
    return Result(rows[: plan.limit] if plan.limit else rows, total, reader.reads)


def _days(
    plan: Plan, segment_checks: list[Check], world: World, today: date
) -> list[tuple[date, dict[str, Any]]]:
    """The days to read, with their date segments, after the date conditions."""
    if not plan.reporting:
        return []
    low, high = date_bounds(plan.checks, today)
    first = world.origin - timedelta(days=world.history_days)
    low = max(low or first, first)
    high = min(high or today, today)  # no day after the customer's today has happened
    date_checks = [c for c in segment_checks if m.SPLIT[c.name] is None]
    days = []
    day = low
    while day <= high:
        values = wire.date_segments(day)
        if all(matches(c, values[c.name]) for c in date_checks):
            days.append((day, values))
        day += timedelta(days=1)
    return days


def _primary_event(world: World, customer: Customer) -> ConversionEvent | None:
    if customer.manager:
        return None
    return next((e for e in world.conversion_events(customer.account.id) if e.primary), None)


def _split_values(
    plan: Plan, value: Any, customer: Customer, primary: ConversionEvent | None
) -> dict[str, Any]:
    if plan.split == "hour":
        return {"segments.hour": value}
    if plan.split == "device":
        return {"segments.device": value}
    if plan.split == "conversion_action" and primary is not None:
        return {
            "segments.conversion_action": f"customers/{customer.account.id}/conversionActions/{primary.id}",
            "segments.conversion_action_name": primary.name,
            "segments.conversion_action_category": wire.CONVERSION_CATEGORY[primary.event_type],
        }
    return {}


def _groups(
    plan: Plan,
    entity: Entity,
    days: list[tuple[date, dict[str, Any]]],
    segment_checks: list[Check],
    reader: _Reader,
    customer: Customer,
    primary: ConversionEvent | None,
) -> Iterable[tuple[dict[str, Any], m.Totals]]:
    """The entity's metrics summed per value of the selected segments."""
    selected = [f.name for f in plan.segments]
    split_checks = [c for c in segment_checks if m.SPLIT[c.name] is not None]
    split = None if plan.split == "conversion_action" else plan.split
    groups: dict[tuple[Any, ...], tuple[dict[str, Any], list[Metrics]]] = {}
    for day, date_values in days:
        for ad in entity.ads:
            for split_value, part in reader.parts(ad, day, split, entity.split):
                values = {**date_values, **_split_values(plan, split_value, customer, primary)}
                if split_checks and not all(matches(c, values.get(c.name)) for c in split_checks):
                    continue
                key = tuple(values.get(name) for name in selected)
                shown = {name: values[name] for name in selected if name in values}
                groups.setdefault(key, (shown, []))[1].append(part)
    account = customer.account
    if not selected:
        parts = [part for _, group in groups.values() for part in group]
        totals = m.Totals.of(account, sum_metrics(parts))
        if plan.spec.view is None or not totals.is_zero():
            yield {}, totals
        return
    for shown, group in groups.values():
        totals = m.Totals.of(account, sum_metrics(group))
        if plan.metrics:
            if not any(m.value(f.name, f.data_type, totals) for f in plan.metrics):
                continue
        elif totals.is_zero():
            continue
        yield shown, totals


def _ordered(rows: list[Row], plan: Plan) -> list[Row]:
    for info, descending in reversed(plan.order_by):
        rank = {name: i for i, name in enumerate(info.enum_values)} if info.data_type == "ENUM" else None

        def key(row: Row, name: str = info.name, rank: dict[str, int] | None = rank) -> tuple[bool, Any]:
            value = row.values.get(name)
            if rank is not None and value is not None:
                value = rank[value]
            return (value is None, value if value is not None else 0)

        rows = sorted(rows, key=key, reverse=descending)
    return rows


__all__ = ["Result", "Row", "check_customer", "matches", "run"]
