"""GoogleAdsFieldService: the catalog as `GoogleAdsField` messages, queried with FROM-less GAQL.

``SELECT name, category, selectable, filterable, selectable_with … WHERE name IN ('campaign', …)``
(reference §2.5: singer-io, Matatika and Airbyte all query it so). The query language is GAQL over
the GoogleAdsField's own attributes, checked and evaluated with the same rules as row queries.
"""

from __future__ import annotations

import hashlib
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from ads_kit.sandbox.google_ads import engine, gaql, validate
from ads_kit.sandbox.google_ads.catalog import FieldInfo, Relations, catalog
from ads_kit.sandbox.google_ads.failures import query_error, request_error
from ads_kit.sandbox.google_ads.protos import protos

DEFAULT_PAGE_SIZE = 10_000
RESOURCE_PREFIX = "googleAdsFields/"
_TYPES = {
    FieldDescriptor.TYPE_STRING: "STRING",
    FieldDescriptor.TYPE_BOOL: "BOOLEAN",
    FieldDescriptor.TYPE_ENUM: "ENUM",
}


def _meta_fields(version: str) -> dict[str, FieldInfo]:
    """The GoogleAdsField attributes as fields a query can name."""
    meta: dict[str, FieldInfo] = {}
    for leaf in protos(version).field.DESCRIPTOR.fields:
        data_type = "RESOURCE_NAME" if leaf.name == "resource_name" else _TYPES[leaf.type]
        enum = leaf.enum_type
        meta[leaf.name] = FieldInfo(
            leaf.name,
            "ATTRIBUTE",
            data_type,
            is_repeated=leaf.is_repeated,
            enum_values=tuple(v.name for v in enum.values) if enum else (),
            enum_numbers=tuple(v.number for v in enum.values) if enum else (),
            sortable=not leaf.is_repeated,
            path=(leaf.name,),
        )
    return meta


def _values(info: FieldInfo, relations: Relations) -> dict[str, Any]:
    return {
        "resource_name": RESOURCE_PREFIX + info.name,
        "name": info.name,
        "category": info.category,
        "selectable": info.selectable,
        "filterable": info.filterable,
        "sortable": info.sortable,
        "selectable_with": list(relations.selectable_with),
        "attribute_resources": list(relations.attribute_resources),
        "metrics": list(relations.metrics),
        "segments": list(relations.segments),
        "enum_values": list(info.enum_values),
        "data_type": info.data_type,
        "type_url": info.type_url,
        "is_repeated": info.is_repeated,
    }


def _message(version: str, values: dict[str, Any], names: list[str], meta: dict[str, FieldInfo]) -> Message:
    message = protos(version).field()
    for name in ["resource_name", *names]:
        info, value = meta[name], values[name]
        if info.is_repeated:
            getattr(message, name).extend(value)
        elif info.enum_values:
            setattr(message, name, dict(zip(info.enum_values, info.enum_numbers, strict=True))[value])
        else:
            setattr(message, name, value)
    return message


def search(version: str, query: str, page_token: str, page_size: int) -> Message:
    """SearchGoogleAdsFields: the matching fields (every attribute the query selects), paged."""
    if not query:
        raise request_error(
            "REQUIRED_FIELD_MISSING", "Required field is missing", location=(("query", None),)
        )
    if page_size < 0:
        raise request_error("INVALID_PAGE_SIZE", "Page size specified in user request is invalid.")
    parsed = gaql.parse(query, from_clause="forbidden")
    meta = _meta_fields(version)
    for name in parsed.fields():
        if name not in meta:
            raise query_error("UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{name}'.")
    checks = [_check(condition, meta) for condition in parsed.where]
    fields = catalog(version)
    rows = [_values(info, fields.relations(info.name)) for info in fields.fields.values()]
    rows = [row for row in rows if all(engine.matches(check, row[check.name]) for check in checks)]
    for ordering in reversed(parsed.order_by):
        info = meta[ordering.field]
        if not info.sortable:
            raise query_error(
                "PROHIBITED_FIELD_IN_ORDER_BY_CLAUSE",
                f"Error in ORDER BY clause: field '{info.name}' cannot be sorted.",
            )
        rows.sort(key=lambda row, name=ordering.field: row[name], reverse=ordering.descending)
    total = len(rows)
    if parsed.limit is not None:
        rows = rows[: parsed.limit]
    start = _offset(page_token, query)
    size = page_size or DEFAULT_PAGE_SIZE
    response = protos(version).fields_response(total_results_count=total)
    names = list(dict.fromkeys(parsed.select))
    response.results.extend(_message(version, row, names, meta) for row in rows[start : start + size])
    if start + size < len(rows):
        response.next_page_token = _token(start + size, query)
    return response


def get(version: str, resource_name: str) -> Message:
    """GetGoogleAdsField: one field by resource name, every attribute set."""
    if not resource_name.startswith(RESOURCE_PREFIX):
        raise request_error("RESOURCE_NAME_MALFORMED", "Resource name provided is malformed.")
    fields = catalog(version)
    info = fields.get(resource_name.removeprefix(RESOURCE_PREFIX))
    if info is None:
        raise request_error("RESOURCE_NOT_FOUND", "Requested resource not found.")
    meta = _meta_fields(version)
    values = _values(info, fields.relations(info.name))
    return _message(version, values, [n for n in meta if n != "resource_name"], meta)


def _check(condition: gaql.Condition, meta: dict[str, FieldInfo]) -> validate.Check:
    return validate.check(condition, meta[condition.field])


def _digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:12]


def _token(offset: int, query: str) -> str:
    # Field pages hold the public catalog, nothing to protect: the offset and the query's digest.
    return f"{offset}:{_digest(query)}"


def _offset(token: str, query: str) -> int:
    if not token:
        return 0
    offset, _, digest = token.partition(":")
    if not offset.isdigit() or digest != _digest(query):
        raise request_error("INVALID_PAGE_TOKEN", "Next page token specified in user request is invalid.")
    return int(offset)


__all__ = ["get", "search"]
