"""`ads-warehouse views`: the cross-platform view gives the same answers in DuckDB and PostgreSQL.

The unified rows come from the sandbox world (seed 7, every platform and account, five whole local
days), loaded the way target-duckdb and target-postgres leave them (report_loaders). The expected
sums and ratios are computed here from the world's own metrics in Decimal, never read back from the
view or from the code that creates it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb
import pytest
from report_loaders import POSTGRES_URL, load_duckdb, load_postgres

from ads_kit.sandbox.world import World
from ads_kit.warehouse.cli import main

NOW = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
DAYS = 5
PLATFORM_KEYS = {"meta": "meta_ads", "google_ads": "google_ads", "tiktok": "tiktok_ads"}
EUR_RATES = {"EUR": Decimal(1), "USD": Decimal("1.087"), "JPY": Decimal("163.04"), "BRL": Decimal("5.435")}
CENT = Decimal("0.01")
QUERY = """
select platform, currency, count(*), sum(spend), sum(spend_reporting), sum(impressions), sum(clicks),
       sum(conversions), sum(conversions_value_reporting)
from {schema}.cross_platform_campaign_performance group by 1, 2
"""
VIEW = "cross_platform_campaign_performance"
RATIOS = "select campaign_id, date_day, ctr, cpc, cpc_reporting, roas from {schema}." + VIEW


def world_rows() -> list[dict]:
    """unified_campaign_performance as a tap with reporting_currency EUR emits it, from the world."""
    world = World(seed=7, now=NOW)
    rows = []
    for account in world.accounts():
        today = world.account_today(account)
        for campaign in world.campaigns(account.id):
            for back in range(1, DAYS + 1):
                day = today - timedelta(days=back)
                metrics = world.campaign_day(campaign, day)
                if metrics is None or metrics.impressions == 0:
                    continue
                spend = Decimal(metrics.spend_minor).scaleb(-account.currency_exponent)
                value = Decimal(metrics.conversions_value_minor).scaleb(-account.currency_exponent)
                rate = 1 / EUR_RATES[account.currency]
                rows.append(
                    {
                        "platform": PLATFORM_KEYS[account.platform],
                        "account_id": account.id,
                        "account_name": account.name,
                        "campaign_id": campaign.id,
                        "campaign_name": campaign.name,
                        "date_day": day,
                        "timezone": account.timezone,
                        "currency": account.currency,
                        "reporting_currency": "EUR",
                        "impressions": metrics.impressions,
                        "clicks": metrics.clicks,
                        "spend": spend,
                        "spend_reporting": (spend * rate).quantize(CENT, ROUND_HALF_EVEN),
                        "conversions": Decimal(metrics.conversions),
                        "conversions_value": value,
                        "conversions_value_reporting": (value * rate).quantize(CENT, ROUND_HALF_EVEN),
                        "is_final": True,
                        "extracted_at": NOW,
                    }
                )
    return rows


def expected_sums(rows: list[dict]) -> dict[tuple[str, str], tuple]:
    sums: dict[tuple[str, str], list] = defaultdict(
        lambda: [0, Decimal(0), Decimal(0), 0, 0, Decimal(0), Decimal(0)]
    )
    for row in rows:
        entry = sums[(row["platform"], row["currency"])]
        entry[0] += 1
        for index, name in enumerate(
            (
                "spend",
                "spend_reporting",
                "impressions",
                "clicks",
                "conversions",
                "conversions_value_reporting",
            ),
            start=1,
        ):
            entry[index] += row[name]
    return {key: tuple(values) for key, values in sums.items()}


def exact(row: tuple) -> tuple:
    """A result row with every number as a Decimal rounded to cents (DuckDB returns doubles for ratios)."""
    return tuple(
        value if isinstance(value, str) else Decimal(str(value)).quantize(CENT, ROUND_HALF_EVEN)
        for value in row
    )


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return world_rows()


def test_the_view_in_duckdb_equals_the_world(rows, tmp_path, capsys):
    warehouse = tmp_path / "warehouse.duckdb"
    deleted = {**rows[0], "campaign_id": "deleted-by-the-target", "spend": Decimal("999")}
    load_duckdb(
        warehouse,
        "ads",
        {"unified_campaign_performance": rows},
        deleted=[("unified_campaign_performance", deleted)],
    )
    assert main(["views", "--duckdb", str(warehouse)]) == 0
    assert capsys.readouterr().out == "created view ads.cross_platform_campaign_performance\n"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = {(p, c): exact(rest) for p, c, *rest in con.execute(QUERY.format(schema="ads")).fetchall()}
        ratios = con.execute(RATIOS.format(schema="ads")).fetchall()
    assert {key: exact(values) for key, values in expected_sums(rows).items()} == found
    assert set(PLATFORM_KEYS.values()) == {platform for platform, _ in found}
    assert_ratios(rows, ratios)


def test_the_view_in_postgres_equals_the_world(rows, postgres_schema, capsys):
    connection, schema = postgres_schema
    load_postgres(connection, schema, {"unified_campaign_performance": rows})
    # target-postgres soft-deletes by setting _sdc_deleted_at: such a row is no longer data
    connection.execute(
        f'insert into "{schema}".unified_campaign_performance (platform, account_id, campaign_id, date_day, '
        "spend, impressions, clicks, _sdc_deleted_at) "
        "values ('meta_ads', '1', 'gone', '2026-11-20', 999, 1, 1, now())"
    )
    assert main(["views", "--postgres", POSTGRES_URL, "--schema", schema]) == 0
    assert capsys.readouterr().out == f"created view {schema}.cross_platform_campaign_performance\n"
    found = {
        (p, c): exact(rest) for p, c, *rest in connection.execute(QUERY.format(schema=schema)).fetchall()
    }
    ratios = connection.execute(RATIOS.format(schema=schema)).fetchall()
    assert {key: exact(values) for key, values in expected_sums(rows).items()} == found
    assert_ratios(rows, ratios)
    # Run again: the view is replaced, not refused.
    assert main(["views", "--postgres", POSTGRES_URL, "--schema", schema]) == 0


def assert_ratios(rows: list[dict], found: list[tuple]) -> None:
    """Each row's CTR (percent), CPC in both currencies and ROAS, from the world's own numbers."""
    by_key = {(row["campaign_id"], row["date_day"]): row for row in rows}
    assert len(found) == len(rows)
    for campaign_id, day, ctr, cpc, cpc_reporting, roas in found:
        row = by_key[(campaign_id, day if isinstance(day, date) else date.fromisoformat(day))]
        assert isinstance(day, date), "date_day is a DATE in every warehouse"
        expected = {
            "ctr": Decimal(100 * row["clicks"]) / row["impressions"],
            "cpc": row["spend"] / row["clicks"] if row["clicks"] else None,
            "cpc_reporting": row["spend_reporting"] / row["clicks"] if row["clicks"] else None,
            "roas": row["conversions_value"] / row["spend"] if row["spend"] else None,
        }
        for name, value in zip(expected, (ctr, cpc, cpc_reporting, roas), strict=True):
            if expected[name] is None:
                assert value is None, (name, campaign_id, day)
            else:
                assert abs(Decimal(str(value)) - expected[name]) <= Decimal("0.00005"), (
                    name,
                    campaign_id,
                    day,
                )


def test_a_missing_table_or_file_is_one_line(tmp_path, capsys):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["views", "--duckdb", str(empty)]) == 1
    assert capsys.readouterr().err == (
        "ads-warehouse: --schema ads: table ads.unified_campaign_performance not found "
        "(run a tap into this schema first)\n"
    )
    assert main(["views", "--duckdb", str(tmp_path / "nowhere.duckdb")]) == 1
    assert (
        capsys.readouterr().err == f"ads-warehouse: --duckdb {tmp_path / 'nowhere.duckdb'}: file not found\n"
    )
    assert main(["views", "--duckdb", str(empty), "--schema", "ads; drop table x"]) == 1
    assert "--schema" in capsys.readouterr().err


def test_a_postgres_password_never_reaches_the_error(capsys):
    url = "postgresql://postgres:s3cret-pw@127.0.0.1:5432/no_such_database_here"
    assert main(["views", "--postgres", url]) == 1
    error = capsys.readouterr().err
    assert error.startswith("ads-warehouse: --postgres: ") and error.count("\n") == 1
    assert "s3cret-pw" not in error


def test_no_file_is_created_for_a_missing_warehouse(tmp_path: Path):
    assert main(["views", "--duckdb", str(tmp_path / "typo.duckdb")]) == 1
    assert not (tmp_path / "typo.duckdb").exists()
