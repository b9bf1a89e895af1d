"""Run the real Meltano project of this repository against a sandbox, and read what the targets loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World

ROOT = Path(__file__).resolve().parents[2]
MELTANO = Path(sys.executable).with_name("meltano")


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


def campaign_truth(world: World, count: int) -> dict[tuple[str, str, date], tuple]:
    """(account, campaign, day) -> (impressions, clicks, spend, conversions) from the world itself."""
    truth = {}
    for account in world.accounts("meta"):
        days = account_days(world, account.id, count)
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


def ad_truth(world: World, count: int) -> set[tuple[str, date]]:
    return {
        (ad.id, day)
        for account in world.accounts("meta")
        for ad in world.ads(account.id)
        for day in account_days(world, account.id, count)
        if (m := world.ad_day(ad, day)) is not None and m.impressions > 0
    }
