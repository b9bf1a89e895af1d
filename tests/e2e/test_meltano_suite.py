"""The three taps into the real PostgreSQL in one command: `meltano run ads-to-postgres`.

meltano.yml's job runs tap-meta-ads, tap-google-ads-unified and tap-tiktok-ads, each into
target-postgres, in one `meltano run` (Meltano 4.4 refuses `run tap tap tap target`: a block set is
one tap and its target). Three runs over one sandbox show that each tap and each account resumes
from its own bookmark:

1. a first run loads every account of every platform from one start date, equal to the world;
   Meltano holds one state id per tap, with a bookmark per account;
2. two days later one TikTok advertiser refuses every call (a permission fault): the run completes,
   every other account of every tap moves its bookmark, that advertiser's stays where it was;
3. with the fault gone, each TikTok advertiser reads from its own bookmark less the lookback (the
   refused one from its old bookmark), and every account's days from the start date to its today
   equal the world: nothing lost, nothing loaded twice, restated numbers updated.

A fixed start date (not ``last_n_days``, whose first day moves with the clock) keeps every loaded day
inside what later runs re-read, so the world at the last instant is the truth for all of them.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from meltano_project import PLATFORM_KEYS, meltano, meltano_env, report_truth

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox

pytestmark = pytest.mark.e2e

START = date(2026, 11, 19)
NOW = "2026-11-25T20:30:00Z"  # Tokyo already on the 26th, Los Angeles still on the 25th
TAPS = {"meta": "tap-meta-ads", "google_ads": "tap-google-ads-unified", "tiktok": "tap-tiktok-ads"}
POSTGRES_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
STREAM = "unified_campaign_performance"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(seed=11, now=NOW) as client:
        yield client


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    name = f"e2e_suite_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as con:
        con.execute(f"drop schema if exists {name} cascade")


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("state")


def run_suite(sandbox: SandboxClient, state_dir: Path, schema: str) -> None:
    settings = {"TARGET_POSTGRES_DATABASE": "test", "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema}
    for tap in TAPS.values():
        prefix = tap.upper().replace("-", "_")
        settings[f"{prefix}__SELECT"] = json.dumps([f"{STREAM}.*"])
        # The refused advertiser's dead letter stays with this test, not in the project's folder.
        settings[f"{prefix}_DEAD_LETTER_PATH"] = str(state_dir.parent / f"{tap}-dead-letters.jsonl")
        settings[f"{prefix}_DATE_RANGE"] = json.dumps({"type": "custom", "start_date": str(START)})
    # Deleted campaigns too, so every platform's truth is every campaign of the world; synchronous
    # reports, whose days the request log shows in the query string.
    settings["TAP_TIKTOK_ADS_INCLUDE_DELETED"] = "true"
    settings["TAP_TIKTOK_ADS_REPORT_MODE"] = "sync"
    meltano(["run", "ads-to-postgres"], meltano_env(sandbox, state_dir, **settings))


def bookmarks(state_dir: Path) -> dict[str, dict[str, str]]:
    """platform -> account -> bookmark, from Meltano's state backend (one file per state id)."""
    found: dict[str, dict[str, str]] = {}
    for platform, tap in TAPS.items():
        state = json.loads((state_dir / f"sandbox:{tap}-to-target-postgres" / "state.json").read_text())
        partitions = state["completed"]["singer_state"]["bookmarks"][STREAM]["partitions"]
        found[platform] = {p["context"]["account_id"]: p["replication_key_value"] for p in partitions}
    return found


def loaded(schema: str) -> dict[str, list[tuple]]:
    with psycopg.connect(POSTGRES_DSN) as con:
        money = con.execute(
            "select data_type from information_schema.columns where table_schema = %s "
            "and table_name = %s and column_name = 'spend'",
            (schema, STREAM),
        ).fetchone()
        assert money == ("numeric",), "spend is not stored as an exact number"
        rows = con.execute(
            f"select platform, account_id, campaign_id, date_day, impressions, clicks, spend, conversions "
            f"from {schema}.{STREAM}"
        ).fetchall()
    by_platform: dict[str, list[tuple]] = {platform: [] for platform in TAPS}
    keys = {key: platform for platform, key in PLATFORM_KEYS.items()}
    for platform_key, *row in rows:
        by_platform[keys[platform_key]].append(tuple(row))
    return by_platform


def assert_equals_world(sandbox: SandboxClient, schema: str) -> None:
    world = sandbox.world()
    first_days = {account.id: START for account in world.accounts()}
    for platform, rows in loaded(schema).items():
        keys = [row[:3] for row in rows]
        assert len(keys) == len(set(keys)), f"{platform}: duplicated campaign-day rows"
        truth = report_truth(world, platform, first_days)
        got = {row[:3]: row[3:] for row in rows}
        missing, unexpected = sorted(set(truth) - set(got)), sorted(set(got) - set(truth))
        assert not missing and not unexpected, f"{platform}: missing {missing[:3]}, extra {unexpected[:3]}"
        assert got == truth, platform


def tiktok_report_starts(sandbox: SandboxClient, since: float) -> dict[str, date]:
    """The first day each advertiser's synchronous reports asked for, in requests arrived since ``since``."""
    starts: dict[str, date] = {}
    for entry in sandbox.log("tiktok", "report_integrated_get"):
        if entry["at"] >= since and entry["account"]:
            day = date.fromisoformat(parse_qs(urlsplit(entry["path"]).query)["start_date"][0])
            starts[entry["account"]] = min(day, starts.get(entry["account"], day))
    return starts


@pytest.fixture(scope="module")
def first_bookmarks(sandbox, state_dir, schema) -> dict[str, dict[str, str]]:
    meltano(["install", *TAPS.values(), "target-postgres"], meltano_env(sandbox, state_dir))
    run_suite(sandbox, state_dir, schema)
    return bookmarks(state_dir)


def test_one_command_loads_every_platform_with_a_bookmark_per_account(
    sandbox, state_dir, schema, first_bookmarks
):
    assert_equals_world(sandbox, schema)
    listed = meltano(["state", "list"], meltano_env(sandbox, state_dir)).stdout.split()
    assert sorted(listed) == sorted(f"sandbox:{tap}-to-target-postgres" for tap in TAPS.values())
    world = sandbox.world()
    for platform, marks in first_bookmarks.items():
        assert marks == {a.id: str(world.account_today(a)) for a in world.accounts(platform)}, platform


def test_each_tap_and_account_resumes_from_its_own_bookmark(sandbox, state_dir, schema, first_bookmarks):
    before = first_bookmarks
    refused = sorted(before["tiktok"])[1]
    sandbox.advance(days=2)
    sandbox.add_fault(platform="tiktok", route="*", account=refused, kind="error", name="permission")
    run_suite(sandbox, state_dir, schema)
    sandbox.clear_faults()

    world = sandbox.world()
    today = {a.id: str(world.account_today(a)) for a in world.accounts()}
    after_fault = bookmarks(state_dir)
    for platform, marks in after_fault.items():
        expected = {account: today[account] for account in before[platform]}
        if platform == "tiktok":
            expected[refused] = before["tiktok"][refused]  # untouched: nothing of it was read
        assert marks == expected, platform

    started = time.time()
    run_suite(sandbox, state_dir, schema)
    assert bookmarks(state_dir)["tiktok"][refused] == today[refused]
    # TikTok's lookback: 7 days before the bookmark, never before the start date.
    assert tiktok_report_starts(sandbox, started) == {
        account: max(START, date.fromisoformat(mark) - timedelta(days=7))
        for account, mark in after_fault["tiktok"].items()
    }
    assert_equals_world(sandbox, schema)
