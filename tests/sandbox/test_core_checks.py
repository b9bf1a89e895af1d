"""The core's quota billing and account check, shared by HTTP emulators and gRPC plug-ins."""

from __future__ import annotations

import pytest

from ads_kit.sandbox.limits import LimitEngine, QuotaExceeded


def test_charge_bills_the_app_then_the_account_and_spares_the_account_once_the_app_refuses():
    engine = LimitEngine({"meta": {"app": ["2/minute"], "account": ["5/minute"]}})
    charge = engine.charge("meta", "1")
    assert charge.refused_scope is None and charge.account is not None
    assert (engine.usage("meta", "app"), engine.usage("meta", "account:1")) == (50, 20)
    assert engine.charge("meta").account is None  # a listing: the app only
    with pytest.raises(QuotaExceeded) as refused:
        engine.charge("meta", "1")
    assert refused.value.scope == "app" and refused.value.charge.account is None
    assert 0 < refused.value.retry_after_s <= 60
    assert engine.usage("meta", "account:1") == 20  # not billed for a call the app window refused


def test_a_full_account_window_names_the_account_scope():
    engine = LimitEngine({"tiktok": {"account": ["1/hour"]}})
    engine.charge("tiktok", "7")
    with pytest.raises(QuotaExceeded) as refused:
        engine.charge("tiktok", "7")
    assert refused.value.scope == "account" and refused.value.retry_after_s > 3000
    assert engine.charge("tiktok", "8").refused_scope is None
    assert engine.rejection_counts() == {"tiktok": {"account": 1}}
