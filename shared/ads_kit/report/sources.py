"""Where report rows come from: a DuckDB file, a PostgreSQL database, or a tap's Singer output.

Both databases are read the way the targets leave them: target-duckdb (jwills) stores dates as
VARCHAR and numbers as DOUBLE, target-postgres stores `numeric` and `date`; either may add `_sdc_*`
metadata columns, and rows soft-deleted by a target (`_sdc_deleted_at` set) are not report data.
Filters are pushed into SQL so a large warehouse is not read whole.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ads_kit.report.errors import ReportInputError
from ads_kit.report.rows import PERFORMANCE, STREAMS, RowFilter, StreamSpec, UnifiedRows, row_from_record

_DELETED_MARKER = "_sdc_deleted_at"


class _SqlSource:
    """Reads the unified tables of one schema; subclasses supply the connection and placeholder."""

    option: str
    placeholder: str

    def __init__(self, schema: str | None) -> None:
        self.schema = schema
        self._connection: Any = None

    def _connected(self) -> AbstractContextManager[None]:
        """Holds one connection in `_connection` for a whole read; driver errors become one line."""
        raise NotImplementedError

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._connection.execute(sql, list(params)).fetchall()

    def _schemas_with(self, table: str) -> list[str]:
        rows = self._query(
            "SELECT DISTINCT table_schema FROM information_schema.tables "
            f"WHERE table_name = {self.placeholder}",
            [table],
        )
        return sorted(r[0] for r in rows)

    def _columns(self, schema: str, table: str) -> set[str]:
        rows = self._query(
            "SELECT column_name FROM information_schema.columns "
            f"WHERE table_schema = {self.placeholder} AND table_name = {self.placeholder}",
            [schema, table],
        )
        return {r[0] for r in rows}

    def _resolve_schema(self) -> str:
        """The schema holding the performance table: --schema, or the only one that has it."""
        holders = self._schemas_with(PERFORMANCE.name)
        if self.schema is not None:
            if self.schema not in holders:
                raise ReportInputError(
                    f"--schema {self.schema}: table {self.schema}.{PERFORMANCE.name} not found"
                )
            return self.schema
        if not holders:
            raise ReportInputError(f"{self.option}: table {PERFORMANCE.name} not found in any schema")
        if len(holders) > 1:
            raise ReportInputError(
                f"--schema: table {PERFORMANCE.name} exists in schemas {', '.join(holders)}; choose one"
            )
        return holders[0]

    def _select(
        self, schema: str, spec: StreamSpec, columns: set[str], row_filter: RowFilter
    ) -> Iterator[dict]:
        wanted = [c for c in spec.columns if c in columns]
        conditions, params = [], []
        if _DELETED_MARKER in columns:
            conditions.append(f'"{_DELETED_MARKER}" IS NULL')
        if row_filter.platform is not None and "platform" in columns:
            conditions.append(f'"platform" = {self.placeholder}')
            params.append(row_filter.platform)
        if row_filter.account is not None and "account_id" in columns:
            # Findings may be platform-wide (no account); they still concern the account asked for.
            conditions.append(f"(\"account_id\" = {self.placeholder} OR COALESCE(\"account_id\", '') = '')")
            params.append(row_filter.account)
        if "date_day" in columns:
            for bound, operator in ((row_filter.start, ">="), (row_filter.end, "<=")):
                if bound is not None:
                    conditions.append(
                        f'("date_day" IS NULL OR CAST("date_day" AS DATE) {operator} '
                        f"CAST({self.placeholder} AS DATE))"
                    )
                    params.append(bound.isoformat())
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        column_list = ", ".join(f'"{c}"' for c in wanted)
        for values in self._query(f'SELECT {column_list} FROM "{schema}"."{spec.name}"{where}', params):
            yield dict(zip(wanted, values, strict=True))

    def read(self, row_filter: RowFilter) -> UnifiedRows:
        rows: dict[str, list] = {}
        missing = []
        with self._connected():
            schema = self._resolve_schema()
            for spec in STREAMS:
                columns = self._columns(schema, spec.name)
                if not columns:
                    missing.append(spec.name)
                    continue
                where = f"{self.option} {schema}.{spec.name}"
                selected = self._select(schema, spec, columns, row_filter)
                rows[spec.name] = [row_from_record(spec, r, where) for r in selected]
        return UnifiedRows.from_streams(rows, missing)


class DuckDBSource(_SqlSource):
    """A DuckDB file loaded by target-duckdb; opened read-only so a report never changes it."""

    option = "--duckdb"
    placeholder = "?"

    def __init__(self, path: str | Path, schema: str | None = None) -> None:
        super().__init__(schema)
        self.path = Path(path)

    @contextmanager
    def _connected(self) -> Iterator[None]:
        import duckdb

        if not self.path.is_file():
            raise ReportInputError(f"--duckdb {self.path}: file not found")
        try:
            with duckdb.connect(str(self.path), read_only=True) as self._connection:
                yield
        except duckdb.Error as error:
            raise ReportInputError(f"--duckdb {self.path}: {_first_line(error)}") from None
        finally:
            self._connection = None


class PostgresSource(_SqlSource):
    """A PostgreSQL database loaded by target-postgres; `dsn` is a URL or a libpq key=value string."""

    option = "--postgres"
    placeholder = "%s"

    def __init__(self, dsn: str, schema: str | None = None) -> None:
        super().__init__(schema)
        self.dsn = dsn

    @contextmanager
    def _connected(self) -> Iterator[None]:
        import psycopg

        try:
            with psycopg.connect(self.dsn, connect_timeout=10) as self._connection:
                yield
        except psycopg.Error as error:
            raise ReportInputError(f"--postgres: {_without_password(_first_line(error), self.dsn)}") from None
        finally:
            self._connection = None


class SingerSource:
    """A tap's Singer output: SCHEMA and RECORD messages of the unified streams; the rest is skipped."""

    option = "--singer"

    def __init__(self, lines: IO[str] | Iterable[str]) -> None:
        self._lines = lines
        self._rows: UnifiedRows | None = None

    def read(self, row_filter: RowFilter) -> UnifiedRows:
        if self._rows is None:
            self._rows = self._parse()
        if PERFORMANCE.name in self._rows.missing_streams:
            raise ReportInputError(f"--singer: no SCHEMA message for stream {PERFORMANCE.name} in the input")
        return self._rows.read(row_filter)

    def _parse(self) -> UnifiedRows:
        specs = {spec.name: spec for spec in STREAMS}
        announced: set[str] = set()
        rows: dict[str, list] = defaultdict(list)
        for number, line in enumerate(self._lines, start=1):
            if not line.strip():
                continue
            message = _singer_message(line, number)
            stream = message.get("stream")
            if stream not in specs:
                continue
            where = f"--singer line {number}"
            if message.get("type") == "SCHEMA":
                announced.add(stream)
            elif message.get("type") == "RECORD":
                if stream not in announced:
                    raise ReportInputError(f"{where}: RECORD of stream {stream} before its SCHEMA message")
                record = message.get("record")
                if not isinstance(record, dict):
                    raise ReportInputError(f"{where}: RECORD of stream {stream} has no record object")
                rows[stream].append(row_from_record(specs[stream], record, where))
        return UnifiedRows.from_streams(rows, (name for name in specs if name not in announced))


def _singer_message(line: str, number: int) -> dict:
    try:
        # Decimal parsing keeps 0.1 as 0.1: Singer writers emit money as exact JSON numbers.
        message = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ReportInputError(f"--singer line {number}: not a JSON Singer message ({error.msg})") from None
    if not isinstance(message, dict) or "type" not in message:
        raise ReportInputError(f"--singer line {number}: not a Singer message (no 'type')")
    return message


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _without_password(text: str, dsn: str) -> str:
    """A driver message may echo the connection string; the password must never reach the user's terminal."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:  # unparsable: the URL pattern below still masks user:password@
        password = None
    text = re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)
    return text.replace(str(password), "***") if password else text
