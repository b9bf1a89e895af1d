"""Google's entity and report source: one SearchStream per entity table or report window of a
customer, through the run's slice cache, so a raw stream and the unified adapter that need the same
rows cost one request (the report layer, ``ads_kit.tap.reports``, reads the windows)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any, cast

from ads_kit.resilience import ShrinkRequired
from ads_kit.tap.reports.reads import DayRangeReads
from ads_kit.tap.reports.slices import Report
from ads_kit.unified.slices import SliceCache
from tap_google_ads_unified.accounts import GoogleCustomers
from tap_google_ads_unified.client import GoogleAdsTransport
from tap_google_ads_unified.queries import Query


class GoogleSource:
    def __init__(
        self,
        client: GoogleAdsTransport,
        customers: GoogleCustomers,
        cache: SliceCache,
        *,
        include_deleted: bool,
    ) -> None:
        self._client = client
        self._customers = customers
        self._cache = cache
        self._include_deleted = include_deleted

    def rows(self, query: Query, customer: str) -> Iterator[dict[str, Any]]:
        """An entity table (or an undated custom report) of one customer."""
        key = ("google_ads", customer, query.name, "full")
        where = query.filter(include_deleted=self._include_deleted)
        return self._cache.rows(key, lambda: self._search(query, customer, where))

    def by_id(self, query: Query, customer: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Entities of one customer by id, whatever their status (REMOVED ones included)."""
        where = f"{query.resource}.id IN ({', '.join(str(int(i)) for i in ids)})"
        return self._search(query, customer, " AND ".join(filter(None, (query.where, where))))

    def window(self, query: Query, customer: str, since: date, until: date) -> list[dict[str, Any]]:
        """A report's rows for the customer-zone days [since, until] (the report layer caches them);
        a window Google finds too wide (DATE_RANGE_TOO_WIDE) is read as its two halves."""
        try:
            return self._search(query, customer, query.filter(since, until))
        except ShrinkRequired:
            if since >= until:
                raise
        middle = since + (until - since) // 2
        return self.window(query, customer, since, middle) + self.window(
            query, customer, middle + timedelta(1), until
        )

    def reads(self, report: Report, account_id: str) -> DayRangeReads:
        """``ads_kit.tap.reports.reader.ReportPlatform``: every window is one synchronous SearchStream."""
        return DayRangeReads(report, account_id, partial(self.window, cast(Query, report), account_id))

    def _search(self, query: Query, customer: str, where: str) -> list[dict[str, Any]]:
        login = self._customers.login_of(customer)
        rows = self._client.search(
            customer, query.fields, query.resource, where, login=login, stream=query.name
        )
        for row in rows:
            row["customer_id"] = customer
        return rows
