"""GAQL dates: literals and the DURING functions, in the customer's own time zone (reference §2.1, §8).

The reference names the DURING functions but not their days; these are Google's definitions: the
"last N days" end yesterday (today is still partial), weeks are Monday-Sunday or Sunday-Saturday as
named, LAST_BUSINESS_WEEK is the previous Monday to Friday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

DURING_FUNCTIONS = (
    "TODAY",
    "YESTERDAY",
    "LAST_7_DAYS",
    "LAST_14_DAYS",
    "LAST_30_DAYS",
    "LAST_BUSINESS_WEEK",
    "THIS_MONTH",
    "LAST_MONTH",
    "LAST_WEEK_MON_SUN",
    "LAST_WEEK_SUN_SAT",
    "THIS_WEEK_MON_TODAY",
    "THIS_WEEK_SUN_TODAY",
)
_LITERAL = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def parse_date(text: str) -> date | None:
    """'YYYY-MM-DD' or 'YYYYMMDD' (reference §2.1), None for anything else."""
    match = _LITERAL.fullmatch(text)
    if match is None or ("-" in text) != (text.count("-") == 2):
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def during(function: str, today: date) -> tuple[date, date]:
    """The first and last day of a DURING function, for a customer whose local date is `today`."""
    monday = today - timedelta(days=today.weekday())
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)  # the Sunday starting this week
    if function == "TODAY":
        return today, today
    if function == "YESTERDAY":
        return today - timedelta(days=1), today - timedelta(days=1)
    if function.startswith("LAST_") and function.endswith("_DAYS"):
        days = int(function.removeprefix("LAST_").removesuffix("_DAYS"))
        return today - timedelta(days=days), today - timedelta(days=1)
    if function == "LAST_BUSINESS_WEEK":
        return monday - timedelta(days=7), monday - timedelta(days=3)
    if function == "THIS_MONTH":
        return today.replace(day=1), today
    if function == "LAST_MONTH":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if function == "LAST_WEEK_MON_SUN":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if function == "LAST_WEEK_SUN_SAT":
        return sunday - timedelta(days=7), sunday - timedelta(days=1)
    if function == "THIS_WEEK_MON_TODAY":
        return monday, today
    if function == "THIS_WEEK_SUN_TODAY":
        return sunday, today
    raise ValueError(f"unknown DURING function {function!r}")


def period_end(segment: str, first: date) -> date:
    """The last day of the week, month, quarter or year starting on `first`."""
    if segment == "segments.week":
        return first + timedelta(days=6)
    if segment == "segments.year":
        return date(first.year, 12, 31)
    months = 3 if segment == "segments.quarter" else 1
    month = first.month - 1 + months
    following = date(first.year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def aligned(segment: str, day: date) -> bool:
    """Whether a week/month/quarter filter value is the first day of its period
    (QueryError.MISALIGNED_DATE_FOR_FILTER otherwise, reference §2.1)."""
    if segment == "segments.week":
        return day.weekday() == 0
    if segment == "segments.month":
        return day.day == 1
    if segment == "segments.quarter":
        return day.day == 1 and day.month in (1, 4, 7, 10)
    return True


__all__ = ["DURING_FUNCTIONS", "aligned", "during", "parse_date", "period_end"]
