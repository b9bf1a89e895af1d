"""A platform plugged into the shared tap base: an in-memory adapter whose report requests are counted.

The tap declares its profile, accounts, adapter and how one report window is read; the base gives it
settings checks, discovery, the unified streams, report windows, the slice cache and resumable state.
"""

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial

from fake_platform import ACCOUNTS, ADS, FakeReports
from singer_sdk import typing as th

from ads_kit.resilience.errors import AccountSkipped
from ads_kit.settings import shared_settings
from ads_kit.tap.base import AdsTap
from ads_kit.tap.profile import PlatformProfile
from ads_kit.tap.reports.reader import ReportReader
from ads_kit.tap.reports.reads import DayRangeReads
from ads_kit.tap.reports.slices import NamedReport
from ads_kit.tap.sources import StaticAccounts
from ads_kit.unified.adapter import UnifiedAdapter

PROFILE = PlatformProfile("meta_ads", restatement_days=3, retention_days=1110, slice_days=7)


class FakeAdapter(UnifiedAdapter):
    """Deterministic rows; every report request is counted and goes through the shared report layer."""

    additive_levels = True
    breakdown_dimensions = ("age", "device")

    def __init__(self, reports: ReportReader) -> None:
        self.reports = reports
        self.requests: Counter[str] = Counter()
        self.skip_reports_for: set[str] = set()
        self.bad_day: date | None = None  # a day whose a1 row carries negative spend
        self.dropped_values: set[str] = set()  # breakdown values the "platform" leaves out

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
        return [{"ad_group_id": g, "campaign_id": c, "status_raw": "PAUSED"} for g, c in {*ADS.values()}]

    def ads(self, account):
        return [
            {"ad_id": a, "ad_group_id": g, "campaign_id": c, "status_raw": "ARCHIVED"}
            for a, (g, c) in ADS.items()
        ]

    def audiences(self, account):
        return [{"audience_id": "au1", "audience_type_raw": "LOOKALIKE", "approximate_size": 1000}]

    def performance(self, account, level, start, end):
        assert level == "ad", "additive levels: campaign rows come from the ad slice"
        return self.reports.rows(NamedReport(f"performance_{level}"), account.account_id, start, end)

    def hourly_performance(self, account, level, start, end):
        return self.reports.rows(NamedReport(f"hourly_{level}"), account.account_id, start, end)

    def breakdowns(self, account, dimension, start, end):
        return self.reports.rows(NamedReport(f"breakdown_{dimension}"), account.account_id, start, end)

    def read(self, report: str, account_id: str, since: date, until: date):
        """The platform call: one request per report window."""
        self.requests[report] += 1
        if account_id in self.skip_reports_for:
            raise AccountSkipped(account_id, "no permission")
        return FakeReports(self.bad_day, self.dropped_values).rows(report, account_id, since, until)


class ContractTap(AdsTap):
    name = "tap-unified-contract"
    profile = PROFILE
    config_jsonschema = th.PropertiesList(
        th.Property("freshness_days", th.IntegerType), *shared_settings(PROFILE)
    ).to_dict()

    def build_accounts(self):
        return StaticAccounts(ACCOUNTS.values())

    def build_adapter(self):
        return FakeAdapter(self.reports)

    def build_report_platform(self):
        return self  # reads(): each report window is one call of the adapter's counted read

    def reads(self, report, account_id):
        return DayRangeReads(report, account_id, partial(self.unified_adapter.read, report.name, account_id))
