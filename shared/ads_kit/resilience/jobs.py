"""Run asynchronous report jobs (Meta report runs, TikTok report tasks) for many slices at once.

The platform supplies `ReportJobs` (submit, poll, fetch, split). The runner keeps up to
`max_in_flight` jobs running, polls each with a doubling interval, times jobs out, resubmits a
failed job once and then splits its slice (the platform splits by dates, then objects, then fields)
up to `max_split_depth` levels. A piece of a split slice is submitted once (its parent already
showed the failure repeats), and when both halves of a slice fail the same way the slice fails for
good: splitting further would only repeat the failure, so a window that cannot be read costs a few
requests, not a tree of them. Every job it knows about lives in `state["jobs"]`, a plain dict the
tap stores in Singer state, so a restarted tap polls the jobs it already submitted instead of
submitting them again. `on_checkpoint` is called whenever that map changes.

Delivery: a slice's rows are yielded, and its entry leaves the state only when the consumer asks
for the next slice, i.e. after it has written them. A kill in between re-delivers that one slice on
restart (rows are idempotent through primary keys); a kill at any other point loses and repeats
nothing. A kill between `submit()` returning and the checkpoint costs one extra job, not rows.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ads_kit.resilience.errors import RequestFailed, ResilienceError, ShrinkRequired

log = logging.getLogger(__name__)

Slice = dict[str, Any]  # JSON-serialisable: it is stored in Singer state
Row = dict[str, Any]

# Failures that concern one slice: it is retried, split or given up while the others go on.
# Skipped accounts and config errors concern every slice and propagate.
_SLICE_FAILURES = (RequestFailed, ShrinkRequired)


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class JobStatus:
    state: JobState
    percent: float | None = None
    error: str | None = None
    platform_status: str | None = None
    """The status as the platform words it ("Job Running"), for progress lines."""


class JobExpired(ResilienceError):
    """Raised by `poll`/`fetch` when the platform no longer knows a job id: it is submitted again."""


class JobFailed(ResilienceError):
    def __init__(self, what: str, slice_: Slice, reason: str) -> None:
        self.slice = slice_
        super().__init__(f"{what}: report job for slice {slice_key(slice_)} failed for good: {reason}")


class ReportJobs(Protocol):
    """The platform side. `split` returns [] when a slice cannot be made smaller."""

    def submit(self, slice_: Slice) -> str: ...
    def poll(self, job_id: str) -> JobStatus: ...
    def fetch(self, job_id: str) -> Iterable[Row]: ...
    def split(self, slice_: Slice) -> list[Slice]: ...


@dataclass(frozen=True)
class JobSettings:
    max_in_flight: int = 4
    poll_initial_s: float = 5.0
    poll_max_s: float = 60.0
    job_timeout_s: float = 1800.0
    # Submissions of one slice before it is split (Meta fails transiently: "try again later").
    attempts_before_split: int = 2
    max_split_depth: int = 3


def slice_key(slice_: Slice) -> str:
    """Stable text key of a slice (its canonical JSON)."""
    return json.dumps(slice_, sort_keys=True, separators=(",", ":"), default=str)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class JobRunner:
    """Runs the jobs of one stream and account; `what` names them in logs and errors."""

    def __init__(
        self,
        platform: ReportJobs,
        state: dict[str, Any],
        *,
        what: str,
        settings: JobSettings | None = None,
        on_checkpoint: Callable[[], None] = lambda: None,
        on_failure: Callable[[Slice, JobFailed], object] | None = None,
        on_status: Callable[[str, JobStatus], object] = lambda job_id, status: None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._platform = platform
        self._jobs: dict[str, dict[str, Any]] = state.setdefault("jobs", {})
        self._what = what
        self._settings = settings or JobSettings()
        self._checkpoint = on_checkpoint
        self._on_failure = on_failure
        self._on_status = on_status  # every job's status as submitted and as polled
        self._clock = clock
        self._sleep = sleep
        self._pending: deque[str] = deque()
        self._next_poll: dict[str, tuple[float, float]] = {}  # key -> (due at, current interval)
        self._failures: list[JobFailed] = []

    def run(self, slices: Iterable[Slice]) -> Iterator[tuple[Slice, list[Row]]]:
        """Yield (slice, rows) as jobs complete; raise JobFailed at the end if a slice failed for good
        and no `on_failure` callback took it."""
        self._plan(slices)
        while self._pending or self._next_poll:
            self._submit_pending()
            now = self._clock()
            due = [key for key, (at, _) in self._next_poll.items() if at <= now]
            if not due:
                self._sleep(min(at for at, _ in self._next_poll.values()) - now)
                continue
            for key in due:
                rows = self._check(key)
                if rows is not None:
                    yield self._jobs[key]["slice"], rows
                    parent = self._jobs.pop(key).get("parent")
                    if parent is not None:
                        self._settle(parent)
                    self._checkpoint()
        if self._failures:
            raise self._failures[0]

    def _plan(self, slices: Iterable[Slice]) -> None:
        """Resume jobs in state whose slice (or parent slice) is requested; queue the rest."""
        requested = {slice_key(s): s for s in slices}
        for key, entry in list(self._jobs.items()):
            if entry["root"] not in requested:
                log.info(
                    "%s: dropping stored report job for slice %s: not requested any more", self._what, key
                )
                del self._jobs[key]
            elif "failed" in entry:
                pass  # failed for good, waiting for its sibling (settled below)
            elif entry.get("job_id"):
                self._next_poll[key] = (self._clock(), self._settings.poll_initial_s)
            else:
                self._pending.append(key)
        for parent in {entry.get("parent") for entry in self._jobs.values() if "failed" in entry}:
            self._settle(parent)
        started_roots = {entry["root"] for entry in self._jobs.values()}
        for key, slice_ in requested.items():
            if key not in started_roots:
                self._jobs[key] = {"slice": slice_, "root": key, "depth": 0, "attempt": 1, "job_id": None}
                self._pending.append(key)
        self._checkpoint()

    def _submit_pending(self) -> None:
        while self._pending and len(self._next_poll) < self._settings.max_in_flight:
            key = self._pending.popleft()
            entry = self._jobs[key]
            try:
                entry["job_id"] = self._platform.submit(entry["slice"])
            except _SLICE_FAILURES as exc:
                self._failed(key, str(exc))
                continue
            entry["submitted_at"] = _iso(self._clock())
            self._next_poll[key] = (
                self._clock() + self._settings.poll_initial_s,
                self._settings.poll_initial_s,
            )
            log.info("%s: submitted report job %s for slice %s", self._what, entry["job_id"], key)
            self._on_status(entry["job_id"], JobStatus(JobState.PENDING))
            self._checkpoint()

    def _check(self, key: str) -> list[Row] | None:
        """Poll one job: its rows when complete, None otherwise (rescheduled, resubmitted or split)."""
        entry = self._jobs[key]
        try:
            status = self._platform.poll(entry["job_id"])
            self._on_status(entry["job_id"], status)
            if status.state is JobState.COMPLETED:
                rows = list(self._platform.fetch(entry["job_id"]))
                del self._next_poll[key]
                return rows
        except _SLICE_FAILURES as exc:
            self._failed(key, str(exc))
            return None
        except JobExpired as exc:
            log.warning(
                "%s: report job %s is unknown to the platform (%s); submitting again",
                self._what,
                entry["job_id"],
                exc,
            )
            self._requeue(key)
            return None
        if status.state is JobState.FAILED:
            self._failed(key, status.error or "the platform reported a failure")
        elif self._clock() - _epoch(entry["submitted_at"]) > self._settings.job_timeout_s:
            self._failed(
                key, f"not complete after {self._settings.job_timeout_s:g} s ({status.percent or 0:g}%)"
            )
        else:
            _, interval = self._next_poll[key]
            interval = min(interval * 2, self._settings.poll_max_s)
            self._next_poll[key] = (self._clock() + interval, interval)
        return None

    def _requeue(self, key: str) -> None:
        self._next_poll.pop(key, None)
        entry = self._jobs[key]
        entry["job_id"] = None
        entry.pop("submitted_at", None)
        self._pending.append(key)
        self._checkpoint()

    def _failed(self, key: str, reason: str) -> None:
        entry = self._jobs[key]
        if entry["depth"] == 0 and entry["attempt"] < self._settings.attempts_before_split:
            log.warning(
                "%s: report job for slice %s failed (%s); submitting it again", self._what, key, reason
            )
            entry["attempt"] += 1
            self._requeue(key)
            return
        self._next_poll.pop(key, None)
        entry["failed"] = reason
        entry["job_id"] = None
        if entry.get("parent") is None:
            self._split_or_give_up(key)
        else:
            self._settle(entry["parent"])
        self._checkpoint()

    def _settle(self, parent: str | None) -> None:
        """Decide on the failed pieces of `parent` once none of its pieces is still running: both
        failed the same way, the parent fails for good; otherwise each failed piece is split."""
        pieces = {key: entry for key, entry in self._jobs.items() if entry.get("parent") == parent}
        if not pieces or any("failed" not in entry for entry in pieces.values()):
            return  # a piece is still running, or none failed
        reasons = {entry["failed"] for entry in pieces.values()}
        if len(pieces) > 1 and len(reasons) == 1:
            for key in list(pieces)[1:]:
                del self._jobs[key]
            self._give_up(next(iter(pieces)), f"both halves failed the same way: {reasons.pop()}")
            return
        for key in pieces:
            self._split_or_give_up(key)

    def _split_or_give_up(self, key: str) -> None:
        entry = self._jobs.pop(key)
        settings = self._settings
        children = self._platform.split(entry["slice"]) if entry["depth"] < settings.max_split_depth else []
        if len(children) < 2:
            self._jobs[key] = entry
            self._give_up(key, entry["failed"])
            return
        log.warning(
            "%s: report job for slice %s failed (%s); splitting it in %d",
            self._what,
            key,
            entry["failed"],
            len(children),
        )
        for child in children:
            child_key = slice_key(child)
            self._jobs[child_key] = {
                "slice": child,
                "root": entry["root"],
                "parent": key,
                "depth": entry["depth"] + 1,
                "attempt": 1,
                "job_id": None,
            }
            self._pending.append(child_key)

    def _give_up(self, key: str, reason: str) -> None:
        entry = self._jobs.pop(key)
        failure = JobFailed(self._what, entry["slice"], reason)
        log.error("%s", failure)
        if self._on_failure is not None:
            self._on_failure(entry["slice"], failure)
        else:
            self._failures.append(failure)
