"""Meta's asynchronous insights protocol (AdReportRun) as an ``ads_kit.resilience.jobs`` platform.

``POST act_<id>/insights`` answers ``{"report_run_id": ...}``; ``GET <run id>`` reports
``async_status`` (Job Not Started / Started / Running / Completed / Failed / Skipped) and
``async_percent_completion``; ``GET <run id>/insights`` pages the rows once the status is
"Job Completed" (100 % alone is not completion: Meta reports "Job Running" at 100 % for a while).
A failed slice is split by dates first, then by campaigns (a ``campaign.id IN`` filter over halves of
the account's campaigns of every status), then by halving its metrics; the fetcher joins the pieces
again on the report key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any, TypeVar

from ads_kit.resilience.errors import AccountSkipped, ConfigError
from ads_kit.resilience.jobs import JobExpired, JobState, JobStatus
from tap_meta_ads.client import MetaClient
from tap_meta_ads.reports import ReportSpec

_STATES = {
    "Job Not Started": JobState.PENDING,
    "Job Started": JobState.RUNNING,
    "Job Running": JobState.RUNNING,
    "Job Completed": JobState.COMPLETED,
    "Job Failed": JobState.FAILED,
    "Job Skipped": JobState.FAILED,
}
UNKNOWN_OBJECT_CODE = "100/33"
CAMPAIGN_STATUSES = ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"]
T = TypeVar("T")
FieldDrop = Callable[[list[str], ConfigError], None]
"""Removes the field a config error names from the list (or re-raises the error)."""


def window_slice(
    since: date,
    until: date,
    metrics: tuple[str, ...] | None = None,
    campaigns: list[str] | None = None,
    campaign_total: int | None = None,
) -> dict[str, Any]:
    """A job slice as stored in Singer state: plain JSON. A slice split by campaigns keeps how many
    campaigns its window had, so the fetcher knows when every piece has arrived."""
    slice_: dict[str, Any] = {"since": since.isoformat(), "until": until.isoformat()}
    if metrics is not None:
        slice_["metrics"] = list(metrics)
    if campaigns is not None:
        slice_["campaigns"] = campaigns
        slice_["campaign_total"] = campaign_total
    return slice_


def _halves(items: list[Any]) -> tuple[list[Any], list[Any]]:
    return items[: len(items) // 2], items[len(items) // 2 :]


def slice_dates(slice_: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(slice_["since"]), date.fromisoformat(slice_["until"])


class MetaReportJobs:
    """Report runs of one report and account."""

    def __init__(
        self,
        client: MetaClient,
        spec: ReportSpec,
        account_id: str,
        windows: list[str],
        *,
        metrics: list[str],
        drop_field: FieldDrop,
    ) -> None:
        self._client = client
        self._spec = spec
        self._account_id = account_id
        self._windows = windows
        self._metrics = metrics  # shared by every job of this report; shrinks when Meta rejects one
        self._drop_field = drop_field
        self._campaigns: list[str] | None = None
        self._target = {"account": account_id, "endpoint": "insights", "stream": spec.name}

    def params(self, slice_: dict[str, Any]) -> dict[str, Any]:
        wanted = slice_.get("metrics") or self._metrics
        metrics = tuple(m for m in wanted if m in self._metrics)
        params = self._spec.params(slice_["since"], slice_["until"], self._windows, metrics)
        if "campaigns" in slice_:
            params["filtering"] = [
                *params["filtering"],
                {"field": "campaign.id", "operator": "IN", "value": slice_["campaigns"]},
            ]
        return params

    def _campaign_ids(self) -> list[str]:
        """Every campaign of the account, deleted and archived too: their spend is in the report."""
        if self._campaigns is None:
            params = {
                "fields": "id",
                "filtering": [
                    {"field": "campaign.effective_status", "operator": "IN", "value": CAMPAIGN_STATUSES}
                ],
            }
            pages = self._client.pages(f"act_{self._account_id}/campaigns", params, **self._target)
            self._campaigns = sorted(row["id"] for page in pages for row in page)
        return self._campaigns

    def submit(self, slice_: dict[str, Any]) -> str:
        body = self._without_rejected_fields(
            lambda: self._client.post(f"act_{self._account_id}/insights", self.params(slice_), **self._target)
        )
        return str(body.get("report_run_id") or body["id"])

    def _without_rejected_fields(self, request: Callable[[], T]) -> T:
        """``request()``; a field Meta rejects is dropped (with a schema-drift finding) and it is
        sent again; any other config error propagates."""
        while True:
            try:
                return request()
            except ConfigError as exc:
                self._drop_field(self._metrics, exc)

    def poll(self, job_id: str) -> JobStatus:
        try:
            run = self._client.get(job_id, None, **self._target)
        except AccountSkipped as exc:
            # 100/33 on a run id: Meta no longer holds that run (it expired); submit it again.
            if UNKNOWN_OBJECT_CODE in str(exc):
                raise JobExpired(f"report run {job_id}: {exc.reason}") from None
            raise
        state = _STATES.get(str(run.get("async_status")), JobState.RUNNING)
        error = None
        if state is JobState.FAILED:
            code = f"{run.get('error_code', '?')}/{run.get('error_subcode', '?')}"
            error = (
                f"{run.get('async_status')} {code}: {run.get('error_user_msg') or run.get('error_message')}"
            )
        return JobStatus(state, percent=run.get("async_percent_completion"), error=error)

    def fetch(self, job_id: str) -> Iterator[dict[str, Any]]:
        for page in self._client.pages(f"{job_id}/insights", None, **self._target):
            yield from page

    def split(self, slice_: dict[str, Any]) -> list[dict[str, Any]]:
        """Smaller pieces of a failed slice: by dates, then by campaigns, then by metrics."""
        since, until = slice_dates(slice_)
        metrics = tuple(slice_.get("metrics") or self._spec.requested_metrics)
        keep = metrics if "metrics" in slice_ else None
        campaigns = slice_.get("campaigns")
        total = slice_.get("campaign_total")
        days = (until - since).days + 1
        if days > 1:
            middle = since + timedelta(days=days // 2 - 1)
            return [
                window_slice(since, middle, keep, campaigns, total),
                window_slice(middle + timedelta(days=1), until, keep, campaigns, total),
            ]
        if campaigns is None and len(self._campaign_ids()) > 1:
            campaigns, total = self._campaign_ids(), len(self._campaign_ids())
        if campaigns is not None and len(campaigns) > 1:
            return [window_slice(since, until, keep, half, total) for half in _halves(campaigns)]
        if len(metrics) > 1:
            return [window_slice(since, until, half, campaigns, total) for half in _halves(list(metrics))]
        return []

    def read_sync(self, slice_: dict[str, Any]) -> list[dict[str, Any]]:
        """The same slice through the synchronous GET (cheaper for a few days of one account)."""

        def read() -> list[dict[str, Any]]:
            params = self.params(slice_)
            params["fields"] = ",".join(params["fields"])
            pages = self._client.pages(f"act_{self._account_id}/insights", params, **self._target)
            return [row for page in pages for row in page]

        return self._without_rejected_fields(read)
