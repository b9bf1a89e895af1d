"""Loads the test rows the way the real targets leave them: target-duckdb, target-postgres, a tap's stdout."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import psycopg

from ads_kit.unified.schemas import UNIFIED_STREAMS

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _quoted(name: str) -> str:
    return f'"{name}"'


def _json_schema(stream: str) -> dict[str, Any]:
    return UNIFIED_STREAMS[stream][0].to_dict()


def _types(prop: dict[str, Any]) -> list[str]:
    kinds = prop.get("type", [])
    return [kinds] if isinstance(kinds, str) else kinds


def duckdb_column_type(prop: dict[str, Any]) -> str:
    """target-duckdb 0.8.0 (jwills) db_sync.column_type: date stays VARCHAR, number is DOUBLE."""
    kinds, fmt = _types(prop), prop.get("format")
    if fmt == "date-time":
        return "TIMESTAMP"
    if "number" in kinds:
        return "DOUBLE"
    if "integer" in kinds:
        return "HUGEINT"
    if "boolean" in kinds:
        return "BOOLEAN"
    return "VARCHAR"


def postgres_column_type(prop: dict[str, Any]) -> str:
    """meltanolabs target-postgres 0.8.1: number is numeric, date is date, date-time is timestamp."""
    kinds, fmt = _types(prop), prop.get("format")
    if fmt == "date-time":
        return "timestamp"
    if fmt == "date":
        return "date"
    if "number" in kinds:
        return "numeric"
    if "integer" in kinds:
        return "bigint"
    if "boolean" in kinds:
        return "boolean"
    return "text"


_METADATA_COLUMNS = {
    "_sdc_extracted_at": "TIMESTAMP",
    "_sdc_batched_at": "TIMESTAMP",
    "_sdc_deleted_at": "TIMESTAMP",
}


def _duckdb_value(value: Any) -> Any:
    if value == "":
        return None  # target-duckdb writes falsy non-zero values as NULL
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_duckdb(
    path: Path, schema: str, streams: dict[str, list[dict]], deleted: list[tuple[str, dict]] = ()
) -> None:
    """Create and fill the tables as target-duckdb does; `deleted` rows carry _sdc_deleted_at."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for stream, records in streams.items():
            properties = _json_schema(stream)["properties"]
            columns = {
                name: duckdb_column_type(prop) for name, prop in properties.items()
            } | _METADATA_COLUMNS
            definitions = ", ".join(f"{_quoted(n)} {t}" for n, t in columns.items())
            connection.execute(f"CREATE TABLE {schema}.{stream} ({definitions})")
            rows = [(r, None) for r in records] + [
                (r, datetime(2026, 11, 6)) for s, r in deleted if s == stream
            ]
            if not rows:
                continue
            placeholders = f"({', '.join('?' for _ in columns)})"
            values = [
                value
                for record, deleted_at in rows
                for value in [_duckdb_value(record.get(name)) for name in properties]
                + [datetime(2026, 11, 6), datetime(2026, 11, 6), deleted_at]
            ]
            # One statement per table: row-by-row inserts would dominate the test time.
            connection.execute(
                f"INSERT INTO {schema}.{stream} VALUES {', '.join(placeholders for _ in rows)}", values
            )


def load_postgres(connection: psycopg.Connection, schema: str, streams: dict[str, list[dict]]) -> None:
    connection.execute(f'CREATE SCHEMA "{schema}"')
    for stream, records in streams.items():
        properties = _json_schema(stream)["properties"]
        keys = UNIFIED_STREAMS[stream][1]
        columns = [f"{_quoted(n)} {postgres_column_type(p)}" for n, p in properties.items()]
        columns += [f"{n} timestamp" for n in _METADATA_COLUMNS]
        columns.append(f"PRIMARY KEY ({', '.join(map(_quoted, keys))})")
        connection.execute(f'CREATE TABLE "{schema}"."{stream}" ({", ".join(columns)})')
        names = ", ".join(map(_quoted, properties))
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{schema}"."{stream}" ({names}, _sdc_extracted_at) '
                f"VALUES ({', '.join('%s' for _ in properties)}, now())",
                [[record.get(name) for name in properties] for record in records],
            )


def singer_lines(streams: dict[str, list[dict]]) -> list[str]:
    """A tap's stdout: SCHEMA then RECORDs per stream, exact decimals, plus messages the report ignores."""
    encoder = msgspec.json.Encoder(decimal_format="number")
    lines = [
        encoder.encode(
            {
                "type": "SCHEMA",
                "stream": "ads_insights",
                "schema": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "spend": {"type": "string"}},
                },
                "key_properties": ["id"],
            }
        ),
        encoder.encode({"type": "RECORD", "stream": "ads_insights", "record": {"id": "1", "spend": "999"}}),
    ]
    for stream, records in streams.items():
        lines.append(
            encoder.encode(
                {
                    "type": "SCHEMA",
                    "stream": stream,
                    "schema": _json_schema(stream),
                    "key_properties": UNIFIED_STREAMS[stream][1],
                }
            )
        )
        lines += [encoder.encode({"type": "RECORD", "stream": stream, "record": r}) for r in records]
        lines.append(encoder.encode({"type": "STATE", "value": {"bookmarks": {stream: {}}}}))
    return [line.decode() + "\n" for line in lines]


def load_with_target(target: str, config: dict, tmp_path: Path, lines: list[str]) -> None:
    """Singer `lines` through a real target with `config`."""
    config_path = tmp_path / "target.json"
    config_path.write_text(json.dumps(config))
    result = subprocess.run(
        [target, "--config", str(config_path)],
        input="".join(lines),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
