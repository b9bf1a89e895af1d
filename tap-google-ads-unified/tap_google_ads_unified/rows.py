"""GoogleAdsRow messages (raw protobuf: ``use_proto_plus=False``) -> plain values, one reader per
GAQL field, compiled once from the API version's own descriptors.

Enums leave as their names, int64 as int, doubles as float (JSON writes their shortest repr, the
exact text Google's double stands for; the unified adapter reads them as Decimal of that repr),
optional fields Google left unset as None, repeated fields as lists. The same descriptors
give each field's JSON Schema type, so a custom report's schema follows from its query.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from singer_sdk import typing as th

from ads_kit.resilience.versions import map_fields

PLATFORM = "google_ads"
DATE_SEGMENTS = frozenset({"segments.date", "segments.week", "segments.month", "segments.quarter"})


class UnknownField(ValueError):
    """A GAQL field the API version's GoogleAdsRow does not have."""

    def __init__(self, path: str) -> None:
        self.field = path
        super().__init__(f"{path}: not a field of GoogleAdsRow")


def column(path: str) -> str:
    """The record column of a GAQL field: ``campaign.id`` -> ``campaign_id``; metrics and segments
    lose their prefix (``metrics.cost_micros`` -> ``cost_micros``, ``segments.date`` -> ``date``)."""
    head, _, rest = path.partition(".")
    return (rest if head in ("metrics", "segments") else path).replace(".", "_")


@cache
def row_descriptor(version: str) -> Descriptor:
    module = importlib.import_module(f"google.ads.googleads.{version}.services.types.google_ads_service")
    descriptor: Descriptor = module.GoogleAdsRow.pb().DESCRIPTOR
    return descriptor


def _fields(version: str, path: str) -> list[FieldDescriptor]:
    """The descriptors along a GAQL path (``ad_group_ad.ad.type`` is the message field ``type_``)."""
    descriptor: Descriptor | None = row_descriptor(version)
    chain = []
    for part in path.split("."):
        if descriptor is None:
            raise UnknownField(path)
        field = descriptor.fields_by_name.get(part) or descriptor.fields_by_name.get(f"{part}_")
        if field is None:
            raise UnknownField(path)
        chain.append(field)
        descriptor = field.message_type
    return chain


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _expression(version: str, path: str, parents: dict[str, str], names: dict[str, Any]) -> str:
    """The Python expression reading one field of ``row`` (its parent message bound once per row)."""
    chain = _fields(version, path)
    leaf = chain[-1]
    if leaf.message_type is not None:
        raise UnknownField(path)  # a whole message: select its fields instead
    parent_path = ".".join(f.name for f in chain[:-1])
    parent = parents.setdefault(parent_path, f"p{len(parents)}") if parent_path else "row"
    value = f"{parent}.{leaf.name}"
    convert = ""
    if leaf.enum_type is not None:
        convert = f"e{len(names)}"
        names[convert] = {v.number: v.name for v in leaf.enum_type.values}
    if _repeated(leaf):
        return f"[{convert}[v] for v in {value}]" if convert else f"list({value})"
    read = f"{convert}[{value}]" if convert else value
    if leaf.has_presence:
        return f"({read} if {parent}.HasField({leaf.name!r}) else None)"
    return read


@cache
def record_reader(
    version: str, requested: tuple[str, ...], sent: tuple[str, ...]
) -> Callable[[Message], dict[str, Any]]:
    """A row -> record function: the fields as sent (``sent``, the version's spelling) under the
    columns of the fields as requested.

    It is compiled from the query's fields into one function (each parent message read once, enum
    tables bound as constants): this runs for every row of every report, and one call per field
    doubled the tap's time per record.
    """
    parents: dict[str, str] = {}
    names: dict[str, Any] = {}
    items = [
        f"{column(want)!r}: {_expression(version, got, parents, names)}"
        for want, got in zip(requested, sent, strict=True)
    ]
    bound = [f"    {name} = row.{path}" for path, name in parents.items()]
    source = "\n".join(["def read(row):", *bound, f"    return {{{', '.join(items)}}}"])
    namespace: dict[str, Any] = dict(names)
    exec(compile(source, f"<record reader {version}>", "exec"), namespace)
    read: Callable[[Message], dict[str, Any]] = namespace["read"]
    return read


def json_type(version: str, path: str) -> th.JSONTypeHelper:
    """The JSON Schema type of a GAQL field's column; a field another version names differently
    (``campaign.start_date`` before v23) is typed as this version spells it (the shared field map)."""
    leaf = _fields(version, map_fields(PLATFORM, version, [path])[0])[-1]
    kind: th.JSONTypeHelper
    if path in DATE_SEGMENTS:
        kind = th.DateType()
    elif leaf.type == FieldDescriptor.TYPE_BOOL:
        kind = th.BooleanType()
    elif leaf.enum_type is None and leaf.cpp_type in (
        FieldDescriptor.CPPTYPE_INT32,
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT32,
        FieldDescriptor.CPPTYPE_UINT64,
    ):
        kind = th.IntegerType()
    elif leaf.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        kind = th.NumberType()
    else:
        kind = th.StringType()
    return th.ArrayType(kind) if _repeated(leaf) else kind
