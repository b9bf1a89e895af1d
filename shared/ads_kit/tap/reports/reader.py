"""``ReportReader``: every report slice of a run, fetched once and replayed to every stream.

A report stream (raw or unified) cuts its account's days once into calendar-aligned windows and
opens a ``Reading`` over them, with its partition state: windows that failed on an earlier run are
read first, and the jobs of every uncached window run at once (``max_in_flight`` in flight), their
ids kept in that state so a restarted tap polls them instead of submitting again. Windows are
handed out in date order whatever order the jobs finish in, so bookmarks only move forward. A
window that fails for good is dead-lettered, kept in the state's ``failed_slices`` and read first
next run; its complete rows still count.

A unified adapter asks ``rows(report, account, start, end)``: inside the stream's reading it is
served from the reading's jobs, otherwise as a one-off read through the same slice cache.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ads_kit import clock
from ads_kit.resilience.errors import RequestFailed, ResilienceError, ShrinkRequired
from ads_kit.resilience.jobs import JobRunner, JobSettings
from ads_kit.resilience.ratelimit import reading_days
from ads_kit.tap.reports.reads import ReportReads
from ads_kit.tap.reports.slices import (
    Piece,
    Report,
    Rows,
    Window,
    covered,
    joined,
    root_window,
    whole_rows,
    window_slice,
)
from ads_kit.tap.run import TapRun
from ads_kit.unified.ranges import window_key, windows_to_read
from ads_kit.unified.slices import report_windows

# Up to this many days of one account, one synchronous read costs fewer calls than a report job
# (submit, polls, results).
SYNC_MAX_DAYS = 7


class ReportPlatform(Protocol):
    def reads(self, report: Report, account_id: str) -> ReportReads: ...


@dataclass
class _Outcome:
    window: Window
    rows: Rows
    failed: bool = False


class ReportReader:
    def __init__(
        self,
        run: TapRun,
        platform: ReportPlatform,
        *,
        jobs: JobSettings | None = None,
        sync_max_days: int = SYNC_MAX_DAYS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._run = run
        self._platform = platform
        self._jobs = jobs or JobSettings()
        self._sync_max_days = sync_max_days
        self._sleep = sleep
        self._reads: dict[tuple[str, str], ReportReads] = {}
        self._active: dict[str, Reading] = {}
        # Windows that failed for good this run, with their complete rows: another stream reading
        # the same window gets those instead of failing it again.
        self._failed: dict[tuple[str, str, Window], Rows] = {}

    @contextmanager
    def reading(
        self,
        stream: str,
        account_id: str,
        days: Window,
        state: dict[str, Any],
        checkpoint: Callable[[], None],
    ) -> Iterator[Reading]:
        """One stream's reads of one account's ``days``; the adapter's reads of this account go
        through it until the block ends."""
        failed_before = set(state.get("failed_slices", []))
        windows = windows_to_read(*days, self._run.profile.slice_days, sorted(failed_before))
        reading = Reading(self, stream, account_id, windows, failed_before, state, checkpoint)
        self._run.progress.windows(account_id, 0, len(windows))
        self._active[account_id] = reading
        try:
            yield reading
        finally:
            del self._active[account_id]
            reading.close()

    def rows(self, report: Report, account_id: str, start: date, end: date) -> Rows:
        """Rows of ``report`` for the days [start, end], window by window."""
        reading = self._active.get(account_id)
        rows: Rows = []
        for window in report_windows(start, end, self._run.profile.slice_days):
            if reading is not None and window in reading.windows:
                rows += reading.rows(report, window)
            else:
                rows += next(self.windows(report, account_id, [window], {}, lambda: None)).rows
        return rows

    def _reads_of(self, report: Report, account_id: str) -> ReportReads:
        key = (report.name, account_id)
        if key not in self._reads:
            self._reads[key] = self._platform.reads(report, account_id)
        return self._reads[key]

    def _cache_key(self, report: Report, account_id: str, window: Window) -> tuple[str, ...]:
        return (self._run.platform, account_id, report.name, window[0].isoformat(), window[1].isoformat())

    def windows(
        self,
        report: Report,
        account_id: str,
        windows: list[Window],
        job_state: dict[str, Any],
        checkpoint: Callable[[], None],
    ) -> Iterator[_Outcome]:
        """Every window's rows, in window order: from the cache, a synchronous read, or jobs."""
        reads = self._reads_of(report, account_id)
        cache = self._run.slice_cache
        keys = {w: self._cache_key(report, account_id, w) for w in windows}
        failed_earlier = {w for w in windows if (report.name, account_id, w) in self._failed}
        todo = [w for w in windows if keys[w] not in cache and w not in failed_earlier]
        done: dict[Window, Rows] = {}
        lone = len(todo) == 1 and (todo[0][1] - todo[0][0]).days < self._sync_max_days
        if reads.asynchronous and lone and not job_state.get("jobs"):
            # too much for one read: a job below
            with contextlib.suppress(ShrinkRequired), reading_days(todo[0][1], clock.now().date()):
                done[todo[0]] = list(reads.read(window_slice(*todo[0])))
        pieces: dict[Window, list[Piece]] = {}
        runner: Iterator[Piece] | None = None
        failures: dict[Window, Exception] = {}

        def give_up(window: Window, error: Exception, rows: Rows) -> _Outcome:
            self._failed[report.name, account_id, window] = rows
            self._run.dead_letters.record(report.name, account_id, window_slice(*window), error)
            self._run.progress.dead_letter(report.name)
            return _Outcome(window, rows, failed=True)

        for window in windows:
            key = keys[window]
            if key in cache:
                yield _Outcome(window, list(cache.rows(key, _never_fetched)))
                continue
            if window in failed_earlier:
                yield _Outcome(window, list(self._failed[report.name, account_id, window]), failed=True)
                continue
            if not reads.asynchronous:
                with reading_days(window[1], clock.now().date()):
                    outcome = self._read_now(reads, window, key, give_up)
                yield outcome
                continue
            if window not in done and runner is None:
                pending = [window_slice(*w) for w in todo if w not in done]
                runner = JobRunner(
                    reads,
                    job_state,
                    what=f"{self._run.platform} account {account_id} stream {report.name}",
                    settings=self._jobs,
                    on_checkpoint=checkpoint,
                    on_failure=lambda s, e: failures.setdefault(root_window(s, todo), e),
                    on_status=lambda job_id, status: self._run.progress.job(account_id, job_id, status),
                    sleep=self._sleep,
                ).run(pending)
            while window not in done and runner is not None:
                try:
                    # The jobs' requests while this window is awaited wait as its days do.
                    with reading_days(window[1], clock.now().date()):
                        slice_, rows = next(runner)
                except StopIteration:
                    runner = None
                    break
                root = root_window(slice_, todo)
                pieces.setdefault(root, []).append((slice_, rows))
                if covered(report, root, pieces[root]):
                    done[root] = joined(report, pieces.pop(root))
            if window in done:
                fetched = done.pop(window)
                yield _Outcome(window, list(cache.rows(key, _given(fetched))))
            else:
                # Part of the window failed for good; its complete rows still count.
                error = failures.get(window) or ResilienceError(f"report window {window} was not delivered")
                yield give_up(window, error, whole_rows(pieces.pop(window, [])))

    def _read_now(
        self, reads: ReportReads, window: Window, key: tuple[str, ...], give_up: Callable[..., _Outcome]
    ) -> _Outcome:
        """A synchronous report's window, read at its turn (rows stream through the cache)."""
        try:
            return _Outcome(
                window, list(self._run.slice_cache.rows(key, lambda: reads.read(window_slice(*window))))
            )
        except RequestFailed as exc:
            return give_up(window, exc, [])


def _never_fetched() -> Rows:
    raise AssertionError("a cached slice is replayed, never fetched")


def _given(rows: Rows) -> Callable[[], Rows]:
    """A fetch that hands over rows already read (binds them now, not at call time)."""
    return lambda: rows


@dataclass
class Reading:
    """One stream's reads of one account: its windows (earlier failures first), the report jobs and
    failed windows kept in its partition state."""

    reader: ReportReader
    stream: str
    account_id: str
    windows: list[Window]
    failed_before: set[str]
    state: dict[str, Any]
    checkpoint: Callable[[], None]
    failed_now: set[str] = field(default_factory=set)
    windows_done: int = 0
    _live: dict[str, Iterator[_Outcome]] = field(default_factory=dict)
    _read_in: dict[Window, set[str]] = field(default_factory=dict)

    def rows(self, report: Report, window: Window) -> Rows:
        """Rows of ``report`` for one of this reading's windows (windows are asked in order)."""
        if report.name not in self._live:
            state = self.state if report.name == self.stream else self._job_state(report.name)
            self._live[report.name] = self.reader.windows(
                report, self.account_id, self.windows, state, self.checkpoint
            )
        for outcome in self._live[report.name]:
            self._read_in.setdefault(outcome.window, set()).add(report.name)
            if outcome.failed:
                self.failed_now.add(window_key(outcome.window))
            if outcome.window == window:
                return outcome.rows
        del self._live[report.name]  # asked out of order: read it on its own
        return self.reader.rows(report, self.account_id, *window)

    def _job_state(self, report: str) -> dict[str, Any]:
        return self.state.setdefault("reports", {}).setdefault(report, {})

    def done(self, window: Window) -> None:
        """The stream has written ``window``: a window read again successfully has its dead letters
        resolved, and the state (failed windows, jobs) is checkpointed."""
        key = window_key(window)
        if key in self.failed_before and key not in self.failed_now:
            for report in sorted(self._read_in.get(window, ())):
                self.reader._run.dead_letters.resolve(report, self.account_id, window_slice(*window))
        self.failed_before.discard(key)
        self.state["failed_slices"] = sorted(self.failed_before | self.failed_now)
        self.checkpoint()
        self.windows_done += 1
        self.reader._run.progress.windows(self.account_id, self.windows_done, len(self.windows))

    def close(self) -> None:
        self.state["failed_slices"] = sorted(self.failed_before | self.failed_now)
        reports = self.state.get("reports") or {}
        for name in [name for name, jobs in reports.items() if not jobs.get("jobs")]:
            del reports[name]
        if "reports" in self.state and not reports:
            del self.state["reports"]
