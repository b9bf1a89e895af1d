"""Async insights jobs (AdReportRun, reference §4).

A job's state is a function of the time since it was submitted and its latency: "Job Not Started",
"Job Started", "Job Running" with a rising percentage, a last stretch of "Job Running" at 100 %
(the classic trap: 100 % is not completed), then "Job Completed" or "Job Failed". With
``polls_to_finish`` (setting ``meta_job_polls``) the same phases advance by status polls instead of
by time: poll k of N sees the state at (k-1)/N of the latency, so a test observes every phase however
slow the machine. Results are computed when fetched, page by page, from the query stored with the job.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ads_kit.sandbox.meta.insights import InsightsQuery

NOT_STARTED, STARTED, RUNNING = "Job Not Started", "Job Started", "Job Running"
COMPLETED, FAILED = "Job Completed", "Job Failed"

# Fractions of the job latency at which each phase ends.
_NOT_STARTED_UNTIL, _STARTED_UNTIL, _RUNNING_UNTIL = 0.1, 0.2, 0.8

FAILURE_FIELDS = {
    "error_code": -2,
    "error_subcode": 2490547,
    "error_message": "Generating the report failed. Try again later.",
    "error_user_title": "Report Failed",
    "error_user_msg": "Generating the report failed. Try again later.",
}


@dataclass
class ReportRun:
    id: str
    query: InsightsQuery
    submitted_monotonic: float
    submitted_unix: int
    latency_s: float
    fails: bool
    polls_to_finish: int | None = None
    polls: int = 0

    def _progress(self, now: float) -> float:
        if self.polls_to_finish is not None:
            return max(0, self.polls - 1) / self.polls_to_finish
        return (now - self.submitted_monotonic) / self.latency_s if self.latency_s > 0 else 1.0

    def state(self, now: float) -> tuple[str, int]:
        """(async_status, async_percent_completion) at monotonic time `now` (or after the polls so far)."""
        progress = self._progress(now)
        if progress >= 1.0:
            return (FAILED, 0) if self.fails else (COMPLETED, 100)
        if progress < _NOT_STARTED_UNTIL:
            return NOT_STARTED, 0
        if progress < _STARTED_UNTIL:
            return STARTED, 0
        if progress < _RUNNING_UNTIL:
            return RUNNING, int(100 * (progress - _STARTED_UNTIL) / (_RUNNING_UNTIL - _STARTED_UNTIL))
        return RUNNING, 100

    def poll(self, now: float) -> dict[str, Any]:
        """The status body a status read gets; counts the read."""
        self.polls += 1
        return self.body(now)

    def body(self, now: float) -> dict[str, Any]:
        status, percent = self.state(now)
        body: dict[str, Any] = {
            "id": self.id,
            "account_id": self.query.account_id,
            "time_ref": self.submitted_unix,
            "async_status": status,
            "async_percent_completion": percent,
            "is_running": status not in (COMPLETED, FAILED),
            **self.query.params_echo(),
        }
        if status in (COMPLETED, FAILED):
            body["time_completed"] = self.submitted_unix + max(1, round(self.latency_s))
        if status == FAILED:
            body |= FAILURE_FIELDS
        return body

    def completed(self, now: float) -> bool:
        return self.state(now)[0] == COMPLETED


class ReportRuns:
    """The jobs of one sandbox run, in memory, keyed by id."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._jobs: dict[str, ReportRun] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._clock()

    def submit(
        self, query: InsightsQuery, latency_s: float, fails: bool, polls_to_finish: int | None = None
    ) -> ReportRun:
        with self._lock:
            job_id = f"6{next(self._ids):015d}"
            job = ReportRun(job_id, query, self._clock(), int(time.time()), latency_s, fails, polls_to_finish)
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> ReportRun | None:
        return self._jobs.get(job_id)
