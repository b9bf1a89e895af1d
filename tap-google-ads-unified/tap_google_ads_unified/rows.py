"""GoogleAdsRow messages (raw protobuf: ``use_proto_plus=False``) -> plain values, one reader per
GAQL field, compiled once from the API version's own descriptors.

Enums leave as their names, int64 as int, doubles as Decimal of their shortest repr (never a binary
expansion), optional fields Google left unset as None, repeated fields as lists. The same descriptors
give each field's JSON Schema type, so a custom report's schema follows from its query.
"""

from __future__ import annotations

import importlib
import operator
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from singer_sdk import typing as th

Reader = Callable[[Message], Any]
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


def _double(value: float) -> Decimal:
    return Decimal(repr(value))


@cache
def reader(version: str, path: str) -> Reader:
    chain = _fields(version, path)
    leaf = chain[-1]
    parent: Reader = (
        operator.attrgetter(".".join(f.name for f in chain[:-1])) if len(chain) > 1 else (lambda r: r)
    )
    name = leaf.name
    convert: Callable[[Any], Any] | None = None
    if leaf.enum_type is not None:
        names = {value.number: value.name for value in leaf.enum_type.values}
        convert = names.__getitem__
    elif leaf.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        convert = _double
    elif leaf.message_type is not None:
        raise UnknownField(path)  # a whole message: select its fields instead
    if _repeated(leaf):
        if convert is None:
            return lambda row: list(getattr(parent(row), name))
        return lambda row: [convert(v) for v in getattr(parent(row), name)]
    if leaf.has_presence:
        if convert is None:
            return lambda row: getattr(p, name) if (p := parent(row)).HasField(name) else None
        return lambda row: convert(getattr(p, name)) if (p := parent(row)).HasField(name) else None
    if convert is None:
        return lambda row: getattr(parent(row), name)
    return lambda row: convert(getattr(parent(row), name))


@cache
def record_reader(
    version: str, requested: tuple[str, ...], sent: tuple[str, ...]
) -> Callable[[Message], dict[str, Any]]:
    """A row -> record function: the fields as sent (``sent``, the version's spelling) under the
    columns of the fields as requested."""
    pairs = [(column(want), reader(version, got)) for want, got in zip(requested, sent, strict=True)]

    def read(row: Message) -> dict[str, Any]:
        return {name: read_field(row) for name, read_field in pairs}

    return read


def json_type(version: str, path: str) -> th.JSONTypeHelper:
    """The JSON Schema type of a GAQL field's column."""
    leaf = _fields(version, path)[-1]
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
