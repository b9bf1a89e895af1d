"""Fixtures of the report tests: a throwaway PostgreSQL schema and the project's real targets."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[2]
MELTANO = Path(sys.executable).with_name("meltano")
TARGETS = ("target-duckdb", "target-postgres")


def _installed(name: str) -> Path:
    return ROOT / ".meltano" / "loaders" / name / "venv" / "bin" / name


@pytest.fixture(scope="module")
def targets() -> dict[str, str]:
    """The project's loaders, installed by Meltano from meltano.yml when they are not yet."""
    missing = [name for name in TARGETS if not _installed(name).is_file()]
    if missing:
        env = {
            **os.environ,
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_HUB_URL": "http://127.0.0.1:9",  # plugins come from meltano.yml's pip_url
            "UV_COMPILE_BYTECODE": "1",
        }
        done = subprocess.run(
            [str(MELTANO), "install", "--plugin-type", "loader", *missing],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        assert done.returncode == 0, f"meltano install {' '.join(missing)} failed:\n{tail}"
    for name in TARGETS:
        assert _installed(name).is_file(), f"meltano install left no {_installed(name)}"
    return {name: str(_installed(name)) for name in TARGETS}
