"""The documents a user gets from a loaded warehouse, against the sandbox world's own truth.

tap-meta-ads syncs a small world (three accounts: USD, EUR and JPY; campaigns active, paused and
archived, some with spend) with `include_deleted` false; the real targets load its output into
DuckDB and PostgreSQL; `ads-report` builds one document per platform and account from each. Every
document, as written, is valid against report.schema.json, and its metadata, campaign attributes,
sums and breakdowns equal what the world says; none of it comes from the code under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_loaders import POSTGRES_URL, load_with_target

from ads_kit import clock
from ads_kit.report import DuckDBSource, PostgresSource, build_reports, encode
from ads_kit.sandbox.process import running_sandbox
from ads_kit.sandbox.world import Account, World

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
DAYS = 14
# 24 ads make four campaigns per account; the archived one delivered within the last DAYS days.
WORLD = {"seed": 11, "ads_per_account": 24, "accounts_per_platform": 3, "history_days": 60, "now": NOW}
SANDBOX_SETTINGS = {
    "meta_job_seconds": 0.05,
    "meta_denied_accounts": [],
    "limits": {"meta": {"app": ["10000/second"], "account": ["10000/second"]}},
}
STREAMS = {
    "meta_campaigns",
    "unified_accounts",
    "unified_campaigns",
    "unified_campaign_performance",
    "unified_performance_breakdowns",
    "unified_data_quality",
}
SCHEMA = json.loads(resources.files("ads_kit.report").joinpath("report.schema.json").read_text())
# world status -> the unified status a document shows
STATUS = {"deleted": "removed"}
# Meta's outcome objectives have no video views of their own: such campaigns are OUTCOME_ENGAGEMENT.
META_OBJECTIVE = {"video_views": "engagement"}


def _tap(args: list[str], config: dict[str, Any], workdir: Path, env: dict[str, str]) -> bytes:
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run(
        [sys.executable, "-m", "tap_meta_ads", "--config", str(config_path), *args],
        capture_output=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[list[str], World, list[str]]:
    """The tap's Singer lines, the world as it was served, and the paths of the sync's node reads."""
    workdir = tmp_path_factory.mktemp("tap")
    with running_sandbox(settings=SANDBOX_SETTINGS, **WORLD) as sandbox:
        meta = sandbox.platform("meta")
        config = {
            "access_token": meta["access_token"],
            "app_id": meta["client_id"],
            "app_secret": meta["client_secret"],
            "api_base_url": meta["base_url"],
            "date_range": {"type": "last_n_days", "days": DAYS},
            "breakdowns": ["age", "gender", "platform_device"],
            "include_deleted": False,
            "dead_letter_path": str(workdir / "dead-letters.jsonl"),
            "rate_limiting": {"max_retries": 2, "backoff_multiplier": 0.05, "burst": 10000},
        }
        env = {**os.environ, clock.ENV_VAR: sandbox.now().isoformat()}
        catalog = json.loads(_tap(["--discover"], config, workdir, env))
        for entry in catalog["streams"]:
            for item in entry["metadata"]:
                if item["breadcrumb"] == []:
                    item["metadata"]["selected"] = entry["tap_stream_id"] in STREAMS
        (workdir / "catalog.json").write_text(json.dumps(catalog))
        sandbox.reset()
        stdout = _tap(["--catalog", str(workdir / "catalog.json")], config, workdir, env)
        node_reads = [entry["path"].split("?")[0] for entry in sandbox.log("meta", route="node")]
        world = sandbox.world()
    return [line + "\n" for line in stdout.decode().splitlines()], world, node_reads


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request, synced, targets, tmp_path):
    """The sync loaded by the project's real target into DuckDB or PostgreSQL, as a report source."""
    lines = synced[0]
    if request.param == "duckdb":
        path = tmp_path / "warehouse.duckdb"
        config = {"path": str(path), "default_target_schema": "ads", "add_metadata_columns": True}
        load_with_target(targets["target-duckdb"], config, tmp_path, lines)
        return DuckDBSource(path, schema="ads")
    _, schema = request.getfixturevalue("postgres_schema")
    config = {
        "sqlalchemy_url": POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
        "default_target_schema": schema,
        "add_record_metadata": True,
    }
    load_with_target(targets["target-postgres"], config, tmp_path, lines)
    return PostgresSource(POSTGRES_URL, schema=schema)


def _major(minor: int, account: Account) -> Decimal:
    return Decimal(minor).scaleb(-account.currency_exponent)


def _money(amount: Decimal, account: Account) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-account.currency_exponent), rounding=ROUND_HALF_EVEN)


def world_campaigns(world: World, account: Account) -> dict[str, dict[str, Any]]:
    """campaign id -> what a correct document shows for it over the account's last DAYS local days."""
    today = world.account_today(account)
    days = [today - timedelta(days=n) for n in range(DAYS)]
    result = {}
    for campaign in world.campaigns(account.id):
        sums: dict[str, Any] = defaultdict(int)
        breakdowns: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0, 0]) for d in DIMENSIONS}
        for day in days:
            metrics = world.campaign_day(campaign, day)
            if metrics is None or metrics.impressions == 0:
                continue
            for name in ("impressions", "clicks", "spend_minor", "conversions", "conversions_value_minor"):
                sums[name] += getattr(metrics, name)
            for ad in world.ads_under(campaign):
                for dimension in DIMENSIONS:
                    for value, part in world.ad_day_breakdown(ad, day, dimension).items():
                        breakdowns[dimension][value][0] += part.impressions
                        breakdowns[dimension][value][1] += part.clicks
        if not sums:
            continue
        budget = _major(campaign.budget_minor, account) if campaign.budget_minor else None
        result[campaign.id] = {
            "campaign_name": campaign.name,
            "status": STATUS.get(campaign.status, campaign.status),
            "objective": META_OBJECTIVE.get(campaign.objective, campaign.objective),
            "budget": budget,
            "start_date": campaign.start_date.isoformat(),
            "end_date": campaign.end_date.isoformat() if campaign.end_date else None,
            "impressions": sums["impressions"],
            "clicks": sums["clicks"],
            "spend": _money(_major(sums["spend_minor"], account), account),
            "conversions": Decimal(sums["conversions"]),
            "conversion_value": _money(_major(sums["conversions_value_minor"], account), account),
            "breakdowns": {
                dimension: {value: tuple(pair) for value, pair in parts.items() if pair[0]}
                for dimension, parts in breakdowns.items()
            },
        }
    return result


# document breakdown -> the key of its items
DIMENSIONS = {"age": "age_range", "gender": "gender", "device": "device"}
# The Meta emulator serves age and gender exactly as the world splits them; impression_device comes
# from the joint platform/position/device breakdown, approximated proportionally (see the emulator).
EXACT_DIMENSIONS = ("age", "gender")


def _validate_as_written(document: dict) -> dict:
    written = json.loads(encode(document))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(written)
    return written


def test_one_document_per_account_equals_the_world(synced, warehouse):
    _, world, _ = synced
    accounts = {a.id: a for a in world.accounts("meta")}
    documents = [r.document for r in build_reports(warehouse)]
    assert [d["metadata"]["account_id"] for d in documents] == sorted(accounts)
    for document in documents:
        written = _validate_as_written(document)
        account = accounts[document["metadata"]["account_id"]]
        metadata = written["metadata"]
        assert (metadata["platform"], metadata["timezone"], metadata["currency"]) == (
            "meta",
            account.timezone,
            account.currency,
        )
        today = world.account_today(account)
        assert metadata["date_range"]["end"] >= (today - timedelta(days=1)).isoformat()
        truth = world_campaigns(world, account)
        got = {c["campaign_id"]: c for c in document["campaigns"]}
        assert set(got) == set(truth), account.id
        for campaign_id, expected in truth.items():
            campaign = got[campaign_id]
            for name in ("campaign_name", "status", "objective", "budget", "start_date", "end_date"):
                assert campaign[name] == expected[name], (account.id, campaign_id, name)
            for name in ("impressions", "clicks", "spend", "conversions", "conversion_value"):
                assert campaign[name] == expected[name], (account.id, campaign_id, name)
            for dimension, key in DIMENSIONS.items():
                items = {i[key]: (i["impressions"], i["clicks"]) for i in campaign["breakdowns"][dimension]}
                if dimension in EXACT_DIMENSIONS:
                    assert items == expected["breakdowns"][dimension], (account.id, campaign_id, dimension)
                else:  # Meta's device split is a proportional share of the world's, summing to the whole
                    assert sum(i for i, _ in items.values()) == expected["impressions"], (
                        campaign_id,
                        dimension,
                    )
        summary = document["summary"]
        assert summary["total_campaigns"] == len(truth)
        assert summary["total_spend"] == sum(c["spend"] for c in truth.values())
        assert summary["total_impressions"] == sum(c["impressions"] for c in truth.values())
        assert all(isinstance(w, str) and w for w in written["warnings"])


def test_archived_and_deleted_campaigns_with_spend_are_read_by_id(synced, warehouse):
    """include_deleted is false, so the campaigns edge hides them; each is read from its own node."""
    _, world, node_reads = synced
    hidden = [
        (account.id, campaign_id)
        for account in world.accounts("meta")
        for campaign_id, truth in world_campaigns(world, account).items()
        if truth["status"] in ("archived", "removed")
    ]
    assert hidden, "the world should have an archived or deleted campaign with spend in the range"
    # one read each, of the campaign's own node (the other node reads poll report runs)
    campaign_ids = {c.id for a in world.accounts("meta") for c in world.campaigns(a.id)}
    read = [path.rsplit("/", 1)[-1] for path in node_reads if path.rsplit("/", 1)[-1] in campaign_ids]
    assert sorted(read) == sorted(campaign_id for _, campaign_id in hidden)
    documents = {r.document["metadata"]["account_id"]: r.document for r in build_reports(warehouse)}
    for account_id, campaign_id in hidden:
        campaign = next(c for c in documents[account_id]["campaigns"] if c["campaign_id"] == campaign_id)
        assert campaign["status"] in ("archived", "removed")
        assert campaign["objective"] and campaign["start_date"]
