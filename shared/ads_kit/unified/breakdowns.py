"""``unified_performance_breakdowns``: campaign, day, dimension and normalized value, in the account
zone (breakdowns have no hours), checked against the campaign totals of the same run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ads_kit.quality import checks
from ads_kit.unified.adapter import AccountInfo
from ads_kit.unified.metrics import sum_rows
from ads_kit.unified.performance import PerformanceStream, SyncPlan

if TYPE_CHECKING:
    from singer_sdk import Tap


class UnifiedPerformanceBreakdownsStream(PerformanceStream):
    """Values that normalize to the same vocabulary entry (Meta iphone and android_smartphone are both
    mobile) are summed, since the key is the normalized value; value_raw then lists the raw values."""

    name = "unified_performance_breakdowns"
    id_fields = ("campaign_id", "dimension", "value")

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        self._sums: dict[tuple[str, str, str], dict[str, Any]] = {}

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        rows: list[dict] = []
        for dimension in self.adapter.breakdown_dimensions:
            for source in self.adapter.breakdowns(account, dimension, start, end):
                row = dict(source, dimension=dimension, timezone=account.timezone)
                row["value"], row["value_raw"] = self.mapped(dimension, row.get("value_raw"), account)
                rows.append(row)
        return merge_same_values(rows)

    def day_zone(self, account: AccountInfo) -> str:
        """Breakdown days stay in the account zone (each row's ``timezone`` says so); a bad
        ``reporting_timezone`` still fails here as in every performance stream."""
        super().day_zone(account)
        return account.timezone

    def observe(self, row: Mapping[str, Any]) -> None:
        sums = self._sums.setdefault((row["campaign_id"], row["date_day"], row["dimension"]), {})
        for name in ("impressions", "clicks", "spend"):
            if row.get(name) is not None:
                sums[name] = sums.get(name, 0) + row[name]

    def after_account(self, account: AccountInfo, plan: SyncPlan, days_seen: set[date]) -> None:
        super().after_account(account, plan, days_seen)
        for (campaign_id, day, dimension), sums in self._sums.items():
            totals = self.run.campaign_totals.get((account.account_id, campaign_id, day, account.timezone))
            if totals is None:  # campaign performance not synced this run, or synced in another zone
                continue
            for metric, breakdown_sum in sums.items():
                total = totals.get(metric)
                if total is None:
                    continue
                self.run.collector.add(
                    checks.breakdown_mismatch(
                        platform=self.platform,
                        account_id=account.account_id,
                        campaign_id=campaign_id,
                        day=date.fromisoformat(day),
                        dimension=dimension,
                        metric=metric,
                        campaign_total=total,
                        breakdown_sum=breakdown_sum,
                    )
                )
        self._sums.clear()


def merge_same_values(rows: list[dict]) -> list[dict]:
    keys = ("campaign_id", "date_day", "dimension", "value")
    merged = sum_rows(rows, keys, nulled=())
    raw_by_key: dict[tuple, list[str]] = {}
    for row in rows:
        raws = raw_by_key.setdefault(tuple(row.get(k) for k in keys), [])
        if row.get("value_raw") is not None and row["value_raw"] not in raws:
            raws.append(row["value_raw"])
    for row in merged:
        raws = raw_by_key[tuple(row.get(k) for k in keys)]
        row["value_raw"] = ",".join(raws) if raws else None
        if len(raws) > 1:
            row["reach"] = None  # people reached on two devices would be counted twice
    return merged
