"""`make demo` without running it: its totals are ratios of sums, and a failure is one line that
leaves the previous warehouse alone. (tests/e2e/test_readme.py runs the demo itself.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from ads_kit import demo
from ads_kit.warehouse.summary import FindingCount, platform_totals


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """Two platforms whose own CTRs (10 % and 1 %) average to 5.5 % but whose sums say 1.9 %."""
    monkeypatch.chdir(tmp_path)
    with duckdb.connect("view.duckdb") as con:
        con.execute("create schema ads")
        # a table standing in for the view: the columns the summary reads
        con.execute(
            "create table ads.cross_platform_campaign_performance (platform varchar, account_id varchar, "
            "campaign_id varchar, date_day date, reporting_currency varchar, spend decimal(38, 6), "
            "spend_reporting decimal(38, 6), impressions bigint, clicks bigint, conversions decimal(38, 6), "
            "conversions_value_reporting decimal(38, 6), is_final boolean)"
        )
        con.execute(
            "insert into ads.cross_platform_campaign_performance values "
            "('meta_ads', 'A', 'c1', '2026-11-01', 'EUR', 10, 10, 1000, 100, 2, 40, true), "
            "('tiktok_ads', 'B', 'c2', '2026-11-02', 'EUR', 90, 90, 9000, 90, 3, 10, false)"
        )
    return tmp_path / "view.duckdb"


def test_the_total_divides_the_sums(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        meta, tiktok, total = platform_totals(con, "ads")
    assert (meta.platform, tiktok.platform, total.platform) == ("meta_ads", "tiktok_ads", "total")
    assert meta.ctr == Decimal(10) and tiktok.ctr == Decimal(1)
    assert total.ctr == Decimal("1.9")  # 190 clicks in 10,000 impressions, not (10 + 1) / 2
    assert total.cpc == Decimal(100) / Decimal(190)
    assert total.roas == Decimal("0.5")  # 50 / 100, not the mean of 4 and 0.111…
    assert (total.first_day, total.last_day) == (date(2026, 11, 1), date(2026, 11, 2))
    assert (tiktok.estimated_rows, total.estimated_rows, total.first_estimated_day) == (
        1,
        1,
        date(2026, 11, 2),
    )
    table = demo.summary_table([meta, tiktok, total])
    assert table.splitlines()[-1].split() == [
        "total", "2026-11-01", "2026-11-02", "100.00", "10,000", "190", "5", "1.90", "0.53", "0.50"
    ]  # fmt: skip
    lines = demo.warning_lines(
        [meta, tiktok, total], [FindingCount("tiktok_ads", "missing_days", "warning", 2, "x")]
    )
    assert lines == [
        "tiktok_ads: 1 campaign-days from 2026-11-02 are estimated "
        "(not final: the platform may still restate them)",
        "FX rates: every campaign-day has one",
        "tiktok_ads: 2 missing_days finding(s) (warning), e.g. x",
    ]


def test_a_bad_instant_is_one_line_and_keeps_the_last_warehouse(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "warehouse.duckdb").write_text("the last demo's data")
    monkeypatch.setenv("ADS_NOW", "yesterday")
    assert demo.main() == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert (tmp_path / "output" / "warehouse.duckdb").read_text() == "the last demo's data"
