"""Report slices for raw and unified streams alike, fetched once per run.

Windows come from ``ads_kit.unified.slices.report_windows`` (calendar-aligned), so the raw insights
stream and the unified performance streams ask for the same slices and the second one replays the
first one's rows from the run's ``SliceCache`` instead of calling Meta again. Uncached windows run
as report jobs through ``ads_kit.resilience.jobs.JobRunner`` (several in flight, resumable from
state, split on failure); a lone short window uses the synchronous GET instead. Slices are handed
out in date order, whatever order the jobs finish in, so bookmarks only move forward.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from ads_kit.resilience.errors import ConfigError, ShrinkRequired
from ads_kit.resilience.jobs import JobFailed, JobRunner, JobSettings
from ads_kit.unified.slices import SliceCache
from tap_meta_ads.client import MetaClient
from tap_meta_ads.report_jobs import MetaReportJobs, slice_dates, window_slice
from tap_meta_ads.reports import ReportSpec

Window = tuple[date, date]
Rows = list[dict[str, Any]]
# Up to this many days of one account, one synchronous GET costs fewer calls than a report run
# (submit, polls, results).
SYNC_MAX_DAYS = 7
# A 14-day window reaches single days in 4 levels; a 5th splits by campaigns (or metrics). Deeper
# splits multiply the jobs a window that fails for good costs before it is dead-lettered.
JOB_SETTINGS = JobSettings(poll_initial_s=0.25, poll_max_s=30.0, max_split_depth=5)


class ReportFetcher:
    def __init__(
        self,
        client: MetaClient,
        cache: SliceCache,
        windows: list[str],
        *,
        max_in_flight: int,
        sleep: Callable[[float], None],
        drop_field: Callable[[str, str, list[str], ConfigError], None],
    ) -> None:
        self._client = client
        self._drop_field = drop_field
        self._metrics: dict[str, list[str]] = {}  # report -> fields still requested this run
        self._cache = cache
        self._attribution = windows
        self._settings = replace(JOB_SETTINGS, max_in_flight=max_in_flight)
        self._sleep = sleep

    def slices(
        self,
        spec: ReportSpec,
        account_id: str,
        windows: list[Window],
        *,
        state: dict[str, Any],
        on_checkpoint: Callable[[], None] = lambda: None,
        on_failure: Callable[[dict[str, Any], JobFailed], None],
    ) -> Iterator[tuple[Window, Rows]]:
        """(window, rows) in window order; a window that failed for good goes to ``on_failure``."""
        metrics = self._metrics.setdefault(spec.name, list(spec.requested_metrics))
        jobs = MetaReportJobs(
            self._client,
            spec,
            account_id,
            self._attribution,
            metrics=metrics,
            drop_field=lambda fields, error: self._drop_field(spec.name, account_id, fields, error),
        )
        todo = [w for w in windows if not self.is_cached(spec, account_id, w)]
        done: dict[Window, Rows] = {}
        runner: Iterator[tuple[dict[str, Any], Rows]] | None = None
        if len(todo) == 1 and (todo[0][1] - todo[0][0]).days < SYNC_MAX_DAYS and not state.get("jobs"):
            with contextlib.suppress(ShrinkRequired):  # too much for one GET: a report job below
                done[todo[0]] = jobs.read_sync(window_slice(*todo[0]))
        pieces: dict[Window, list[tuple[dict[str, Any], Rows]]] = {}
        for window in windows:
            key = self._key(spec, account_id, window)
            if key in self._cache:
                yield window, list(self._cache.rows(key, _never_fetched))
                continue
            if window not in done and runner is None:
                pending = [window_slice(*w) for w in todo if w not in done]
                runner = JobRunner(
                    jobs,
                    state,
                    what=f"meta account {account_id} stream {spec.name}",
                    settings=self._settings,
                    on_checkpoint=on_checkpoint,
                    on_failure=on_failure,
                    sleep=self._sleep,
                ).run(pending)
            while window not in done and runner is not None:
                try:
                    slice_, rows = next(runner)
                except StopIteration:
                    runner = None
                    break
                root = root_window(slice_, todo)
                pieces.setdefault(root, []).append((slice_, rows))
                if _covered(spec, root, pieces[root]):
                    done[root] = _join(spec, pieces.pop(root))
            if window in done:
                fetched = done.pop(window)
                yield window, list(self._cache.rows(key, lambda fetched=fetched: fetched))
            elif partial := _whole_rows(pieces.pop(window, [])):
                # Part of the window failed (and is dead-lettered); its complete rows still count.
                yield window, partial

    def is_cached(self, spec: ReportSpec, account_id: str, window: Window) -> bool:
        return self._key(spec, account_id, window) in self._cache

    @staticmethod
    def _key(spec: ReportSpec, account_id: str, window: Window) -> tuple[str, ...]:
        return ("meta", account_id, spec.name, window[0].isoformat(), window[1].isoformat())


def _never_fetched() -> Rows:
    raise AssertionError("a cached slice is replayed, never fetched")


def root_window(slice_: dict[str, Any], windows: list[Window]) -> Window:
    """The requested window a (possibly split) job slice belongs to."""
    since, _ = slice_dates(slice_)
    return next(w for w in windows if w[0] <= since <= w[1])


def _days(window: Window) -> int:
    return (window[1] - window[0]).days + 1


def _covered(spec: ReportSpec, root: Window, parts: list[tuple[dict[str, Any], Rows]]) -> bool:
    """Split pieces partition their root, so day x metric x campaign shares tell when all of it
    has arrived."""

    def share(slice_: dict[str, Any]) -> Fraction:
        metrics = len(slice_.get("metrics") or spec.requested_metrics)
        part = slice_.get("campaigns")
        campaigns = Fraction(len(part), slice_["campaign_total"]) if part is not None else 1
        return _days(slice_dates(slice_)) * metrics * campaigns

    return sum(share(s) for s, _ in parts) >= _days(root) * len(spec.requested_metrics)


def _join(spec: ReportSpec, parts: list[tuple[dict[str, Any], Rows]]) -> Rows:
    """Rows of the pieces; pieces split by metrics are joined on the report key."""
    if not any("metrics" in s for s, _ in parts):
        return [row for _, rows in parts for row in rows]
    joined: dict[tuple[str, ...], dict[str, Any]] = {}
    for _, rows in parts:
        for row in rows:
            key = tuple(str(row.get(field, "")) for field in spec.key_fields)
            joined.setdefault(key, {}).update(row)
    return list(joined.values())


def _whole_rows(parts: list[tuple[dict[str, Any], Rows]]) -> Rows:
    return [row for s, rows in parts if "metrics" not in s for row in rows]
