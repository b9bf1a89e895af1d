"""Custom and lookalike audiences: `dmp/custom_audience/list/` and `dmp/custom_audience/get/` (§2.7).

Items have the documented shape (no real item is captured): human-readable `audience_type`, GMT
times, `lookalike_spec` on lookalikes only. Deleted audiences are gone from both endpoints (the
reference is silent; gone is the strict reading). The world has no expiry: an audience is taken to
expire two years after its last update, `is_expiring` within 60 days of that (§2.7). History entries
are the creation and the last update, newest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ads_kit.sandbox.tiktok import wire
from ads_kit.sandbox.world import Account, Audience

AUDIENCE_TYPE = {
    "website": "Website Audience",
    "customer_list": "Customer File Audience",
    "app": "App Activity Audience",
    "engagement": "Engagement Audience",
    "lookalike": "Lookalike Audience",
}
LOOKALIKE_SIZE = {1: "NARROW", 3: "BALANCED"}  # ratio % -> audience_size; larger ratios are BROAD
LIFETIME = timedelta(days=730)
EXPIRING_WITHIN = timedelta(days=60)
MAX_IDS = 100
MAX_HISTORY = 100


def audience_record(audience: Audience, account: Account, now: datetime) -> dict[str, Any]:
    expires = audience.updated_at + LIFETIME
    record: dict[str, Any] = {
        "audience_id": audience.id,
        "name": audience.name,
        "audience_type": AUDIENCE_TYPE[audience.source],
        "audience_sub_type": "NORMAL",
        "calculate_type": None,
        "cover_num": audience.approximate_size,
        "shared": False,
        "is_creator": True,
        "is_valid": expires > now,
        "is_expiring": now < expires <= now + EXPIRING_WITHIN,
        "is_auto_refresh": audience.source != "customer_list",
        "owner_id": account.id,
        "rule": None
        if audience.source in ("customer_list", "lookalike")
        else f'{{"source":"{audience.source}"}}',
        "msg": "",
        "error_msg": "",
        "create_time": wire.utc_time(audience.created_at),
        "expired_time": wire.utc_time(expires),
    }
    if audience.kind == "lookalike":
        record["lookalike_spec"] = {
            "source_audience_id": audience.source_audience_id,
            "include_source": False,
            "mobile_os": "ALL",
            "placements": "PLACEMENT_TIKTOK",
            "location_ids": [wire.GEONAME_ID[account.countries[0]]],
            "audience_size": LOOKALIKE_SIZE.get(audience.lookalike_ratio_pct or 0, "BROAD"),
        }
    return record


def audience_details(
    audience: Audience, account: Account, now: datetime, history_size: int
) -> dict[str, Any]:
    details = audience_record(audience, account, now)
    details |= {"audience_enhancement": False, "enhancement_status": None}
    history = [
        _history("UPDATE", "Audience updated", audience.updated_at),
        _history("CREATE", "Audience created", audience.created_at),
    ]
    return {"audience_details": details, "audience_history": history[:history_size]}


def _history(action: str, detail: str, moment: datetime) -> dict[str, str]:
    return {
        "action": action,
        "action_detail": detail,
        "editor": "open_api",
        "msg": "",
        "opt_time": wire.utc_time(moment),
    }
