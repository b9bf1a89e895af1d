"""The field catalog: what `GoogleAdsFieldService` serves and what queries are validated against.

Every field is the installed client's: the resources are the version's `GoogleAdsRow` message
fields (but `metrics` and `segments`), and a resource's, `segments`' and `metrics`' fields are
their messages' fields, nested singular messages walked through (`campaign.network_settings.
target_google_search`; a message is a field too, `leaves`). Reference §2.5: names, data types,
enum values, repetition and type URLs "can be synthesized from descriptors". A field renamed or
removed in a version is unknown in it (`campaign.start_date` since v23, §1.3) and a query naming
it gets UNRECOGNIZED_FIELD.

Compatibility (`selectable_with`, `attribute_resources`) is not in the protos (§2.5) and there is
no recording of Google's catalog to serve, so it is derived, and where the world answers a query it
follows the sandbox's own rules (`metrics`, `resources.SPECS`):

* a resource's attribute resources are the resources it names, followed to the end: by a field
  (`ad_group.campaign` names `campaign`) or in its resource name, as the client's path helper
  spells it (`keyword_view_path(customer_id, ad_group_id, criterion_id)`: customer, ad group); the
  world's resources add what `SPECS` lists;
* the world's segments and metrics go with the world's report resources as `metrics` says; a
  segment the world cannot split by is refused on them (`validate`), a metric the world has no
  activity for is zero (`metrics.value`);
* resources the world does not model (labels, assets, keywords, constants, …) have no rows; what
  goes with them is not on record, so the sandbox accepts every metric and segment with them (an
  assumption: such a query is answered with no rows rather than guessed wrong);
* `selectable_with` is filled on resources, segments and metrics only, as Google fills it (the
  field-service guide); an attribute's compatibility is its resource's;
* the incompatibilities the reference records are kept everywhere: conversion-only segments with
  other metrics (`metrics.CONVERSION_ONLY_SEGMENTS`), and the rules of one resource (`validate`:
  `metrics.top_impression_percentage` FROM customer, click_view one day per query).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from ads_kit.sandbox.google_ads import metrics as m
from ads_kit.sandbox.google_ads.protos import protos
from ads_kit.sandbox.google_ads.resources import ATTRIBUTES, RESOURCE_NAME_FIELDS, SPECS

_SCALAR = {
    FieldDescriptor.TYPE_DOUBLE: "DOUBLE",
    FieldDescriptor.TYPE_FLOAT: "FLOAT",
    FieldDescriptor.TYPE_INT64: "INT64",
    FieldDescriptor.TYPE_INT32: "INT32",
    FieldDescriptor.TYPE_UINT64: "UINT64",
    FieldDescriptor.TYPE_BOOL: "BOOLEAN",
    FieldDescriptor.TYPE_STRING: "STRING",
    FieldDescriptor.TYPE_ENUM: "ENUM",
    FieldDescriptor.TYPE_MESSAGE: "MESSAGE",
    FieldDescriptor.TYPE_BYTES: "STRING",
}
# Date-valued strings (reference §2.5's data_type table): the period segments and *_date_time fields.
_DATE_FIELDS = frozenset({"segments.date", "segments.week", "segments.month", "segments.quarter"})
REPORT_MESSAGES = ("segments", "metrics")


@dataclass(frozen=True)
class FieldInfo:
    """One GoogleAdsField, plus the descriptor path the rows are written through."""

    name: str
    category: str  # RESOURCE | ATTRIBUTE | SEGMENT | METRIC
    data_type: str
    is_repeated: bool = False
    enum_values: tuple[str, ...] = ()
    type_url: str = ""
    selectable: bool = True
    filterable: bool = True
    sortable: bool = True
    path: tuple[str, ...] = ()  # attribute names from GoogleAdsRow ("ad_group_ad", "ad", "type_")
    enum_numbers: tuple[int, ...] = ()
    modelled: bool = False  # whether the world gives it values (else unset, or zero for a metric)

    @property
    def resource(self) -> str:
        """The resource (or `segments`/`metrics`) the field belongs to."""
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Relations:
    """A field's GoogleAdsField lists: what it goes with."""

    selectable_with: tuple[str, ...] = ()
    attribute_resources: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()


def resolve(row: Descriptor, name: str) -> tuple[tuple[str, ...], FieldDescriptor | None] | None:
    """The descriptor path of a GAQL name (`type` is `type_` in the descriptors, reference §2.1),
    or None when the version has no such field. A bare resource resolves with no leaf."""
    parts = name.split(".")
    path: list[str] = []
    message: Descriptor | None = row
    leaf: FieldDescriptor | None = None
    for part in parts:
        if message is None:
            return None
        found = message.fields_by_name.get(part) or message.fields_by_name.get(part + "_")
        if found is None:
            return None
        path.append(found.name)
        leaf = found
        message = found.message_type if _singular_message(found) else None
    if len(parts) == 1:
        return tuple(path), None
    return tuple(path), leaf


def _singular_message(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated


def gaql_name(field: FieldDescriptor) -> str:
    """A descriptor field's GAQL name: proto-plus adds `_` to Python keywords (`type_`, §2.1)."""
    return field.name[:-1] if field.name.endswith("_") else field.name


def leaves(message: Descriptor, prefix: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """The GAQL names of a message's fields, nested singular messages walked through. A nested
    message is a field too: Google's own examples select whole messages (`change_event.old_resource`,
    `recommendation.keyword_recommendation`: gaql_examples_official_python_examples.txt)."""
    names: list[str] = []
    for field in message.fields:
        name = f"{prefix}.{gaql_name(field)}"
        names.append(name)
        if _singular_message(field):
            nested = field.message_type
            # A message holding itself has no finite leaves there; protobuf's own types (a
            # FieldMask's paths) are values, not Google Ads fields.
            if nested.full_name not in seen and not nested.full_name.startswith("google.protobuf."):
                names += leaves(nested, name, seen | {message.full_name})
    return names


class Catalog:
    """The fields of one API version."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.row = protos(version).row_descriptor
        self.resources = tuple(
            f.name for f in self.row.fields if _singular_message(f) and f.name not in REPORT_MESSAGES
        )
        served = {f"{r}.{a}" for r, attributes in ATTRIBUTES.items() for a in attributes}
        served |= {*m.SEGMENTS, *m.METRICS, *SPECS}
        names = self._names()
        missing = served - names
        if missing:
            raise ValueError(f"{version} has no field {sorted(missing)[0]!r}: the sandbox is out of date")
        self.fields: dict[str, FieldInfo] = {}
        for resource in self.resources:
            self.fields[resource] = self._resource(resource)
        for name in sorted(names - set(self.resources)):  # sorted: the field service's order is stable
            category = {"segments": "SEGMENT", "metrics": "METRIC"}.get(name.split(".", 1)[0], "ATTRIBUTE")
            self.fields[name] = self._field(name, category, name in served)

    def _names(self) -> set[str]:
        names = set(self.resources)
        for top in (*self.resources, *REPORT_MESSAGES):
            names.update(leaves(self.row.fields_by_name[top].message_type, top))
        return names

    def get(self, name: str) -> FieldInfo | None:
        return self.fields.get(name)

    def _resource(self, name: str) -> FieldInfo:
        message = self.row.fields_by_name[name].message_type
        return FieldInfo(
            name,
            "RESOURCE",
            "MESSAGE",
            type_url=message.full_name,
            selectable=False,
            filterable=False,
            sortable=False,
            path=(name,),
            modelled=name in SPECS,
        )

    def _field(self, name: str, category: str, modelled: bool) -> FieldInfo:
        resolved = resolve(self.row, name)
        assert resolved is not None and resolved[1] is not None, name
        path, leaf = resolved
        data_type = _SCALAR[leaf.type]
        if data_type == "STRING" and self._names_a_resource(name):
            data_type = "RESOURCE_NAME"
        elif data_type == "STRING" and (name in _DATE_FIELDS or name.endswith("_date_time")):
            data_type = "DATE"
        enum_values: tuple[str, ...] = ()
        enum_numbers: tuple[int, ...] = ()
        type_url = ""
        if leaf.type == FieldDescriptor.TYPE_ENUM:
            enum_values = tuple(v.name for v in leaf.enum_type.values)
            enum_numbers = tuple(v.number for v in leaf.enum_type.values)
            type_url = leaf.enum_type.full_name
        elif leaf.type == FieldDescriptor.TYPE_MESSAGE:
            type_url = leaf.message_type.full_name
        message = leaf.type == FieldDescriptor.TYPE_MESSAGE
        return FieldInfo(
            name,
            category,
            data_type,
            is_repeated=bool(leaf.is_repeated),
            enum_values=enum_values,
            type_url=type_url,
            filterable=not message,
            # Lists, messages and resource names have no order to sort by.
            sortable=not (leaf.is_repeated or message or data_type == "RESOURCE_NAME"),
            path=path,
            enum_numbers=enum_numbers,
            modelled=modelled,
        )

    def _names_a_resource(self, name: str) -> bool:
        leaf = name.rsplit(".", 1)[1]
        return (
            leaf == "resource_name"
            or name in RESOURCE_NAME_FIELDS
            or name == "segments.conversion_action"
            or ("." not in name.split(".", 1)[1] and leaf in self.resources)
        )

    # -- compatibility ---------------------------------------------------------------------------
    @cached_property
    def _references(self) -> dict[str, frozenset[str]]:
        """Resource -> the resources it names: by a field (`ad_group.campaign`) or in its resource
        name (`keyword_view_path(customer_id, ad_group_id, criterion_id)`)."""
        classes = protos(self.version)
        found: dict[str, frozenset[str]] = {}
        for resource in self.resources:
            message = self.row.fields_by_name[resource].message_type
            fields = {f.name for f in message.fields if f.type == FieldDescriptor.TYPE_STRING}
            under = {p.removesuffix("_id") for p in classes.path_parameters(resource)}
            found[resource] = frozenset(((fields | under) & set(self.resources)) - {resource})
        return found

    @cache  # noqa: B019 - one catalog per version, kept for the process
    def attribute_resources(self, resource: str) -> tuple[str, ...]:
        """The resources whose attributes a query FROM `resource` may select."""
        found: set[str] = set()
        pending = [*(SPECS[resource].attribute_resources if resource in SPECS else ()), resource]
        while pending:
            other = pending.pop()
            if other not in found:
                found.add(other)
                pending.extend(self._references[other])
        found.discard(resource)
        return tuple(sorted(found))

    def takes_metrics(self, resource: str) -> bool:
        """Whether metrics (and segments) may be selected FROM `resource`."""
        return SPECS[resource].metrics if resource in SPECS else True

    def segment_allowed(self, segment: str, resource: str) -> bool:
        if resource not in SPECS:
            return True
        spec = SPECS[resource]
        return spec.metrics and segment in m.SPLIT and m.segment_allowed(segment, spec.view)

    @cache  # noqa: B019 - one catalog per version, kept for the process
    def _all(self, category: str) -> tuple[str, ...]:
        return tuple(sorted(n for n, f in self.fields.items() if f.category == category))

    @cache  # noqa: B019 - one catalog per version, kept for the process
    def relations(self, name: str) -> Relations:
        """The GoogleAdsField lists of one field (computed when asked: thousands of fields)."""
        info = self.fields[name]
        segments, metrics = self._all("SEGMENT"), self._all("METRIC")
        if info.category == "RESOURCE":
            takes = self.takes_metrics(name)
            return Relations(
                selectable_with=tuple(r for r in self.resources if name in self.attribute_resources(r)),
                attribute_resources=self.attribute_resources(name),
                metrics=metrics if takes else (),
                segments=tuple(s for s in segments if self.segment_allowed(s, name)),
            )
        if info.category == "ATTRIBUTE":
            # Google fills `selectable_with` on resources, segments and metrics only (field-service
            # docs; singer-io's discovery skips attributes). Listing every resource, segment and
            # metric on each of ~8,000 attributes made the whole catalog 181 MB, past gRPC's cap.
            return Relations()
        if info.category == "SEGMENT":
            resources = [r for r in self.resources if self.segment_allowed(name, r)]
            others = [s for s in segments if s != name and m.segments_compatible(name, s, None)]
            with_metrics = [x for x in metrics if m.segment_with_metric(name, x)]
            return Relations((*resources, *others, *with_metrics))
        resources = [r for r in self.resources if self.takes_metrics(r)]
        with_segments = [s for s in segments if m.segment_with_metric(s, name)]
        return Relations((*resources, *with_segments))


@cache
def catalog(version: str) -> Catalog:
    return Catalog(version)


__all__ = ["Catalog", "FieldInfo", "Relations", "catalog", "gaql_name", "leaves", "resolve"]
