"""A small, deterministic set of unified rows with known numbers, and the expectations derived from it.

Two platforms in EUR (Meta account 111 in Berlin, Google account 222 in New York) over five days;
Google has no rows on 2026-11-04 and Meta's last two days are not final. Each campaign-day is split
exactly into two values per breakdown dimension. The expected sums below are computed from these
inputs with plain Decimal arithmetic, independently of the report code.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

FIRST_DAY = date(2026, 11, 1)
DAYS = [FIRST_DAY + timedelta(days=n) for n in range(5)]
GOOGLE_GAP = date(2026, 11, 4)
EXTRACTED_AT = datetime(2026, 11, 6, 8, 30, tzinfo=UTC)

ACCOUNTS = [
    {"platform": "meta_ads", "account_id": "111", "account_name": "Meta EU", "currency": "EUR",
     "timezone": "Europe/Berlin"},
    {"platform": "google_ads", "account_id": "222", "account_name": "Google US", "currency": "EUR",
     "timezone": "America/New_York"},
    {"platform": "tiktok_ads", "account_id": "333", "account_name": "TikTok JP", "currency": "JPY",
     "timezone": "Asia/Tokyo"},
]  # fmt: skip

CAMPAIGNS = [
    {"platform": "meta_ads", "account_id": "111", "campaign_id": "m1", "campaign_name": "Meta Sales",
     "status": "active", "objective": "sales", "budget": Decimal("50.00"), "budget_period": "daily",
     "currency": "EUR", "start_date": date(2026, 10, 1), "end_date": None},
    {"platform": "meta_ads", "account_id": "111", "campaign_id": "m2", "campaign_name": "Meta Leads",
     "status": "paused", "objective": "leads", "budget": Decimal("1000.00"), "budget_period": "lifetime",
     "currency": "EUR", "start_date": date(2026, 10, 15), "end_date": date(2026, 12, 31)},
    {"platform": "google_ads", "account_id": "222", "campaign_id": "g1", "campaign_name": "Search Brand",
     "status": "active", "objective": "traffic", "budget": Decimal("30.00"), "budget_period": "daily",
     "currency": "EUR", "start_date": date(2026, 9, 1), "end_date": None},
    {"platform": "tiktok_ads", "account_id": "333", "campaign_id": "t1", "campaign_name": "TikTok Video",
     "status": "active", "objective": "video_views", "budget": Decimal("5000"), "budget_period": "daily",
     "currency": "JPY", "start_date": date(2026, 10, 1), "end_date": None},
]  # fmt: skip

BREAKDOWN_VALUES = {"age": ("18-24", "25-34"), "gender": ("female", "male"), "device": ("desktop", "mobile")}
EUR_PER_JPY = Decimal("0.006")


def _performance(account: dict, campaign_id: str, campaign_name: str, index: int, day_number: int) -> dict:
    impressions = 1000 * (index + 1) + 37 * day_number
    clicks = 40 + 7 * index + 3 * day_number
    # Three decimals so campaign sums end in a half cent: half-even rounding shows in the output.
    spend = Decimal("10.005") * (index + 1) + Decimal("1.25") * day_number
    conversions = Decimal(clicks // 10)
    if account["currency"] == "JPY":
        spend = Decimal(1500 + 100 * day_number)
    day = DAYS[day_number]
    return {
        "platform": account["platform"],
        "account_id": account["account_id"],
        "account_name": account["account_name"],
        "campaign_id": campaign_id,
        "campaign_name": campaign_name,
        "date_day": day,
        "timezone": account["timezone"],
        "account_timezone": account["timezone"],
        "impressions": impressions,
        "clicks": clicks,
        "spend": spend,
        "conversions": conversions,
        "conversions_value": conversions * Decimal("25.5"),
        "reach": None,
        "currency": account["currency"],
        "is_final": not (account["platform"] == "meta_ads" and day_number >= 3),
        "attribution_click_days": 7,
        "attribution_view_days": 1,
        "extracted_at": EXTRACTED_AT - timedelta(hours=day_number),
    }


def _split(record: dict, dimension: str) -> list[dict]:
    """Two rows that add up exactly to the campaign-day."""
    first = {
        "impressions": record["impressions"] * 3 // 5,
        "clicks": record["clicks"] * 3 // 5,
        "spend": (record["spend"] * Decimal("0.6")).quantize(Decimal("0.001")),
        "conversions": Decimal(int(record["conversions"]) // 2),
        "conversions_value": (record["conversions_value"] * Decimal("0.4")).quantize(Decimal("0.01")),
    }
    second = {name: record[name] - value for name, value in first.items()}
    rows = []
    for value, metrics in zip(BREAKDOWN_VALUES[dimension], (first, second), strict=True):
        rows.append(
            {
                **{
                    k: record[k]
                    for k in ("platform", "account_id", "campaign_id", "campaign_name", "date_day")
                },
                **{
                    k: record[k]
                    for k in ("timezone", "account_timezone", "currency", "is_final", "extracted_at")
                },
                "dimension": dimension,
                "value": value,
                "value_raw": value.upper(),
                **metrics,
            }
        )
    return rows


def with_reporting(record: dict) -> dict:
    """The record as a tap with reporting_currency EUR emits it."""
    rate = EUR_PER_JPY if record["currency"] == "JPY" else Decimal(1)
    return {
        **record,
        "reporting_currency": "EUR",
        "fx_rate": rate,
        "fx_rate_date": record["date_day"],
        "spend_reporting": record["spend"] * rate,
        "conversions_value_reporting": record["conversions_value"] * rate,
    }


def streams(accounts: tuple[str, ...] = ("111", "222")) -> dict[str, list[dict]]:
    """Records per unified stream for the chosen accounts."""
    chosen = [a for a in ACCOUNTS if a["account_id"] in accounts]
    performance = []
    for account in chosen:
        campaigns = [c for c in CAMPAIGNS if c["account_id"] == account["account_id"]]
        for index, campaign in enumerate(campaigns):
            for day_number, day in enumerate(DAYS):
                if account["platform"] == "google_ads" and day == GOOGLE_GAP:
                    continue
                performance.append(
                    _performance(
                        account, campaign["campaign_id"], campaign["campaign_name"], index, day_number
                    )
                )
    breakdowns = [
        row for record in performance for dimension in BREAKDOWN_VALUES for row in _split(record, dimension)
    ]
    # A dimension the document does not show must not leak into it.
    breakdowns += [
        {**row, "dimension": "country", "value": "DE"} for row in _split(performance[0], "age")[:1]
    ]
    return {
        "unified_accounts": [{**a, "status": "active", "extracted_at": EXTRACTED_AT} for a in chosen],
        "unified_campaigns": [
            {**c, "status_raw": c["status"].upper(), "extracted_at": EXTRACTED_AT}
            for c in CAMPAIGNS
            if c["account_id"] in accounts
        ],
        "unified_campaign_performance": performance,
        "unified_performance_breakdowns": breakdowns,
        "unified_data_quality": [
            {"finding_id": "f-in-range", "platform": "meta_ads", "account_id": "111",
             "stream": "unified_campaign_performance", "check": "clicks_exceed_impressions",
             "severity": "error", "scope": "campaign m1 on 2026-11-02", "date_day": date(2026, 11, 2),
             "observed": '{"clicks": 9, "impressions": 3}',
             "message": "campaign m1 on 2026-11-02: clicks 9 > 3",
             "detected_at": EXTRACTED_AT},
            {"finding_id": "f-before-range", "platform": "meta_ads", "account_id": "111",
             "stream": "unified_campaign_performance", "check": "negative_spend", "severity": "warning",
             "scope": "campaign m1 on 2026-10-01", "date_day": date(2026, 10, 1), "observed": "{}",
             "message": "negative spend on 2026-10-01", "detected_at": EXTRACTED_AT},
        ],
    }  # fmt: skip


def money(amount: Decimal, places: int = 2) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def ratio(numerator: Decimal, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)


def expected_campaigns(records: dict[str, list[dict]], start: date, end: date) -> dict[str, dict[str, Any]]:
    """campaign_id -> the sums a correct report shows, from the raw inputs."""
    sums: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(Decimal))
    for record in records["unified_campaign_performance"]:
        if start <= record["date_day"] <= end:
            into = sums[record["campaign_id"]]
            for name in ("impressions", "clicks", "spend", "conversions", "conversions_value"):
                into[name] += record[name]
    result = {}
    for campaign_id, s in sums.items():
        result[campaign_id] = {
            "impressions": int(s["impressions"]),
            "clicks": int(s["clicks"]),
            "spend": money(s["spend"]),
            "conversions": money(s["conversions"]),
            "conversion_value": money(s["conversions_value"]),
            "ctr": ratio(s["clicks"] * 100, s["impressions"]),
            "cpc": ratio(s["spend"], s["clicks"]),
            "cpm": ratio(s["spend"] * 1000, s["impressions"]),
            "roas": ratio(s["conversions_value"], s["spend"]),
        }
    return result


def expected_breakdowns(records: dict[str, list[dict]], campaign_id: str, dimension: str) -> dict[str, dict]:
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in records["unified_performance_breakdowns"]:
        if row["campaign_id"] == campaign_id and row["dimension"] == dimension:
            for name in ("impressions", "clicks", "spend", "conversions", "conversions_value"):
                sums[row["value"]][name] += row[name]
    return {
        value: {
            "impressions": int(s["impressions"]),
            "clicks": int(s["clicks"]),
            "spend": money(s["spend"]),
            "conversion_value": money(s["conversions_value"]),
        }
        for value, s in sums.items()
    }
