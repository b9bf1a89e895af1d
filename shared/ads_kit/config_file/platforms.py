"""What the file's platform keys and unified names mean to each tap.

Only Meta has settings that narrow its reports to metrics and breakdowns; Google Ads and TikTok read
every unified metric and breakdown dimension they have whatever the file lists (their names are still
checked against the unified vocabulary).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ads_kit.unified.metrics import DERIVED_METRICS
from ads_kit.unified.schemas import BREAKDOWN_DIMENSIONS

if TYPE_CHECKING:
    from ads_kit.tap.base import AdsTap

UNIFIED_METRICS = (
    "impressions",
    "clicks",
    "spend",
    "conversions",
    "conversions_value",
    "reach",
    *DERIVED_METRICS,
)
UNIFIED_BREAKDOWNS = BREAKDOWN_DIMENSIONS
REPORT_TYPES = ("campaign_performance", "audience_insights", "custom")


@dataclass(frozen=True)
class Platform:
    key: str
    """The platform's key under ``platforms`` and ``rate_limiting``."""
    tap: str
    """The tap's Meltano plugin name (also its executable)."""
    tap_class: str
    """``module:Class`` of the tap, imported only when the file names the platform."""
    report_types: Mapping[str, str]
    """The file's report_type -> the tap's."""
    metrics: Mapping[str, str] | None = None
    """Unified metric -> the tap's ``metrics`` setting value; None: the tap has no such setting."""
    breakdowns: Mapping[str, str] | None = None
    """Unified breakdown -> the tap's ``breakdowns`` setting value; None: the tap has no such setting."""
    from_environment: Mapping[str, str] = field(default_factory=dict)
    """Tap settings the file does not hold, read from the environment variable named."""

    @property
    def settings_prefix(self) -> str:
        """Meltano's environment variable prefix of the tap's settings (TAP_META_ADS_...)."""
        return self.tap.upper().replace("-", "_")

    def load_tap(self) -> type[AdsTap]:
        module, name = self.tap_class.split(":")
        try:
            tap_class: type[AdsTap] = getattr(importlib.import_module(module), name)
        except ModuleNotFoundError as exc:
            if exc.name != module.split(".")[0]:  # the tap is there, something it imports is not
                raise
            raise ModuleNotFoundError(f"{self.tap} is not installed (pip install ./{self.tap})") from None
        return tap_class


PLATFORMS: dict[str, Platform] = {
    platform.key: platform
    for platform in (
        Platform(
            key="meta",
            tap="tap-meta-ads",
            tap_class="tap_meta_ads.tap:TapMetaAds",
            report_types={name: name for name in REPORT_TYPES},
            metrics={
                "impressions": "impressions",
                "clicks": "clicks",
                "spend": "spend",
                "reach": "reach",
                "conversions": "actions",
                "conversions_value": "action_values",
                "ctr": "ctr",
                "cpc": "cpc",
                "cpm": "cpm",
                "cpa": "cost_per_action_type",
                "roas": "purchase_roas",
            },
            breakdowns={
                "age": "age",
                "gender": "gender",
                "country": "country",
                "device": "platform_device",
                "placement": "platform_device",
                "hour": "hourly",
            },
        ),
        Platform(
            key="google_ads",
            tap="tap-google-ads-unified",
            tap_class="tap_google_ads_unified.tap:TapGoogleAdsUnified",
            # Google's audience reports (age, gender) come with every report: "all".
            report_types={
                "campaign_performance": "performance",
                "audience_insights": "all",
                "custom": "custom",
            },
            # The google-ads library's own variable: the token belongs to the developer, not the file.
            from_environment={"developer_token": "GOOGLE_ADS_DEVELOPER_TOKEN"},
        ),
        Platform(
            key="tiktok",
            tap="tap-tiktok-ads",
            tap_class="tap_tiktok_ads.tap:TapTikTokAds",
            report_types={
                "campaign_performance": "basic",
                "audience_insights": "audience",
                "custom": "custom",
            },
        ),
    )
}
