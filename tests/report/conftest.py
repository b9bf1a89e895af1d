"""Fixtures of the report tests: a throwaway PostgreSQL schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from report_loaders import POSTGRES_URL


@pytest.fixture
def postgres_schema() -> Iterator[tuple[psycopg.Connection, str]]:
    """A fresh schema in the local test database, dropped afterwards."""
    try:
        connection = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required for these tests: {error}")
    schema = f"report_test_{uuid.uuid4().hex[:12]}"
    try:
        yield connection, schema
    finally:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.close()
