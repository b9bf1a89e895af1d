"""Meta's insights reads for the shared report layer: the synchronous GET and AdReportRun jobs.

``POST act_<id>/insights`` answers ``{"report_run_id": ...}``; ``GET <run id>`` reports
``async_status`` (Job Not Started / Started / Running / Completed / Failed / Skipped) and
``async_percent_completion``; ``GET <run id>/insights`` pages the rows once the status is
"Job Completed" (100 % alone is not completion: Meta reports "Job Running" at 100 % for a while).
A failed slice is split by the shared layer (dates, then campaigns, then metrics); a campaign piece
becomes a ``campaign.id IN`` filter over the account's campaigns of every status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from ads_kit.resilience.errors import AccountSkipped
from ads_kit.resilience.jobs import JobExpired, JobState, JobStatus
from ads_kit.tap.drift import SchemaDrift
from ads_kit.tap.reports.reads import ReportReads
from ads_kit.tap.reports.slices import Report
from tap_meta_ads.client import MetaClient
from tap_meta_ads.formats import status_filter
from tap_meta_ads.reports import ReportSpec

_STATES = {
    "Job Not Started": JobState.PENDING, "Job Started": JobState.RUNNING, "Job Running": JobState.RUNNING,
    "Job Completed": JobState.COMPLETED, "Job Failed": JobState.FAILED, "Job Skipped": JobState.FAILED,
}  # fmt: skip
UNKNOWN_OBJECT_CODE = "100/33"
T = TypeVar("T")


class MetaReportJobs(ReportReads):
    """Insights of one report and account."""

    asynchronous = True
    report: ReportSpec

    def __init__(
        self,
        client: MetaClient,
        spec: ReportSpec,
        account_id: str,
        windows: list[str],
        *,
        metrics: list[str],
        drift: SchemaDrift,
    ) -> None:
        super().__init__(spec, account_id)
        self._client = client
        self._windows = windows
        self._metrics = metrics  # shared by every job of this report; shrinks when Meta rejects one
        self._drift = drift
        self._campaigns: list[str] | None = None
        self._target = {"account": account_id, "endpoint": "insights", "stream": spec.name}

    def params(self, slice_: dict[str, Any]) -> dict[str, Any]:
        wanted = slice_.get("metrics") or self._metrics
        metrics = tuple(m for m in wanted if m in self._metrics)
        params = self.report.params(slice_["since"], slice_["until"], self._windows, metrics)
        if "campaigns" in slice_:
            params["filtering"] = [
                *params["filtering"],
                {"field": "campaign.id", "operator": "IN", "value": slice_["campaigns"]},
            ]
        return params

    def campaign_ids(self) -> list[str]:
        """Every campaign of the account, deleted and archived too: their spend is in the report."""
        if self._campaigns is None:
            params = {"fields": "id", "filtering": [status_filter("campaign")]}
            pages = self._client.pages(f"act_{self.account_id}/campaigns", params, **self._target)
            self._campaigns = sorted(row["id"] for page in pages for row in page)
        return self._campaigns

    def _without_rejected_fields(self, request: Callable[[], T]) -> T:
        return self._drift.without_rejected_fields(self.report.name, self.account_id, self._metrics, request)

    def submit(self, slice_: dict[str, Any]) -> str:
        path = f"act_{self.account_id}/insights"
        body = self._without_rejected_fields(
            lambda: self._client.post(path, self.params(slice_), **self._target)
        )
        return str(body.get("report_run_id") or body["id"])

    def poll(self, job_id: str) -> JobStatus:
        try:
            run = self._client.get(job_id, None, **self._target)
        except AccountSkipped as exc:
            # 100/33 on a run id: Meta no longer holds that run (it expired); submit it again.
            if UNKNOWN_OBJECT_CODE in str(exc):
                raise JobExpired(f"report run {job_id}: {exc.reason}") from None
            raise
        status = str(run.get("async_status"))
        error = None
        if _STATES.get(status) is JobState.FAILED:
            code = f"{run.get('error_code', '?')}/{run.get('error_subcode', '?')}"
            error = f"{status} {code}: {run.get('error_user_msg') or run.get('error_message')}"
        state, percent = _STATES.get(status, JobState.RUNNING), run.get("async_percent_completion")
        return JobStatus(state, percent=percent, error=error, platform_status=status)

    def fetch(self, job_id: str) -> Iterator[dict[str, Any]]:
        for page in self._client.pages(f"{job_id}/insights", None, **self._target):
            yield from page

    def read(self, slice_: dict[str, Any]) -> list[dict[str, Any]]:
        """The same slice through the synchronous GET (cheaper for a few days of one account)."""

        def read() -> list[dict[str, Any]]:
            params = self.params(slice_)
            params["fields"] = ",".join(params["fields"])
            pages = self._client.pages(f"act_{self.account_id}/insights", params, **self._target)
            return [row for page in pages for row in page]

        return self._without_rejected_fields(read)


class MetaReports:
    """The report platform of a run: every report and account read through one transport, with the
    configured attribution windows; a field Meta rejects is dropped for every account of the report."""

    def __init__(self, client: MetaClient, windows: list[str], drift: SchemaDrift) -> None:
        self._client = client
        self._windows = windows
        self._drift = drift
        self._metrics: dict[str, list[str]] = {}  # report -> fields still requested this run

    def reads(self, report: Report, account_id: str) -> MetaReportJobs:
        spec = cast("ReportSpec", report)  # the reader hands back the tap's own specs (TapMetaAds.reports)
        return MetaReportJobs(
            self._client,
            spec,
            account_id,
            self._windows,
            metrics=self._metrics.setdefault(spec.name, list(spec.requested_metrics)),
            drift=self._drift,
        )
