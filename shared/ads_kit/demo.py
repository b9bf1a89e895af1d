"""`make demo`: the whole suite on the embedded default, with no credentials and no services.

Starts the sandbox, runs `meltano run <tap> target-duckdb` for every tap against it, stops the
sandbox, prints a cross-platform summary from the DuckDB warehouse and renders the report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from ads_kit.report import DuckDBSource, build_reports, encode, render_html
from ads_kit.sandbox.client import sandbox_environment
from ads_kit.sandbox.process import running_sandbox

TAPS = ("tap-meta-ads", "tap-google-ads-unified", "tap-tiktok-ads")
WAREHOUSE = Path("output/warehouse.duckdb")
REPORT_JSON = Path("output/report.json")
REPORT_HTML = Path("output/report.html")
SCHEMA = "ads"


def run_meltano(args: list[str], env: dict[str, str]) -> None:
    print("$ meltano --environment=sandbox", " ".join(args), flush=True)
    meltano = str(Path(sys.executable).with_name("meltano"))
    subprocess.run([meltano, "--log-level=warning", "--environment=sandbox", *args], env=env, check=True)


def summary(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"""
            select platform, currency, count(distinct account_id), count(distinct campaign_id),
                   min(date_day), max(date_day), sum(impressions), sum(clicks),
                   round(sum(cast(spend as decimal(38, 6))), 2),
                   round(sum(cast(conversions as decimal(38, 6))), 2)
            from {SCHEMA}.unified_campaign_performance
            group by platform, currency order by platform, currency
            """
        ).fetchall()
    header = (
        f"{'platform':<11} {'cur':<4} {'accts':>5} {'camps':>5} {'from':<10} {'to':<10} "
        f"{'impressions':>12} {'clicks':>9} {'spend':>14} {'conversions':>11}"
    )
    lines = [header, "-" * len(header)]
    for platform, currency, accounts, campaigns, first, last, impressions, clicks, spend, conv in rows:
        lines.append(
            f"{platform:<11} {currency:<4} {accounts:>5} {campaigns:>5} {first!s:<10} {last!s:<10} "
            f"{impressions:>12,} {clicks:>9,} {spend:>14,} {conv:>11,}"
        )
    return "\n".join(lines)


def write_report(warehouse: Path, json_path: Path, html_path: Path) -> int:
    """The bundle (a JSON list of documents, one per platform and account) and its HTML report."""
    reports = build_reports(DuckDBSource(warehouse, schema=SCHEMA))
    json_path.write_bytes(encode([report.document for report in reports]))
    render_html(reports, html_path)
    return len(reports)


def main() -> int:
    WAREHOUSE.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", "UV_COMPILE_BYTECODE": "1"}
    with running_sandbox(seed=7) as sandbox:
        env.update(sandbox_environment(sandbox.connection))
        run_meltano(["install", "--plugin-type", "extractor"], env)
        run_meltano(["install", "--plugin-type", "loader"], env)
        for tap in TAPS:
            run_meltano(["run", tap, "target-duckdb"], env)
    print(f"\nCross-platform campaign performance in {WAREHOUSE} (schema {SCHEMA}):\n")
    print(summary(WAREHOUSE))
    count = write_report(WAREHOUSE, REPORT_JSON, REPORT_HTML)
    print(
        f"\nReport: {REPORT_JSON} ({count} seed documents, one per platform and account) and "
        f"{REPORT_HTML} (charts; opens offline)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
