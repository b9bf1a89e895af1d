"""Slice cache: fetched once, replayed with identical rows, refetched after an interrupted read."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads_kit.unified.slices import SliceCache, report_windows

ROWS = [
    {"ad_id": "1", "spend": Decimal("1.230"), "date_day": date(2024, 3, 1), "reach": None, "n": 0.5},
    {"ad_id": "2", "at": datetime(2024, 3, 1, 5, tzinfo=UTC), "nested": {"k": [1, "x"]}, "flag": True},
]


def test_second_read_replays_exactly_the_same_rows():
    cache = SliceCache()
    calls = []

    def fetch():
        calls.append(1)
        yield from ROWS

    key = ("performance_ad", "act_1", date(2024, 3, 1), date(2024, 3, 7))
    assert key not in cache
    assert list(cache.rows(key, fetch)) == ROWS
    assert key in cache
    replayed = list(cache.rows(key, fetch))
    assert replayed == ROWS and [type(v) for v in replayed[0].values()] == [type(v) for v in ROWS[0].values()]
    assert len(calls) == 1 and (cache.fetches, cache.replays) == (1, 1)
    assert list(cache.rows(("performance_ad", "act_2", date(2024, 3, 1), date(2024, 3, 7)), fetch)) == ROWS
    assert len(calls) == 2
    cache.close()
    assert not cache.directory.exists()


def test_an_interrupted_read_is_not_cached():
    cache = SliceCache()
    calls = []

    def fetch():
        calls.append(1)
        yield from ROWS

    reader = cache.rows(("k",), fetch)
    next(reader)
    reader.close()  # the consumer stopped after one row
    assert ("k",) not in cache
    assert list(cache.rows(("k",), fetch)) == ROWS
    assert len(calls) == 2


def test_a_failed_fetch_is_not_cached():
    cache = SliceCache()

    def failing():
        yield ROWS[0]
        raise ConnectionError("dropped")

    with pytest.raises(ConnectionError):
        list(cache.rows(("k",), failing))
    assert list(cache.rows(("k",), lambda: iter(ROWS))) == ROWS


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 1, 1)),
    length=st.integers(min_value=0, max_value=120),
    days=st.integers(min_value=1, max_value=31),
)
def test_windows_cover_the_range_once_and_align(start, length, days):
    end = date.fromordinal(start.toordinal() + length)
    windows = report_windows(start, end, days)
    covered = [date.fromordinal(d) for a, b in windows for d in range(a.toordinal(), b.toordinal() + 1)]
    assert covered == [date.fromordinal(d) for d in range(start.toordinal(), end.toordinal() + 1)]
    # every window but the clipped first and last is a whole aligned block shared by any other range
    later = report_windows(date.fromordinal(start.toordinal() + days), end, days)
    assert set(windows[2:]) <= set(later) or len(windows) <= 2


def test_window_size_must_be_positive():
    with pytest.raises(ValueError, match="at least one day"):
        report_windows(date(2024, 1, 1), date(2024, 1, 2), 0)
