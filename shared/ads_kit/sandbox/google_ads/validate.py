"""GAQL meaning: a parsed query checked against the catalog, to a `Plan`, or Google's QueryError.

The checks follow reference §2.3 and §2.5 (unknown fields, a field's resource against the FROM
resource and its attribute resources, metrics and segments against the resource, segments against
each other and against metrics, WHERE fields filterable, ORDER BY fields sortable, a finite date
range when a core date segment is selected) and the operator/value rules of the QueryError enum.
Where Google's behaviour is not on record the strict reading is taken and said so below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ads_kit.sandbox.google_ads import dates, gaql
from ads_kit.sandbox.google_ads import metrics as m
from ads_kit.sandbox.google_ads.catalog import Catalog, FieldInfo
from ads_kit.sandbox.google_ads.failures import ApiFailure, query_error
from ads_kit.sandbox.google_ads.resources import SPECS, ResourceSpec

PARAMETERS = ("include_drafts", "omit_unselected_resource_names")
_NUMERIC = frozenset({"INT64", "INT32", "UINT64", "DOUBLE", "FLOAT"})
_COMPARE = frozenset({"=", "!=", ">", ">=", "<", "<="})
_EQUALITY = frozenset({"=", "!=", "IN", "NOT IN"})
_MATCH = frozenset({"LIKE", "NOT LIKE"})
_REGEXP = frozenset({"REGEXP_MATCH", "NOT REGEXP_MATCH"})
# Operators per data type: ordering where values have an order, patterns where they are text.
_OPERATORS_BY_TYPE = {
    "ENUM": _EQUALITY,
    "BOOLEAN": frozenset({"=", "!="}),
    "RESOURCE_NAME": _EQUALITY | _MATCH,
    "STRING": _COMPARE | _EQUALITY | _MATCH | _REGEXP,
    "DATE": _COMPARE | _EQUALITY | {"BETWEEN", "DURING"},
    **{numeric: _COMPARE | _EQUALITY | {"BETWEEN"} for numeric in _NUMERIC},
}
_REPEATED_OPERATORS = {"CONTAINS ANY", "CONTAINS ALL", "CONTAINS NONE"}


@dataclass(frozen=True)
class Check:
    """A WHERE condition with its values in the row's terms (enum names, ints, ISO dates …)."""

    info: FieldInfo
    operator: str
    values: tuple[Any, ...] = ()

    @property
    def name(self) -> str:
        return self.info.name


@dataclass(frozen=True)
class Plan:
    query: gaql.Query
    spec: ResourceSpec
    select: tuple[FieldInfo, ...]
    checks: tuple[Check, ...]
    order_by: tuple[tuple[FieldInfo, bool], ...]
    limit: int | None
    omit_unselected_resource_names: bool
    split: str | None  # the world split the query needs: hour | device | conversion_action
    referenced: frozenset[str] = field(default_factory=frozenset)  # resources of the fields named

    @property
    def resource(self) -> str:
        return self.spec.name

    @property
    def metrics(self) -> tuple[FieldInfo, ...]:
        return tuple(f for f in self.select if f.category == "METRIC")

    @property
    def segments(self) -> tuple[FieldInfo, ...]:
        return tuple(f for f in self.select if f.category == "SEGMENT")

    @property
    def reporting(self) -> bool:
        """Whether rows carry metrics or segments (selected or filtered)."""
        named = [*self.select, *(c.info for c in self.checks)]
        return any(f.category in ("METRIC", "SEGMENT") for f in named)

    @property
    def names_metrics(self) -> bool:
        return any(f.category == "METRIC" for f in (*self.select, *(c.info for c in self.checks)))


def plan(query: gaql.Query, catalog: Catalog) -> Plan:
    spec = _resource(query.resource or "", catalog)
    select = tuple(_field(name, "SELECT", spec, catalog) for name in query.select)
    duplicates = sorted({name for name in query.select if query.select.count(name) > 1})
    if duplicates:
        # Not on record either way; the strict reading refuses a field selected twice.
        raise query_error(
            "QUERY_ERROR", f"Error in SELECT clause: field '{duplicates[0]}' is selected twice."
        )
    where = [(c, _field(c.field, "WHERE", spec, catalog)) for c in query.where]
    order = [(o, _field(o.field, "ORDER BY", spec, catalog)) for o in query.order_by]
    named = [*select, *(info for _, info in where)]
    _segment_rules(named, spec)
    for _, info in where:
        if not info.filterable:
            raise query_error(
                "PROHIBITED_FIELD_IN_WHERE_CLAUSE",
                f"Error in WHERE clause: field '{info.name}' is not filterable.",
            )
    selected = set(query.select)
    for ordering, info in order:
        if not info.sortable:
            raise query_error(
                "PROHIBITED_FIELD_IN_ORDER_BY_CLAUSE",
                f"Error in ORDER BY clause: field '{info.name}' cannot be sorted.",
            )
        if ordering.field not in selected:
            # Every documented ORDER BY field is also selected; the strict reading requires it.
            raise query_error(
                "EXPECTED_REFERENCED_FIELD_IN_SELECT_CLAUSE",
                f"Error in ORDER BY clause: field '{ordering.field}' must also be in the SELECT clause.",
            )
    checks = tuple(check(condition, info) for condition, info in where)
    _date_range(select, checks)
    _documented_rules(spec, named, checks)
    parameters = _parameters(query.parameters)
    splits = {m.SPLIT.get(f.name) for f in named if f.category == "SEGMENT"} - {None}
    return Plan(
        query=query,
        spec=spec,
        select=select,
        checks=checks,
        order_by=tuple((info, o.descending) for o, info in order),
        limit=query.limit,
        omit_unselected_resource_names=parameters.get("omit_unselected_resource_names", False),
        split=next(iter(splits), None),
        referenced=frozenset(f.resource for f in named if f.category in ("ATTRIBUTE", "RESOURCE")),
    )


def _resource(name: str, catalog: Catalog) -> ResourceSpec:
    info = catalog.get(name)
    if info is None or info.category != "RESOURCE":
        raise query_error(
            "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE", f"Invalid resource type in the FROM clause: '{name}'."
        )
    # A resource the world does not model has no rows (catalog: its compatibility is not on record).
    return SPECS.get(name) or ResourceSpec(name, catalog.attribute_resources(name), metrics=True)


def _field(name: str, clause: str, spec: ResourceSpec, catalog: Catalog) -> FieldInfo:
    info = catalog.get(name)
    if info is None:
        # The real wording (n8n-io/n8n#36313: error_400_query_error_unrecognized_field_real.json).
        raise query_error("UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{name}'.")
    if info.category == "RESOURCE":
        code = {
            "SELECT": "PROHIBITED_FIELD_IN_SELECT_CLAUSE",
            "WHERE": "PROHIBITED_FIELD_IN_WHERE_CLAUSE",
            "ORDER BY": "PROHIBITED_FIELD_IN_ORDER_BY_CLAUSE",
        }[clause]
        raise query_error(code, f"Error in {clause} clause: '{name}' is a resource, not a field.")
    if info.category == "ATTRIBUTE":
        owner = info.resource
        if owner != spec.name and owner not in catalog.attribute_resources(spec.name):
            code = (
                "PROHIBITED_RESOURCE_TYPE_IN_WHERE_CLAUSE"
                if clause == "WHERE"
                else ("PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE")
            )
            raise query_error(
                code,
                f"Error in {clause} clause: '{name}' comes from resource '{owner}', which is incompatible "
                f"with the resource in the FROM clause ('{spec.name}').",
            )
    elif info.category == "METRIC" and not catalog.takes_metrics(spec.name):
        raise _prohibited_metric(name, spec)
    elif info.category == "SEGMENT" and not catalog.segment_allowed(name, spec.name):
        raise _prohibited_segment(name, spec)
    return info


def _prohibited_metric(name: str, spec: ResourceSpec) -> ApiFailure:
    return _prohibited("metric", name, spec)


def _prohibited_segment(name: str, spec: ResourceSpec) -> ApiFailure:
    return _prohibited("segment", name, spec)


def _prohibited(kind: str, name: str, spec: ResourceSpec) -> ApiFailure:
    # The real wording of the segment error: error_query_prohibited_segment_proto_text.txt
    # (google-ads-java#180); the metric error's is the same with "metric" for "segment".
    return query_error(
        f"PROHIBITED_{kind.upper()}_IN_SELECT_OR_WHERE_CLAUSE",
        f"Cannot select or filter on the following {kind}s: '{name}'(could not support requested "
        f"resources: '{spec.name.upper()}'), since {kind} is incompatible with the resource in the FROM "
        "clause or other selected segmenting resources.",
    )


def _segment_rules(named: list[FieldInfo], spec: ResourceSpec) -> None:
    segments = list(dict.fromkeys(f.name for f in named if f.category == "SEGMENT"))
    metric_names = list(dict.fromkeys(f.name for f in named if f.category == "METRIC"))
    for index, first in enumerate(segments):
        for second in segments[index + 1 :]:
            if not m.segments_compatible(first, second, spec.view):
                raise _prohibited_segment(second, spec)
    for segment in segments:
        unsupported = [x for x in metric_names if not m.segment_with_metric(segment, x)]
        if unsupported:
            # The reference quotes this message with its middle elided ("… is found …").
            listed = ", ".join(f"'{x.removeprefix('metrics.')}'" for x in unsupported)
            raise query_error(
                "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
                "Cannot select the following segments because at least one unsupported metric is found in "
                f"the SELECT or WHERE clause: '{segment}'(unsupported metrics: {listed})",
            )


def _where(message: str) -> str:
    return f"Error in WHERE clause: {message}"


def check(condition: gaql.Condition, info: FieldInfo) -> Check:
    operator = condition.operator
    if operator in ("IS NULL", "IS NOT NULL"):
        return Check(info, operator)
    allowed = _REPEATED_OPERATORS if info.is_repeated else _OPERATORS_BY_TYPE.get(info.data_type, set())
    if operator not in allowed:
        raise query_error(
            "OPERATOR_FIELD_MISMATCH", _where(f"operator {operator} cannot be used with field '{info.name}'.")
        )
    values = condition.values
    if operator in gaql.LIST_OPERATORS:
        if not condition.is_list:
            raise query_error("EXPECTED_LIST", _where(f"operator {operator} requires a list of values."))
        if not values:
            raise query_error("PROHIBITED_EMPTY_LIST_IN_CONDITION", _where("a condition has an empty list."))
        if len({v.kind for v in values}) > 1:
            raise query_error(
                "PROHIBITED_VALUE_COMBINATION_IN_LIST", _where("list contains values of different types.")
            )
    elif condition.is_list:
        raise query_error("EXPECTED_SINGLE_VALUE", _where(f"operator {operator} expects a single value."))
    if operator == "DURING":
        function = values[0]
        if function.kind != "word" or function.text not in dates.DURING_FUNCTIONS:
            raise query_error(
                "INVALID_VALUE_WITH_DURING_OPERATOR",
                _where(
                    f"the value passed to the DURING operator is not a date range literal: {function.text}."
                ),
            )
        return Check(info, operator, (function.text,))
    if operator == "BETWEEN" and values[0].kind != values[1].kind:
        raise query_error(
            "PROHIBITED_VALUE_COMBINATION_WITH_BETWEEN_OPERATOR",
            _where("the values passed to the BETWEEN operator are not of the same type."),
        )
    converted = tuple(_value(v, info, operator) for v in values)
    if operator == "BETWEEN" and converted[0] > converted[1]:
        raise query_error(
            "DATE_RANGE_TOO_NARROW" if info.data_type == "DATE" else "BAD_VALUE",
            _where(f"BETWEEN {values[0].text} AND {values[1].text} starts after it ends."),
        )
    if operator in ("LIKE", "NOT LIKE"):
        converted = (_like(converted[0]),)
    if operator in ("REGEXP_MATCH", "NOT REGEXP_MATCH"):
        try:
            converted = (re.compile(converted[0]),)
        except re.error:
            raise query_error(
                "BAD_VALUE", _where(f"invalid regular expression {values[0].text!r}.")
            ) from None
    return Check(info, operator, converted)


def _value(literal: gaql.Literal, info: FieldInfo, operator: str) -> Any:
    kind, text, data_type = literal.kind, literal.text, info.data_type
    if data_type == "ENUM":
        if kind == "number" or text not in info.enum_values:
            raise query_error("BAD_ENUM_CONSTANT", _where(f"invalid enum constant {text} for '{info.name}'."))
        if text in ("UNSPECIFIED", "UNKNOWN"):
            raise query_error(
                "PROHIBITED_ENUM_CONSTANT", _where(f"enum constant {text} cannot be used in a filter.")
            )
        return text
    if data_type == "BOOLEAN":
        if kind != "word" or text.upper() not in ("TRUE", "FALSE"):
            raise query_error("BAD_VALUE", _where(f"invalid value {text}."))
        return text.upper() == "TRUE"
    if data_type in _NUMERIC:
        if kind != "number":
            raise query_error("BAD_VALUE", _where(f"invalid value {text}."))
        if data_type in ("DOUBLE", "FLOAT"):
            return float(text)
        if not text.lstrip("-").isdigit():
            raise query_error("BAD_NUMBER", _where(f"{text} is not a whole number."))
        return int(text)
    if kind != "string":
        code = (
            "INVALID_VALUE_WITH_LIKE_OPERATOR" if operator in ("LIKE", "NOT LIKE") else "INVALID_STRING_VALUE"
        )
        raise query_error(code, _where(f"value {text} must be a quoted string."))
    if data_type == "DATE":
        return _date_value(text, info, operator)
    return text


def _date_value(text: str, info: FieldInfo, operator: str) -> str:
    if info.category == "SEGMENT":
        day = dates.parse_date(text)
        if day is None:
            code = "INVALID_VALUE_WITH_BETWEEN_OPERATOR" if operator == "BETWEEN" else "INVALID_DATE_FORMAT"
            raise query_error(code, f"Invalid date format. Expected 'YYYY-MM-DD': '{text}'.")
        if not dates.aligned(info.name, day):
            raise query_error(
                "MISALIGNED_DATE_FOR_FILTER",
                f"Misaligned date value for the filter: '{text}' is not the first day of a {info.name[9:]}.",
            )
        return day.isoformat()
    # *_date_time fields: a date, or a date and a time, in the customer's zone.
    day = dates.parse_date(text[:10])
    if day is None or not re.fullmatch(r"\d{4}-?\d{2}-?\d{2}( \d{2}:\d{2}:\d{2})?", text):
        raise query_error("INVALID_DATE_FORMAT", f"Invalid date format. Expected 'YYYY-MM-DD': '{text}'.")
    return day.isoformat() + text[10:] if len(text) > 10 else day.isoformat()


def _like(pattern: str) -> re.Pattern[str]:
    """LIKE: % any run, _ one character, [x] the character x itself (pipedream#21961: `[`, `]`, `%`
    and `_` are bracket-escaped in LIKE values)."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "[" and pattern[index + 2 : index + 3] == "]":
            out.append(re.escape(pattern[index + 1]))
            index += 3
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.compile("".join(out), re.DOTALL)


def _date_range(select: tuple[FieldInfo, ...], checks: tuple[Check, ...]) -> None:
    """A selected core date segment needs a finite range on core date segments (reference §2.1)."""
    core = [f.name for f in select if f.name in m.CORE_DATE_SEGMENTS]
    if not core:
        return
    low, high = False, False
    for item in checks:
        if item.name not in m.CORE_DATE_SEGMENTS:
            continue
        if item.operator in ("=", "IN", "BETWEEN", "DURING"):
            low = high = True
        low = low or item.operator in (">", ">=")
        high = high or item.operator in ("<", "<=")
    if not (low and high):
        # The real wording: error_finite_date_range_required_node_repr.txt (Opteo/google-ads-api#395).
        raise query_error(
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            f"Expects filters on the following field to limit a finite date range: '{core[0]}'",
        )


# A metric the reference records as refused on a resource that takes metrics (§2.3:
# google-ads-php#765, `metrics.top_impression_percentage` FROM customer).
PROHIBITED_METRICS = frozenset({("customer", "metrics.top_impression_percentage")})
# Resources that read one day per query (§8: click_view "only single-day queries").
SINGLE_DAY_RESOURCES = frozenset({"click_view"})


def _documented_rules(spec: ResourceSpec, named: list[FieldInfo], checks: tuple[Check, ...]) -> None:
    """Rules the reference records for one resource, beyond what the catalog derives."""
    for info in named:
        if (spec.name, info.name) in PROHIBITED_METRICS:
            raise _prohibited_metric(info.name, spec)
    if spec.name in SINGLE_DAY_RESOURCES:
        # The reference names no code for a wider query; DATE_RANGE_TOO_WIDE is the QueryError that
        # says it (an assumption), EXPECTED_FILTERS_ON_DATE_RANGE the one for no range at all.
        # Any mid-week, mid-month day stands for today: only TODAY and YESTERDAY are one day then.
        low, high = date_bounds(checks, date(2000, 6, 15))
        if low is None or high is None:
            raise query_error(
                "EXPECTED_FILTERS_ON_DATE_RANGE",
                f"Expects filters on the following field to limit a finite date range: 'segments.date' "
                f"({spec.name} is read one day per query).",
            )
        if low != high:
            raise query_error(
                "DATE_RANGE_TOO_WIDE", f"The date range is too wide: {spec.name} is read one day per query."
            )


def date_bounds(checks: tuple[Check, ...], today: date) -> tuple[date | None, date | None]:
    """The days the core date conditions allow, for a customer whose local date is `today`; the
    conditions are also applied to each day exactly (`engine`), these bounds only limit the reading."""
    low: date | None = None
    high: date | None = None

    def narrow(first: date | None, last: date | None) -> None:
        nonlocal low, high
        if first is not None:
            low = first if low is None else max(low, first)
        if last is not None:
            high = last if high is None else min(high, last)

    for item in checks:
        if item.name not in m.CORE_DATE_SEGMENTS:
            continue
        segment, op = item.name, item.operator
        if op == "DURING":
            narrow(*dates.during(item.values[0], today))
            continue
        if segment == "segments.year":
            values = [date(int(v), 1, 1) for v in item.values]
        else:
            values = [date.fromisoformat(v) for v in item.values]
        if op in ("=", "IN", "BETWEEN"):
            narrow(
                min(values),
                dates.period_end(segment, max(values)) if segment != "segments.date" else max(values),
            )
        elif op in (">", ">="):
            narrow(values[0], None)
        elif op in ("<", "<="):
            last = values[0] if segment == "segments.date" else dates.period_end(segment, values[0])
            narrow(None, last)
    return low, high


def _parameters(parameters: dict[str, str]) -> dict[str, bool]:
    parsed: dict[str, bool] = {}
    for name, value in parameters.items():
        if name not in PARAMETERS:
            raise query_error(
                "BAD_PARAMETER_NAME", f"Error in PARAMETERS clause: unknown parameter '{name}'."
            )
        if value.lower() not in ("true", "false"):
            raise query_error(
                "BAD_PARAMETER_VALUE", f"Error in PARAMETERS clause: invalid value {value} for '{name}'."
            )
        parsed[name] = value.lower() == "true"
    return parsed


__all__ = ["PARAMETERS", "Check", "Plan", "check", "date_bounds", "plan"]
