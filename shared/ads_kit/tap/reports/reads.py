"""What a platform supplies to read one report of one account.

``read`` is the synchronous read of a slice (raise ``ShrinkRequired`` when it is too much for one
request). A platform with async report jobs (Meta report runs, TikTok report tasks) also sets
``asynchronous`` and implements ``submit``, ``poll``, ``fetch`` and ``campaign_ids``: splitting a
failed slice is shared (``ads_kit.tap.reports.slices.split_slice``), and ``ads_kit.resilience.jobs``
runs the jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import ClassVar

from ads_kit.resilience.jobs import JobStatus
from ads_kit.tap.reports.slices import Report, Row, Slice, slice_dates, split_slice


class ReportReads:
    asynchronous: ClassVar[bool] = False
    """True when the platform runs this report as async jobs (a lone short window is still read
    synchronously: one request instead of submit, polls and results)."""

    def __init__(self, report: Report, account_id: str) -> None:
        self.report = report
        self.account_id = account_id

    def read(self, slice_: Slice) -> Iterable[Row]:
        raise NotImplementedError

    def submit(self, slice_: Slice) -> str:
        raise NotImplementedError

    def poll(self, job_id: str) -> JobStatus:
        raise NotImplementedError

    def fetch(self, job_id: str) -> Iterable[Row]:
        raise NotImplementedError

    def campaign_ids(self) -> list[str]:
        """Every campaign of the account, for splitting a single day; [] when it cannot be split so."""
        return []

    def split(self, slice_: Slice) -> list[Slice]:
        return split_slice(slice_, self.report.requested_metrics, self.campaign_ids)


class DayRangeReads(ReportReads):
    """A report read synchronously by a function of its days."""

    def __init__(self, report: Report, account_id: str, read: Callable[[date, date], Iterable[Row]]) -> None:
        super().__init__(report, account_id)
        self._read = read

    def read(self, slice_: Slice) -> Iterable[Row]:
        return self._read(*slice_dates(slice_))
