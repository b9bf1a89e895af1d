"""Shard assignment: stable, balanced, one shard per account, one spelling per account."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads_kit.resilience.errors import ConfigError
from ads_kit.sharding import Shard, ShardedAccounts, shard_of
from ads_kit.tap.sources import StaticAccounts
from ads_kit.unified.adapter import AccountInfo

ACCOUNT_IDS = st.integers(min_value=1, max_value=10**16).map(str)

# Written down once from sha256: an account keeps its shard on every machine and Python version
# (Python's own hash() is salted per process and would fail this).
KNOWN = {("123", 4): 2, ("1234567890", 4): 1, ("7000000000000001", 8): 1}


def test_known_accounts_keep_their_shard() -> None:
    assert {key: shard_of(*key) for key in KNOWN} == KNOWN


@given(account=ACCOUNT_IDS, count=st.integers(min_value=1, max_value=64))
def test_every_account_is_in_exactly_one_shard(account: str, count: int) -> None:
    holders = [k for k in range(1, count + 1) if Shard(k, count).holds(account)]
    assert holders == [shard_of(account, count)]


@given(account=st.integers(min_value=10**9, max_value=10**10 - 1).map(str))
def test_every_spelling_of_an_account_has_its_shard(account: str) -> None:
    dashed = f"{account[:3]}-{account[3:6]}-{account[6:]}"
    assert shard_of(f"act_{account}", 7) == shard_of(account, 7) == shard_of(f" {dashed} ", 7)


@pytest.mark.parametrize("count", [2, 4, 7])
def test_shards_are_balanced(count: int) -> None:
    # 20,000 sequential ids (the shape platforms hand out): each shard within 5% of its fair share.
    sizes = Counter(shard_of(str(10**12 + n), count) for n in range(20_000))
    fair = 20_000 / count
    assert set(sizes) == set(range(1, count + 1))
    assert all(abs(size - fair) < 0.05 * fair for size in sizes.values()), sizes


@pytest.mark.parametrize(
    ("text", "shard"), [("1/1", Shard(1, 1)), ("3/4", Shard(3, 4)), (" 2 / 10 ", Shard(2, 10))]
)
def test_a_shard_setting_is_read(text: str, shard: Shard) -> None:
    assert Shard.parse(text) == shard
    assert shard.state_id_suffix == f"shard-{shard.index}-of-{shard.count}"


@pytest.mark.parametrize("text", ["4", "0/4", "5/4", "1/0", "a/b", "1/2/3", ""])
def test_a_bad_shard_setting_names_it(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^account_shard: "):
        Shard.parse(text)


def test_sharded_accounts_split_a_source_without_loss_or_overlap() -> None:
    ids = [str(5_000_000 + n) for n in range(40)]
    source = StaticAccounts(
        AccountInfo(account_id=i, account_name=None, currency="EUR", timezone="UTC") for i in ids
    )
    log = logging.getLogger("test")
    parts = [ShardedAccounts(source, Shard(k, 3), log).ids() for k in (1, 2, 3)]
    assert sorted(a for part in parts for a in part) == sorted(ids)
    assert all(part == [a for a in ids if a in part] for part in parts)  # config order kept
