"""Ad objects as Graph renders them: ad accounts, campaigns, ad sets, ads, creatives, custom audiences
and custom conversions (reference §2), with field selection and edge filtering.

Values come only from the world; what the world does not model (targeting, creative copy, account
paperwork) is a fixed, plausible shape taken from the real payloads in tests/fixtures/meta.
Creatives are not world entities: every ad has one, whose id is the ad's id with a leading 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ads_kit.sandbox.meta import catalog, wire
from ads_kit.sandbox.meta.errors import nonexisting_field
from ads_kit.sandbox.meta.params import FieldSpec, FilterRule, matches
from ads_kit.sandbox.world import Account, Ad, AdGroup, Audience, Campaign, ConversionEvent

Renderer = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class ObjectKind:
    """One Graph node type: its name in errors, default fields and renderer."""

    node_type: str
    filter_prefix: str
    default_fields: tuple[str, ...]
    render: Renderer


@dataclass(frozen=True)
class Deferred:
    """A field value too costly to compute unless the request names the field (lifetime spend)."""

    compute: Callable[[], Any]


def creative_id(ad: Ad) -> str:
    return "2" + ad.id[1:]


def image_hash(ad: Ad) -> str:
    """The hash of the one image of an ad's creative."""
    return f"{int(ad.id):032x}"[-32:]


def ad_id_of_creative(object_id: str) -> str | None:
    return "1" + object_id[1:] if object_id.startswith("2") else None


def _local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


class ObjectRenderer:
    """Renders world entities of one account into Graph objects."""

    def __init__(self, world: Any) -> None:
        self.world = world

    # -- helpers -----------------------------------------------------------------------------
    def _account(self, account_id: str) -> Account:
        return self.world.account(account_id)

    def _time(self, moment: datetime, account: Account) -> str:
        return wire.graph_datetime(moment, account.timezone)

    def _schedule(self, entity: Campaign | AdGroup, account: Account, stop_key: str) -> dict[str, str]:
        times = {"start_time": self._time(_local_midnight(entity.start_date, account.timezone), account)}
        if entity.end_date is not None:
            end = _local_midnight(entity.end_date + timedelta(days=1), account.timezone)
            times[stop_key] = self._time(end, account)
        return times

    def _budgets(self, entity: Campaign | AdGroup, account: Account) -> dict[str, str]:
        if entity.budget_minor is None:
            return {}
        budget = wire.meta_minor(entity.budget_minor, account.currency)
        spent_today = wire.meta_minor(entity.budget_minor // 3, account.currency)
        remaining = str(int(budget) - int(spent_today)) if entity.status == "active" else "0"
        key = "lifetime_budget" if entity.budget_period == "lifetime" else "daily_budget"
        other = "daily_budget" if key == "lifetime_budget" else "lifetime_budget"
        return {key: budget, other: "0", "budget_remaining": remaining}

    def _targeting(self, account: Account) -> dict[str, Any]:
        audiences = [a for a in self.world.audiences(account.id) if a.status != "deleted"][:2]
        return {
            "age_max": 65,
            "age_min": 18,
            "custom_audiences": [{"id": a.id, "name": a.name} for a in audiences],
            "geo_locations": {"countries": list(account.countries), "location_types": ["home", "recent"]},
            "brand_safety_content_filter_levels": ["FACEBOOK_STANDARD", "AN_STANDARD"],
            "targeting_relaxation_types": {"lookalike": 1, "custom_audience": 1},
            "targeting_automation": {"advantage_audience": 1},
            "publisher_platforms": ["facebook", "instagram", "audience_network", "messenger"],
            "facebook_positions": [
                "feed",
                "facebook_reels",
                "right_hand_column",
                "video_feeds",
                "story",
                "search",
            ],
            "instagram_positions": ["stream", "story", "explore", "reels"],
            "device_platforms": ["mobile", "desktop"],
            "messenger_positions": ["story"],
            "audience_network_positions": ["classic", "rewarded_video"],
        }

    def _pixel_id(self, account: Account) -> str:
        return "7" + account.id[1:]

    def _page_id(self, account: Account) -> str:
        return "3" + account.id[1:]

    # -- renderers ---------------------------------------------------------------------------
    def account(self, account: Account, _: Any = None) -> dict[str, Any]:
        zone = ZoneInfo(account.timezone)
        offset_hours = (self.world.now.astimezone(zone).utcoffset() or timedelta()).total_seconds() / 3600
        business_id = "4" + account.id[1:]
        created = account.created_at
        one_unit = 10**account.currency_exponent
        return {
            "id": f"act_{account.id}",
            "account_id": account.id,
            "account_status": wire.ACCOUNT_STATUS.get(account.status, 1),
            "age": round((self.world.now - created).total_seconds() / 86400, 10),
            "amount_spent": Deferred(lambda: wire.meta_minor(self._amount_spent(account), account.currency)),
            "balance": "0",
            "business": {"id": business_id, "name": account.name},
            "business_city": "",
            "business_country_code": account.countries[0],
            "business_name": "",
            "business_street": "",
            "business_street2": "",
            "can_create_brand_lift_study": False,
            "capabilities": ["CAN_CREATE_CALL_ADS", "CAN_SEE_GROWTH_OPPORTUNITY_DATA"],
            "created_time": self._time(created, account),
            "currency": account.currency,
            "disable_reason": 0,
            "end_advertiser": business_id,
            "end_advertiser_name": account.name,
            "fb_entity": 85,
            "funding_source": "5" + account.id[1:],
            "funding_source_details": {"id": "5" + account.id[1:], "display_string": "Visa *4242", "type": 1},
            "has_migrated_permissions": True,
            "is_attribution_spec_system_default": True,
            "is_direct_deals_enabled": False,
            "is_in_3ds_authorization_enabled_market": False,
            "is_notifications_enabled": True,
            "is_personal": 0,
            "is_prepay_account": False,
            "is_tax_id_required": False,
            "min_campaign_group_spend_cap": wire.meta_minor(100 * one_unit, account.currency),
            "min_daily_budget": int(wire.meta_minor(one_unit, account.currency)),
            "name": account.name,
            "offsite_pixels_tos_accepted": True,
            "owner": business_id,
            "owner_business": {"id": business_id, "name": account.name},
            "spend_cap": "0",
            "tax_id_status": 0,
            "tax_id_type": "0",
            "timezone_id": _TIMEZONE_IDS.get(account.timezone, 0),
            "timezone_name": account.timezone,
            "timezone_offset_hours_utc": offset_hours,
            "tos_accepted": {"web_custom_audience_tos": 1, "custom_audience_tos": 1},
            "user_tasks": ["DRAFT", "ANALYZE", "ADVERTISE", "MANAGE"],
        }

    def _amount_spent(self, account: Account) -> int:
        """Lifetime spend in world minor units; computed on demand (it walks every ad-day)."""
        today = self.world.account_today(account)
        first = min((ad.delivery_start for ad in self.world.ads(account.id)), default=today)
        days = (today - first).days + 1
        return sum(
            (
                m.spend_minor
                for d in range(days)
                if (m := self.world.account_day(account, first + timedelta(d)))
            ),
            0,
        )

    def campaign(self, campaign: Campaign, account: Account) -> dict[str, Any]:
        status = wire.STATUS[campaign.status]
        meta_objective = wire.objective(campaign.objective)
        row = {
            "id": campaign.id,
            "account_id": account.id,
            "name": campaign.name,
            "objective": meta_objective,
            "status": status,
            "configured_status": status,
            "effective_status": status,
            "buying_type": "AUCTION",
            "budget_rebalance_flag": False,
            "budget_remaining": "0",
            "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
            "special_ad_categories": [],
            "special_ad_category": "NONE",
            "smart_promotion_type": "GUIDED_CREATION",
            "source_campaign_id": "0",
            "created_time": self._time(campaign.created_at, account),
            "updated_time": self._time(campaign.updated_at, account),
            **self._schedule(campaign, account, "stop_time"),
            **self._budgets(campaign, account),
        }
        if campaign.budget_period == "lifetime" and campaign.budget_minor is not None:
            row["spend_cap"] = wire.meta_minor(campaign.budget_minor, account.currency)
        return row

    def adset(self, group: AdGroup, account: Account) -> dict[str, Any]:
        campaign = next(c for c in self.world.campaigns(account.id) if c.id == group.campaign_id)
        status = wire.STATUS[group.status]
        meta_objective = wire.objective(campaign.objective)
        sales = meta_objective in {"OUTCOME_SALES", "OUTCOME_LEADS"}
        promoted = (
            {"pixel_id": self._pixel_id(account), "custom_event_type": "PURCHASE"}
            if sales
            else {"page_id": self._page_id(account)}
        )
        cost_cap = meta_objective == "OUTCOME_SALES" and group.budget_minor is not None
        row: dict[str, Any] = {
            "id": group.id,
            "account_id": account.id,
            "campaign_id": group.campaign_id,
            "name": group.name,
            "status": status,
            "configured_status": status,
            "effective_status": wire.effective_status(status, campaign_status=wire.STATUS[campaign.status]),
            "billing_event": "IMPRESSIONS",
            "optimization_goal": wire.OPTIMIZATION_GOAL[meta_objective],
            "bid_strategy": "COST_CAP" if cost_cap else "LOWEST_COST_WITHOUT_CAP",
            "destination_type": "WEBSITE",
            "promoted_object": promoted,
            "targeting": self._targeting(account),
            "attribution_spec": [
                {"event_type": "CLICK_THROUGH", "window_days": 7},
                {"event_type": "VIEW_THROUGH", "window_days": 1},
            ],
            "learning_stage_info": {
                "status": "SUCCESS" if group.status == "active" else "LEARNING",
                "conversions": 50,
                "last_sig_edit_ts": wire.unix_seconds(group.updated_at),
                "attribution_windows": ["7d_click", "1d_view"],
            },
            "budget_remaining": "0",
            "created_time": self._time(group.created_at, account),
            "updated_time": self._time(group.updated_at, account),
            **self._schedule(group, account, "end_time"),
            **self._budgets(group, account),
        }
        if cost_cap and group.budget_minor is not None:
            bid = int(wire.meta_minor(group.budget_minor // 20, account.currency))
            row["bid_amount"] = bid
            row["bid_info"] = {"REACH": bid}  # keyed as in the captured ad set payload
        return row

    def ad(self, ad: Ad, account: Account) -> dict[str, Any]:
        campaign = next(c for c in self.world.campaigns(account.id) if c.id == ad.campaign_id)
        group = next(g for g in self.world.ad_groups(account.id) if g.id == ad.ad_group_id)
        status = wire.STATUS[ad.status]
        pixel = self._pixel_id(account)
        post_id = "6" + ad.id[1:]
        return {
            "id": ad.id,
            "account_id": account.id,
            "campaign_id": ad.campaign_id,
            "adset_id": ad.ad_group_id,
            "name": ad.name,
            "status": status,
            "configured_status": status,
            "effective_status": wire.effective_status(
                status, campaign_status=wire.STATUS[campaign.status], adset_status=wire.STATUS[group.status]
            ),
            "bid_type": "ABSOLUTE_OCPM",
            "creative": {"id": creative_id(ad)},
            "targeting": self._targeting(account),
            "last_updated_by_app_id": "119211728144504",
            "source_ad_id": "0",
            "tracking_specs": [
                {"action.type": ["offsite_conversion"], "fb_pixel": [pixel]},
                {
                    "action.type": ["link_click"],
                    "post": [post_id],
                    "post.wall": [self._page_id(account)],
                },
                {"action.type": ["post_engagement"], "page": [self._page_id(account)], "post": [post_id]},
            ],
            "conversion_specs": [{"action.type": ["offsite_conversion"], "conversion_id": [pixel]}],
            "created_time": self._time(ad.created_at, account),
            "updated_time": self._time(ad.updated_at, account),
        }

    def creative(self, ad: Ad, account: Account) -> dict[str, Any]:
        page = self._page_id(account)
        story = f"{page}_{'6' + ad.id[1:]}"
        image = image_hash(ad)
        link = f"https://example.com/landing/{ad.id}?utm_source=facebook"
        title = f"{ad.name} headline"
        body = f"{ad.name}: shop the collection today."
        return {
            "id": creative_id(ad),
            "account_id": account.id,
            "name": f"{ad.name} creative",
            "title": title,
            "body": body,
            "image_hash": image,
            "image_url": f"https://scontent.example.net/v/{image}.png",
            "thumbnail_url": f"https://external.example.net/emg1/{image}.png",
            "actor_id": page,
            "instagram_user_id": "8" + account.id[1:],
            "instagram_permalink_url": f"https://www.instagram.com/p/{image[:11]}/",
            "effective_object_story_id": story,
            "effective_instagram_media_id": "9" + ad.id[1:],
            "call_to_action_type": "SHOP_NOW",
            "object_type": "SHARE",
            "status": "DELETED" if ad.status == "deleted" else "ACTIVE",
            "url_tags": "utm_medium=paid_social",
            "asset_feed_spec": {
                "bodies": [{"text": body}],
                "descriptions": [{"text": f"{ad.name} description"}],
                "titles": [{"text": title}],
                "optimization_type": "DEGREES_OF_FREEDOM",
            },
            "object_story_spec": {
                "page_id": page,
                "instagram_user_id": "8" + account.id[1:],
                "link_data": {"link": link, "image_hash": image, "call_to_action": {"type": "SHOP_NOW"}},
            },
        }

    def image(self, ad: Ad, account: Account) -> dict[str, Any]:
        """The image of an ad's creative (AdImage: ids are `<account>:<hash>`)."""
        image = image_hash(ad)
        return {
            "id": f"{account.id}:{image}",
            "account_id": account.id,
            "hash": image,
            "name": f"{ad.name}.png",
            "url": f"https://scontent.example.net/v/{image}.png",
            "url_128": f"https://scontent.example.net/v/s128x128/{image}.png",
            "permalink_url": f"https://www.facebook.com/ads/image/?d={image}",
            "width": 1080,
            "height": 1080,
            "original_width": 1080,
            "original_height": 1080,
            "status": "DELETED" if ad.status == "deleted" else "ACTIVE",
            "creatives": [creative_id(ad)],
            "is_associated_creatives_in_adgroups": True,
            "created_time": self._time(ad.created_at, account),
            "updated_time": self._time(ad.updated_at, account),
        }

    @staticmethod
    def absent(subject: Any, account: Account) -> dict[str, Any]:
        """Videos, labels and leads: the world has none, so their edges are empty."""
        raise AssertionError(f"the world has no {type(subject).__name__} to render")

    def audience(self, audience: Audience, account: Account) -> dict[str, Any]:
        lookalike = audience.kind == "lookalike"
        row: dict[str, Any] = {
            "id": audience.id,
            "account_id": account.id,
            "name": audience.name,
            "description": f"Custom Audience-{audience.name}",
            "subtype": "LOOKALIKE" if lookalike else _AUDIENCE_SUBTYPE.get(audience.source, "CUSTOM"),
            "approximate_count_lower_bound": audience.approximate_size * 85 // 100,
            "approximate_count_upper_bound": audience.approximate_size,
            "customer_file_source": "USER_PROVIDED_ONLY" if audience.source == "customer_list" else "",
            "data_source": {"type": "UNKNOWN", "sub_type": "ANYTHING", "creation_params": "[]"},
            "delivery_status": {"code": 200, "description": "This audience is ready for use."},
            "operation_status": {"code": 200, "description": "Normal"},
            "is_value_based": False,
            "permission_for_actions": {
                "can_edit": True,
                "can_see_insight": "True",
                "can_share": "True",
                "subtype_supports_lookalike": "False" if lookalike else "True",
                "supports_recipient_lookalike": "False",
            },
            "retention_days": 180 if audience.source == "website" else 0,
            "time_content_updated": wire.unix_seconds(audience.updated_at),
            "time_created": wire.unix_seconds(audience.created_at),
            "time_updated": wire.unix_seconds(audience.updated_at),
        }
        if not row["customer_file_source"]:
            del row["customer_file_source"]
        if audience.source == "website":
            row["pixel_id"] = self._pixel_id(account)
        if lookalike:
            origin = next(
                (a for a in self.world.audiences(account.id) if a.id == audience.source_audience_id), None
            )
            row["lookalike_spec"] = {
                "country": account.countries[0],
                "ratio": (audience.lookalike_ratio_pct or 1) / 100,
                "starting_ratio": 0,
                "type": "custom_ratio",
                "origin": [
                    {
                        "id": audience.source_audience_id,
                        "name": origin.name if origin else "",
                        "type": "custom_audience",
                    }
                ],
            }
        return row

    def conversion(self, event: ConversionEvent, account: Account) -> dict[str, Any]:
        event_type = event.event_type.upper()
        pixel = self._pixel_id(account)
        row = {
            "id": event.id,
            "account_id": account.id,
            "name": event.name,
            "description": f"{event.name} on the website",
            "custom_event_type": event_type,
            "event_source_type": "pixel",
            "creation_time": self._time(event.created_at, account),
            "first_fired_time": self._time(event.created_at + timedelta(hours=2), account),
            "is_archived": event.status == "archived",
            "is_unavailable": False,
            "default_conversion_value": 0,
            "retention_days": 0,
            "rule": json.dumps({"and": [{"event": {"eq": event_type.title()}}]}, separators=(",", ":")),
            "pixel": {"id": pixel},
            "data_sources": [{"id": pixel, "source_type": "PIXEL", "name": f"{account.name} pixel"}],
            "business": {"id": "4" + account.id[1:]},
        }
        if event.primary:
            # The pixel last fired in the latest reported hour.
            fired = self.world.reported_until(account.platform).replace(minute=0, second=0, microsecond=0)
            row["last_fired_time"] = self._time(fired, account)
        return row


_AUDIENCE_SUBTYPE = {
    "website": "WEBSITE",
    "customer_list": "CUSTOM",
    "app": "APP",
    "engagement": "ENGAGEMENT",
}
# Meta's timezone_id enum for the zones the world uses [reference §13: ids beyond 1 are uncertain].
_TIMEZONE_IDS = {"America/Los_Angeles": 1, "Europe/Berlin": 68, "Asia/Tokyo": 82, "UTC": 0}


def check_fields(specs: list[FieldSpec] | None, kind: ObjectKind, version: str = "") -> list[str]:
    """The requested field names (the defaults when none): each one the client lists for the node
    type, else Graph's (#100) nonexisting field, whether or not any object is answered."""
    names = [spec.name for spec in specs] if specs else list(kind.default_fields)
    known = catalog.node_fields(kind.node_type, version)
    for name in names:
        if name not in known:
            raise nonexisting_field(name, kind.node_type)
    return names


def select(
    record: dict[str, Any], specs: list[FieldSpec] | None, kind: ObjectKind, version: str = ""
) -> dict[str, Any]:
    """Project a rendered object onto the requested fields.

    Every field the client lists for the node type is accepted; one the world gives no value is
    left out, as Graph leaves out unset fields. Any other name is Graph's (#100) nonexisting field.
    """
    names = check_fields(specs, kind, version)
    out: dict[str, Any] = {}
    for spec in specs or [FieldSpec(name) for name in names]:
        if spec.name not in record:
            continue
        value = record[spec.name]
        if isinstance(value, Deferred):
            value = value.compute()
        if spec.subfields and isinstance(value, dict):
            value = {sub.name: value[sub.name] for sub in spec.subfields if sub.name in value}
        out[spec.name] = value
    out.setdefault("id", record["id"])
    return out


def object_kinds(renderer: ObjectRenderer) -> dict[str, ObjectKind]:
    return {
        "account": ObjectKind("AdAccount", "ad_account", ("account_id", "id"), renderer.account),
        "campaign": ObjectKind("Campaign", "campaign", ("id",), renderer.campaign),
        "adset": ObjectKind("AdSet", "adset", ("id",), renderer.adset),
        "ad": ObjectKind("Ad", "ad", ("id",), renderer.ad),
        "creative": ObjectKind("AdCreative", "adcreative", ("id",), renderer.creative),
        "audience": ObjectKind("CustomAudience", "customaudience", ("id",), renderer.audience),
        "conversion": ObjectKind("CustomConversion", "customconversion", ("id",), renderer.conversion),
        "image": ObjectKind("AdImage", "adimage", ("hash", "id"), renderer.image),
        "video": ObjectKind("AdVideo", "advideo", ("id",), renderer.absent),
        "label": ObjectKind("AdLabel", "adlabel", ("id",), renderer.absent),
        "lead": ObjectKind("Lead", "lead", ("id",), renderer.absent),
    }


def filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """The values `filtering` compares: Graph values, with times as unix seconds (what clients send)."""
    view = dict(record)
    for key in ("updated_time", "created_time", "start_time", "creation_time"):
        if isinstance(record.get(key), str):
            view[key] = int(datetime.strptime(record[key], "%Y-%m-%dT%H:%M:%S%z").timestamp())
    return view


def passes(record: dict[str, Any], rules: list[FilterRule], prefix: str) -> bool:
    """Edge filtering: rules on `<prefix>.<field>` (or the bare field) apply; other prefixes are ignored."""
    view = filter_view(record)
    for rule in rules:
        entity, _, attribute = rule.field.rpartition(".")
        if entity and entity != prefix:
            continue
        if not matches(rule, view.get(attribute)):
            return False
    return True
