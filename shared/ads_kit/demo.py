"""`make demo`: the whole suite on the embedded default, with no credentials and no services.

Starts the sandbox pinned at `DEMO_NOW` (or `ADS_NOW`), runs the three taps into DuckDB in one
`meltano run` (meltano.yml's `sandbox` environment: EUR at the rates of demo/ecb-rates.csv, the
sandbox's own quotas) with days counted in UTC, stops the sandbox, creates the project's views,
prints the cross-platform summary in the reporting currency with the warnings the taps loaded, and
renders the report (one document per platform) as JSON and HTML.

Pinned, the demo prints the same figures on every run and its days stay inside the rates file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import duckdb

from ads_kit import clock
from ads_kit.clock import ClockError
from ads_kit.report import DuckDBSource, build_reports, encode, render_html
from ads_kit.report.errors import ReportInputError
from ads_kit.sandbox.client import sandbox_environment
from ads_kit.sandbox.process import SandboxStartError, running_sandbox
from ads_kit.warehouse.cli import views_in_duckdb
from ads_kit.warehouse.summary import FindingCount, PlatformTotals, finding_counts, platform_totals
from ads_kit.warehouse.views import WarehouseError

TAPS = ("tap-meta-ads", "tap-google-ads-unified", "tap-tiktok-ads")
LOADER = "target-duckdb"
DEMO_NOW = "2026-11-25T20:30:00Z"
REPORTING_TIMEZONE = "UTC"  # one day for every platform, so platform documents and totals line up
WAREHOUSE = Path("output/warehouse.duckdb")
REPORT_JSON = Path("output/report.json")
REPORT_HTML = Path("output/report.html")
SCHEMA = "ads"
SEED = 7


def run_meltano(args: list[str], env: dict[str, str]) -> None:
    print("$ meltano --environment=sandbox", " ".join(args), flush=True)
    meltano = str(Path(sys.executable).with_name("meltano"))
    subprocess.run([meltano, "--log-level=warning", "--environment=sandbox", *args], env=env, check=True)


def missing_plugins(project: Path) -> list[str]:
    """The demo's plugins `meltano install` has not installed yet (installing is the slow part)."""
    kinds = {tap: "extractors" for tap in TAPS} | {LOADER: "loaders"}
    return [
        name
        for name, kind in kinds.items()
        if not (project / ".meltano" / kind / name / "venv" / "bin" / name).is_file()
    ]


def tap_settings() -> dict[str, str]:
    """What the demo adds to the sandbox environment, as Meltano's TAP_<NAME>_<SETTING> variables."""
    return {f"{tap.upper().replace('-', '_')}_REPORTING_TIMEZONE": REPORTING_TIMEZONE for tap in TAPS}


def pipeline() -> list[str]:
    """One `meltano run`: each tap into DuckDB in turn (one writer at a time holds the file)."""
    return ["run", "--full-refresh", *(step for tap in TAPS for step in (tap, LOADER))]


def _money(value: Decimal | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def summary_table(totals: Sequence[PlatformTotals]) -> str:
    currency = ",".join(sorted(set().union(*(t.currencies for t in totals)))) or "?"
    columns = (
        f"{'platform':<11} {'from':<10} {'to':<10} {'spend ' + currency:>14} {'impressions':>12} "
        f"{'clicks':>9} {'conversions':>11} {'CTR %':>6} {'CPC':>6} {'ROAS':>6}"
    )
    lines = [columns, "-" * len(columns)]
    for t in totals:
        if t.platform == "total":
            lines.append("-" * len(columns))
        lines.append(
            f"{t.platform:<11} {t.first_day!s:<10} {t.last_day!s:<10} {_money(t.spend):>14} "
            f"{t.impressions:>12,} {t.clicks:>9,} {_money(t.conversions, 0):>11} "
            f"{_money(t.ctr):>6} {_money(t.cpc):>6} {_money(t.roas):>6}"
        )
    return "\n".join(lines)


def warning_lines(totals: Sequence[PlatformTotals], findings: Sequence[FindingCount]) -> list[str]:
    platforms = [t for t in totals if t.platform != "total"]
    lines = [
        f"{t.platform}: {t.estimated_rows} campaign-days from {t.first_estimated_day} are estimated "
        "(not final: the platform may still restate them)"
        for t in platforms
        if t.estimated_rows
    ]
    missing = [t for t in platforms if t.rows_without_rate]
    lines += [
        f"{t.platform}: {t.rows_without_rate} campaign-days have no FX rate (spend_reporting null)"
        for t in missing
    ] or ["FX rates: every campaign-day has one"]
    lines += [
        f"{f.platform}: {f.count} {f.check} finding(s) ({f.severity}), e.g. {f.example}" for f in findings
    ] or ["quality findings: none"]
    return lines


def print_summary(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        totals = platform_totals(con, SCHEMA)
        findings = finding_counts(con, SCHEMA, "?")
    print(f"\nCross-platform campaign performance ({SCHEMA}.cross_platform_campaign_performance, "
          f"days in {REPORTING_TIMEZONE}):\n")  # fmt: skip
    print(summary_table(totals))
    print("\nWarnings:")
    for line in warning_lines(totals, findings):
        print(f"- {line}")


def write_report(warehouse: Path, json_path: Path, html_path: Path) -> int:
    """The bundle (a JSON list of documents, one per platform, in the reporting currency) and its HTML."""
    reports = build_reports(DuckDBSource(warehouse, schema=SCHEMA), per="platform")
    json_path.write_bytes(encode([report.document for report in reports]))
    render_html(reports, html_path)
    return len(reports)


def run_demo() -> None:
    now = clock.now().isoformat() if os.environ.get(clock.ENV_VAR) else DEMO_NOW
    WAREHOUSE.parent.mkdir(parents=True, exist_ok=True)
    for stale in (WAREHOUSE, WAREHOUSE.with_name(WAREHOUSE.name + ".wal")):
        stale.unlink(missing_ok=True)  # the demo's days are its own: no rows left from another run
    env = {**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", "UV_COMPILE_BYTECODE": "1"}
    env.update(tap_settings())
    missing = missing_plugins(Path.cwd())
    if missing:
        run_meltano(["install", *missing], env)
    with running_sandbox(seed=SEED, now=now) as sandbox:
        env.update(sandbox_environment(sandbox.connection, now=now))
        run_meltano(pipeline(), env)
    for view in views_in_duckdb(WAREHOUSE, SCHEMA):
        print(f"created view {view}")
    print_summary(WAREHOUSE)
    count = write_report(WAREHOUSE, REPORT_JSON, REPORT_HTML)
    print(f"\nReport: {REPORT_JSON} ({count} documents, one per platform, in the reporting currency) and "
          f"{REPORT_HTML} (charts; opens offline)")  # fmt: skip


def main() -> int:
    """Each way the demo can fail is one line (meltano's own output stands above it); exit 1."""
    try:
        run_demo()
    except subprocess.CalledProcessError as error:
        print(f"demo: `meltano {' '.join(error.cmd[2:])}` failed with exit code {error.returncode} "
              "(its output is above)", file=sys.stderr)  # fmt: skip
    except (SandboxStartError, WarehouseError, ReportInputError, ClockError) as error:
        print(f"demo: {error}", file=sys.stderr)
    else:
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
