"""A file-backed stand-in for a platform's async report API (Meta report runs, TikTok tasks).

Jobs live as JSON files in a directory, so a second process sees the jobs the first one submitted,
as the real platform would. A job completes once it is `latency` seconds old; `latency` is read
from the environment at each poll so a restarted process can see jobs finish. Rows are a pure
function of the slice.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ads_kit.resilience import JobExpired, JobState, JobStatus

LATENCY_ENV = "FAKE_REPORT_LATENCY_S"


def rows_for(slice_: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"day": day, "account": slice_["account"], "spend": day * 10} for day in slice_["days"]]


def halve_days(slice_: dict[str, Any]) -> list[dict[str, Any]]:
    """Split by date range first, as the platforms do; a one-day slice cannot be split."""
    days = slice_["days"]
    half = len(days) // 2
    return [{**slice_, "days": days[:half]}, {**slice_, "days": days[half:]}] if half else []


class FileReportJobs:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def submissions(self) -> list[dict[str, Any]]:
        path = self.directory / "submissions.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def submit(self, slice_: dict[str, Any]) -> str:
        job_id = uuid.uuid4().hex[:10]
        (self.directory / f"{job_id}.json").write_text(json.dumps({"slice": slice_, "created": time.time()}))
        with (self.directory / "submissions.jsonl").open("a") as log:
            log.write(json.dumps({"job_id": job_id, "slice": slice_}) + "\n")
        return job_id

    def _job(self, job_id: str) -> dict[str, Any]:
        path = self.directory / f"{job_id}.json"
        if not path.exists():
            raise JobExpired(f"report job {job_id} does not exist")
        return json.loads(path.read_text())

    def poll(self, job_id: str) -> JobStatus:
        job = self._job(job_id)
        if time.time() - job["created"] >= float(os.environ.get(LATENCY_ENV, "0")):
            return JobStatus(JobState.COMPLETED, 100)
        return JobStatus(JobState.RUNNING, 50)

    def fetch(self, job_id: str) -> Iterator[dict[str, Any]]:
        return iter(rows_for(self._job(job_id)["slice"]))

    def split(self, slice_: dict[str, Any]) -> list[dict[str, Any]]:
        return halve_days(slice_)
