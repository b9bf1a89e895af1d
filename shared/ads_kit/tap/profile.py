"""What a platform declares once about its reports: its key and the days its reports cover.

Raw and unified report streams read the same profile from the tap, so both cut the same days into
the same windows and share them through the run's slice cache.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformProfile:
    platform: str
    """The platform key of every record, dead letter and finding: meta_ads | google_ads | tiktok_ads."""
    restatement_days: int
    """Days the platform may still change a report day (Meta 28, Google 30, TikTok 7): default lookback."""
    retention_days: int | None = None
    """Days of report history the platform still holds (Meta and Google: 37 months); None = unlimited."""
    slice_days: int = 7
    """Days per report window (one request, or one report job, per window)."""
