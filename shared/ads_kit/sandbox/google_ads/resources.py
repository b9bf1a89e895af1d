"""The resources served, what each row of them is, and their attribute values from the world.

A FROM resource yields `Entity` rows: the objects of the row for the FROM resource and for each of
its attribute resources (an ad group ad's ad group, campaign, budget and customer), and the ads whose
metrics make the row. Attributes are rendered per resource as GAQL paths to Python values (enum
names, ints, strings, resource names); a field the sandbox does not model is not rendered, and the
catalog (`catalog`) serves exactly the rendered fields, so no field is ever filled with a default.

Report views have no entity of their own in the world: an age range or gender view row is an ad
group's demographic criterion (every ad group targets every value of the world's vocabulary), a
geographic or user location view row a country the account serves, at the grain of the finest
attribute resource the query names (customer, campaign or ad group), as Google segments rows by
the selected resources (reference §2.1: "rows are implicitly segmented by the FROM resource").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ads_kit.sandbox.google_ads import wire
from ads_kit.sandbox.world import DIMENSIONS, Account, Ad, AdGroup, Audience, Campaign, ConversionEvent, World


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer a call reads: a world account, or the sandbox's manager over them."""

    account: Account
    manager: bool = False
    clients: tuple[Account, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientLink:
    owner: Account
    client: Account
    level: int
    manager: bool


@dataclass(frozen=True, slots=True)
class Criterion:
    """A demographic criterion of an ad group (age range or gender)."""

    ad_group: AdGroup
    dimension: str  # age | gender
    value: str  # the world's vocabulary

    @property
    def id(self) -> int:
        ids = wire.AGE_CRITERION_ID if self.dimension == "age" else wire.GENDER_CRITERION_ID
        return ids[self.value]


@dataclass(frozen=True, slots=True)
class Country:
    """A country of a geographic or user location view row."""

    code: str

    @property
    def id(self) -> int:
        return wire.country_criterion_id(self.code)


@dataclass(frozen=True, slots=True)
class Entity:
    objects: dict[str, Any]  # resource -> object, for the FROM resource and its attribute resources
    ads: tuple[Ad, ...]  # the ads whose metrics make the row
    split: tuple[str, str] | None = None  # a view's own breakdown: (dimension, value)


# The attributes each resource renders: what the catalog serves (a test holds the renderers to it).
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "customer": (
        "resource_name",
        "id",
        "descriptive_name",
        "currency_code",
        "time_zone",
        "manager",
        "test_account",
        "status",
    ),
    "customer_client": (
        "resource_name",
        "client_customer",
        "level",
        "manager",
        "hidden",
        "descriptive_name",
        "currency_code",
        "time_zone",
        "id",
        "status",
        "test_account",
        "applied_labels",
    ),
    "campaign": (
        "resource_name",
        "id",
        "name",
        "status",
        "advertising_channel_type",
        "start_date_time",
        "end_date_time",
        "campaign_budget",
    ),
    "campaign_budget": (
        "resource_name",
        "id",
        "amount_micros",
        "total_amount_micros",
        "period",
        "status",
        "explicitly_shared",
        "reference_count",
    ),
    "ad_group": ("resource_name", "id", "name", "status", "campaign"),
    "ad_group_ad": ("resource_name", "status", "ad_group", "ad.resource_name", "ad.id", "ad.name"),
    "ad_group_criterion": (
        "resource_name",
        "criterion_id",
        "ad_group",
        "type",
        "status",
        "negative",
        "age_range.type",
        "gender.type",
    ),
    "age_range_view": ("resource_name",),
    "gender_view": ("resource_name",),
    "geographic_view": ("resource_name", "country_criterion_id", "location_type"),
    "user_location_view": ("resource_name", "country_criterion_id", "targeting_location"),
    "user_list": (
        "resource_name",
        "id",
        "name",
        "type",
        "membership_status",
        "size_for_display",
        "size_for_search",
        "lookalike_user_list.seed_user_list_ids",
        "lookalike_user_list.country_codes",
    ),
    "conversion_action": (
        "resource_name",
        "id",
        "name",
        "status",
        "category",
        "primary_for_goal",
        "include_in_conversions_metric",
        "click_through_lookback_window_days",
    ),
}
# Fields whose values are resource names (GoogleAdsField data_type RESOURCE_NAME), beside every
# resource_name: the descriptors hold them as plain strings.
RESOURCE_NAME_FIELDS = frozenset(
    {
        "customer_client.client_customer",
        "campaign.campaign_budget",
        "ad_group.campaign",
        "ad_group_ad.ad_group",
        "ad_group_criterion.ad_group",
    }
)


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    name: str
    attribute_resources: tuple[str, ...]
    metrics: bool  # whether metrics (and report segments) can be selected
    view: str | None = None  # the world dimension a report view splits by (its rows' own key)


# The resources above an ad group, whose attributes its criteria and views carry.
_CRITERION_RESOURCES = ("customer", "campaign", "campaign_budget", "ad_group")
SPECS = {
    spec.name: spec
    for spec in (
        ResourceSpec("customer", (), metrics=True),
        ResourceSpec("customer_client", ("customer",), metrics=False),
        ResourceSpec("campaign", ("customer", "campaign_budget"), metrics=True),
        ResourceSpec("campaign_budget", ("customer",), metrics=False),
        ResourceSpec("ad_group", ("customer", "campaign", "campaign_budget"), metrics=True),
        ResourceSpec("ad_group_ad", ("customer", "campaign", "campaign_budget", "ad_group"), metrics=True),
        ResourceSpec(
            "ad_group_criterion", ("customer", "campaign", "campaign_budget", "ad_group"), metrics=False
        ),
        ResourceSpec("age_range_view", (*_CRITERION_RESOURCES, "ad_group_criterion"), True, view="age"),
        ResourceSpec("gender_view", (*_CRITERION_RESOURCES, "ad_group_criterion"), True, view="gender"),
        ResourceSpec("geographic_view", _CRITERION_RESOURCES, True, view="country"),
        ResourceSpec("user_location_view", _CRITERION_RESOURCES, True, view="country"),
        ResourceSpec("user_list", ("customer",), metrics=False),
        ResourceSpec("conversion_action", ("customer",), metrics=False),
    )
}


def _rn(account: Account, collection: str, *ids: object) -> str:
    return f"customers/{account.id}/{collection}/{'~'.join(map(str, ids))}"


def _customer(account: Account, customer: Customer) -> dict[str, Any]:
    return {
        "customer.resource_name": wire.customer_name(account.id),
        "customer.id": int(account.id),
        "customer.descriptive_name": account.name,
        "customer.currency_code": account.currency,
        "customer.time_zone": account.timezone,
        "customer.manager": customer.manager,
        # The world's accounts serve ads: none is a test account (reference §4.5).
        "customer.test_account": False,
        "customer.status": "ENABLED",
    }


def _customer_client(link: ClientLink, customer: Customer) -> dict[str, Any]:
    client = link.client
    return {
        "customer_client.resource_name": _rn(link.owner, "customerClients", client.id),
        "customer_client.client_customer": wire.customer_name(client.id),
        "customer_client.level": link.level,
        "customer_client.manager": link.manager,
        "customer_client.hidden": False,  # the world hides no account
        "customer_client.descriptive_name": client.name,
        "customer_client.currency_code": client.currency,
        "customer_client.time_zone": client.timezone,
        "customer_client.id": int(client.id),
        "customer_client.status": "ENABLED",
        "customer_client.test_account": False,
        "customer_client.applied_labels": [],  # the world has no labels
    }


def _campaign(campaign: Campaign, customer: Customer) -> dict[str, Any]:
    account = customer.account
    values = {
        "campaign.resource_name": _rn(account, "campaigns", campaign.id),
        "campaign.id": int(campaign.id),
        "campaign.name": campaign.name,
        "campaign.status": wire.ENTITY_STATUS[campaign.status],
        "campaign.advertising_channel_type": wire.CHANNEL_TYPE[campaign.objective],
        "campaign.start_date_time": wire.date_time(campaign.start_date),
        # Google budgets live on campaigns: one budget per campaign, sharing the campaign's id.
        "campaign.campaign_budget": _rn(account, "campaignBudgets", campaign.id),
    }
    if campaign.end_date is not None:
        values["campaign.end_date_time"] = wire.date_time(campaign.end_date, end=True)
    return values


def _campaign_budget(campaign: Campaign, customer: Customer) -> dict[str, Any]:
    account = customer.account
    values: dict[str, Any] = {
        "campaign_budget.resource_name": _rn(account, "campaignBudgets", campaign.id),
        "campaign_budget.id": int(campaign.id),
        "campaign_budget.status": "ENABLED",
        "campaign_budget.explicitly_shared": False,
        "campaign_budget.reference_count": 1,
    }
    if campaign.budget_minor is not None:
        # A daily budget is amount_micros per day; a lifetime budget is total_amount_micros over
        # the campaign's custom period (amount_micros then unset).
        lifetime = campaign.budget_period == "lifetime"
        amount = "total_amount_micros" if lifetime else "amount_micros"
        values[f"campaign_budget.{amount}"] = wire.micros(account, campaign.budget_minor)
        values["campaign_budget.period"] = "CUSTOM_PERIOD" if lifetime else "DAILY"
    return values


def _ad_group(group: AdGroup, customer: Customer) -> dict[str, Any]:
    account = customer.account
    return {
        "ad_group.resource_name": _rn(account, "adGroups", group.id),
        "ad_group.id": int(group.id),
        "ad_group.name": group.name,
        "ad_group.status": wire.ENTITY_STATUS[group.status],
        "ad_group.campaign": _rn(account, "campaigns", group.campaign_id),
    }


def _ad_group_ad(ad: Ad, customer: Customer) -> dict[str, Any]:
    account = customer.account
    return {
        "ad_group_ad.resource_name": _rn(account, "adGroupAds", ad.ad_group_id, ad.id),
        "ad_group_ad.status": wire.ENTITY_STATUS[ad.status],
        "ad_group_ad.ad_group": _rn(account, "adGroups", ad.ad_group_id),
        "ad_group_ad.ad.resource_name": _rn(account, "ads", ad.id),
        "ad_group_ad.ad.id": int(ad.id),
        "ad_group_ad.ad.name": ad.name,
    }


def _ad_group_criterion(criterion: Criterion, customer: Customer) -> dict[str, Any]:
    account, group = customer.account, criterion.ad_group
    values: dict[str, Any] = {
        "ad_group_criterion.resource_name": _rn(account, "adGroupCriteria", group.id, criterion.id),
        "ad_group_criterion.criterion_id": criterion.id,
        "ad_group_criterion.ad_group": _rn(account, "adGroups", group.id),
        "ad_group_criterion.status": "ENABLED",
        "ad_group_criterion.negative": False,
    }
    if criterion.dimension == "age":
        values["ad_group_criterion.type"] = "AGE_RANGE"
        values["ad_group_criterion.age_range.type"] = wire.AGE_RANGE[criterion.value]
    else:
        values["ad_group_criterion.type"] = "GENDER"
        values["ad_group_criterion.gender.type"] = wire.GENDER[criterion.value]
    return values


def _age_range_view(criterion: Criterion, customer: Customer) -> dict[str, Any]:
    rn = _rn(customer.account, "ageRangeViews", criterion.ad_group.id, criterion.id)
    return {"age_range_view.resource_name": rn}


def _gender_view(criterion: Criterion, customer: Customer) -> dict[str, Any]:
    rn = _rn(customer.account, "genderViews", criterion.ad_group.id, criterion.id)
    return {"gender_view.resource_name": rn}


def _geographic_view(country: Country, customer: Customer) -> dict[str, Any]:
    # The world's country breakdown is where people were: LOCATION_OF_PRESENCE.
    return {
        "geographic_view.resource_name": _rn(
            customer.account, "geographicViews", country.id, "LOCATION_OF_PRESENCE"
        ),
        "geographic_view.country_criterion_id": country.id,
        "geographic_view.location_type": "LOCATION_OF_PRESENCE",
    }


def _user_location_view(country: Country, customer: Customer) -> dict[str, Any]:
    # Campaigns target the countries their account serves, so every row's location was targeted.
    return {
        "user_location_view.resource_name": _rn(customer.account, "userLocationViews", country.id, "true"),
        "user_location_view.country_criterion_id": country.id,
        "user_location_view.targeting_location": True,
    }


def _user_list(audience: Audience, customer: Customer) -> dict[str, Any]:
    account = customer.account
    values: dict[str, Any] = {
        "user_list.resource_name": _rn(account, "userLists", audience.id),
        "user_list.id": int(audience.id),
        "user_list.name": audience.name,
        "user_list.type": wire.USER_LIST_TYPE[audience.source],
        # Google lists are closed rather than deleted.
        "user_list.membership_status": "CLOSED" if audience.status == "deleted" else "OPEN",
        "user_list.size_for_display": audience.approximate_size,
        "user_list.size_for_search": audience.approximate_size,
    }
    if audience.source_audience_id is not None:
        # A lookalike of the account's first country (the world names it so: "Lookalike (US, 1%) - …").
        values["user_list.lookalike_user_list.seed_user_list_ids"] = [int(audience.source_audience_id)]
        values["user_list.lookalike_user_list.country_codes"] = [account.countries[0]]
    return values


def _conversion_action(event: ConversionEvent, customer: Customer) -> dict[str, Any]:
    return {
        "conversion_action.resource_name": _rn(customer.account, "conversionActions", event.id),
        "conversion_action.id": int(event.id),
        "conversion_action.name": event.name,
        "conversion_action.status": wire.CONVERSION_STATUS[event.status],
        "conversion_action.category": wire.CONVERSION_CATEGORY[event.event_type],
        "conversion_action.primary_for_goal": event.primary,
        "conversion_action.include_in_conversions_metric": event.primary,
        # The world restates a day's conversions for 30 days: the click-through window.
        "conversion_action.click_through_lookback_window_days": 30,
    }


RENDER: dict[str, Callable[[Any, Customer], dict[str, Any]]] = {
    "customer": _customer,
    "customer_client": _customer_client,
    "campaign": _campaign,
    "campaign_budget": _campaign_budget,
    "ad_group": _ad_group,
    "ad_group_ad": _ad_group_ad,
    "ad_group_criterion": _ad_group_criterion,
    "age_range_view": _age_range_view,
    "gender_view": _gender_view,
    "geographic_view": _geographic_view,
    "user_location_view": _user_location_view,
    "user_list": _user_list,
    "conversion_action": _conversion_action,
}


def attributes(entity: Entity, resource: str, customer: Customer) -> dict[str, Any]:
    """The attributes the world has for one of the row's resources; a resource it does not model
    (the campaign's bidding strategy, …) has none: its fields are unset."""
    found = entity.objects.get(resource)
    return RENDER[resource](found, customer) if found is not None else {}


def entities(resource: str, customer: Customer, world: World, referenced: set[str]) -> Iterator[Entity]:
    """The rows of a FROM resource for one customer; `referenced` names the resources the query's
    fields belong to (the grain of the country views)."""
    account = customer.account
    if resource == "customer":
        yield Entity({"customer": account}, _ads(world, customer))
        return
    if resource == "customer_client":
        yield from _client_links(customer)
        return
    if customer.manager:
        return  # a manager has no campaigns, lists or conversion actions of its own
    campaigns = {c.id: c for c in world.campaigns(account.id)}

    def scope(campaign_id: str, **objects: Any) -> dict[str, Any]:
        # A campaign's budget is the campaign's own (one budget per campaign).
        campaign = campaigns[campaign_id]
        return {"customer": account, "campaign": campaign, "campaign_budget": campaign, **objects}

    if resource in ("campaign", "campaign_budget"):
        for campaign in campaigns.values():
            yield Entity(scope(campaign.id), tuple(world.ads_under(campaign)))
    elif resource == "ad_group":
        for group in world.ad_groups(account.id):
            yield Entity(scope(group.campaign_id, ad_group=group), tuple(world.ads_under(group)))
    elif resource == "ad_group_ad":
        groups = {g.id: g for g in world.ad_groups(account.id)}
        for ad in world.ads(account.id):
            yield Entity(scope(ad.campaign_id, ad_group=groups[ad.ad_group_id], ad_group_ad=ad), (ad,))
    elif resource in ("ad_group_criterion", "age_range_view", "gender_view"):
        dimensions = {"age_range_view": ("age",), "gender_view": ("gender",)}.get(resource, ("age", "gender"))
        for group in world.ad_groups(account.id):
            ads = tuple(world.ads_under(group))
            for dimension in dimensions:
                for value in DIMENSIONS[dimension]:
                    criterion = Criterion(group, dimension, value)
                    scope = {
                        "customer": account,
                        "campaign": campaigns[group.campaign_id],
                        "campaign_budget": campaigns[group.campaign_id],
                        "ad_group": group,
                        "ad_group_criterion": criterion,
                        resource: criterion,
                    }
                    yield Entity(scope, ads, (dimension, value))
    elif resource in ("geographic_view", "user_location_view"):
        yield from _country_rows(resource, customer, world, referenced, campaigns)
    elif resource == "user_list":
        for audience in world.audiences(account.id):
            yield Entity({"customer": account, "user_list": audience}, ())
    elif resource == "conversion_action":
        for event in world.conversion_events(account.id):
            yield Entity({"customer": account, "conversion_action": event}, ())


def _ads(world: World, customer: Customer) -> tuple[Ad, ...]:
    return () if customer.manager else tuple(world.ads_under(customer.account))


def _client_links(customer: Customer) -> Iterator[Entity]:
    """customer_client: the customer itself at level 0, and a manager's clients at level 1."""
    owner = customer.account
    links = [ClientLink(owner, owner, 0, customer.manager)]
    links += [ClientLink(owner, client, 1, False) for client in customer.clients]
    for link in links:
        yield Entity({"customer": owner, "customer_client": link}, ())


def _country_rows(
    resource: str, customer: Customer, world: World, referenced: set[str], campaigns: dict[str, Campaign]
) -> Iterator[Entity]:
    account = customer.account
    grains: list[dict[str, Any]]
    if "ad_group" in referenced:
        grains = [
            {"campaign": campaigns[g.campaign_id], "campaign_budget": campaigns[g.campaign_id], "ad_group": g}
            for g in world.ad_groups(account.id)
        ]
    elif "campaign" in referenced or "campaign_budget" in referenced:
        grains = [{"campaign": c, "campaign_budget": c} for c in campaigns.values()]
    else:
        grains = [{}]
    for grain in grains:
        entity = grain.get("ad_group") or grain.get("campaign") or account
        ads = tuple(world.ads_under(entity))
        for code in account.countries:
            scope = {"customer": account, **grain, resource: Country(code)}
            yield Entity(scope, ads, ("country", code))


def manager_account(manager_id: str, created_at: datetime) -> Account:
    """The sandbox's manager account: the world has none (documented in the connection info)."""
    return Account(
        platform="google_ads",
        id=manager_id,
        name="Google Ads Sandbox Manager",
        timezone="America/Los_Angeles",
        currency="USD",
        status="active",
        created_at=created_at,
        countries=(),
    )


__all__ = [
    "RENDER",
    "SPECS",
    "Customer",
    "Entity",
    "ResourceSpec",
    "attributes",
    "entities",
    "manager_account",
]
