"""Usage and identity headers on every Graph response (reference §5.4, §6.1).

Usage numbers are the sandbox's real consumption: the fullest quota window of the app and of the ad
account in ctx.limits, in percent; header values are compact JSON strings as Graph sends them.
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass

ACCESS_TIER = "standard_access"
REVISION = "1019384756"
CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Usage:
    """Consumption seen by one call: app and account percentages and the wait before access returns."""

    app_pct: float = 0.0
    account_pct: float = 0.0
    retry_after_s: float = 0.0


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _pct(value: float) -> int | float:
    """Whole percentages as ints (28), fractional ones with two decimals (9.67), like the samples."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def base_headers(served_version: str) -> dict[str, str]:
    return {
        "Content-Type": CONTENT_TYPE,
        "facebook-api-version": served_version,
        "x-fb-trace-id": secrets.token_urlsafe(8)[:11],
        "x-fb-request-id": secrets.token_urlsafe(16)[:23],
        "x-fb-rev": REVISION,
    }


def usage_headers(usage: Usage, account_id: str | None, insights: bool) -> dict[str, str]:
    app = _pct(usage.app_pct)
    headers = {"x-app-usage": _compact({"call_count": app, "total_cputime": app, "total_time": app})}
    if account_id is None:
        return headers
    account = _pct(usage.account_pct)
    regain_minutes = math.ceil(usage.retry_after_s / 60) if usage.retry_after_s else 0
    headers["x-ad-account-usage"] = _compact(
        {
            "acc_id_util_pct": account,
            "reset_time_duration": math.ceil(usage.retry_after_s),
            "ads_api_access_tier": ACCESS_TIER,
        }
    )
    headers["x-business-use-case-usage"] = _compact(
        {
            account_id: [
                {
                    "type": "ads_insights" if insights else "ads_management",
                    "call_count": account,
                    "total_cputime": account,
                    "total_time": account,
                    "estimated_time_to_regain_access": regain_minutes,
                    "ads_api_access_tier": ACCESS_TIER,
                }
            ]
        }
    )
    if insights:
        headers["x-fb-ads-insights-throttle"] = _compact(
            {"app_id_util_pct": app, "acc_id_util_pct": account, "ads_api_access_tier": ACCESS_TIER}
        )
    return headers
