"""Schema drift: a field the platform rejects is dropped for the rest of the run, with a
``schema_drift`` finding, instead of failing the sync; any other config error stops the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ads_kit.quality import QualityCollector
from ads_kit.resilience.errors import ConfigError
from ads_kit.resilience.versions import FieldDropper, VersionPolicy

T = TypeVar("T")


class SchemaDrift:
    def __init__(
        self,
        platform: str,
        versions: VersionPolicy,
        collector: QualityCollector,
        rejected_field: Callable[[ConfigError], str | None],
    ) -> None:
        self._platform = platform
        self._versions = versions
        self._collector = collector
        self._rejected_field = rejected_field

    def drop(self, stream: str, account_id: str, fields: list[str], error: ConfigError) -> None:
        """Remove the field ``error`` names from ``fields`` (in place) and report it; re-raise
        ``error`` when it names no field."""
        field = self._rejected_field(error)
        if field is None:
            raise error
        dropper = FieldDropper(self._platform, stream, self._versions.version, account_id)
        fields[:], finding = dropper.drop(fields, field, str(error))
        self._collector.add(finding)

    def without_rejected_fields(
        self, stream: str, account_id: str, fields: list[str], request: Callable[[], T]
    ) -> T:
        """``request()``, sent again without each field the platform rejects."""
        while True:
            try:
                return request()
            except ConfigError as exc:
                self.drop(stream, account_id, fields, exc)
