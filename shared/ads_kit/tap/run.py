"""What the streams of one tap run share: the run's instant, its accounts, the slice cache, the
quality collector, dead letters, per-account isolation and the reporting currency and zone.

One ``TapRun`` exists per tap instance (``AdsTap.run``); raw and unified streams read it alike.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from ads_kit import clock
from ads_kit.fx import FxConfigError, FxConverter, converter_from_config
from ads_kit.quality import QualityCollector
from ads_kit.quality.checks import fx_rate_missing
from ads_kit.resilience.deadletters import DeadLetterBox
from ads_kit.resilience.errors import config_error
from ads_kit.settings import reporting_zone
from ads_kit.tap.isolation import AccountIsolation
from ads_kit.tap.profile import PlatformProfile
from ads_kit.tap.progress import Progress
from ads_kit.tap.sources import AccountSource
from ads_kit.unified.slices import SliceCache


class TapRun:
    def __init__(
        self,
        profile: PlatformProfile,
        config: Mapping[str, Any],
        accounts: AccountSource,
        log: logging.Logger,
        progress: Progress | None = None,
    ) -> None:
        self.profile = profile
        self.platform = profile.platform
        self.config = config
        self.accounts = accounts
        # One instant per run: raw and unified streams cut the same days even across a midnight.
        self.now = clock.now()
        self.collector = QualityCollector(self.platform, log=log.getChild("quality"))
        self.slice_cache = SliceCache()
        self.dead_letters = DeadLetterBox(self.platform, config.get("dead_letter_path"))
        self.progress = progress or Progress(log)
        self.isolation = AccountIsolation(self.dead_letters, log, self.progress)
        # (account, campaign, day, zone) totals seen by unified_campaign_performance, for the
        # breakdown consistency check
        self.campaign_totals: dict[tuple[str, str, str, str], dict[str, Decimal | int | None]] = {}

    @cached_property
    def fx(self) -> FxConverter | None:
        try:
            return converter_from_config(self.config, on_missing=self._fx_missing)
        except FxConfigError as exc:  # checked before the run starts (AdsTap.check_settings)
            raise config_error(exc) from None

    def _fx_missing(self, currency: str, day: date) -> None:
        assert self.fx is not None  # only an existing converter reports a missing rate
        self.collector.add(
            fx_rate_missing(
                platform=self.platform,
                currency=currency,
                reporting_currency=self.fx.reporting_currency,
                day=day,
            )
        )

    @cached_property
    def reporting_timezone(self) -> str | None:
        return reporting_zone(self.config)
