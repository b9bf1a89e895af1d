"""The run's own streams: data-quality findings and dead letters (not per account)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from ads_kit.unified.output import UnifiedStream


class UnifiedDataQualityStream(UnifiedStream):
    """The findings of this run. Other streams also flush it as they finish an account, because
    streams sync in name order and several sort after this one."""

    name = "unified_data_quality"

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict]:
        for record in self.run.collector.drain():
            yield self.output(record, cast("str | None", record.get("account_id")))


class UnifiedDeadLettersStream(UnifiedStream):
    """Every request that failed for good, from the run's dead-letter file (``dead_letter_path``)."""

    name = "unified_dead_letters"

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict]:
        for record in self.run.dead_letters.records():
            yield self.output(record, record.get("account_id"))
