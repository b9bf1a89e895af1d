"""The in-test platform: deterministic accounts and report rows, as an API would answer them."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ads_kit.timezones import zone
from ads_kit.unified.adapter import AccountInfo

ACCOUNTS = {
    "111": AccountInfo("111", "US shop", "USD", "America/New_York", "1", datetime(2020, 1, 1, tzinfo=UTC)),
    "222": AccountInfo("222", "JP shop", "JPY", "Asia/Tokyo", "2", datetime(2021, 6, 1, tzinfo=UTC)),
}
ADS = {"a1": ("g1", "c1"), "a2": ("g1", "c1"), "a3": ("g2", "c2")}  # ad -> (ad group, campaign)
HOURLY = {"impressions": 10, "clicks": 1, "spend": Decimal("0.125"), "conversions": Decimal("0.5")}
BREAKDOWN_VALUES = {"age": ["18-24", "65+"], "device": ["iphone", "android_smartphone", "desktop"]}


class FakeReports:
    """Rows of ``performance_<level>``, ``hourly_<level>`` and ``breakdown_<dimension>`` reports.

    ``bad_day``: a day whose a1 rows carry negative spend; ``dropped_values``: breakdown values left out.
    """

    def __init__(self, bad_day: date | None, dropped_values: set[str]) -> None:
        self.bad_day = bad_day
        self.dropped_values = dropped_values

    def rows(self, report: str, account_id: str, since: date, until: date):
        kind, _, argument = report.partition("_")
        days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
        return getattr(self, kind)(ACCOUNTS[account_id], days, argument)

    def _hour(self, account, ad_id, day):
        spend = Decimal("12.5") if account.currency == "JPY" else HOURLY["spend"]
        return {**HOURLY, "spend": -spend if (ad_id, day) == ("a1", self.bad_day) else spend}

    def _day(self, account, ad_id, day):
        row = {name: value * 24 for name, value in self._hour(account, ad_id, day).items()}
        return {**row, "conversions_value": row["conversions"] * 40}

    def performance(self, account, days, level):
        for day in days:
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
                    **self._day(account, ad_id, day),
                }

    def hourly(self, account, days, level):
        tz = zone(account.timezone)
        for day in days:
            utc_start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
            while utc_start < datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz):
                for ad_id, (group, campaign) in ADS.items():
                    yield {
                        "ad_id": ad_id,
                        "ad_group_id": group,
                        "campaign_id": campaign,
                        "utc_start": utc_start,
                        **self._hour(account, ad_id, day),
                        "conversions_value": Decimal(20),
                    }
                utc_start += timedelta(hours=1)

    def breakdown(self, account, days, dimension):
        values = BREAKDOWN_VALUES[dimension]
        last = len(values) - 1  # the last value takes the remainder: the split sums to the campaign
        for day in days:
            a1, a2 = self._day(account, "a1", day), self._day(account, "a2", day)
            totals = {name: a1[name] + a2[name] for name in a1}
            for index, value in enumerate(values):
                share = {
                    k: v - v // len(values) * last if index == last else v // len(values)
                    for k, v in totals.items()
                }
                if value not in self.dropped_values:
                    yield {"campaign_id": "c1", "date_day": day, "value_raw": value, "reach": 3, **share}
