from __future__ import annotations

import time

import pytest

from ads_kit.sandbox.limits import LimitEngine


def test_burst_is_denied_then_recovers():
    engine = LimitEngine({"meta": {"app": ["3/second", "100/hour"]}})
    decisions = [engine.hit("meta", "app") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[0].usage_pct == pytest.approx(100 / 3, abs=0.01)
    assert decisions[3].usage_pct >= 100 and 0 < decisions[3].retry_after_s <= 1
    time.sleep(decisions[3].retry_after_s + 0.05)
    recovered = engine.hit("meta", "app")
    assert recovered.allowed and recovered.retry_after_s == 0
    assert engine.rejection_counts() == {"meta": {"app": 1}}


def test_sustained_window_outlasts_the_burst_window():
    engine = LimitEngine({"tiktok": {"account": ["10/second", "4/hour"]}})
    assert [engine.hit("tiktok", "account:1").allowed for _ in range(5)] == [True] * 4 + [False]
    denied = engine.hit("tiktok", "account:1")
    assert denied.retry_after_s > 3000  # the hour window, not the second, is what is full
    assert engine.usage("tiktok", "account:1") == 100


def test_scopes_are_counted_separately_and_cost_counts():
    engine = LimitEngine({"meta": {"account": ["10/minute"]}})
    assert engine.hit("meta", "account:1", cost=6).allowed
    assert not engine.hit("meta", "account:1", cost=5).allowed
    assert engine.hit("meta", "account:2", cost=5).allowed
    assert engine.usage("meta", "account:1") == 60
    assert engine.usage("meta", "account:2") == 50


def test_kinds_without_rules_are_unlimited_and_reset_clears_windows():
    engine = LimitEngine({"google_ads": {"app": ["1/hour"]}})
    assert all(engine.hit("google_ads", "endpoint:search").allowed for _ in range(50))
    assert engine.hit("google_ads", "app").allowed and not engine.hit("google_ads", "app").allowed
    engine.reset()
    assert engine.hit("google_ads", "app").allowed
    assert engine.rejection_counts() == {}


def test_defaults_are_generous_and_bad_rules_name_themselves():
    engine = LimitEngine()
    assert all(engine.hit("meta", "account:1").allowed for _ in range(50))
    with pytest.raises(ValueError, match=r"limits\.meta\.app"):
        engine.configure({"meta": {"app": ["lots/second"]}})
