"""What the streams of one tap run share: adapter, accounts, quality collector, FX, slice cache, dead letters.

One ``UnifiedRun`` exists per tap instance (``unified_run(tap)``); the tap's own report fetcher uses
``unified_run(tap).slice_cache`` so raw and unified streams share fetched slices.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from ads_kit import clock
from ads_kit.fx import FxConfigError, FxConverter, converter_from_config
from ads_kit.quality import QualityCollector
from ads_kit.quality.checks import fx_rate_missing
from ads_kit.resilience.deadletters import DeadLetterBox
from ads_kit.resilience.errors import AccountSkipped, ConfigError, RequestFailed, account_failure, one_line
from ads_kit.timezones import TimezoneError, zone
from ads_kit.unified.adapter import AccountInfo, UnifiedAdapter
from ads_kit.unified.slices import SliceCache

if TYPE_CHECKING:
    from singer_sdk import Tap

QUALITY_STREAM = "unified_data_quality"
_RUNS: weakref.WeakKeyDictionary[Tap, UnifiedRun] = weakref.WeakKeyDictionary()


def unified_run(tap: Tap) -> UnifiedRun:
    """The run state of ``tap``'s unified streams; the tap provides ``unified_adapter``."""
    run = _RUNS.get(tap)
    if run is None:
        adapter = getattr(tap, "unified_adapter", None)
        if not isinstance(adapter, UnifiedAdapter):
            raise TypeError(f"{type(tap).__name__}.unified_adapter must be a UnifiedAdapter")
        run = _RUNS[tap] = UnifiedRun(tap, adapter)
    return run


class UnifiedRun:
    def __init__(self, tap: Tap, adapter: UnifiedAdapter) -> None:
        self._tap = tap
        self.adapter = adapter
        # One instant per run: raw and unified streams cut the same days even across a midnight.
        self.now = clock.now()
        self.collector = QualityCollector(adapter.platform, log=tap.logger.getChild("quality"))
        self.slice_cache = SliceCache()
        # (account, campaign, day, zone) totals seen by unified_campaign_performance, for the
        # breakdown consistency check
        self.campaign_totals: dict[tuple[str, str, str, str], dict[str, Decimal | int | None]] = {}
        self._skipped: set[str] = set()

    @cached_property
    def accounts(self) -> dict[str, AccountInfo]:
        return {account.account_id: account for account in self.adapter.accounts()}

    def account(self, account_id: str) -> AccountInfo:
        return self.accounts[account_id]

    @cached_property
    def fx(self) -> FxConverter | None:
        try:
            return converter_from_config(self._tap.config, on_missing=self._fx_missing)
        except FxConfigError as exc:
            raise ConfigError("reporting_currency", str(exc)) from None

    def _fx_missing(self, currency: str, day: date) -> None:
        assert self.fx is not None  # only an existing converter reports a missing rate
        self.collector.add(
            fx_rate_missing(
                platform=self.adapter.platform,
                currency=currency,
                reporting_currency=self.fx.reporting_currency,
                day=day,
            )
        )

    @cached_property
    def dead_letters(self) -> DeadLetterBox:
        """Requests of this run that failed for good (``dead_letter_path``), and earlier runs' ones."""
        return DeadLetterBox(self.adapter.platform, self._tap.config.get("dead_letter_path"))

    @contextmanager
    def isolated(self, account_id: str, stream: str) -> Iterator[None]:
        """One account's work: a failure that blocks only this account (no permission, grant gone)
        skips it for the rest of the run with one ERROR line and one dead letter; the others go on."""
        try:
            yield
        except (AccountSkipped, RequestFailed) as exc:
            reason = account_failure(exc)
            if reason is None:
                raise
            self.skip_account(account_id, stream, reason)

    def skip_account(self, account_id: str, stream: str, reason: str) -> None:
        if account_id not in self._skipped:
            self._skipped.add(account_id)
            self._tap.logger.error("account %s skipped (stream %s): %s", account_id, stream, one_line(reason))
            self.dead_letters.record(stream, account_id, None, AccountSkipped(account_id, reason))

    def is_skipped(self, account_id: str) -> bool:
        return account_id in self._skipped

    @cached_property
    def reporting_timezone(self) -> str | None:
        """The checked ``reporting_timezone``: the zone performance days are expressed in, if not
        each account's own."""
        name = self._tap.config.get("reporting_timezone")
        if name:
            try:
                zone(name)
            except TimezoneError as exc:
                raise ConfigError("reporting_timezone", str(exc)) from None
        return name or None

    @property
    def config(self) -> Mapping[str, object]:
        return self._tap.config

    def flush_quality(self) -> None:
        """Emit pending findings now: ``unified_data_quality`` sorts before some streams that find things."""
        stream = self._tap.streams.get(QUALITY_STREAM)
        if stream is not None and stream.selected and self.collector.pending:
            stream.sync()
