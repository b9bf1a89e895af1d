"""The unified catalog: every stream a tap adds next to its own (names, schemas and keys from
``ads_kit.unified.schemas``). ``AdsTap`` adds them all, and ``unified_dead_letters``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ads_kit.unified.breakdowns import UnifiedPerformanceBreakdownsStream
from ads_kit.unified.entities import (
    UnifiedAccountsStream,
    UnifiedAdGroupsStream,
    UnifiedAdsStream,
    UnifiedAudiencesStream,
    UnifiedCampaignsStream,
)
from ads_kit.unified.findings import UnifiedDataQualityStream
from ads_kit.unified.output import UnifiedStream
from ads_kit.unified.performance import UnifiedAdPerformanceStream, UnifiedCampaignPerformanceStream

if TYPE_CHECKING:
    from singer_sdk import Stream, Tap

UNIFIED_STREAM_CLASSES: tuple[type[UnifiedStream], ...] = (
    UnifiedAccountsStream,
    UnifiedCampaignsStream,
    UnifiedAdGroupsStream,
    UnifiedAdsStream,
    UnifiedAudiencesStream,
    UnifiedCampaignPerformanceStream,
    UnifiedAdPerformanceStream,
    UnifiedPerformanceBreakdownsStream,
    UnifiedDataQualityStream,
)


def unified_streams(tap: Tap) -> list[Stream]:
    """Every unified stream but ``unified_dead_letters`` for ``tap`` (an ``ads_kit.tap.AdsTap``)."""
    return [stream_class(tap) for stream_class in UNIFIED_STREAM_CLASSES]
