"""unified_dead_letters: every request of this tap that failed for good, from the dead-letter file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ads_kit.unified.streams import UnifiedStream


class DeadLettersStream(UnifiedStream):
    name = "unified_dead_letters"

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict]:
        for record in self._tap.dead_letters.records():
            yield self.output(record, record.get("account_id"))
