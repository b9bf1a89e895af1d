"""`ads-report`: render the unified campaign performance document (JSON) and optionally the HTML report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

import msgspec

from ads_kit.report.document import build_report
from ads_kit.report.errors import InvalidDocumentError, ReportInputError
from ads_kit.report.html import render_html
from ads_kit.report.rows import RowSource
from ads_kit.report.sources import DuckDBSource, PostgresSource, SingerSource
from ads_kit.unified.schemas import PLATFORMS

EXIT_BAD_INPUT = 2
EXIT_DEFECT = 1

_DESCRIPTION = """\
Render the unified campaign performance document (JSON, validated against report.schema.json)
from a DuckDB file, a PostgreSQL database or a tap's Singer output, and optionally an HTML report
with charts that opens offline.

Currencies: accounts in one currency are added up as they are. When the selected accounts use
different currencies, the report adds spend_reporting/conversions_value_reporting if every row has
them (taps run with a reporting_currency); otherwise it never adds different currencies: each
campaign stays in its account's currency, metadata.currency and summary.total_spend are null, and a
mixed_currencies warning lists the spend per currency. Use --account (or --platform) for one
currency, or configure reporting_currency in the taps.

Rows: one per primary key (the latest extracted_at wins, as an upserting target keeps it); rows a
target soft-deleted (_sdc_deleted_at set) are left out. Warnings carry the taps' unified_data_quality
findings for the range plus the report's own (mixed currencies or time zones, days without rows
within each account's own range of local days, days not final yet). The HTML never draws two
currencies on one axis: money charts are in the reporting currency or get one panel per currency.

Exit status: 0 written, 2 bad input (option, file, table or value; one line on stderr),
1 the built document broke the schema (a defect; please report it)."""


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on error; the user gets one line naming the option instead."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="ads-report", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--duckdb", metavar="PATH", help="DuckDB file loaded by target-duckdb")
    source.add_argument("--postgres", metavar="URL_OR_DSN", help="PostgreSQL loaded by target-postgres")
    source.add_argument("--singer", metavar="-", help="read a tap's Singer output from stdin ('-')")
    parser.add_argument(
        "--schema", help="database schema of the unified tables (default: the only one holding them)"
    )
    parser.add_argument("--platform", choices=PLATFORMS, help="one platform (default: all)")
    parser.add_argument("--account", metavar="ID", help="one account id (default: all)")
    parser.add_argument("--start", type=_day, metavar="YYYY-MM-DD", help="first day (default: earliest)")
    parser.add_argument("--end", type=_day, metavar="YYYY-MM-DD", help="last day (default: latest)")
    parser.add_argument("--output", metavar="FILE", help="write the JSON here instead of stdout")
    parser.add_argument("--html", metavar="FILE", help="also write the HTML report here")
    return parser


def _source(arguments: argparse.Namespace) -> RowSource:
    if arguments.duckdb is not None:
        return DuckDBSource(arguments.duckdb, schema=arguments.schema)
    if arguments.postgres is not None:
        return PostgresSource(arguments.postgres, schema=arguments.schema)
    if arguments.singer != "-":
        raise ReportInputError(f"--singer {arguments.singer}: only '-' (stdin) is supported")
    if arguments.schema is not None:
        raise ReportInputError("--schema applies to --duckdb and --postgres, not --singer")
    return SingerSource(sys.stdin)


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise ReportInputError(f"--output {path}: {error.strerror}") from None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        report = build_report(
            _source(arguments),
            platform=arguments.platform,
            account=arguments.account,
            start=arguments.start,
            end=arguments.end,
        )
        encoded = msgspec.json.format(msgspec.json.Encoder(decimal_format="number").encode(report.document))
        if arguments.output:
            _write(arguments.output, encoded + b"\n")
        else:
            sys.stdout.buffer.write(encoded + b"\n")
            sys.stdout.flush()
        if arguments.html:
            try:
                render_html(report, arguments.html)
            except OSError as error:
                raise ReportInputError(f"--html {arguments.html}: {error.strerror}") from None
    except ReportInputError as error:
        print(f"ads-report: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InvalidDocumentError as error:
        print(f"ads-report: {error}", file=sys.stderr)
        return EXIT_DEFECT
    return 0


if __name__ == "__main__":
    sys.exit(main())
