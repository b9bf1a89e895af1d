"""Dead letters: requests that failed for good, kept so the next run retries them first.

One JSONL file per platform (config `dead_letter_path`, default `.ads-dead-letters/<platform>.jsonl`
under the working directory). Lines are only appended; the last line of a `dead_letter_id` is its
current state (`open` or `resolved`). Records match the `unified_dead_letters` schema.

The file is for review (it lands as `unified_dead_letters`); what a tap reads again first on its
next run is kept in Singer state, where every worker of a sharded run finds it: a skipped account
by `ads_kit.tap.isolation`, a report window by `ads_kit.tap.reports` (`failed_slices`). So a file
that cannot be written (a full disk, a path that became a directory) is reported once and the run
goes on: the dead letters it could not take stay in this run's `unified_dead_letters` records, and
nothing of the healthy accounts is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ads_kit import clock
from ads_kit.redaction import redact
from ads_kit.resilience.errors import (
    AccountSkipped,
    ErrorClass,
    RequestFailed,
    ShrinkRequired,
    one_line,
)
from ads_kit.resilience.jobs import JobFailed, Slice, slice_key

log = logging.getLogger(__name__)

OPEN = "open"
RESOLVED = "resolved"

# Parameter names whose values never leave the process, whatever they hold.
_SECRET_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "appsecret_proof",
        "developer_token",
        "authorization",
        "access-token",
        "password",
        "secret",
        "token",
    }
)


def describe_request(method: str, path: str, params: Mapping[str, Any] | None = None) -> str:
    """One line `METHOD path {params}` with secret parameters removed and token shapes masked."""
    kept = {k: v for k, v in (params or {}).items() if k.lower() not in _SECRET_PARAMS}
    return redact(f"{method.upper()} {path} {json.dumps(kept, sort_keys=True, default=str)}")


def dead_letter_id(platform: str, account: str | None, stream: str | None, slice_: Slice | None) -> str:
    parts = [platform, account or "", stream or "", slice_key(slice_) if slice_ is not None else ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _classify(error: BaseException) -> tuple[str, str]:
    """error_class and error_code of a failure, for the record."""
    if isinstance(error, RequestFailed):
        return str(error.classified.error_class), error.classified.code
    if isinstance(error, AccountSkipped):
        return str(ErrorClass.SKIP_ACCOUNT), ""
    if isinstance(error, ShrinkRequired):
        return str(ErrorClass.SHRINK), ""
    if isinstance(error, JobFailed):
        return str(ErrorClass.RETRYABLE), "report_job_failed"
    return "", type(error).__name__


class DeadLetterBox:
    """The dead letters of one platform (`meta_ads`, `google_ads`, `tiktok_ads`)."""

    def __init__(self, platform: str, path: str | Path | None = None) -> None:
        self.platform = platform
        self.path = Path(path) if path else Path.cwd() / ".ads-dead-letters" / f"{platform}.jsonl"
        self._this_run: dict[str, dict[str, Any]] = {}
        """The latest record of each dead letter this run wrote (or could not write), by id: they
        reach ``unified_dead_letters`` whatever becomes of the file."""
        self._file_failed = False

    def _load(self) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        try:
            if self.path.exists():
                with self.path.open(encoding="utf-8") as lines:
                    for number, line in enumerate(lines, 1):
                        try:
                            record = json.loads(line)
                            latest[record["dead_letter_id"]] = record
                        except (ValueError, KeyError, TypeError):
                            # A run killed mid-write leaves half a line; the rest of the file is still good.
                            log.warning("%s:%d: unreadable dead-letter line skipped", self.path, number)
        except OSError as exc:
            self._failed(exc)
        return {**latest, **self._this_run}

    def _append(self, record: dict[str, Any]) -> None:
        self._this_run[record["dead_letter_id"]] = record
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, sort_keys=True) + "\n")
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        if not self._file_failed:
            self._file_failed = True
            log.error(
                "dead_letter_path: %s cannot be used (%s); this run's dead letters are kept in "
                "unified_dead_letters and Singer state only",
                self.path,
                exc.strerror or type(exc).__name__,
            )

    def record(
        self,
        stream: str,
        account: str | None,
        slice_: Slice | None,
        error: BaseException,
        request: str | None = None,
    ) -> dict[str, Any]:
        """Record (or update) the open dead letter of this stream, account and slice."""
        key = dead_letter_id(self.platform, account, stream, slice_)
        previous = self._load().get(key)
        now = clock.now().isoformat()
        error_class, code = _classify(error)
        attempts = error.attempts if isinstance(error, RequestFailed) else 1
        if previous is not None and previous["status"] == OPEN:
            attempts += previous["attempts"]
        record = {
            "dead_letter_id": key,
            "platform": self.platform,
            "account_id": account,
            "stream": stream,
            "slice": slice_key(slice_) if slice_ is not None else None,
            "request": redact(request) if request else None,
            "error_class": error_class,
            "error_code": code,
            "message": one_line(error),
            "attempts": attempts,
            "first_failure_at": previous["first_failure_at"]
            if previous and previous["status"] == OPEN
            else now,
            "last_failure_at": now,
            "status": OPEN,
        }
        self._append(record)
        return record

    def resolve(self, stream: str, account: str | None, slice_: Slice | None) -> dict[str, Any] | None:
        """Mark the open dead letter of this slice resolved; None when there was none."""
        previous = self._load().get(dead_letter_id(self.platform, account, stream, slice_))
        if previous is None or previous["status"] != OPEN:
            return None
        record = {**previous, "status": RESOLVED}
        self._append(record)
        log.info(
            "%s account %s stream %s: dead letter for slice %s resolved",
            self.platform,
            account,
            stream,
            record["slice"],
        )
        return record

    def records(self) -> list[dict[str, Any]]:
        """Current state of every dead letter, as `unified_dead_letters` records."""
        return list(self._load().values())
