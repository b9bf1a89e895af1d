"""A tiny tap with the unified streams over an in-memory adapter whose report requests are counted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property

from singer_sdk import Tap
from singer_sdk import typing as th

from ads_kit.resilience.errors import AccountSkipped
from ads_kit.settings import DATE_RANGE, DEAD_LETTER_PATH
from ads_kit.timezones import zone
from ads_kit.unified.adapter import AccountInfo, UnifiedAdapter
from ads_kit.unified.run import unified_run
from ads_kit.unified.streams import unified_streams

ACCOUNTS = (
    AccountInfo("111", "US shop", "USD", "America/New_York", "1", datetime(2020, 1, 1, tzinfo=UTC)),
    AccountInfo("222", "JP shop", "JPY", "Asia/Tokyo", "2", datetime(2021, 6, 1, tzinfo=UTC)),
)
ADS = {  # ad -> (ad group, campaign)
    "a1": ("g1", "c1"),
    "a2": ("g1", "c1"),
    "a3": ("g2", "c2"),
}
HOURLY = {"impressions": 10, "clicks": 1, "spend": Decimal("0.125"), "conversions": Decimal("0.5")}


class FakeAdapter(UnifiedAdapter):
    """Deterministic rows; every report request is counted and goes through the run's slice cache."""

    platform = "meta_ads"
    restatement_days = 3
    retention_days = 1110
    additive_levels = True
    slice_days = 7
    breakdown_dimensions = ("age", "device")

    def __init__(self, tap: Tap) -> None:
        self.tap = tap
        self.requests: Counter[str] = Counter()
        self.skip_reports_for: set[str] = set()
        self.bad_day: date | None = None  # a day whose a1 row carries negative spend
        self.dropped_values: set[str] = set()  # breakdown values the "platform" leaves out

    def accounts(self):
        return ACCOUNTS

    def campaigns(self, account):
        yield {
            "campaign_id": "c1",
            "campaign_name": "Prospecting",
            "status_raw": "ACTIVE",
            "objective_raw": "OUTCOME_SALES",
            "budget": Decimal("5000") / 100,
            "budget_period": "daily",
            "start_date": date(2024, 1, 1),
            "created_at": "2024-03-12T15:02:47-0700",
            "updated_at": datetime(2024, 3, 13, tzinfo=UTC),
        }
        yield {"campaign_id": "c2", "campaign_name": "Retargeting", "status_raw": "SOMETHING_NEW"}

    def ad_groups(self, account):
        return [
            {"ad_group_id": g, "campaign_id": c, "status_raw": "PAUSED"}
            for g, c in {("g1", "c1"), ("g2", "c2")}
        ]

    def ads(self, account):
        return [
            {"ad_id": a, "ad_group_id": g, "campaign_id": c, "status_raw": "ARCHIVED"}
            for a, (g, c) in ADS.items()
        ]

    def audiences(self, account):
        return [{"audience_id": "au1", "audience_type_raw": "LOOKALIKE", "approximate_size": 1000}]

    def _report(self, kind, account, start, end, fetch):
        key = (kind, account.account_id, start, end)

        def counted():
            self.requests[kind] += 1
            if account.account_id in self.skip_reports_for:
                raise AccountSkipped(account.account_id, "no permission")
            yield from fetch()

        return unified_run(self.tap).slice_cache.rows(key, counted)

    def _day_metrics(self, account, ad_id, day):
        hours = [self._hour_metrics(account, ad_id, day, n) for n in range(24)]
        row = {name: sum((h[name] for h in hours), start=type(hours[0][name])(0)) for name in HOURLY}
        row["conversions_value"] = row["conversions"] * 40
        return row

    def _hour_metrics(self, account, ad_id, day, hour):
        row = dict(HOURLY)
        if account.currency == "JPY":
            row["spend"] = Decimal("12.5")
        if ad_id == "a1" and day == self.bad_day:
            row["spend"] = -row["spend"]
        return row

    def _days(self, start, end):
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]

    def performance(self, account, level, start, end):
        def fetch():
            for day in self._days(start, end):
                for ad_id, (group, campaign) in ADS.items():
                    yield {
                        "ad_id": ad_id,
                        "ad_group_id": group,
                        "campaign_id": campaign,
                        "campaign_name": f"name {campaign}",
                        "date_day": day,
                        "reach": 7,
                        "attribution_click_days": 7,
                        "attribution_view_days": 1,
                        **self._day_metrics(account, ad_id, day),
                    }

        assert level == "ad", "additive levels: campaign rows come from the ad slice"
        return self._report(f"performance_{level}", account, start, end, fetch)

    def hourly_performance(self, account, level, start, end):
        def fetch():
            tz = zone(account.timezone)
            for day in self._days(start, end):
                first = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
                last = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
                utc_start = first
                while utc_start < last:
                    for ad_id, (group, campaign) in ADS.items():
                        yield {
                            "ad_id": ad_id,
                            "ad_group_id": group,
                            "campaign_id": campaign,
                            "utc_start": utc_start,
                            **self._hour_metrics(account, ad_id, day, 0),
                            "conversions_value": Decimal(20),
                        }
                    utc_start += timedelta(hours=1)

        return self._report(f"hourly_{level}", account, start, end, fetch)

    def breakdowns(self, account, dimension, start, end):
        values = {"age": ["18-24", "65+"], "device": ["iphone", "android_smartphone", "desktop"]}[dimension]

        def fetch():
            for day in self._days(start, end):
                totals = {}
                for ad_id in ("a1", "a2"):
                    for name, value in self._day_metrics(account, ad_id, day).items():
                        totals[name] = totals.get(name, 0) + value
                share = len(values)
                for index, value in enumerate(values):
                    if value in self.dropped_values:
                        continue
                    # the last value takes the remainder so the split sums exactly to the campaign
                    part = {
                        k: (v - v // share * (share - 1) if index == share - 1 else v // share)
                        for k, v in totals.items()
                    }
                    yield {"campaign_id": "c1", "date_day": day, "value_raw": value, "reach": 3, **part}

        return self._report(f"breakdown_{dimension}", account, start, end, fetch)


class ContractTap(Tap):
    name = "tap-unified-contract"
    config_jsonschema = th.PropertiesList(
        DATE_RANGE,
        DEAD_LETTER_PATH,
        th.Property("lookback_days", th.IntegerType),
        th.Property("freshness_days", th.IntegerType),
        th.Property("reporting_timezone", th.StringType),
        th.Property("reporting_currency", th.StringType),
        th.Property("fx_rates", th.AnyType()),
        th.Property("fx_rates_file", th.StringType),
    ).to_dict()

    @cached_property
    def unified_adapter(self) -> FakeAdapter:
        return FakeAdapter(self)

    def discover_streams(self):
        return unified_streams(self)


def select(catalog: dict, names) -> dict:
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in names
    return catalog
