"""Create the project's views in a warehouse the taps loaded (target-duckdb or target-postgres).

Each view is one `.sql` file beside this module, written once for both databases; `{schema}` is the
schema the unified tables live in. The only difference handled here: a target that keeps record
metadata may soft-delete rows (`_sdc_deleted_at` set), which are no longer data.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any, Protocol

VIEWS = ("cross_platform_campaign_performance",)
SOURCE_TABLE = "unified_campaign_performance"
_DELETED_MARKER = "_sdc_deleted_at"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class WarehouseError(Exception):
    """A view cannot be created; the message is the one line the user sees."""


class Connection(Protocol):
    """What DuckDB's and psycopg's connections both offer."""

    def execute(self, query: str, params: Any = ...) -> Any: ...


def view_sql(name: str, schema: str, *, soft_deletes: bool) -> str:
    """The CREATE VIEW statement of `name` in `schema`."""
    template = resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")
    deleted = f'where "{_DELETED_MARKER}" is null' if soft_deletes else ""
    return template.format(schema=schema, deleted=deleted)


def create_views(connection: Connection, schema: str, placeholder: str) -> list[str]:
    """(Re)create every view in `schema`; returns their qualified names. `placeholder` is the
    driver's parameter marker (`?` DuckDB, `%s` psycopg)."""
    if not _IDENTIFIER.fullmatch(schema):
        raise WarehouseError(f"--schema: {schema!r} is not a plain SQL name (letters, digits, _)")
    rows = connection.execute(
        "select column_name from information_schema.columns "
        f"where table_schema = {placeholder} and table_name = {placeholder}",
        [schema, SOURCE_TABLE],
    ).fetchall()
    columns = {row[0] for row in rows}
    if not columns:
        raise WarehouseError(
            f"--schema {schema}: table {schema}.{SOURCE_TABLE} not found (run a tap into this schema first)"
        )
    created = []
    for name in VIEWS:
        # drop, then create: PostgreSQL's CREATE OR REPLACE refuses a view whose column types change
        connection.execute(f'drop view if exists "{schema}".{name}')
        connection.execute(view_sql(name, schema, soft_deletes=_DELETED_MARKER in columns))
        created.append(f"{schema}.{name}")
    return created
