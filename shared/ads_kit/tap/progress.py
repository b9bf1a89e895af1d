"""What a person watching a long sync reads on stderr: where each stream stands, and at the end
what each stream cost.

While a stream syncs, ``Progress`` logs (on the tap's logger, at most one line every
``interval_s`` per stream) the account it is reading, its report windows done of the total and
each live report job's status and completion as the platform reports them::

    meta_insights: account 1022113855500000: 1/3 report windows done; jobs 6000000000000038 Job Running 45%

At the end of the run, one summary line per stream that synced, then the run's total::

    meta_insights: 2,310 records, 12 requests (1 retry), 0 waits on rate limits, 0 dead letters, 1 warning
    run total: 2,411 records, 15 requests (1 retry), 0 waits on rate limits, 0 dead letters, 1 warning

Requests, waits and warnings are counted for the stream syncing when they happen (a unified
stream that reads a report through the slice cache pays for that report); records for the stream
they belong to. What happens while no stream syncs (listing the accounts, checking the token, before
the SDK hands the first account to a stream) belongs to no stream: it counts in the run total only,
which names how many requests it holds beyond the streams' own. The clock is injectable (a
monotonic one by default), so throttling is tested without sleeping. Lines hold stream names,
account ids, job ids and counts: never a secret.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field

from ads_kit.resilience.jobs import JobState, JobStatus

INTERVAL_S = 5.0
"""At most one progress line per stream this often."""
RUN = "run"
"""What progress and total lines are named after while no stream syncs, and for the whole run."""


@dataclass
class StreamTally:
    """What one stream cost this run."""

    records: int = 0
    requests: int = 0
    retries: int = 0
    limit_waits: int = 0
    limit_wait_s: float = 0.0  # how long the rate limiter held requests back (not in the line)
    dead_letters: int = 0
    warnings: int = 0

    def __add__(self, other: StreamTally) -> StreamTally:
        pairs = zip(astuple(self), astuple(other), strict=True)
        return StreamTally(*(mine + theirs for mine, theirs in pairs))

    def line(self, stream: str) -> str:
        return (
            f"{stream}: {_count(self.records, 'record')}, {_count(self.requests, 'request')} "
            f"({_count(self.retries, 'retry', 'retries')}), "
            f"{_count(self.limit_waits, 'wait')} on rate limits, "
            f"{_count(self.dead_letters, 'dead letter')}, {_count(self.warnings, 'warning')}"
        )


@dataclass
class _Where:
    """Where one stream stands in one account's reports."""

    windows_done: int = 0
    windows_total: int = 0
    jobs: dict[str, JobStatus] = field(default_factory=dict)

    def describe(self) -> str:
        text = f"{self.windows_done}/{self.windows_total} report windows done"
        if self.jobs:
            text += "; jobs " + ", ".join(_job(job_id, status) for job_id, status in self.jobs.items())
        return text


class Progress:
    def __init__(
        self,
        log: logging.Logger,
        *,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._interval_s = interval_s
        self._clock = clock
        self._streams: list[_Syncing] = []  # the stream syncing now is last (a nested sync on top)
        self.tallies: dict[str, StreamTally] = {}
        self.outside = StreamTally()  # while no stream syncs: in the run total only
        self._where: dict[tuple[str, str], _Where] = {}
        self._last_line: dict[str, float] = {}
        self._held = False
        self._warnings = _WarningCounter(self)

    # -- which stream is syncing ----------------------------------------------------------------

    @contextmanager
    def syncing(self, stream: str) -> Iterator[None]:
        """While the block runs, ``stream`` is the one syncing (blocks nest: a stream that syncs
        another inside its own). Each block leaves only its own entry, even when the SDK abandons a
        stream's records early and the block ends later."""
        logging.getLogger().addHandler(self._warnings)  # once: the same handler
        entry = _Syncing(stream)
        self._streams.append(entry)
        try:
            yield
        finally:
            self._streams.remove(entry)

    @property
    def stream(self) -> str | None:
        return self._streams[-1].stream if self._streams else None

    def tally(self, stream: str | None = None) -> StreamTally:
        """The tally of ``stream``, by default the one syncing now (``outside`` while none does)."""
        name = stream or self.stream
        if name is None:
            return self.outside
        if name not in self.tallies:
            self.tallies[name] = StreamTally()
        return self.tallies[name]

    # -- counts ---------------------------------------------------------------------------------

    def record(self, stream: str) -> None:
        self.tally(stream).records += 1

    def request(self, attempt: int) -> None:
        """One HTTP attempt (``attempt`` > 1: a retry); a wait the rate limiter imposed just before
        it counts as one wait on a rate limit."""
        tally = self.tally()
        tally.requests += 1
        tally.retries += attempt > 1
        if self._held:
            self._held = False
            tally.limit_waits += 1

    def held(self, seconds: float) -> None:
        """The rate limiter holds the next request back for ``seconds`` (called on each of its
        pauses): a long wait shows as a progress line, not as silence."""
        self._held = True
        tally = self.tally()
        tally.limit_wait_s += seconds
        self._maybe_line(f"held back by rate limits, {tally.limit_wait_s:.0f} s so far")

    def quota_answer(self) -> None:
        """The platform answered "over quota": the call waits before its next attempt."""
        self.tally().limit_waits += 1

    def dead_letter(self, stream: str) -> None:
        self.tally(stream).dead_letters += 1

    def warning(self) -> None:
        self.tally().warnings += 1

    # -- where a stream stands ------------------------------------------------------------------

    def windows(self, account_id: str, done: int, total: int) -> None:
        where = self._where_of(account_id)
        where.windows_done, where.windows_total = done, total
        self._maybe_line(f"account {account_id}: {where.describe()}")

    def job(self, account_id: str, job_id: str, status: JobStatus) -> None:
        where = self._where_of(account_id)
        if status.state in (JobState.COMPLETED, JobState.FAILED):
            where.jobs.pop(job_id, None)
        else:
            where.jobs[job_id] = status
        self._maybe_line(f"account {account_id}: {where.describe()}")

    def _where_of(self, account_id: str) -> _Where:
        return self._where.setdefault((self.stream or RUN, account_id), _Where())

    def _maybe_line(self, text: str) -> None:
        stream = self.stream or RUN
        now = self._clock()
        last = self._last_line.get(stream)
        if last is not None and now - last < self._interval_s:
            return
        self._last_line[stream] = now
        self._log.info("%s: %s", stream, text)

    # -- the end --------------------------------------------------------------------------------

    def summarise(self, stream: str) -> None:
        self._log.info("%s", self.tally(stream).line(stream))

    def close(self) -> None:
        """The run is over: its total line (every stream and what happened outside them); warnings
        stop counting."""
        total = sum(self.tallies.values(), self.outside)
        line = total.line(f"{RUN} total")
        if self.outside.requests:
            line += f" ({_count(self.outside.requests, 'request')} outside any stream)"
        self._log.info("%s", line)
        logging.getLogger().removeHandler(self._warnings)


@dataclass(eq=False)  # entries are told apart by identity, not by the stream's name
class _Syncing:
    stream: str


class _WarningCounter(logging.Handler):
    """Counts every WARNING logged in the process for the stream syncing (what fails is counted
    as dead letters, or ends the run)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.WARNING)
        self._progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self._progress.warning()


def _job(job_id: str, status: JobStatus) -> str:
    percent = f" {status.percent:g}%" if status.percent is not None else ""
    return f"{job_id} {status.platform_status or status.state}{percent}"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"
