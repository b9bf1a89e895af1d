"""The README's first steps, run as written from a fresh clone: `make install`, `meltano install`, the
sandbox, and `meltano run tap-meta-ads` into DuckDB and into the real PostgreSQL (trust
authentication, no password: as the README sets it up). Then the README's own example query
returns, per day, the world's spend converted to EUR at the sandbox environment's rates.

What the test adds around the README's block, and why:
* `ADS_NOW` pins the instant for the sandbox and the taps alike (`ads_kit.clock`), so the world's
  truth does not move while the test runs;
* the last 7 days instead of the environment's 30, and the client-side rate limits lifted (Meta's
  default of 200 requests a minute would make the run wait a minute between its windows): speed only;
* PostgreSQL's database `test` with a schema of its own, since the machine's server is shared;
* the uv and pip caches of the machine (`make install` and `meltano install` reuse them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml
from meltano_project import ROOT, account_days

from ads_kit.sandbox.world import World

pytestmark = pytest.mark.e2e

NOW = "2026-11-25T20:30:00+00:00"
DAYS = 7
POSTGRES_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
README = (ROOT / "README.md").read_text()


def readme_block(after: str, language: str) -> str:
    """The first ```language block of the README after the line containing ``after``."""
    tail = README[README.index(after) :]
    match = re.search(rf"```{language}\n(.*?)```", tail, re.S)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def sandbox_rates() -> dict[str, Decimal]:
    """Units per EUR of each currency, as the sandbox environment configures them."""
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    [sandbox] = [env for env in project["environments"] if env["name"] == "sandbox"]
    [tap] = [tap for tap in sandbox["config"]["plugins"]["extractors"] if tap["name"] == "tap-meta-ads"]
    assert tap["config"]["reporting_currency"] == "EUR"
    rates = {entry["currency"]: Decimal(str(entry["rate"])) for entry in tap["config"]["fx_rates"]}
    return {"EUR": Decimal(1), **rates}


PLATFORM_OF = {
    "tap-meta-ads": "meta_ads",
    "tap-google-ads-unified": "google_ads",
    "tap-tiktok-ads": "tiktok_ads",
}
UNTHROTTLED = {"requests_per_minute": 100000, "requests_per_hour": 1000000, "burst": 10000}


def spend_eur_truth(rates: dict[str, Decimal]) -> dict[date, Decimal]:
    """EUR spend per local day of every Meta account, from the world itself (`serve --seed 7`)."""
    world = World(seed=7, now=datetime.fromisoformat(NOW))
    truth: dict[date, Decimal] = defaultdict(Decimal)
    for account in world.accounts("meta"):
        for campaign in world.campaigns(account.id):
            for day in account_days(world, account.id, DAYS):
                metrics = world.campaign_day(campaign, day)
                if metrics is not None and metrics.impressions > 0:
                    spend = Decimal(metrics.spend_minor).scaleb(-account.currency_exponent)
                    truth[day] += spend / rates[account.currency]
    return truth


def test_the_readme_first_steps_work_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    schema = f"readme_{uuid.uuid4().hex[:8]}"
    steps = readme_block("From a fresh clone", "bash")
    assert "meltano --environment=sandbox run tap-meta-ads target-postgres" in steps
    script = "set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT  # the background sandbox\n"
    env = {
        **os.environ,
        "ADS_NOW": NOW,
        "MELTANO_HUB_URL": "http://127.0.0.1:9",  # no network: nothing may need Meltano Hub
        **{
            f"TAP_{tap}_{setting}": value
            for tap in ("META_ADS", "GOOGLE_ADS_UNIFIED", "TIKTOK_ADS")
            for setting, value in (
                ("DATE_RANGE", json.dumps({"type": "last_n_days", "days": DAYS})),
                ("RATE_LIMITING", json.dumps(UNTHROTTLED)),
            )
        },
        "TARGET_POSTGRES_DATABASE": "test",
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
    }
    for name in ("VIRTUAL_ENV", "TARGET_POSTGRES_SQLALCHEMY_URL", "TARGET_POSTGRES_PASSWORD"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT)))
    try:
        done = subprocess.run(
            ["bash", "-c", script + steps],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, output[-4000:]
        assert "Traceback" not in output
        assert "Stream is assumed to be unsorted" not in output
        # Each run ends with one summary line per stream.
        runs = len(re.findall(r"^meltano --environment=sandbox run ", steps, re.M))
        summaries = re.findall(r"unified_campaign_performance: [\d,]+ records, [\d,]+ requests", output)
        assert len(summaries) == runs
        query = readme_block("one query gives cross-platform campaign performance", "sql")
        with duckdb.connect(str(clone / "output" / "warehouse.duckdb"), read_only=True) as con:
            rows = con.execute(query).fetchall()
        # Every platform the block loads into DuckDB is in the one query, with spend in EUR.
        into_duckdb = {PLATFORM_OF[tap] for tap in re.findall(r"run (tap-[\w-]+) target-duckdb", steps)}
        assert {platform for platform, _, spend in rows if spend is not None} == into_duckdb
        from_duckdb = {date.fromisoformat(str(d)): s for p, d, s in rows if p == "meta_ads"}
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as con:
            rows = con.execute(query.replace("from ads.", f"from {schema}.")).fetchall()
            from_postgres = {date.fromisoformat(str(d)): s for p, d, s in rows if p == "meta_ads"}
    finally:
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as con:
            con.execute(f"drop schema if exists {schema} cascade")
    truth = spend_eur_truth(sandbox_rates())
    assert set(from_duckdb) == set(from_postgres) == set(truth)
    for day, spend in truth.items():
        assert from_postgres[day] is not None and from_duckdb[day] is not None, day
        assert abs(Decimal(from_postgres[day]) - spend) < Decimal("0.01") * 20, day  # 20 rows rounded
        assert abs(Decimal(str(from_duckdb[day])) - spend) < Decimal("0.01") * 20, day
