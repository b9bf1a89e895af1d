"""The one per-account stream base of raw and unified streams.

Every stream syncs one partition per account (context ``{"account_id": ...}``, never anything
secret: contexts reach state and targets), so state is per account. An account that cannot be read
is skipped with one line and one dead letter while the others complete (``TapRun.isolation``).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from singer_sdk import Stream

from ads_kit.money import MoneyError
from ads_kit.tap.sdk_bridge import tap_of, write_state_now
from ads_kit.timezones import TimezoneError
from ads_kit.unified.ranges import report_days

if TYPE_CHECKING:
    from ads_kit.tap.base import AdsTap
    from ads_kit.tap.reports.reader import Reading
    from ads_kit.tap.run import TapRun

QUALITY_STREAM = "unified_data_quality"


class RowError(ValueError):
    """A row a stream cannot carry (a null key, an unreadable value); one line naming stream and field."""


class RunStream(Stream):
    """A stream of an ``AdsTap``, with the run its tap shares between streams."""

    @property
    def tap(self) -> AdsTap:
        return cast("AdsTap", tap_of(self))  # an AdsTap builds every RunStream

    @property
    def run(self) -> TapRun:
        return self.tap.run

    def checkpoint(self) -> None:
        """Write STATE now (after a report window, or when report jobs changed)."""
        write_state_now(self)

    def flush_quality(self) -> None:
        """Emit pending findings now: ``unified_data_quality`` sorts before some streams that find things."""
        stream = self.tap.streams.get(QUALITY_STREAM)
        if stream is not None and stream is not self and stream.selected and self.run.collector.pending:
            stream.sync()


class AccountStream(RunStream):
    _warned_unmapped = False

    def warn_unmapped(self, row: Mapping[str, Any], columns: Container[str]) -> None:
        """For a stream that drops fields outside its schema itself (skipping the SDK's conformance):
        what that conformance says of such fields, once per stream instead of once per record."""
        if not self._warned_unmapped:
            self._warned_unmapped = True
            self.logger.warning(
                "Properties %s were present in the '%s' stream but not found in catalog schema. Ignoring.",
                tuple(key for key in row if key not in columns),
                self.name,
            )

    @property
    def partitions(self) -> list[dict[str, Any]]:
        return [{"account_id": account_id} for account_id in self.run.accounts.ids()]

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        if not context:
            raise ValueError(f"{self.name} syncs per account; it needs an account_id context")
        account_id = str(context["account_id"])
        if self.run.isolation.is_skipped(account_id):
            return
        try:
            with self.run.isolation.isolated(account_id, self.name):
                yield from self.account_records(account_id, context)
        except (MoneyError, TimezoneError) as exc:
            raise RowError(f"{self.name}: account {account_id}: {exc}") from None
        self.flush_quality()

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def report_reading(self, account_id: str, context: Mapping[str, Any]) -> AbstractContextManager[Reading]:
        """This account's report days (the configured range, or the bookmark minus ``lookback_days``,
        in the account's zone) opened as a reading of the run's report layer, with this partition's
        state: ``with self.report_reading(account_id, context) as reading: ...``."""
        info = self.run.accounts.info(account_id)
        bookmark = self.bookmark(context)
        start_from = date.fromisoformat(str(bookmark)[:10]) if bookmark else None
        days = report_days(self.config, self.run.profile, info, info.timezone, start_from, self.run.now)
        state = self.get_context_state(context)
        return self.tap.reports.reading(self.name, account_id, (days.start, days.end), state, self.checkpoint)

    def bookmark(self, context: Mapping[str, Any] | None) -> str | None:
        """This account's saved replication value. Unlike the SDK's starting value it ignores
        ``start_date``, which bounds report days, not which objects exist."""
        state = self.get_context_state(context)
        if state.get("replication_key") != self.replication_key:
            return None
        return state.get("replication_key_value") or None
