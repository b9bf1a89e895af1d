"""The field catalog: what `GoogleAdsFieldService` serves and what queries are validated against.

Names, data types, enum values, repetition and type URLs come from the version's own `GoogleAdsRow`
descriptors (reference §2.5: "partial metadata can be synthesized from descriptors"); which fields
exist at all is the descriptors' word too, so a field renamed or removed in a version is unknown
in it (`campaign.start_date` since v23, §1.3). `selectable_with` cannot come from the protos and
there is no recorded snapshot of Google's catalog to serve (§2.5), so it is computed from the
sandbox's own rules (`metrics`): the catalog lists exactly what the sandbox can answer.

A field that exists in Google's API but that the world does not model (`metrics.video_trueview_views`)
is not in the catalog; a query naming it is refused (`validate`), never answered with a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

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
}
# Date-valued strings (reference §2.5's data_type table): the period segments and *_date_time fields.
_DATE_FIELDS = frozenset({"segments.date", "segments.week", "segments.month", "segments.quarter"})


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
    selectable_with: tuple[str, ...] = ()
    attribute_resources: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    path: tuple[str, ...] = ()  # attribute names from GoogleAdsRow ("ad_group_ad", "ad", "type_")
    enum_numbers: tuple[int, ...] = ()

    @property
    def resource(self) -> str:
        """The resource (or `segments`/`metrics`) the field belongs to."""
        return self.name.split(".", 1)[0]


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
        singular_message = found.type == FieldDescriptor.TYPE_MESSAGE and not _repeated(found)
        message = found.message_type if singular_message else None
    if len(parts) == 1:
        return tuple(path), None
    if leaf is not None and leaf.type == FieldDescriptor.TYPE_MESSAGE and not _repeated(leaf):
        return None  # a message is not a field: its fields are (GAQL names leaves only)
    return tuple(path), leaf


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


class Catalog:
    """The served fields of one API version."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.row = protos(version).row_descriptor
        # Every resource Google has in this version (a GoogleAdsRow message field but metrics/segments).
        self.google_resources = frozenset(
            f.name for f in self.row.fields if f.type == FieldDescriptor.TYPE_MESSAGE
        ) - {"metrics", "segments"}
        self.fields: dict[str, FieldInfo] = {}
        for resource in SPECS:
            self.fields[resource] = self._resource(resource)
            for attribute in ATTRIBUTES[resource]:
                self._add(f"{resource}.{attribute}", "ATTRIBUTE")
        for segment in m.SEGMENTS:
            self._add(segment, "SEGMENT")
        for metric in m.METRICS:
            self._add(metric, "METRIC")

    def known(self, name: str) -> bool:
        """Whether Google's API has the field in this version (served or not)."""
        return resolve(self.row, name) is not None

    def get(self, name: str) -> FieldInfo | None:
        return self.fields.get(name)

    def _resource(self, name: str) -> FieldInfo:
        spec = SPECS[name]
        message = self.row.fields_by_name[name].message_type
        segments = tuple(s for s in m.SEGMENTS if spec.metrics and m.segment_allowed(s, spec.view))
        return FieldInfo(
            name,
            "RESOURCE",
            "MESSAGE",
            type_url=message.full_name,
            selectable=False,
            filterable=False,
            sortable=False,
            selectable_with=tuple(r for r, other in SPECS.items() if name in other.attribute_resources),
            attribute_resources=spec.attribute_resources,
            metrics=m.METRICS if spec.metrics else (),
            segments=segments,
            path=(name,),
        )

    def _add(self, name: str, category: str) -> None:
        resolved = resolve(self.row, name)
        if resolved is None or resolved[1] is None:
            raise ValueError(f"{self.version} has no field {name!r}: the sandbox's catalog is out of date")
        path, leaf = resolved
        repeated = _repeated(leaf)
        data_type = _SCALAR[leaf.type]
        if (
            name.endswith(".resource_name")
            or name in RESOURCE_NAME_FIELDS
            or name == "segments.conversion_action"
        ):
            data_type = "RESOURCE_NAME"
        elif name in _DATE_FIELDS or name.endswith("_date_time"):
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
        self.fields[name] = FieldInfo(
            name,
            category,
            data_type,
            is_repeated=repeated,
            enum_values=enum_values,
            type_url=type_url,
            filterable=not message,
            # Lists, messages and resource names have no order to sort by.
            sortable=not (repeated or message or data_type == "RESOURCE_NAME"),
            selectable_with=self._selectable_with(name, category),
            path=path,
            enum_numbers=enum_numbers,
        )

    def _selectable_with(self, name: str, category: str) -> tuple[str, ...]:
        """Resources the field can be queried from, then the segments and metrics it goes with."""
        if category == "ATTRIBUTE":
            owner = name.split(".", 1)[0]
            resources = [r for r, s in SPECS.items() if r == owner or owner in s.attribute_resources]
            spec = SPECS[owner]
            with_segments = [s for s in m.SEGMENTS if spec.metrics and m.segment_allowed(s, spec.view)]
            with_metrics = list(m.METRICS) if spec.metrics else []
            return (*resources, *with_segments, *with_metrics)
        if category == "SEGMENT":
            resources = [r for r, s in SPECS.items() if s.metrics and m.segment_allowed(name, s.view)]
            others = [s for s in m.SEGMENTS if s != name and m.segments_compatible(name, s, None)]
            with_metrics = [x for x in m.METRICS if m.segment_with_metric(name, x)]
            return (*resources, *others, *with_metrics)
        resources = [r for r, s in SPECS.items() if s.metrics]
        with_segments = [s for s in m.SEGMENTS if m.segment_with_metric(s, name)]
        return (*resources, *with_segments)


@cache
def catalog(version: str) -> Catalog:
    return Catalog(version)


__all__ = ["Catalog", "FieldInfo", "catalog", "resolve"]
