"""A data-quality finding and its ``unified_data_quality`` record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One observation about the data, scoped to a platform, account, stream and (often) a day."""

    check: str
    severity: str
    message: str
    platform: str
    scope: str
    account_id: str | None = None
    stream: str | None = None
    date_day: date | None = None
    observed: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            allowed = ", ".join(SEVERITIES)
            raise ValueError(f"finding severity must be one of {allowed}, got {self.severity!r}")

    @property
    def observed_json(self) -> str:
        # str() keeps Decimals exact and makes dates readable; sort_keys keeps the hash stable
        return json.dumps(dict(self.observed), sort_keys=True, default=str, separators=(",", ":"))

    @property
    def finding_id(self) -> str:
        """Stable across runs: the same check on the same scope with the same observation hashes the same."""
        parts = [
            self.check,
            self.platform,
            self.account_id or "",
            self.stream or "",
            self.scope,
            self.date_day.isoformat() if self.date_day else "",
            self.observed_json,
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def to_record(self, detected_at: datetime) -> dict[str, object]:
        return {
            "finding_id": self.finding_id,
            "platform": self.platform,
            "account_id": self.account_id,
            "stream": self.stream,
            "check": self.check,
            "severity": self.severity,
            "scope": self.scope,
            "date_day": self.date_day.isoformat() if self.date_day else None,
            "observed": self.observed_json,
            "message": self.message,
            "detected_at": detected_at.isoformat(),
        }
