"""Advertisers and the token's owner (§2.1, §2.2, §2.9): `advertiser/info/`, `oauth2/advertiser/get/`,
`user/info/`.

The advertiser record has the captured shape (tests/fixtures/tiktok/advertiser_info_list_items_airbyte.json):
PII masked the way TikTok masks it, ``create_time`` in epoch seconds (unlike every other endpoint),
``timezone`` in TikTok's naming and ``display_timezone`` the IANA zone. A zone without daylight
saving and on a whole hour is named the POSIX way, sign inverted (``Etc/GMT-9`` for Tokyo, §2.2),
so a tap that reads ``timezone`` instead of ``display_timezone`` meets the quirk.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ads_kit.sandbox.tiktok import catalog as names
from ads_kit.sandbox.tiktok.errors import invalid_parameter
from ads_kit.sandbox.tiktok.params import Params
from ads_kit.sandbox.tiktok.wire import words
from ads_kit.sandbox.world import Account

# §2.2: the fields `advertiser/info/` accepts in `fields`; the default answer is the captured record's keys.
DEFAULT_FIELDS = words(
    "telephone_number contacter name timezone industry promotion_area description company "
    "promotion_center_province currency country rejection_reason advertiser_id promotion_center_city "
    "address advertiser_account_type license_city cellphone_number license_province license_url license_no "
    "role balance language status display_timezone email create_time brand"
)
KNOWN_FIELDS = frozenset(names.fields("advertiser_info"))
# §2.2: peers batch at most 100 ids per call; TikTok documents no cap (setting tiktok_advertiser_ids_cap).
MAX_ADVERTISER_IDS = 100


def tiktok_timezone(zone: str) -> str:
    tz = ZoneInfo(zone)
    winter = datetime(2026, 1, 15, tzinfo=UTC).astimezone(tz).utcoffset() or timedelta()
    summer = datetime(2026, 7, 15, tzinfo=UTC).astimezone(tz).utcoffset() or timedelta()
    hours, rest = divmod(int(winter.total_seconds()), 3600)
    if winter != summer or rest:
        return zone
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"


def advertiser_record(account: Account) -> dict[str, Any]:
    record: dict[str, Any] = {
        "advertiser_id": account.id,
        "name": account.name,
        "company": "Ads Sandbox",
        "currency": account.currency,
        "country": account.countries[0],
        "timezone": tiktok_timezone(account.timezone),
        "display_timezone": account.timezone,
        "status": "STATUS_ENABLE" if account.status == "active" else "STATUS_DISABLE",
        "role": "ROLE_ADVERTISER",
        "advertiser_account_type": "AUCTION",
        "balance": 0,
        "create_time": int(account.created_at.timestamp()),
        "industry": "291905",
        "language": "en",
        "email": "s***********@**********",
        "telephone_number": "+14155****00",
        "cellphone_number": "+14155****00",
        "contacter": "Sa***ox",
        "address": f"{account.timezone.split('/')[-1].replace('_', ' ')} office",
        "description": None,
        "rejection_reason": "",
        "license_no": None,
        "license_url": None,
        "license_city": None,
        "license_province": None,
        "promotion_area": "0",
        "promotion_center_city": None,
        "promotion_center_province": None,
        "brand": None,
        "owner_bc_id": None,
        "company_name_editable": False,
        "can_use_custom_identity": True,
        "ads_only_mode": False,
    }
    return record


def select_advertiser_fields(record: dict[str, Any], params: Params) -> dict[str, Any]:
    fields = params.strings("fields")
    if fields is None:
        return {key: record[key] for key in DEFAULT_FIELDS}
    unknown = [name for name in fields if name not in KNOWN_FIELDS]
    if unknown:
        raise invalid_parameter(f"fields: Invalid field {unknown[0]}.")
    if "company_name_editable" in fields:
        # §2.2: "asking company_name_editable returns only it + advertiser_id".
        fields = ["advertiser_id", "company_name_editable"]
    return {key: record[key] for key in fields}


def user_record(client_id: str, created: datetime) -> dict[str, Any]:
    """The token owner (§2.9: display_name, email, core_user_id, create_time, avatar_url)."""
    digest = int(hashlib.blake2b(client_id.encode(), digest_size=8).hexdigest(), 16)
    return {
        "core_user_id": f"7{digest % 10**18:018d}",
        "display_name": "Ads Sandbox",
        "email": "s***********@**********",
        "create_time": int(created.timestamp()),
        "avatar_url": "https://p16-sign-sg.tiktokcdn.com/tos-alisg-avt-0068/sandbox~c5_100x100.jpeg",
    }
