"""TikTok's report reads for the shared report layer: ``report/integrated/get/`` (synchronous) and
report tasks (``report/task/create/``, ``check/``, ``download/``).

A synchronous read covers at most 30 days by day and one day by hour (§3.2): hourly slices are read
day by day, and a window TikTok calls too large (40067) is halved down to single days. A task has no
span limit and is not truncated at 20,000 ads (§3.8, §6.5); its file is CSV with the raw field names
(``enable_report_title_translation`` false). TikTok accepts no status filter on tasks and drops
deleted entities from campaign, ad group and ad rows there, so with ``include_deleted`` those
reports stay synchronous; audience reports and hourly reports stay synchronous too (a task writes
countries as names, and an hourly window is one day).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, cast

from ads_kit.resilience.errors import AccountSkipped, ShrinkRequired
from ads_kit.resilience.jobs import JobExpired, JobState, JobStatus
from ads_kit.tap.reports.reads import ReportReads
from ads_kit.tap.reports.slices import Report, Row, Slice, slice_dates
from tap_tiktok_ads.client import TikTokClient
from tap_tiktok_ads.reports import SYNC_ONLY, UV_METRICS, ReportSpec, hour_folds

STATES = {
    "QUEUING": JobState.PENDING, "PROCESSING": JobState.RUNNING, "SUCCESS": JobState.COMPLETED,
    "FAILED": JobState.FAILED, "CANCELED": JobState.FAILED,
}  # fmt: skip
ALL_STATUSES = '["STATUS_ALL"]'
OBJECT_MISSING = "40007"


class TikTokReportReads(ReportReads):
    """One report of one advertiser."""

    report: ReportSpec

    def __init__(
        self,
        client: TikTokClient,
        spec: ReportSpec,
        advertiser_id: str,
        *,
        include_deleted: bool,
    ) -> None:
        super().__init__(spec, advertiser_id)
        self._client = client
        self._include_deleted = include_deleted
        self._campaigns: list[str] | None = None
        self._target: dict[str, Any] = {"account": advertiser_id, "endpoint": "reports", "stream": spec.name}

    def params(self, slice_: Slice, start: date, end: date, *, task: bool) -> dict[str, Any]:
        spec = self.report
        wanted = slice_.get("metrics") or spec.requested_metrics
        params: dict[str, Any] = {
            "advertiser_id": self.account_id,
            "report_type": spec.report_type,
            "data_level": f"AUCTION_{spec.level}",
            "dimensions": spec.dimensions,
            "metrics": list(wanted),
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }
        filters = []
        if "campaigns" in slice_:
            filters.append(_in("campaign_ids", slice_["campaigns"]))
        if self._include_deleted and spec.level != "ADVERTISER" and not task:
            filters.append(
                {
                    "field_name": f"{spec.level.lower()}_status",
                    "filter_type": "IN",
                    "filter_value": ALL_STATUSES,
                }
            )
        if filters:
            params["filtering"] = filters
        return params

    # -- synchronous ------------------------------------------------------------------------------

    def read(self, slice_: Slice) -> list[Row]:
        start, end = slice_dates(slice_)
        step = 1 if self.report.hourly else (end - start).days + 1
        rows: list[Row] = []
        day = start
        while day <= end:
            last = min(end, day + timedelta(days=step - 1))
            rows += self._read_span(slice_, day, last)
            day = last + timedelta(days=1)
        return rows

    def _read_span(self, slice_: Slice, start: date, end: date) -> list[Row]:
        """One request's days; halved while TikTok says the query is too large (40067)."""
        try:
            params = self.params(slice_, start, end, task=False)
            pages = self._client.pages("report/integrated/get", params, **self._target)
            return hour_folds([_flat(item) for page in pages for item in page], self.report)
        except ShrinkRequired:
            if start == end:
                raise
            middle = start + timedelta(days=(end - start).days // 2)
            return self._read_span(slice_, start, middle) + self._read_span(
                slice_, middle + timedelta(days=1), end
            )

    # -- report tasks -----------------------------------------------------------------------------

    def campaign_ids(self) -> list[str]:
        """Every campaign of the advertiser (deleted too), for splitting a failed day."""
        if self._campaigns is None:
            params = {
                "advertiser_id": self.account_id,
                "fields": ["campaign_id"],
                "filtering": {"primary_status": "STATUS_ALL"},
            }
            pages = self._client.pages("campaign/get", params, **self._target)
            self._campaigns = sorted(row["campaign_id"] for page in pages for row in page)
        return self._campaigns

    def submit(self, slice_: Slice) -> str:
        start, end = slice_dates(slice_)
        body = {
            **self.params(slice_, start, end, task=True),
            "output_format": "CSV_STRING",
            "enable_report_title_translation": False,
        }
        return str(self._client.data("POST", "report/task/create", body, **self._target)["task_id"])

    def poll(self, job_id: str) -> JobStatus:
        try:
            data = self._client.data("GET", "report/task/check", self._task(job_id), **self._target)
        except AccountSkipped as exc:
            if OBJECT_MISSING in str(exc):  # the task expired (tasks live 30 days): submit it again
                raise JobExpired(f"report task {job_id}: {exc.reason}") from None
            raise
        state = STATES.get(str(data.get("status")), JobState.RUNNING)
        error = (
            f"{data.get('status')}: {data.get('message') or 'no reason given'}"
            if state is JobState.FAILED
            else None
        )
        return JobStatus(state, error=error, platform_status=str(data.get("status")))

    def fetch(self, job_id: str) -> Iterator[Row]:
        body = self._client.request("GET", "report/task/download", self._task(job_id), **self._target)
        rows = list(csv.DictReader(io.StringIO(str(body.get("csv") or ""))))
        yield from hour_folds(cast("list[Row]", rows), self.report)

    def _task(self, job_id: str) -> dict[str, str]:
        return {"advertiser_id": self.account_id, "task_id": job_id}


def _in(field: str, values: list[str]) -> dict[str, str]:
    return {"field_name": field, "filter_type": "IN", "filter_value": json.dumps(values)}


def _flat(item: dict[str, Any]) -> Row:
    return {**(item.get("dimensions") or {}), **(item.get("metrics") or {})}


def _task_ready(spec: ReportSpec, include_deleted: bool) -> bool:
    """Whether a report task can stand for the synchronous report (see the module docstring)."""
    return (
        spec.report_type == "BASIC"
        and not spec.hourly
        and not spec.breakdowns
        and not (include_deleted and spec.level != "ADVERTISER")
        and not (set(spec.requested_metrics) & SYNC_ONLY)
        and not (spec.breakdowns and set(spec.requested_metrics) & UV_METRICS)
    )


class TikTokTaskReads(TikTokReportReads):
    """A report TikTok can run as report tasks."""

    asynchronous = True


class TikTokReports:
    """The report platform of a run: every report and advertiser read through one transport."""

    def __init__(self, client: TikTokClient, *, include_deleted: bool, use_tasks: bool) -> None:
        self._client = client
        self._include_deleted = include_deleted
        self._use_tasks = use_tasks

    def reads(self, report: Report, account_id: str) -> TikTokReportReads:
        spec = cast("ReportSpec", report)  # the reader hands back the tap's own specs
        tasks = self._use_tasks and _task_ready(spec, self._include_deleted)
        kind = TikTokTaskReads if tasks else TikTokReportReads
        return kind(self._client, spec, account_id, include_deleted=self._include_deleted)
