"""Run the real Meltano project of this repository against a sandbox, and read what the targets loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World

ROOT = Path(__file__).resolve().parents[2]
MELTANO = Path(sys.executable).with_name("meltano")
PLATFORM_KEYS = {"meta": "meta_ads", "google_ads": "google_ads", "tiktok": "tiktok_ads"}


def meltano_env(sandbox: SandboxClient, state_dir: Path, **settings: str) -> dict[str, str]:
    """Environment for `meltano --environment=sandbox`: sandbox credentials and instant (ADS_NOW),
    a private state backend."""
    env = {
        **os.environ,
        **sandbox.tap_environment(),
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_HUB_URL": "http://127.0.0.1:9",
        "MELTANO_STATE_BACKEND_URI": f"file://{state_dir}",
        "UV_COMPILE_BYTECODE": "1",
    }
    env.update(settings)
    return env


def meltano(args: Iterable[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(MELTANO), "--environment=sandbox", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise AssertionError(f"meltano {' '.join(args)} failed ({result.returncode}):\n{tail}")
    return result


def account_days(world: World, account_id: str, count: int) -> list[date]:
    """The last `count` report days of an account: days end at its local today, in its own zone."""
    today = world.account_today(world.account(account_id))
    return [today - timedelta(days=n) for n in range(count)]


def campaign_truth(world: World, count: int, platform: str = "meta") -> dict[tuple[str, str, date], tuple]:
    """(account, campaign, day) -> (impressions, clicks, spend, conversions) over each account's last
    `count` days, from the world itself."""
    firsts = {a.id: world.account_today(a) - timedelta(days=count - 1) for a in world.accounts(platform)}
    return report_truth(world, platform, firsts)


def report_truth(
    world: World, platform: str, first_days: Mapping[str, date]
) -> dict[tuple[str, str, date], tuple]:
    """(account, campaign, day) -> (impressions, clicks, spend, conversions) from the world itself, for
    each account's days from ``first_days[account]`` to its today; days without impressions have no row."""
    truth = {}
    for account in world.accounts(platform):
        today, day = world.account_today(account), first_days[account.id]
        days = [day + timedelta(days=n) for n in range((today - day).days + 1)]
        exponent = account.currency_exponent
        for campaign in world.campaigns(account.id):
            for day in days:
                metrics = world.campaign_day(campaign, day)
                if metrics is None or metrics.impressions == 0:
                    continue
                spend = Decimal(metrics.spend_minor).scaleb(-exponent)
                truth[(account.id, campaign.id, day)] = (
                    metrics.impressions,
                    metrics.clicks,
                    spend,
                    Decimal(metrics.conversions),
                )
    return truth


def ad_truth(world: World, count: int, platform: str = "meta") -> set[tuple[str, date]]:
    return {
        (ad.id, day)
        for account in world.accounts(platform)
        for ad in world.ads(account.id)
        for day in account_days(world, account.id, count)
        if (m := world.ad_day(ad, day)) is not None and m.impressions > 0
    }


def duckdb_campaign_rows(warehouse: Path, world: World, platform: str) -> list[tuple]:
    """unified_campaign_performance of ``platform`` as target-duckdb loaded it, typed to compare with
    the world: target-duckdb stores numbers as DOUBLE, so money is rounded once to the currency's
    exponent."""
    exponents = {a.id: a.currency_exponent for a in world.accounts(platform)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = con.execute(
            "select account_id, campaign_id, date_day, impressions, clicks, spend, conversions "
            f"from ads.unified_campaign_performance where platform = '{PLATFORM_KEYS[platform]}'"
        ).fetchall()
    return [
        (
            account,
            campaign,
            date.fromisoformat(str(day)),
            int(impressions),
            int(clicks),
            round(Decimal(str(spend)), exponents[account]),
            Decimal(str(conversions)) if conversions is not None else None,
        )
        for account, campaign, day, impressions, clicks, spend, conversions in raw
    ]
