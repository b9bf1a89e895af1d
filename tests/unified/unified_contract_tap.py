"""A platform plugged into the shared tap base: an in-memory adapter whose report requests are counted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from singer_sdk import typing as th

from ads_kit.resilience.errors import AccountSkipped
from ads_kit.settings import shared_settings
from ads_kit.tap.base import AdsTap
from ads_kit.tap.profile import PlatformProfile
from ads_kit.tap.sources import StaticAccounts
from ads_kit.timezones import zone
from ads_kit.unified.adapter import AccountInfo, UnifiedAdapter
from ads_kit.unified.slices import SliceCache

ACCOUNTS = (
    AccountInfo("111", "US shop", "USD", "America/New_York", "1", datetime(2020, 1, 1, tzinfo=UTC)),
    AccountInfo("222", "JP shop", "JPY", "Asia/Tokyo", "2", datetime(2021, 6, 1, tzinfo=UTC)),
)
ADS = {"a1": ("g1", "c1"), "a2": ("g1", "c1"), "a3": ("g2", "c2")}  # ad -> (ad group, campaign)
HOURLY = {"impressions": 10, "clicks": 1, "spend": Decimal("0.125"), "conversions": Decimal("0.5")}
PROFILE = PlatformProfile("meta_ads", restatement_days=3, retention_days=1110, slice_days=7)


class FakeAdapter(UnifiedAdapter):
    """Deterministic rows; every report request is counted and goes through the run's slice cache."""

    additive_levels = True
    breakdown_dimensions = ("age", "device")

    def __init__(self, cache: SliceCache) -> None:
        self.cache = cache
        self.requests: Counter[str] = Counter()
        self.skip_reports_for: set[str] = set()
        self.bad_day: date | None = None  # a day whose a1 row carries negative spend
        self.dropped_values: set[str] = set()  # breakdown values the "platform" leaves out

    def campaigns(self, account):
        budget = {"budget": Decimal("5000") / 100, "budget_period": "daily", "start_date": date(2024, 1, 1)}
        times = {"created_at": "2024-03-12T15:02:47-0700", "updated_at": datetime(2024, 3, 13, tzinfo=UTC)}
        c1 = {"campaign_id": "c1", "campaign_name": "Prospecting", "status_raw": "ACTIVE"}
        yield {**c1, "objective_raw": "OUTCOME_SALES", **budget, **times}
        yield {"campaign_id": "c2", "campaign_name": "Retargeting", "status_raw": "SOMETHING_NEW"}

    def ad_groups(self, account):
        return [{"ad_group_id": g, "campaign_id": c, "status_raw": "PAUSED"} for g, c in {*ADS.values()}]

    def ads(self, account):
        return [
            {"ad_id": a, "ad_group_id": g, "campaign_id": c, "status_raw": "ARCHIVED"}
            for a, (g, c) in ADS.items()
        ]

    def audiences(self, account):
        return [{"audience_id": "au1", "audience_type_raw": "LOOKALIKE", "approximate_size": 1000}]

    def _report(self, kind, account, start, end, rows):
        def counted():
            self.requests[kind] += 1
            if account.account_id in self.skip_reports_for:
                raise AccountSkipped(account.account_id, "no permission")
            yield from rows(start + timedelta(days=n) for n in range((end - start).days + 1))

        return self.cache.rows((kind, account.account_id, start, end), counted)

    def _hour(self, account, ad_id, day):
        spend = Decimal("12.5") if account.currency == "JPY" else HOURLY["spend"]
        return {**HOURLY, "spend": -spend if (ad_id, day) == ("a1", self.bad_day) else spend}

    def _day(self, account, ad_id, day):
        row = {name: value * 24 for name, value in self._hour(account, ad_id, day).items()}
        return {**row, "conversions_value": row["conversions"] * 40}

    def performance(self, account, level, start, end):
        assert level == "ad", "additive levels: campaign rows come from the ad slice"
        fixed = {"reach": 7, "attribution_click_days": 7, "attribution_view_days": 1}

        def days_of_ads(days):
            for day in days:
                for a, (g, c) in ADS.items():
                    ids = {"ad_id": a, "ad_group_id": g, "campaign_id": c, "campaign_name": f"name {c}"}
                    yield {**ids, "date_day": day, **fixed, **self._day(account, a, day)}

        return self._report(f"performance_{level}", account, start, end, days_of_ads)

    def hourly_performance(self, account, level, start, end):
        def hours(days):
            tz = zone(account.timezone)
            for day in days:
                utc_start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
                while utc_start < datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz):
                    for ad_id, (group, campaign) in ADS.items():
                        yield {"ad_id": ad_id, "ad_group_id": group, "campaign_id": campaign,
                               "utc_start": utc_start, **self._hour(account, ad_id, day),
                               "conversions_value": Decimal(20)}  # fmt: skip
                    utc_start += timedelta(hours=1)

        return self._report(f"hourly_{level}", account, start, end, hours)

    def breakdowns(self, account, dimension, start, end):
        values = {"age": ["18-24", "65+"], "device": ["iphone", "android_smartphone", "desktop"]}[dimension]
        last = len(values) - 1  # the last value takes the remainder: the split sums to the campaign

        def split(days):
            for day in days:
                a1, a2 = self._day(account, "a1", day), self._day(account, "a2", day)
                for index, value in enumerate(values):
                    part = {k: v - v // len(values) * last if index == last else v // len(values)
                            for k, v in ((k, a1[k] + a2[k]) for k in a1)}  # fmt: skip
                    if value not in self.dropped_values:
                        yield {"campaign_id": "c1", "date_day": day, "value_raw": value, "reach": 3, **part}

        return self._report(f"breakdown_{dimension}", account, start, end, split)


class ContractTap(AdsTap):
    name = "tap-unified-contract"
    profile = PROFILE
    config_jsonschema = th.PropertiesList(
        th.Property("freshness_days", th.IntegerType), *shared_settings(PROFILE)
    ).to_dict()

    def build_accounts(self):
        return StaticAccounts(ACCOUNTS)

    def build_adapter(self):
        return FakeAdapter(self.run.slice_cache)
