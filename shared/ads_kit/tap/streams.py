"""The one per-account stream base of raw and unified streams.

Every stream syncs one partition per account (context ``{"account_id": ...}``, never anything
secret: contexts reach state and targets), so state is per account. An account that cannot be read
is skipped with one line and one dead letter while the others complete (``TapRun.isolation``).
"""

from __future__ import annotations

import logging
from collections.abc import Container, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from singer_sdk import Stream

from ads_kit.money import MoneyError
from ads_kit.tap.sdk_bridge import tap_of, write_state_now
from ads_kit.timezones import TimezoneError

if TYPE_CHECKING:
    from ads_kit.tap.base import AdsTap
    from ads_kit.tap.run import TapRun

QUALITY_STREAM = "unified_data_quality"


class RowError(ValueError):
    """A row a stream cannot carry (a null key, an unreadable value); one line naming stream and field."""


class UnsortedNoteFilter(logging.Filter):
    """Drops singer-sdk's "Stream is assumed to be unsorted, progress is not resumable if
    interrupted", logged once per partition of a stream declared ``is_sorted = False`` (an object
    edge comes in the platform's order, not by ``updated_time``). What the SDK does for such a stream
    is right for these taps: the partition's bookmark moves only when the account is complete, and
    an interrupted run reads that account again from its previous bookmark, losing nothing. The line
    says nothing a user can act on, dozens of times a run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Stream is assumed to be unsorted")


UNSORTED_NOTE_FILTER = UnsortedNoteFilter()


class RunStream(Stream):
    """A stream of an ``AdsTap``, with the run its tap shares between streams."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        logging.getLogger("singer_sdk").addFilter(UNSORTED_NOTE_FILTER)  # once: the same filter object

    def post_process(self, row: dict[str, Any], context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Each record the stream writes (only selected streams sync) counts in its summary."""
        self.run.progress.record(self.name)
        return row

    def log_sync_costs(self) -> None:
        """The SDK calls this once per stream at the end of a run (the last stream last): one summary
        line for a stream that synced; after the last stream, warnings stop being counted."""
        if self.selected:
            self.run.progress.summarise(self.name)
        if self is list(self.tap.streams.values())[-1]:
            self.run.progress.close()

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
            # Requests, waits and warnings while this account's records are read count for this stream.
            with self.run.progress.syncing(self.name), self.run.isolation.isolated(account_id, self.name):
                yield from self.account_records(account_id, context)
        except (MoneyError, TimezoneError) as exc:
            raise RowError(f"{self.name}: account {account_id}: {exc}") from None
        self.flush_quality()

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def bookmark(self, context: Mapping[str, Any] | None) -> str | None:
        """This account's saved replication value. Unlike the SDK's starting value it ignores
        ``start_date``, which bounds report days, not which objects exist."""
        state = self.get_context_state(context)
        if state.get("replication_key") != self.replication_key:
            return None
        return state.get("replication_key_value") or None
