"""`ads-report`: render the unified campaign performance documents (JSON) and optionally the HTML report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from ads_kit.report.document import PER_CHOICES, Report, build_reports, encode, only_document
from ads_kit.report.errors import InvalidDocumentError, ReportInputError
from ads_kit.report.html import render_html
from ads_kit.report.rows import RowSource
from ads_kit.report.sources import DuckDBSource, PostgresSource, SingerSource

EXIT_BAD_INPUT = 2
EXIT_DEFECT = 1

_DESCRIPTION = """\
Render the unified campaign performance document (JSON, validated against report.schema.json)
from a DuckDB file, a PostgreSQL database or a tap's Singer output, and optionally an HTML report
with charts that opens offline.

Documents: one per platform and account (--per account, the default), or one per platform
(--per platform) in the reporting currency when every row has spend_reporting (taps run with a
reporting_currency), else in the currency its accounts share, and in one time zone (taps run with
reporting_timezone). Metadata is never null: platform (meta, google_ads or tiktok), account
(comma-separated in a platform document), time zone and currency. Without --bundle the filters must
select one document; --bundle writes a JSON array of every document (each valid against
report.schema.json), and the HTML covers them all.

Rows: one per primary key (the latest extracted_at wins, as an upserting target keeps it); rows a
target soft-deleted (_sdc_deleted_at set) are left out. Warnings are sentences, and the same items
sit in findings with their check, severity and scope: the taps' unified_data_quality findings for
the range plus the report's own (days without rows within the account's own local days, campaigns
whose days are not final yet, campaigns without attributes). The HTML never draws two currencies on
one axis: money charts get one panel per currency.

Exit status: 0 written, 2 bad input (option, file, table or value; one line on stderr),
1 a built document broke the schema (a defect; please report it)."""


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
    parser.add_argument("--platform", help="meta, google_ads or tiktok (default: all)")
    parser.add_argument("--account", metavar="ID", help="one account id (default: all)")
    parser.add_argument("--start", type=_day, metavar="YYYY-MM-DD", help="first day (default: earliest)")
    parser.add_argument("--end", type=_day, metavar="YYYY-MM-DD", help="last day (default: latest)")
    parser.add_argument(
        "--per", choices=PER_CHOICES, default="account", help="one document per account or per platform"
    )
    parser.add_argument("--bundle", action="store_true", help="write every document as one JSON array")
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


def _documents(arguments: argparse.Namespace) -> tuple[list[Report], bytes]:
    reports = build_reports(
        _source(arguments),
        arguments.per,
        platform=arguments.platform,
        account=arguments.account,
        start=arguments.start,
        end=arguments.end,
    )
    if arguments.bundle:
        return reports, encode([r.document for r in reports])
    return reports, encode(only_document(reports))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        reports, encoded = _documents(arguments)
        if arguments.output:
            _write(arguments.output, encoded)
        else:
            sys.stdout.buffer.write(encoded)
            sys.stdout.flush()
        if arguments.html:
            try:
                render_html(reports, arguments.html)
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
