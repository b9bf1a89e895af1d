"""Async report job runner: concurrency, polling, timeouts, resubmit-then-split, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fake_reports import LATENCY_ENV, FileReportJobs, halve_days, rows_for
from job_worker import SLICES

from ads_kit.resilience import JobFailed, JobRunner, JobSettings, JobState, JobStatus, slice_key

HERE = Path(__file__).resolve().parent


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedJobs:
    """In-memory platform: each slice's jobs follow a script of poll answers."""

    def __init__(self, clock: FakeClock, outcomes: dict[str, list[JobState]] | None = None) -> None:
        self.clock = clock
        self.outcomes = outcomes or {}
        self.submitted: list[dict[str, Any]] = []
        self.jobs: dict[str, dict[str, Any]] = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def submit(self, slice_: dict[str, Any]) -> str:
        job_id = f"job-{len(self.submitted)}"
        self.submitted.append(slice_)
        script = list(self.outcomes.get(slice_key(slice_), [JobState.RUNNING, JobState.COMPLETED]))
        self.jobs[job_id] = {"slice": slice_, "script": script}
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return job_id

    def poll(self, job_id: str) -> JobStatus:
        script = self.jobs[job_id]["script"]
        state = script.pop(0) if len(script) > 1 else script[0]
        if state in (JobState.COMPLETED, JobState.FAILED):
            self.in_flight -= 1
        return JobStatus(state, error="Job Failed (-2/2490547)" if state is JobState.FAILED else None)

    def fetch(self, job_id: str) -> list[dict[str, Any]]:
        return rows_for(self.jobs[job_id]["slice"])

    def split(self, slice_: dict[str, Any]) -> list[dict[str, Any]]:
        return halve_days(slice_)


def run_all(runner: JobRunner, slices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for _, rows in runner.run(slices) for row in rows]


def expected_rows(slices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((row for s in slices for row in rows_for(s)), key=lambda r: r["day"])


def test_jobs_run_concurrently_within_the_cap_and_deliver_every_row_once():
    clock = FakeClock()
    platform = ScriptedJobs(clock)
    slices = [{"account": "a", "days": [d]} for d in range(1, 8)]
    state: dict[str, Any] = {}
    checkpoints: list[int] = []
    runner = JobRunner(
        platform,
        state,
        what="insights account a",
        settings=JobSettings(max_in_flight=3),
        on_checkpoint=lambda: checkpoints.append(len(state["jobs"])),
        clock=clock,
        sleep=clock.sleep,
    )
    rows = run_all(runner, slices)
    assert sorted(rows, key=lambda r: r["day"]) == expected_rows(slices)
    assert platform.max_in_flight == 3
    assert len(platform.submitted) == 7
    assert state["jobs"] == {}  # delivered slices leave the state
    assert checkpoints[-1] == 0 and len(checkpoints) >= 14  # every submission and delivery checkpoints


def test_polling_backs_off_up_to_the_maximum_interval():
    clock = FakeClock()
    never_done = {slice_key({"account": "a", "days": [1]}): [JobState.RUNNING] * 6 + [JobState.COMPLETED]}
    runner = JobRunner(
        ScriptedJobs(clock, never_done),
        {},
        what="w",
        settings=JobSettings(poll_initial_s=5, poll_max_s=30),
        clock=clock,
        sleep=clock.sleep,
    )
    run_all(runner, [{"account": "a", "days": [1]}])
    assert clock.sleeps == [5, 10, 20, 30, 30, 30, 30]


def test_a_failed_job_is_resubmitted_once_then_split():
    clock = FakeClock()
    whole = {"account": "a", "days": [1, 2, 3, 4]}
    fails = [JobState.FAILED]
    platform = ScriptedJobs(clock, {slice_key(whole): fails})
    runner = JobRunner(platform, {}, what="w", clock=clock, sleep=clock.sleep)
    delivered = list(runner.run([whole]))
    assert platform.submitted[:2] == [whole, whole]  # resubmitted once
    assert platform.submitted[2:] == [{"account": "a", "days": [1, 2]}, {"account": "a", "days": [3, 4]}]
    assert [s for s, _ in delivered] == platform.submitted[2:]
    assert sorted((r for _, rows in delivered for r in rows), key=lambda r: r["day"]) == expected_rows(
        [whole]
    )


def test_both_halves_failing_the_same_way_end_the_splitting():
    clock = FakeClock()
    whole = {"account": "a", "days": [1, 2, 3, 4, 5, 6, 7, 8]}

    class AlwaysFails(ScriptedJobs):
        def poll(self, job_id: str) -> JobStatus:
            return JobStatus(JobState.FAILED, error="Job Failed (-2/2490547)")

    platform = AlwaysFails(clock)
    failures = []
    runner = JobRunner(
        platform, {}, what="w", on_failure=lambda s, e: failures.append(e), clock=clock, sleep=clock.sleep
    )
    assert run_all(runner, [whole]) == []
    # the whole slice twice, then each half once: the halves fail alike, so nothing is split further
    assert platform.submitted == [
        whole,
        whole,
        {**whole, "days": [1, 2, 3, 4]},
        {**whole, "days": [5, 6, 7, 8]},
    ]
    [failure] = failures
    assert "both halves failed the same way: Job Failed (-2/2490547)" in str(failure)


def test_a_half_failing_on_its_own_is_split_further():
    clock = FakeClock()
    whole = {"account": "a", "days": [1, 2, 3, 4]}
    fails = [JobState.FAILED]
    outcomes = {slice_key(whole): fails, slice_key({"account": "a", "days": [3, 4]}): fails}
    platform = ScriptedJobs(clock, outcomes)
    rows = run_all(JobRunner(platform, {}, what="w", clock=clock, sleep=clock.sleep), [whole])
    assert platform.submitted[2:] == [
        {"account": "a", "days": [1, 2]},
        {"account": "a", "days": [3, 4]},
        {"account": "a", "days": [3]},
        {"account": "a", "days": [4]},
    ]
    assert sorted(rows, key=lambda r: r["day"]) == expected_rows([whole])


def test_a_job_that_never_finishes_times_out_and_is_split():
    clock = FakeClock()
    whole = {"account": "a", "days": [1, 2]}
    platform = ScriptedJobs(clock, {slice_key(whole): [JobState.RUNNING]})
    settings = JobSettings(poll_initial_s=10, poll_max_s=60, job_timeout_s=120)
    rows = run_all(
        JobRunner(platform, {}, what="w", settings=settings, clock=clock, sleep=clock.sleep), [whole]
    )
    assert len(platform.submitted) == 4  # whole, whole again, then its two halves
    assert sorted(rows, key=lambda r: r["day"]) == expected_rows([whole])


def test_an_unsplittable_failure_is_reported_after_the_other_slices_finish():
    clock = FakeClock()
    bad = {"account": "a", "days": [9]}
    good = {"account": "a", "days": [1]}
    platform = ScriptedJobs(clock, {slice_key(bad): [JobState.FAILED]})
    runner = JobRunner(platform, {}, what="insights account a", clock=clock, sleep=clock.sleep)
    delivered = []
    with pytest.raises(JobFailed) as caught:
        for slice_, _rows in runner.run([bad, good]):
            delivered.append(slice_)
    assert delivered == [good]
    assert str(caught.value).startswith("insights account a: report job for slice")
    assert "Job Failed (-2/2490547)" in str(caught.value) and "\n" not in str(caught.value)


def test_on_failure_receives_the_failed_slice_and_the_run_continues():
    clock = FakeClock()
    bad = {"account": "a", "days": [9]}
    failures = []
    platform = ScriptedJobs(clock, {slice_key(bad): [JobState.FAILED]})
    runner = JobRunner(
        platform, {}, what="w", on_failure=lambda s, e: failures.append(s), clock=clock, sleep=clock.sleep
    )
    assert run_all(runner, [bad, {"account": "a", "days": [1]}]) == rows_for({"account": "a", "days": [1]})
    assert failures == [bad]


def test_an_expired_job_id_in_state_is_submitted_again(tmp_path):
    platform = FileReportJobs(tmp_path)
    slice_ = SLICES[0]
    state = {
        "jobs": {
            slice_key(slice_): {
                "slice": slice_,
                "root": slice_key(slice_),
                "depth": 0,
                "attempt": 1,
                "job_id": "gone",
                "submitted_at": "2026-11-25T00:00:00+00:00",
            }
        }
    }
    runner = JobRunner(platform, state, what="w", settings=JobSettings(poll_initial_s=0.01))
    assert run_all(runner, [slice_]) == rows_for(slice_)
    assert [s["slice"] for s in platform.submissions] == [slice_]


def test_stored_jobs_for_slices_no_longer_requested_are_dropped(tmp_path):
    platform = FileReportJobs(tmp_path)
    old = {"account": "a", "days": [1]}
    state = {
        "jobs": {
            slice_key(old): {
                "slice": old,
                "root": slice_key(old),
                "depth": 0,
                "attempt": 1,
                "job_id": "j1",
                "submitted_at": "2026-11-25T00:00:00+00:00",
            }
        }
    }
    runner = JobRunner(platform, state, what="w", settings=JobSettings(poll_initial_s=0.01))
    assert run_all(runner, [SLICES[2]]) == rows_for(SLICES[2])
    assert state["jobs"] == {}


def test_a_killed_run_resumes_polling_instead_of_resubmitting(tmp_path):
    env = {**os.environ, LATENCY_ENV: "600", "PYTHONPATH": str(HERE)}
    command = [sys.executable, str(HERE / "job_worker.py"), str(tmp_path)]
    first = subprocess.Popen(command, env=env)
    state_path = tmp_path / "state.json"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        jobs = json.loads(state_path.read_text())["jobs"] if state_path.exists() else {}
        if len(jobs) == 3 and all(job["job_id"] for job in jobs.values()):
            break
        time.sleep(0.02)
    else:
        first.kill()
        pytest.fail("the first run never checkpointed its three submitted jobs")
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert not (tmp_path / "rows.jsonl").exists() or (tmp_path / "rows.jsonl").read_text() == ""

    second = subprocess.run(command, env={**env, LATENCY_ENV: "0"}, timeout=60)
    assert second.returncode == 0

    submissions = FileReportJobs(tmp_path / "platform").submissions
    assert len(submissions) == 3  # nothing submitted twice
    assert sorted(slice_key(s["slice"]) for s in submissions) == sorted(slice_key(s) for s in SLICES)
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert sorted(rows, key=lambda r: r["day"]) == expected_rows(SLICES)
    assert json.loads(state_path.read_text())["jobs"] == {}
