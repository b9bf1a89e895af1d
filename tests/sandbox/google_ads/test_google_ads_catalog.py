"""The catalog models exactly what the resources render, in every served version (no sandbox needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ads_kit.sandbox.google_ads import metrics, resources
from ads_kit.sandbox.google_ads.catalog import catalog
from ads_kit.sandbox.google_ads.protos import SERVED_VERSIONS
from ads_kit.sandbox.google_ads.resources import ATTRIBUTES, SPECS, Customer
from ads_kit.sandbox.world import World


def test_every_declared_attribute_is_rendered_and_nothing_else() -> None:
    world = World(7, now=datetime(2026, 11, 25, 15, 30, tzinfo=UTC))
    rendered: dict[str, set[str]] = {name: set() for name in SPECS}
    for account in world.accounts("google_ads"):
        customer = Customer(account)
        for resource in SPECS:
            for entity in resources.entities(resource, customer, world, {"campaign"}):
                rendered[resource] |= set(resources.attributes(entity, resource, customer))
    declared = {name: {f"{name}.{a}" for a in attributes} for name, attributes in ATTRIBUTES.items()}
    assert rendered == declared


@pytest.mark.parametrize("version", SERVED_VERSIONS)
def test_each_version_serves_the_same_fields_from_its_own_descriptors(version: str) -> None:
    fields = catalog(version).fields
    assert {n for n, f in fields.items() if f.modelled} == {
        n for n, f in catalog("v26").fields.items() if f.modelled
    }
    assert (
        fields["campaign.status"].type_url
        == f"google.ads.googleads.{version}.enums.CampaignStatusEnum.CampaignStatus"
    )
    kinds = {
        name: fields[name].data_type
        for name in ("segments.date", "campaign.start_date_time", "segments.hour")
    }
    assert kinds == {"segments.date": "DATE", "campaign.start_date_time": "DATE", "segments.hour": "INT32"}
    assert (
        fields["ad_group.campaign"].data_type == fields["ad_group.resource_name"].data_type == "RESOURCE_NAME"
    )
    assert {m for m in fields if m.startswith("metrics.") and fields[m].modelled} == set(metrics.METRICS)
    assert catalog(version).get("campaign.start_date") is None  # gone since v23 (reference §1.3)
