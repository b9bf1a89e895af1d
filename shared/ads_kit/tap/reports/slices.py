"""Report slices: a window of days, optionally narrowed to some campaigns or some metrics.

A slice is plain JSON, stored in Singer state while its job runs. A failed slice is split by dates
first, then by campaigns (halves of the account's campaigns), then by halving its metrics; pieces
partition their window, so day x metric x campaign shares tell when all of it has arrived, and
pieces split by metrics are joined again on the report's key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Protocol

Window = tuple[date, date]
Row = dict[str, Any]
Rows = list[Row]
Slice = dict[str, Any]
Piece = tuple[Slice, Rows]


class Report(Protocol):
    """What the report layer needs of a report: the name its slices are cached and dead-lettered
    under, the metrics a whole slice carries, and the key its rows are joined on."""

    @property
    def name(self) -> str: ...
    @property
    def requested_metrics(self) -> tuple[str, ...]: ...
    @property
    def key_fields(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class NamedReport:
    """A report read synchronously and never split: only its name matters."""

    name: str
    requested_metrics: tuple[str, ...] = ()
    key_fields: tuple[str, ...] = ()


def window_slice(
    since: date,
    until: date,
    metrics: tuple[str, ...] | list[str] | None = None,
    campaigns: list[str] | None = None,
    campaign_total: int | None = None,
) -> Slice:
    """A slice as stored in Singer state. One split by campaigns keeps how many campaigns its
    window had, so the reader knows when every piece has arrived."""
    slice_: Slice = {"since": since.isoformat(), "until": until.isoformat()}
    if metrics is not None:
        slice_["metrics"] = list(metrics)
    if campaigns is not None:
        slice_["campaigns"] = campaigns
        slice_["campaign_total"] = campaign_total
    return slice_


def slice_dates(slice_: Slice) -> Window:
    return date.fromisoformat(slice_["since"]), date.fromisoformat(slice_["until"])


def root_window(slice_: Slice, windows: list[Window]) -> Window:
    """The requested window a (possibly split) slice belongs to."""
    since, _ = slice_dates(slice_)
    return next(w for w in windows if w[0] <= since <= w[1])


def _halves(items: list[Any]) -> tuple[list[Any], list[Any]]:
    return items[: len(items) // 2], items[len(items) // 2 :]


def split_slice(
    slice_: Slice, metrics: tuple[str, ...], campaign_ids: Callable[[], list[str]]
) -> list[Slice]:
    """Smaller pieces of a failed slice: by dates, then by campaigns, then by metrics; [] when it
    cannot be made smaller. ``campaign_ids`` is asked only when a single day must be split."""
    since, until = slice_dates(slice_)
    wanted = tuple(slice_.get("metrics") or metrics)
    keep = wanted if "metrics" in slice_ else None
    campaigns, total = slice_.get("campaigns"), slice_.get("campaign_total")
    days = (until - since).days + 1
    if days > 1:
        middle = since + timedelta(days=days // 2 - 1)
        return [
            window_slice(since, middle, keep, campaigns, total),
            window_slice(middle + timedelta(days=1), until, keep, campaigns, total),
        ]
    if campaigns is None:
        every = campaign_ids()
        campaigns, total = (every, len(every)) if len(every) > 1 else (None, None)
    if campaigns is not None and len(campaigns) > 1:
        return [window_slice(since, until, keep, half, total) for half in _halves(campaigns)]
    if len(wanted) > 1:
        return [window_slice(since, until, half, campaigns, total) for half in _halves(list(wanted))]
    return []


def _days(window: Window) -> int:
    return (window[1] - window[0]).days + 1


def covered(report: Report, root: Window, parts: list[Piece]) -> bool:
    """Whether the pieces that arrived make up all of ``root``."""

    def share(slice_: Slice) -> Fraction | int:
        metrics = len(slice_.get("metrics") or report.requested_metrics) or 1
        part = slice_.get("campaigns")
        campaigns = Fraction(len(part), slice_["campaign_total"]) if part is not None else 1
        return _days(slice_dates(slice_)) * metrics * campaigns

    return sum(share(s) for s, _ in parts) >= _days(root) * (len(report.requested_metrics) or 1)


def joined(report: Report, parts: list[Piece]) -> Rows:
    """Rows of the pieces; pieces split by metrics are joined on the report key."""
    if not any("metrics" in s for s, _ in parts):
        return [row for _, rows in parts for row in rows]
    rows_by_key: dict[tuple[str, ...], Row] = {}
    for _, rows in parts:
        for row in rows:
            key = tuple(str(row.get(field, "")) for field in report.key_fields)
            rows_by_key.setdefault(key, {}).update(row)
    return list(rows_by_key.values())


def whole_rows(parts: list[Piece]) -> Rows:
    """The complete rows of a window that failed in part: those of pieces not split by metrics."""
    return [row for s, rows in parts if "metrics" not in s for row in rows]
