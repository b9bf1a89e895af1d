"""Progress lines of a long sync: throttled per stream on an injected clock (no sleeping), with each
live report job's status and percent as the platform reported them, and the summary line."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest

from ads_kit.resilience import JobRunner, JobSettings, JobState, JobStatus
from ads_kit.tap.progress import INTERVAL_S, Progress, StreamTally


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Lines(logging.Handler):
    """Every line logged, with the fake time it was logged at."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.lines: list[tuple[float, str]] = []
        self.seen: list[Any] = []
        self.snapshot: Any = lambda: None  # what the test wants to know at each line

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((self.clock.now, record.getMessage()))
        self.seen.append(self.snapshot())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lines(clock: FakeClock) -> Lines:
    handler = Lines(clock)
    log = logging.getLogger("test-progress")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(handler)
    yield handler
    log.removeHandler(handler)


def progress_on(clock: FakeClock) -> Progress:
    return Progress(logging.getLogger("test-progress"), clock=clock)


class RisingJobs:
    """A platform whose jobs report 10 % more at every poll ("Job Running"), complete after 100 %,
    and remember every answer they gave (the truth the lines are compared with)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.percent: dict[str, int] = {}
        self.answers: list[tuple[float, str, str, int]] = []  # (time, job, status, percent)

    def submit(self, slice_: dict[str, Any]) -> str:
        job_id = f"60000000{len(self.percent):02d}"
        self.percent[job_id] = 0
        return job_id

    def poll(self, job_id: str) -> JobStatus:
        self.percent[job_id] = min(self.percent[job_id] + 10, 100)
        done = self.percent[job_id] == 100
        status = "Job Completed" if done else "Job Running"
        self.answers.append((self.clock.now, job_id, status, self.percent[job_id]))
        state = JobState.COMPLETED if done else JobState.RUNNING
        return JobStatus(state, percent=self.percent[job_id], platform_status=status)

    def fetch(self, job_id: str) -> list[dict[str, Any]]:
        return [{"job": job_id}]

    def split(self, slice_: dict[str, Any]) -> list[dict[str, Any]]:
        return []


def test_job_lines_show_the_platforms_status_and_percent_at_most_every_interval_per_stream(
    clock: FakeClock, lines: Lines
) -> None:
    progress = progress_on(clock)
    platform = RisingJobs(clock)
    runner = JobRunner(
        platform,
        {},
        what="meta_ads account 42 stream meta_insights",
        settings=JobSettings(max_in_flight=2, poll_initial_s=1.0, poll_max_s=1.0),
        on_status=lambda job_id, status: progress.job("42", job_id, status),
        clock=clock,
        sleep=clock.sleep,
    )
    lines.snapshot = lambda: list(platform.answers)
    with progress.syncing("meta_insights"):
        delivered = list(runner.run([{"days": [1]}, {"days": [2]}, {"days": [3]}]))
    assert len(delivered) == 3
    times = [at for at, _ in lines.lines]
    assert len(times) >= 4, lines.lines  # 10 polls a job at 1 s: about 20 s of fake time
    assert all(later - earlier >= INTERVAL_S for earlier, later in itertools.pairwise(times))
    # Each line shows every live job with what the platform last answered for it at that moment.
    for (_, text), answered in zip(lines.lines, lines.seen, strict=True):
        assert text.startswith("meta_insights: account 42: 0/0 report windows done")
        last = {job: (status, percent) for _, job, status, percent in answered}
        live = {job: answer for job, answer in last.items() if answer[0] == "Job Running"}
        for job, (status, percent) in live.items():
            assert f"{job} {status} {percent}%" in text
        for job in set(last) - set(live):
            assert job not in text  # complete: it leaves the line
    assert any("Job Running 50%" in text for _, text in lines.lines)


def test_window_lines_are_throttled_per_stream_not_across_streams(clock: FakeClock, lines: Lines) -> None:
    progress = progress_on(clock)
    for second in range(12):
        clock.now = 500.0 + second
        with progress.syncing("meta_insights"):
            progress.windows("42", second, 12)
        with progress.syncing("unified_campaign_performance"):
            progress.windows("7", second, 12)
    assert [(at - 500.0, text) for at, text in lines.lines] == [
        (0.0, "meta_insights: account 42: 0/12 report windows done"),
        (0.0, "unified_campaign_performance: account 7: 0/12 report windows done"),
        (5.0, "meta_insights: account 42: 5/12 report windows done"),
        (5.0, "unified_campaign_performance: account 7: 5/12 report windows done"),
        (10.0, "meta_insights: account 42: 10/12 report windows done"),
        (10.0, "unified_campaign_performance: account 7: 10/12 report windows done"),
    ]


def test_counts_go_to_the_stream_syncing_and_records_to_their_own(clock: FakeClock, lines: Lines) -> None:
    progress = progress_on(clock)
    progress.request(1)  # outside any stream: listing the accounts before the first stream
    with progress.syncing("meta_insights"):
        progress.request(1)
        progress.held(0.5)
        progress.request(1)  # held back by the limiter: a wait
        progress.quota_answer()
        progress.request(2)  # the retry after the quota answer
        progress.record("meta_insights")
        with progress.syncing("unified_data_quality"):  # a nested sync
            progress.record("unified_data_quality")
            progress.warning()
        progress.dead_letter("meta_insights")
    progress.request(2)  # outside any stream again: a retried token check
    for stream in ("meta_insights", "unified_data_quality"):
        progress.summarise(stream)
    progress.close()
    assert progress.tallies == {
        "meta_insights": StreamTally(
            records=1, requests=3, retries=1, limit_waits=2, limit_wait_s=0.5, dead_letters=1
        ),
        "unified_data_quality": StreamTally(records=1, warnings=1),
    }
    assert progress.outside == StreamTally(requests=2, retries=1)
    assert [text for _, text in lines.lines] == [
        "meta_insights: held back by rate limits, 0 s so far",
        "meta_insights: 1 record, 3 requests (1 retry), 2 waits on rate limits, 1 dead letter, 0 warnings",
        "unified_data_quality: 1 record, 0 requests (0 retries), 0 waits on rate limits, 0 dead letters, "
        "1 warning",
        # No line is named after the tap: requests outside the streams are in the run total only.
        "run total: 2 records, 5 requests (2 retries), 2 waits on rate limits, 1 dead letter, 1 warning "
        "(2 requests outside any stream)",
    ]


def test_a_run_without_requests_outside_the_streams_totals_the_streams_alone(
    clock: FakeClock, lines: Lines
) -> None:
    progress = progress_on(clock)
    with progress.syncing("tiktok_ads_campaigns"):
        progress.request(1)
        progress.record("tiktok_ads_campaigns")
    with progress.syncing("tiktok_ads_ads"):
        progress.held(2.0)  # a wait outside the run line's own counts
        progress.request(1)
    progress.close()
    assert lines.lines[-1][1] == (
        "run total: 1 record, 2 requests (0 retries), 1 wait on rate limits, 0 dead letters, 0 warnings"
    )


def test_a_hold_outside_any_stream_is_shown_as_the_runs(clock: FakeClock, lines: Lines) -> None:
    progress = progress_on(clock)
    progress.held(3.0)  # the token check waits for the limiter before any stream syncs
    progress.request(1)
    assert [text for _, text in lines.lines] == ["run: held back by rate limits, 3 s so far"]
    assert progress.tallies == {} and progress.outside.limit_waits == 1


def test_a_long_hold_by_the_rate_limiter_shows_as_progress_not_silence(
    clock: FakeClock, lines: Lines
) -> None:
    progress = progress_on(clock)
    with progress.syncing("meta_insights"):
        for _ in range(12):  # the limiter sleeps in 1 s steps: 12 s held back before one request
            progress.held(1.0)
            clock.sleep(1.0)
        progress.request(1)
    assert [(at - 500.0, text) for at, text in lines.lines] == [
        (0.0, "meta_insights: held back by rate limits, 1 s so far"),
        (5.0, "meta_insights: held back by rate limits, 6 s so far"),
        (10.0, "meta_insights: held back by rate limits, 11 s so far"),
    ]
    assert progress.tally("meta_insights").limit_waits == 1  # one request waited
