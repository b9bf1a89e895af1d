"""The run-scoped collector a tap feeds during a sync and drains as ``unified_data_quality`` records."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from ads_kit import clock
from ads_kit.quality.checks import check_performance_row
from ads_kit.quality.findings import Finding

logger = logging.getLogger("ads_kit.quality")


class QualityCollector:
    """Collects findings once each (by finding_id), logs each as a warning, and hands them out as records."""

    def __init__(self, platform: str, *, log: logging.Logger = logger) -> None:
        self.platform = platform
        self._log = log
        self._seen: set[str] = set()
        self._pending: list[Finding] = []

    def add(self, finding: Finding | None) -> None:
        if finding is None or finding.finding_id in self._seen:
            return
        self._seen.add(finding.finding_id)
        self._pending.append(finding)
        level = logging.INFO if finding.severity == "info" else logging.WARNING
        self._log.log(level, "data quality %s: %s", finding.check, finding.message)

    def extend(self, findings: Iterable[Finding | None]) -> None:
        for finding in findings:
            self.add(finding)

    def check_row(self, row: Mapping[str, object], stream: str) -> None:
        """Run the row checks on one unified performance row."""
        self.extend(check_performance_row(row, platform=self.platform, stream=stream))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def drain(self, detected_at: datetime | None = None) -> list[dict[str, object]]:
        """The findings collected since the last drain, as ``unified_data_quality`` records."""
        when = detected_at or clock.now()
        records = [finding.to_record(when) for finding in self._pending]
        self._pending.clear()
        return records
