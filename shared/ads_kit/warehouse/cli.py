"""`ads-warehouse views`: create the project's views in the warehouse the taps loaded."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ads_kit.report.sources import _first_line, _without_password
from ads_kit.warehouse.views import VIEWS, WarehouseError, create_views

EXIT_FAILED = 1
DEFAULT_SCHEMA = "ads"

_DESCRIPTION = f"""\
Create (or re-create) the project's views over the unified tables the taps loaded:
{", ".join(VIEWS)}. One row per platform, account, campaign and day with spend in the account
currency and in the reporting currency, impressions, clicks, conversions, conversion value and
CTR, CPC and ROAS, so cross-platform performance is one query:

  select platform, sum(spend_reporting) from ads.cross_platform_campaign_performance group by 1;

Exit status: 0 created, 1 failed (one line on stderr naming the option)."""


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_FAILED, f"{self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="ads-warehouse", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    views = commands.add_parser("views", help="create the views", description=_DESCRIPTION)
    target = views.add_mutually_exclusive_group(required=True)
    target.add_argument("--duckdb", metavar="PATH", help="DuckDB file loaded by target-duckdb")
    target.add_argument(
        "--postgres", metavar="URL_OR_DSN", help="PostgreSQL database loaded by target-postgres"
    )
    views.add_argument(
        "--schema", default=DEFAULT_SCHEMA, help=f"schema of the unified tables ({DEFAULT_SCHEMA})"
    )
    return parser


def views_in_duckdb(path: Path, schema: str) -> list[str]:
    import duckdb

    if not path.is_file():
        raise WarehouseError(f"--duckdb {path}: file not found")
    try:
        with duckdb.connect(str(path)) as connection:
            return create_views(connection, schema, "?")
    except duckdb.Error as error:
        raise WarehouseError(f"--duckdb {path}: {_first_line(error)}") from None


def views_in_postgres(dsn: str, schema: str) -> list[str]:
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=10) as connection:  # commits on leaving the block
            return create_views(connection, schema, "%s")
    except psycopg.Error as error:
        raise WarehouseError(f"--postgres: {_without_password(_first_line(error), dsn)}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.duckdb is not None:
            created = views_in_duckdb(Path(args.duckdb), args.schema)
        else:
            created = views_in_postgres(args.postgres, args.schema)
    except WarehouseError as error:
        print(f"ads-warehouse: {error}", file=sys.stderr)
        return EXIT_FAILED
    for name in created:
        print(f"created view {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
