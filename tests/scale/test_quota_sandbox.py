"""The sandbox's world stands for 10,000 accounts per platform without holding them: accounts,
entities and rows are generated from the seed and the account's index, and what is kept is bounded,
so the memory a world keeps after being read is the same for 1,000 accounts as for 10,000."""

from __future__ import annotations

import contextlib
import tracemalloc
from datetime import UTC, datetime, timedelta

from ads_kit.sandbox.limits import AppCallMeter, LimitEngine, QuotaExceeded
from ads_kit.sandbox.world import World

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
READ = 300  # accounts whose entities and a day of metrics are read, spread over the whole range


def _kept_after_reading(accounts: int) -> tuple[int, World]:
    """Bytes the world holds after a listing of every account and a read of READ of them."""
    tracemalloc.start()
    try:
        world = World(7, now=NOW, history_days=30, ads_per_account=4, accounts_per_platform=accounts)
        listed = world.accounts("tiktok")
        assert len(listed) == accounts
        day = world.origin - timedelta(days=2)
        for account in listed[:: accounts // READ]:
            assert world.ads(account.id) and world.find(world.ads(account.id)[0].id) is not None
            world.account_day(account, day)
        del listed
        return tracemalloc.get_traced_memory()[0], world
    finally:
        tracemalloc.stop()


def test_a_world_of_ten_thousand_accounts_keeps_what_one_of_a_thousand_does():
    small, _ = _kept_after_reading(1_000)
    large, world = _kept_after_reading(10_000)
    assert large <= 1.25 * small, (
        f"{large / 1e6:.1f} MB kept for 10,000 accounts, {small / 1e6:.1f} MB for 1,000"
    )
    # Every account is there, and its id leads back to it, however far in the range.
    last = world.accounts("tiktok")[-1]
    assert world.account(last.id) == last and last.name.endswith(" 10000")


def test_accounts_are_the_same_whichever_order_they_are_read_in():
    forward = World(7, now=NOW, history_days=30, ads_per_account=4, accounts_per_platform=2_000)
    backward = World(7, now=NOW, history_days=30, ads_per_account=4, accounts_per_platform=2_000)
    ids = [a.id for a in forward.accounts("meta")]
    assert len(set(ids)) == len(ids) and all(len(i) == 16 for i in ids)
    for account_id in reversed(ids[-50:]):
        assert backward.ads(account_id) == forward.ads(account_id)
    assert backward.account(ids[0]) == forward.account(ids[0])


def test_app_calls_are_counted_per_second_and_at_their_busiest_second():
    """Calls at 0.0, 0.5, 0.9, 1.2, 1.4 and 3.0 s: per calendar second 3, 2, 0, 1, while the
    one-second window from 0.5 to 1.4 holds 4, which calendar seconds hide. Refused calls count too:
    they reached the server."""
    now = [1_000.0]
    engine = LimitEngine({"tiktok": {"app": ["3/second"]}})
    engine.app_calls = AppCallMeter(clock=lambda: now[0])
    for at in (0.0, 0.5, 0.9, 1.2, 1.4, 3.0):
        now[0] = 1_000.0 + at
        with contextlib.suppress(QuotaExceeded):  # the quota's windows run on the real clock
            engine.charge("tiktok", "7000000000000000001")
    counts = engine.app_call_counts()["tiktok"]
    assert counts["per_second"] == {"1000": 3, "1001": 2, "1003": 1}
    assert counts["total"] == 6 and counts["peak_per_second"] == 4
