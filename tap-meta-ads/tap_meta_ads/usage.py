"""Meta's usage headers -> one throttle signal: how close to the quota we are and how long to wait.

Headers are JSON strings: ``x-app-usage`` (percent per dimension), ``x-ad-account-usage``
(``acc_id_util_pct``, ``reset_time_duration`` seconds), ``x-business-use-case-usage`` (per business
object: a list of ``{type, call_count, total_time, total_cputime, estimated_time_to_regain_access}``
with the wait in minutes) and ``x-fb-ads-insights-throttle`` (``app_id_util_pct``, ``acc_id_util_pct``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from ads_kit.resilience.ratelimit import ThrottleSignal

_PERCENT_KEYS = ("call_count", "total_time", "total_cputime", "acc_id_util_pct", "app_id_util_pct")


def _header(headers: Mapping[str, str], name: str) -> Any:
    raw = next((value for key, value in headers.items() if key.lower() == name), None)
    with contextlib.suppress(ValueError):  # a malformed header must not fail a request that succeeded
        return json.loads(raw) if raw else None
    return None


def _percents(block: Any) -> list[float]:
    if not isinstance(block, Mapping):
        return []
    return [float(block[key]) for key in _PERCENT_KEYS if isinstance(block.get(key), int | float)]


def parse_usage(headers: Mapping[str, str]) -> ThrottleSignal:
    """Highest quota use reported (percent) and Meta's longest wait hint (seconds, None if none)."""
    app, insights, account = (
        _header(headers, name) for name in ("x-app-usage", "x-fb-ads-insights-throttle", "x-ad-account-usage")
    )
    percents, waits = _percents(app) + _percents(insights) + _percents(account), [0.0]
    if isinstance(account, Mapping) and account.get("acc_id_util_pct", 0) >= 100:
        waits.append(float(account.get("reset_time_duration") or 0))
    buc = _header(headers, "x-business-use-case-usage")
    for entries in buc.values() if isinstance(buc, Mapping) else ():
        for entry in entries if isinstance(entries, list) else ():
            percents += _percents(entry)
            minutes = entry.get("estimated_time_to_regain_access") if isinstance(entry, Mapping) else None
            if isinstance(minutes, int | float):
                waits.append(float(minutes) * 60)
    return ThrottleSignal(usage_pct=max(percents, default=0.0), regain_after_s=max(waits) or None)
