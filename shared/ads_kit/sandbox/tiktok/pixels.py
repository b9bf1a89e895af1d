"""The pixel of an advertiser and its events: `pixel/list/` and `pixel/event/stats/` (§2.8).

Each account has one pixel whose events are the world's conversion events; only the primary
(purchase) event fires, and its counts are the world's conversions. Event stats are by **UTC** date
(§2.8, §6.1), so they are summed from the world's reported hours whose UTC start falls in the range,
which keeps them exact against `world.ad_day_hours`. Every counted event is a browser event that was
attributed (the world models no unattributed or server events). Event codes and types are the world's
event names (the reference does not list TikTok's values).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from ads_kit.sandbox.tiktok import wire
from ads_kit.sandbox.world import Account, ConversionEvent, World

MAX_PIXEL_IDS = 10  # §2.8
MAX_STATS_DAYS = 30  # §2.8
ORDER_BY = ("EARLIEST_CREATE", "LATEST_CREATE")


def pixel_id(account: Account) -> str:
    return "7" + account.id[1:]


def pixel_code(account: Account) -> str:
    digest = hashlib.blake2b(account.id.encode(), digest_size=16).hexdigest().upper()
    return "C" + digest[:19]


def event_code(event: ConversionEvent) -> str:
    return event.event_type.upper()


def _event(event: ConversionEvent, currency: str) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "event_code": event_code(event),
        "name": event.name,
        "event_type": "STANDARD",
        "custom_event_type": event_code(event),
        "optimization_event": event_code(event),
        "currency": currency if event.primary else None,
        "currency_value": None,
        "statistic_type": "EVERY_TIME" if event.primary else "ONCE",
        "deprecated": event.status != "active",
        "rules": [
            {
                "operator": "OPERATOR_CONTAINS",
                "trigger": "TRIGGER_VISIT",
                "value": "/",
                "variable": "PAGE_URL",
            }
        ],
    }


def pixel_record(world: World, account: Account) -> dict[str, Any]:
    code = pixel_code(account)
    events = world.conversion_events(account.id)
    return {
        "pixel_id": pixel_id(account),
        "pixel_code": code,
        "pixel_name": f"{account.name} pixel",
        "pixel_category": "STANDARD_MODE",
        "pixel_script": f"ttq.load('{code}'); ttq.page();",
        "pixel_setup_mode": "DEVELOPER",
        "partner_name": None,
        "create_time": wire.utc_time(min(e.created_at for e in events)),
        "advanced_matching_fields": {"phone_number": False, "email": True},
        "automatic_advanced_matching_fields": {"phone_number": False, "email": False},
        "enable_first_party_cookies": True,
        "enable_expanded_data_sharing": False,
        "asset_ownership": {
            "asset_relation_status": "OWNER",
            "ownership_status": "OWNER",
            "owner_bc_id": None,
        },
        "events": [_event(event, account.currency) for event in events],
    }


def event_stats(world: World, account: Account, start: date, end: date) -> dict[str, Any]:
    """The statistics of the account's pixel over UTC days [start, end]."""
    conversions = 0
    # The local days that overlap the UTC range (a zone is at most a day away from UTC).
    first, last = start - timedelta(days=1), end + timedelta(days=1)
    for ad in world.ads(account.id):
        day = first
        while day <= last:
            for hour in world.ad_day_hours(ad, day):
                if start <= hour.utc_start.date() <= end:
                    conversions += hour.metrics.conversions
            day += timedelta(days=1)
    statistics = []
    for event in world.conversion_events(account.id):
        count = conversions if event.primary else 0
        statistics.append(
            {
                "custom_event_type": event_code(event),
                "attributed_count": count,
                "preview_count": 0,
                "total_count": count,
                "browser_event_total_count": count,
                "server_event_total_count": 0,
            }
        )
    return {"pixel_id": pixel_id(account), "statistics": statistics}
