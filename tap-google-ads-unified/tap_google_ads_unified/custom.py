"""Custom GAQL reports from config: parsed and checked locally when the tap starts (syntax, fields the
API version knows, keys), then against GoogleAdsFieldService metadata before the first record
(reference §2.5: selectable, filterable, the resource's attributes, metrics and segments, segments'
and metrics' ``selectable_with``). Every refusal is one line naming the report and the field.

The date filter is the tap's: a query selecting ``segments.date`` is read per report window like the
built-in reports, and may not filter dates itself. Keys are declared (``primary_keys``) or derived
from the selected ids, criterion ids and segments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ads_kit.resilience.errors import ConfigError
from tap_google_ads_unified.queries import DATE, SCHEMA_VERSION, Query
from tap_google_ads_unified.rows import UnknownField, json_type

_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<resource>\w+)(?:\s+WHERE\s+(?P<where>.+?))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_FIELD = re.compile(r"^[a-z_]+(\.[a-z_0-9]+)+$")
_FORBIDDEN = re.compile(r"\b(ORDER\s+BY|LIMIT|PARAMETERS|DURING)\b", re.IGNORECASE)
_FILTERED_FIELD = re.compile(r"\b([a-z_]+(?:\.[a-z_0-9]+)+)\b")
_KEY_SUFFIXES = (".id", ".criterion_id", ".resource_name", "_criterion_id")


def custom_query(entry: Mapping[str, Any], index: int) -> Query:
    """A ``custom_reports`` entry (its name checked by the config schema) -> its query, or a
    ConfigError naming the entry and the field."""
    name = entry["name"]
    where = f"custom_reports[{index}] ({name})"
    text = entry.get("query")
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}.query", "a GAQL query is required")
    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        clause = forbidden.group(1).upper()
        raise ConfigError(
            f"{where}.query", f"{clause} is not allowed: the tap sets the dates and reads every row"
        )
    match = _QUERY.match(text)
    if not match:
        raise ConfigError(f"{where}.query", "must read SELECT <fields> FROM <resource> [WHERE <condition>]")
    fields = [f.strip() for f in match.group("fields").split(",")]
    resource, condition = match.group("resource"), (match.group("where") or "").strip()
    for field in fields:
        if not _FIELD.match(field):
            raise ConfigError(f"{where}.query", f"{field!r} is not a field name like campaign.id")
        try:
            json_type(SCHEMA_VERSION, field)
        except UnknownField:
            raise ConfigError(f"{where}.query", f"{field}: not a Google Ads field") from None
    if len(set(fields)) != len(fields):
        raise ConfigError(f"{where}.query", "a field is selected twice")
    if DATE in _FILTERED_FIELD.findall(condition):
        raise ConfigError(f"{where}.query", f"{DATE} may not be filtered: the tap adds each window's dates")
    keys = _keys(entry, fields, resource, where)
    segments = tuple(f for f in fields if f.startswith("segments."))
    if DATE in segments:
        segments = (DATE, *(s for s in segments if s != DATE))
    return Query(
        f"google_ads_custom_{name}",
        resource,
        tuple(f for f in (*keys, *fields) if not f.startswith(("segments.", "metrics."))),
        keys=keys,
        metrics=tuple(f for f in fields if f.startswith("metrics.")),
        segments=segments,
        where=condition,
    )


def _keys(entry: Mapping[str, Any], fields: list[str], resource: str, where: str) -> tuple[str, ...]:
    declared = entry.get("primary_keys")
    if declared:
        missing = [key for key in declared if key not in fields]
        if missing:
            raise ConfigError(f"{where}.primary_keys", f"{missing[0]} is not selected by the query")
        return tuple(declared)
    keys = [f for f in fields if f.endswith(_KEY_SUFFIXES) or f.startswith("segments.")]
    if not any(k.startswith(f"{resource}.") for k in keys):
        keys.insert(0, f"{resource}.resource_name")
    return tuple(keys)


def check_against_metadata(
    query: Query,
    index: int,
    metadata: Callable[[list[str]], dict[str, dict[str, Any]]],
    spelled: Callable[[list[str]], list[str]] = list,
) -> None:
    """Google's own rules for the query, from GoogleAdsFieldService (one request per report);
    ``spelled`` gives the names the API version in use has for the query's fields (field map)."""
    where = f"custom_reports[{index}] ({query.name.removeprefix('google_ads_custom_')}).query"
    filtered = [f for f in _FILTERED_FIELD.findall(query.where) if "." in f]
    names = [query.resource, *query.fields, *filtered]
    spelling = dict(zip(names, spelled(names), strict=True))
    served = metadata(list(spelling.values()))
    known = {name: served[spelling[name]] for name in names if spelling[name] in served}
    resource = known.get(query.resource)
    if resource is None or resource.get("category") != "RESOURCE":
        raise ConfigError(where, f"FROM {query.resource}: not a Google Ads resource")
    # the query's own fields first: a resource_name the tap adds as a key is checked last
    for field in sorted(query.fields, key=lambda name: name.endswith(".resource_name")):
        meta = known.get(field)
        if meta is None:
            raise ConfigError(where, f"{field}: not a Google Ads field")
        if not meta.get("selectable"):
            raise ConfigError(where, f"{field}: not selectable")
        prefix = field.split(".")[0]
        if field.startswith("metrics.") and field not in resource.get("metrics", ()):
            raise ConfigError(where, f"{field}: not a metric of {query.resource}")
        if field.startswith("segments.") and field not in resource.get("segments", ()):
            raise ConfigError(where, f"{field}: not a segment of {query.resource}")
        if prefix not in ("metrics", "segments", query.resource) and prefix not in resource.get(
            "attribute_resources", ()
        ):
            raise ConfigError(where, f"{field}: {prefix} is not an attribute resource of {query.resource}")
    for field in filtered:
        meta = known.get(field)
        if meta is None or not meta.get("filterable"):
            raise ConfigError(where, f"{field}: not a filterable Google Ads field")
    segments = [f for f in query.fields if f.startswith("segments.")]
    for segment in segments:
        compatible = set(known[segment].get("selectable_with", ()))
        for other in (*segments, *query.metrics):
            if other != segment and other not in compatible:
                raise ConfigError(where, f"{segment}: cannot be selected with {other}")
