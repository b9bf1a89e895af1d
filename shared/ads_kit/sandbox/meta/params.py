"""Request parameters as clients really send them (reference §1.3, §1.5).

`fields` arrives as a comma list (SDK GET), a JSON array (SDK async POST) or a Python-repr list
(MeltanoLabs), each with `{}` expansion; list/dict params arrive as JSON, sometimes the relaxed
JSON of Meta's own docs (`{since:'2023-11-01'}`), and lists also as plain comma lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ads_kit.sandbox.meta import catalog
from ads_kit.sandbox.meta.errors import invalid_parameter

# Params that carry credentials: never echoed, never treated as query input.
SECRET_PARAMS = frozenset({"access_token", "appsecret_proof"})

OPERATORS = catalog.insights_enum("filtering_operator")


@dataclass(frozen=True)
class FieldSpec:
    """One requested field; `subfields` holds a `{}` expansion, `modifiers` the `.name(arg)` calls."""

    name: str
    subfields: tuple[FieldSpec, ...] | None = None
    modifiers: tuple[tuple[str, str], ...] = field(default=())


def parse_fields(raw: str | None) -> list[FieldSpec] | None:
    """Parse `fields` in any of its spellings; None when the param is absent or empty."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text.startswith("["):
        items = _loads_list(text)
        # A Python repr of a list (['id', 'name']) is not JSON: strip its brackets and quotes.
        text = re.sub(r"[\[\]'\"\s]", "", text) if items is None else ",".join(str(item) for item in items)
    specs = _parse_field_list(re.sub(r"\s+", "", text), "fields")
    return specs or None


def _loads_list(text: str) -> list[Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def _parse_field_list(text: str, param: str) -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    for part in _split_top_level(text, param):
        if part:
            specs.append(_parse_field(part, param))
    return specs


def _split_top_level(text: str, param: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
            if depth < 0:
                raise invalid_parameter(f"Syntax error in {param}: unbalanced brackets")
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth:
        raise invalid_parameter(f"Syntax error in {param}: unbalanced brackets")
    parts.append(text[start:])
    return parts


_FIELD = re.compile(r"^(?P<name>[A-Za-z0-9_]+)(?P<mods>(?:\.[A-Za-z_]+\([^()]*\))*)(?:\{(?P<sub>.*)\})?$")
_MODIFIER = re.compile(r"\.([A-Za-z_]+)\(([^()]*)\)")


def _parse_field(text: str, param: str) -> FieldSpec:
    match = _FIELD.match(text)
    if not match:
        raise invalid_parameter(f'Syntax error "Expected end of string instead of "{text}"." in {param}')
    sub = match.group("sub")
    subfields = tuple(_parse_field_list(sub, param)) if sub is not None else None
    modifiers = tuple(_MODIFIER.findall(match.group("mods") or ""))
    return FieldSpec(match.group("name"), subfields, modifiers)


def field_names(specs: list[FieldSpec] | None) -> list[str]:
    return [spec.name for spec in specs or []]


def loads_relaxed(raw: str, param: str) -> Any:
    """JSON, or the relaxed JSON of Meta's docs (bare keys, single quotes)."""
    try:
        return json.loads(raw)
    except ValueError:
        pass
    relaxed = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', raw.replace("'", '"'))
    try:
        return json.loads(relaxed)
    except ValueError:
        raise invalid_parameter(f"param {param} must be a valid JSON value") from None


def parse_list(raw: str | None, param: str) -> list[str] | None:
    """A list param: JSON array, Python-repr list or comma list."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if text.startswith("["):
        items = _loads_list(text)
        if items is None:
            items = [item for item in re.sub(r"[\[\]'\"\s]", "", text).split(",") if item]
        if not all(isinstance(item, str) for item in items):
            raise invalid_parameter(f"param {param} must be an array of strings")
        return list(items)
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_bool(raw: str | None, param: str, default: bool = False) -> bool:
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise invalid_parameter(f"param {param} must be a boolean")


def parse_int(raw: str | None, param: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter(f"param {param} must be an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise invalid_parameter(f"param {param} must be between {minimum} and {maximum}")
    return value


def parse_date(raw: Any, param: str) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise invalid_parameter(f"param {param} must be a date in YYYY-MM-DD format") from None


def parse_time_range(raw: str | None) -> tuple[date, date] | None:
    if raw is None or not raw.strip():
        return None
    return _range(loads_relaxed(raw, "time_range"), "time_range")


def parse_time_ranges(raw: str | None) -> list[tuple[date, date]]:
    """`time_ranges=[{"since":…,"until":…}, …]`: ranges may overlap, each is read on its own."""
    if raw is None or not raw.strip():
        return []
    value = loads_relaxed(raw, "time_ranges")
    if not isinstance(value, list):
        raise invalid_parameter("param time_ranges must be an array of objects with since and until")
    return [_range(item, f"time_ranges[{index}]") for index, item in enumerate(value)]


def _range(value: Any, param: str) -> tuple[date, date]:
    if not isinstance(value, dict) or "since" not in value or "until" not in value:
        raise invalid_parameter(f"param {param} must be an object with since and until")
    since = parse_date(value["since"], f"{param}[since]")
    until = parse_date(value["until"], f"{param}[until]")
    if since > until:
        raise invalid_parameter(f"{param} since must not be after until")
    return since, until


@dataclass(frozen=True)
class FilterRule:
    field: str
    operator: str
    value: Any


def parse_filtering(raw: str | None) -> list[FilterRule]:
    if raw is None or not raw.strip():
        return []
    value = loads_relaxed(raw, "filtering")
    if not isinstance(value, list):
        raise invalid_parameter("param filtering must be an array")
    rules = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not {"field", "operator"} <= item.keys():
            raise invalid_parameter(f"filtering[{index}] must have field, operator and value")
        operator = str(item["operator"]).upper()
        if operator not in OPERATORS:
            allowed = ", ".join(sorted(OPERATORS))
            raise invalid_parameter(
                f"filtering[{index}][operator] must be one of the following values: {allowed}"
            )
        rules.append(FilterRule(str(item["field"]), operator, item.get("value")))
    return rules


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "EQUAL": lambda actual, wanted: str(actual) == str(wanted),
    "NOT_EQUAL": lambda actual, wanted: str(actual) != str(wanted),
    "GREATER_THAN": lambda actual, wanted: _number(actual) > _number(wanted),
    "GREATER_THAN_OR_EQUAL": lambda actual, wanted: _number(actual) >= _number(wanted),
    "LESS_THAN": lambda actual, wanted: _number(actual) < _number(wanted),
    "LESS_THAN_OR_EQUAL": lambda actual, wanted: _number(actual) <= _number(wanted),
    "IN_RANGE": lambda actual, wanted: _number(wanted[0]) <= _number(actual) <= _number(wanted[1]),
    "NOT_IN_RANGE": lambda actual, wanted: not _number(wanted[0]) <= _number(actual) <= _number(wanted[1]),
    "CONTAIN": lambda actual, wanted: str(wanted).lower() in str(actual).lower(),
    "NOT_CONTAIN": lambda actual, wanted: str(wanted).lower() not in str(actual).lower(),
    "IN": lambda actual, wanted: str(actual) in {str(item) for item in wanted},
    "NOT_IN": lambda actual, wanted: str(actual) not in {str(item) for item in wanted},
    "ANY": lambda actual, wanted: str(actual) in {str(item) for item in wanted},
    "ALL": lambda actual, wanted: str(actual) in {str(item) for item in wanted},
    "NONE": lambda actual, wanted: str(actual) not in {str(item) for item in wanted},
}

_LIST_OPERATORS = frozenset({"IN", "NOT_IN", "ANY", "ALL", "NONE", "IN_RANGE", "NOT_IN_RANGE"})


def matches(rule: FilterRule, actual: Any) -> bool:
    """Whether one entity value passes one rule; a rule on a field the entity lacks never matches."""
    if actual is None:
        return False
    wanted = rule.value
    if rule.operator in _LIST_OPERATORS and not isinstance(wanted, list):
        raise invalid_parameter(f"filtering value for {rule.field} with {rule.operator} must be an array")
    return _COMPARATORS[rule.operator](actual, wanted)


def merged_params(query: Mapping[str, str], form: Mapping[str, str] | None = None) -> dict[str, str]:
    """Query and form params in one dict (form wins, as in a POST body), credentials removed."""
    params = {key: value for key, value in query.items() if key not in SECRET_PARAMS}
    for key, value in (form or {}).items():
        if key not in SECRET_PARAMS:
            params[key] = value
    return params
