"""Rows as the version's own `GoogleAdsRow` messages, the field mask and the summary row.

The field mask is the selected fields in SELECT order, named as in GAQL (the docs' REST example
``"fieldMask": "adGroupCriterion.keyword.text,adGroupCriterion.status"``:
docs_search_pagination_request_response.txt). Beside the selected fields every row carries the
resource_name of the FROM resource and of each resource a selected field belongs to (the REST
example rows show ``"customer": {"resourceName": …, "id": …}`` for `customer.id` FROM campaign,
reference §3.2), unless ``PARAMETERS omit_unselected_resource_names=true`` (§2.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from google.protobuf import field_mask_pb2
from google.protobuf.message import Message

from ads_kit.sandbox.google_ads import metrics as m
from ads_kit.sandbox.google_ads.catalog import Catalog, FieldInfo
from ads_kit.sandbox.google_ads.engine import Row
from ads_kit.sandbox.google_ads.protos import Protos
from ads_kit.sandbox.google_ads.validate import Plan
from ads_kit.sandbox.world import Account

Setter = Callable[[Message, Any], None]


def _setter(info: FieldInfo) -> Setter:
    parents, leaf = info.path[:-1], info.path[-1]
    numbers = dict(zip(info.enum_values, info.enum_numbers, strict=True)) if info.enum_values else None

    def convert(value: Any) -> Any:
        return numbers[value] if numbers is not None else value

    def set_value(message: Message, value: Any) -> None:
        for name in parents:
            message = getattr(message, name)
        if info.is_repeated:
            getattr(message, leaf).extend(convert(v) for v in value)
        else:
            setattr(message, leaf, convert(value))

    return set_value


class RowWriter:
    """Writes a plan's rows into one version's messages."""

    def __init__(self, protos: Protos, catalog: Catalog, plan: Plan) -> None:
        self.protos = protos
        self.plan = plan
        self.mask = field_mask_pb2.FieldMask(paths=[info.name for info in plan.select])
        names = [info.name for info in plan.select]
        if not plan.omit_unselected_resource_names:
            owners = [plan.resource, *(i.resource for i in plan.select if i.category == "ATTRIBUTE")]
            names += [f"{owner}.resource_name" for owner in dict.fromkeys(owners)]
        # Every resource has a resource_name, the constants' too (a test walks them all).
        self._setters = [(name, _setter(catalog.fields[name])) for name in dict.fromkeys(names)]
        self._metric_setters = [(i, _setter(i)) for i in plan.metrics]

    def row(self, row: Row) -> Message:
        message = self.protos.row()
        values = row.values
        for name, set_value in self._setters:
            value = values.get(name)
            if value is not None and value != []:
                set_value(message, value)
        return message

    def rows(self, rows: Sequence[Row]) -> list[Message]:
        return [self.row(row) for row in rows]

    def summary(self, rows: Sequence[Row], account: Account) -> Message:
        """The metrics summed over the rows (rates from the sums), nothing else set."""
        parts = [r.totals for r in rows if r.totals is not None]
        totals = m.Totals(
            account,
            sum(t.impressions for t in parts),
            sum(t.clicks for t in parts),
            sum(t.spend_minor for t in parts),
            sum(t.conversions for t in parts),
            sum(t.value_minor for t in parts),
        )
        message = self.protos.row()
        for info, set_value in self._metric_setters:
            value = m.value(info.name, info.data_type, totals)
            if value is not None:
                set_value(message, value)
        return message


__all__ = ["RowWriter"]
