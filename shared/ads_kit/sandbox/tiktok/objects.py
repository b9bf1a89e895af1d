"""Campaigns, ad groups and ads as `campaign/get/`, `adgroup/get/` and `ad/get/` render them (§2.3-§2.5).

Values come only from the world; what it does not model (targeting, creative, bidding) is a fixed
shape taken from the captured records (tests/fixtures/tiktok/*_get_list_item*_airbyte.json), with
the v1.3 types: ids as strings, times as UTC ``YYYY-MM-DD HH:MM:SS``, budgets as numbers.
Lists are sorted by id descending (§1.4) and hide deleted entities unless a status filter asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ads_kit.sandbox.tiktok import catalog as names
from ads_kit.sandbox.tiktok import wire
from ads_kit.sandbox.tiktok.errors import invalid_parameter
from ads_kit.sandbox.tiktok.params import Params, string_items
from ads_kit.sandbox.world import Account, Ad, AdGroup, Campaign, World

LEVELS = ("campaign", "adgroup", "ad")
MAX_FILTER_IDS = 100  # §2.3-§2.5: id filters take 1-100 ids
BUYING_TYPES = ("AUCTION", "RESERVATION_RF", "RESERVATION_TOP_VIEW")
DEFAULT_BUYING_TYPES = ("AUCTION", "RESERVATION_RF")  # §2.3
SYSTEM_ORIGINS = ("PROMOTE", "TT_ADS_PLATFORM")
# §2.6: the dayparting of an ad group that delivers all week: 7 days x 48 half-hours.
ALL_WEEK = "1" * 336
# An ad group scheduled "from now" ends about ten years out (§2.4: SCHEDULE_FROM_NOW, "2031-08-28").
FROM_NOW_YEARS = 10


@dataclass(frozen=True)
class Entity:
    """One rendered entity, and what filters read that its record may not show (its campaign's
    objective, its ad group's goal)."""

    record: dict[str, Any]
    status: wire.Status
    facts: dict[str, Any]

    def value(self, name: str) -> Any:
        return self.record[name] if name in self.record else self.facts[name]


class Renderer:
    """Renders the world's entities of one account as v1.3 records."""

    def __init__(self, world: World, account: Account) -> None:
        self.world = world
        self.account = account
        self.today = world.account_today(account)
        self.campaigns = {c.id: c for c in world.campaigns(account.id)}
        self.groups = {g.id: g for g in world.ad_groups(account.id)}
        self._audiences = [a.id for a in world.audiences(account.id) if a.status != "deleted"][:2]

    def _money(self, minor: int | None) -> int | float:
        return wire.budget_number(minor, self.account.currency)

    def campaign(self, campaign: Campaign) -> Entity:
        status = wire.campaign_status(campaign)
        objective = wire.objective_type(campaign.objective)
        record = {
            "advertiser_id": self.account.id,
            "campaign_id": campaign.id,
            "campaign_name": campaign.name,
            "campaign_type": "REGULAR_CAMPAIGN",
            "objective_type": objective,
            "objective": "APP" if objective == "APP_PROMOTION" else "LANDING_PAGE",
            "budget_mode": wire.budget_mode(campaign.budget_period),
            "budget": self._money(campaign.budget_minor),
            "roas_bid": 0,
            "deep_bid_type": None,
            "is_new_structure": True,
            "is_smart_performance_campaign": False,
            "operation_status": wire.OPERATION_STATUS[campaign.status],
            "secondary_status": status.secondary,
            "create_time": wire.utc_time(campaign.created_at),
            "modify_time": wire.utc_time(campaign.updated_at),
        }
        return Entity(record, status, {})

    def ad_group(self, group: AdGroup) -> Entity:
        campaign = self.campaigns[group.campaign_id]
        status = wire.ad_group_status(group, campaign, self.today)
        plan = wire.delivery(campaign)
        zone = self.account.timezone
        start = wire.local_midnight_utc(group.start_date, zone)
        if group.end_date is not None:
            end = wire.local_midnight_utc(group.end_date + timedelta(days=1), zone)
        else:
            end = start.replace(year=start.year + FROM_NOW_YEARS)
        # Under a campaign budget (CBO) an ad group shows no budget of its own (§2.4).
        budget = group.budget_minor if campaign.budget_minor is None else None
        record = {
            "advertiser_id": self.account.id,
            "campaign_id": campaign.id,
            "campaign_name": campaign.name,
            "adgroup_id": group.id,
            "adgroup_name": group.name,
            "placement_type": "PLACEMENT_TYPE_AUTOMATIC",
            "placements": None,
            "promotion_type": plan.promotion_type,
            "optimization_goal": plan.optimization_goal,
            "optimization_event": None,
            "secondary_optimization_event": None,
            "billing_event": plan.billing_event,
            "bid_type": "BID_TYPE_NO_BID",
            "bid_price": 0,
            "conversion_bid_price": 0,
            "deep_bid_type": None,
            "deep_cpa_bid": 0,
            "bid_display_mode": "CPMV",
            "budget_mode": wire.budget_mode(group.budget_period if budget is not None else None),
            "budget": self._money(budget),
            "scheduled_budget": 0,
            "schedule_type": "SCHEDULE_START_END" if group.end_date is not None else "SCHEDULE_FROM_NOW",
            "schedule_start_time": wire.utc_time(start),
            "schedule_end_time": wire.utc_time(end),
            "schedule_infos": None,
            "dayparting": ALL_WEEK,
            "pacing": "PACING_MODE_SMOOTH",
            "frequency": None,
            "frequency_schedule": None,
            "operation_status": wire.OPERATION_STATUS[group.status],
            "secondary_status": status.secondary,
            "location_ids": [wire.GEONAME_ID[c] for c in self.account.countries if c in wire.GEONAME_ID],
            "age_groups": ["AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100"],
            "gender": "GENDER_UNLIMITED",
            "languages": [],
            "operating_systems": [],
            "network_types": [],
            "device_model_ids": [],
            "device_price_ranges": [],
            "audience_ids": list(self._audiences),
            "excluded_audience_ids": [],
            "interest_category_ids": ["15"],  # the captured record's interest (no interests in the world)
            "interest_keyword_ids": [],
            "actions": [],
            "included_custom_actions": [],
            "excluded_custom_actions": [],
            "keywords": None,
            "category_id": 0,
            "pixel_id": None,
            "app_id": None,
            "app_type": None,
            "app_download_url": None,
            "creative_material_mode": "CUSTOM",
            "auto_targeting_enabled": False,
            "inventory_filter_enabled": False,
            "search_result_enabled": False,
            "skip_learning_phase": 0,  # the captured record's value (an int there, §2.4 says "Airbyte saw 0")
            "comment_disabled": False,
            "share_disabled": False,
            "video_download_disabled": False,
            "is_hfss": False,
            "is_new_structure": True,
            "ios14_quota_type": "UNOCCUPIED",
            "brand_safety_type": "NO_BRAND_SAFETY",
            "brand_safety_partner": None,
            "statistic_type": None,
            "conversion_window": None,
            "delivery_mode": None,
            "feed_type": None,
            "next_day_retention": None,
            "adgroup_app_profile_page_state": None,
            "purchased_impression": None,
            "purchased_reach": None,
            "rf_purchased_type": None,
            "rf_estimated_cpr": None,
            "rf_estimated_frequency": None,
            "create_time": wire.utc_time(group.created_at),
            "modify_time": wire.utc_time(group.updated_at),
        }
        return Entity(record, status, {"objective_type": wire.objective_type(campaign.objective)})

    def ad(self, ad: Ad) -> Entity:
        group = self.groups[ad.ad_group_id]
        campaign = self.campaigns[ad.campaign_id]
        status = wire.ad_status(ad, group, campaign, self.today)
        index = int(ad.id[-4:])
        # Alternate the two captured creative shapes: a video with a custom identity and a
        # call-to-action id, and an image with a plain call to action.
        video = index % 2 == 0
        media = f"ad-site-i18n-sg/{int(ad.id):032x}"
        record: dict[str, Any] = {
            "advertiser_id": self.account.id,
            "campaign_id": campaign.id,
            "campaign_name": campaign.name,
            "adgroup_id": group.id,
            "adgroup_name": group.name,
            "ad_id": ad.id,
            "ad_name": ad.name,
            "ad_format": "SINGLE_VIDEO" if video else "SINGLE_IMAGE",
            "ad_text": f"{campaign.name}: shop the new collection",
            "ad_texts": None,
            "video_id": f"v10033g50000{int(ad.id):020x}" if video else None,
            "image_ids": [media],
            "music_id": None,
            "identity_type": "CUSTOMIZED_USER" if video else "UNSET",
            "identity_id": ("7" + ad.id[1:] + "000")[:19] if video else "",
            "display_name": self.account.name,
            "avatar_icon_web_uri": media,
            "profile_image_url": f"https://p21-ad-sg.ibyteimg.com/large/{media}",
            "call_to_action_id": ("7" + ad.id[1:] + "111")[:19] if video else None,
            "card_id": None,
            "page_id": None,
            "landing_page_url": f"https://shop.example.com/{ad.id}",
            "landing_page_urls": None,
            "deeplink": "",
            "deeplink_type": "NORMAL",
            "fallback_type": "UNSET",
            "app_name": "",
            "playable_url": "",
            "impression_tracking_url": None,
            "click_tracking_url": None,
            "vast_moat_enabled": False,
            "viewability_postbid_partner": "UNSET",
            "viewability_vast_url": None,
            "brand_safety_postbid_partner": "UNSET",
            "brand_safety_vast_url": None,
            "creative_type": None,
            "creative_authorized": False,
            "is_aco": False,
            "is_new_structure": True,
            "optimization_event": None,
            "operation_status": wire.OPERATION_STATUS[ad.status],
            "secondary_status": status.secondary,
            "create_time": wire.utc_time(ad.created_at),
            "modify_time": wire.utc_time(ad.updated_at),
        }
        if not video:
            record["call_to_action"] = "LEARN_MORE"
        facts = {"objective_type": wire.objective_type(campaign.objective)}
        facts["optimization_goal"] = wire.delivery(campaign).optimization_goal
        return Entity(record, status, facts)

    def entities(self, level: str) -> list[Entity]:
        if level == "campaign":
            return [self.campaign(c) for c in self.campaigns.values()]
        if level == "adgroup":
            return [self.ad_group(g) for g in self.groups.values()]
        return [self.ad(a) for a in self.world.ads(self.account.id)]


# -- filtering ---------------------------------------------------------------------------------------

Predicate = Callable[[Entity], bool]


def _ids(field: str) -> Callable[[str, Any], Predicate]:
    def build(key: str, value: Any) -> Predicate:
        if not isinstance(value, list):
            raise invalid_parameter(f"filtering.{key}: Not a valid list.")
        wanted = set(string_items(value, f"filtering.{key}", max_items=MAX_FILTER_IDS))
        return lambda entity: entity.value(field) in wanted

    return build


def _contains(field: str) -> Callable[[str, Any], Predicate]:
    def build(key: str, value: Any) -> Predicate:
        if not isinstance(value, str):
            raise invalid_parameter(f"filtering.{key}: Not a valid string.")
        return lambda entity: value.lower() in entity.value(field).lower()

    return build


def _equals(field: str) -> Callable[[str, Any], Predicate]:
    def build(key: str, value: Any) -> Predicate:
        if not isinstance(value, str):
            raise invalid_parameter(f"filtering.{key}: Not a valid string.")
        return lambda entity: entity.value(field) == value

    return build


def _any_of(field: str) -> Callable[[str, Any], Predicate]:
    def build(key: str, value: Any) -> Predicate:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid_parameter(f"filtering.{key}: Not a valid list of strings.")
        return lambda entity: entity.value(field) in value

    return build


def _constant(actual: Any, choices: Iterable[Any] | None = None) -> Callable[[str, Any], Predicate]:
    """A filter on a setting every sandbox entity shares (system origin, smart flags, split tests)."""

    def build(key: str, value: Any) -> Predicate:
        allowed = list(choices or ())
        if isinstance(actual, bool):
            if not isinstance(value, bool):
                raise invalid_parameter(f"filtering.{key}: Not a valid boolean.")
            return lambda entity: value == actual
        values = value if isinstance(value, list) else [value]
        if not values or any(v not in allowed for v in values):
            raise invalid_parameter(f"filtering.{key}: Must be one of: {', '.join(allowed)}.")
        return lambda entity: actual in values

    return build


def _time(bound: str, field: str = "create_time") -> Callable[[str, Any], Predicate]:
    def build(key: str, value: Any) -> Predicate:
        try:
            moment = wire.utc_time(wire.parse_utc_time(value))
        except (TypeError, ValueError):
            raise invalid_parameter(
                f"filtering.{key}: Not a valid time, expected YYYY-MM-DD HH:MM:SS."
            ) from None
        if bound == "from":
            return lambda entity: entity.value(field) >= moment
        if bound == "after":
            return lambda entity: entity.value(field) > moment
        return lambda entity: entity.value(field) <= moment

    return build


def _buying_types(key: str, value: Any) -> Predicate:
    if not isinstance(value, list) or not value or any(v not in BUYING_TYPES for v in value):
        raise invalid_parameter(f"filtering.{key}: Must be a list of: {', '.join(BUYING_TYPES)}.")
    if "RESERVATION_TOP_VIEW" in value and len(value) > 1:
        # §2.3: "RESERVATION_TOP_VIEW cannot be combined".
        raise invalid_parameter(
            f"filtering.{key}: RESERVATION_TOP_VIEW cannot be combined with other buying types."
        )
    return lambda entity: "AUCTION" in value  # every sandbox campaign is an auction campaign


_COMMON = {
    "campaign_system_origins": _constant("TT_ADS_PLATFORM", SYSTEM_ORIGINS),
    "objective_type": _equals("objective_type"),
    "buying_types": _buying_types,
    "creation_filter_start_time": _time("from"),
    "creation_filter_end_time": _time("to"),
    "split_test_enabled": _constant(False),
    "campaign_automation_type": _constant("MANUAL", ("MANUAL", "SMART_PLUS", "UPGRADED_SMART_PLUS")),
}
FILTERS: dict[str, dict[str, Callable[[str, Any], Predicate]]] = {
    "campaign": {
        **_COMMON,
        "campaign_ids": _ids("campaign_id"),
        "campaign_name": _contains("campaign_name"),
        "is_smart_performance_campaign": _constant(False),
        "campaign_type": _constant("REGULAR_CAMPAIGN", ("REGULAR_CAMPAIGN", "IOS14_CAMPAIGN")),
    },
    "adgroup": {
        **_COMMON,
        "campaign_ids": _ids("campaign_id"),
        "adgroup_ids": _ids("adgroup_id"),
        "adgroup_name": _contains("adgroup_name"),
        "optimization_goal": _equals("optimization_goal"),
        "promotion_type": _equals("promotion_type"),
        "billing_events": _any_of("billing_event"),
        "creative_material_mode": _constant("CUSTOM", ("CUSTOM", "DYNAMIC", "SMART_CREATIVE")),
    },
    "ad": {
        **_COMMON,
        "campaign_ids": _ids("campaign_id"),
        "adgroup_ids": _ids("adgroup_id"),
        "ad_ids": _ids("ad_id"),
        "creative_material_mode": _constant("CUSTOM", ("CUSTOM", "DYNAMIC", "SMART_CREATIVE")),
        "modified_after": _time("after", "modify_time"),
    },
}


def entity_filter(params: Params, level: str) -> Callable[[Entity], bool]:
    """The `filtering` object of an entity list as one predicate; unknown keys are refused."""
    spec = params.json_value("filtering", dict) or {}
    primary = spec.get("primary_status")
    secondary = spec.get("secondary_status")
    if primary is not None and primary not in wire.PRIMARY_STATUSES:
        raise invalid_parameter(
            f"filtering.primary_status: Must be one of: {', '.join(wire.PRIMARY_STATUSES)}."
        )
    if secondary is not None and secondary not in wire.SECONDARY_FILTER_VALUES[level]:
        raise invalid_parameter(
            f"filtering.secondary_status: Must be one of: {', '.join(wire.SECONDARY_FILTER_VALUES[level])}."
        )
    predicates: list[Predicate] = []
    for key, value in spec.items():
        if key in ("primary_status", "secondary_status"):
            continue
        build = FILTERS[level].get(key)
        if key not in names.entity_filtering(f"{level}_get"):
            raise invalid_parameter(f"filtering.{key}: Unknown field.")
        if build is None:
            raise invalid_parameter(f"filtering.{key}: this filter is not served by the sandbox.")
        predicates.append(build(key, value))

    def passes(entity: Entity) -> bool:
        return wire.passes_status(entity.status, primary, secondary) and all(p(entity) for p in predicates)

    return passes


def list_entities(world: World, account: Account, level: str, params: Params) -> list[dict[str, Any]]:
    """Every record of a level that passes the filters, with `fields` applied, sorted by id
    descending (§1.4)."""
    entities = Renderer(world, account).entities(level)
    known = frozenset(names.fields(f"{level}_get"))
    passes = entity_filter(params, level)
    kept = sorted(
        (entity.record for entity in entities if passes(entity)),
        key=lambda record: int(record[f"{level}_id"]),
        reverse=True,
    )
    return select_fields(kept, params, known)


def select_fields(
    records: list[dict[str, Any]], params: Params, known: frozenset[str]
) -> list[dict[str, Any]]:
    """`fields` (a JSON array of documented fields, default all the sandbox renders) and
    `exclude_field_types_in_response` (``["NULL_FIELD"]``). A documented field the world has no
    value for reads null, as the real API's fields that do not apply (``deep_bid_type``, ``rf_*``)."""
    fields = params.strings("fields")
    if fields is not None:
        unknown = [name for name in fields if name not in known]
        if unknown:
            raise invalid_parameter(f"fields: Invalid field {unknown[0]}.")
    excluded = params.strings("exclude_field_types_in_response") or []
    if any(kind != "NULL_FIELD" for kind in excluded):
        raise invalid_parameter("exclude_field_types_in_response: Must be one of: NULL_FIELD.")
    selected = []
    for record in records:
        row = dict(record) if fields is None else {k: record.get(k) for k in fields}
        if excluded:
            row = {k: v for k, v in row.items() if v is not None}
        selected.append(row)
    return selected
