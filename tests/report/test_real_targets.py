"""The same document whether the rows went through the real targets or came straight from the tap.

Runs target-duckdb (jwills 0.8.0) and target-postgres (meltanolabs 0.8.1) as Meltano installs them
(.meltano/loaders/<name>/venv), at the versions meltano.yml pins; a fresh checkout gets them from
`meltano install` here, the first time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import report_dataset as data
from report_loaders import POSTGRES_URL, singer_lines

from ads_kit.report import DuckDBSource, PostgresSource, SingerSource, build_reports

ROOT = Path(__file__).resolve().parents[2]
MELTANO = Path(sys.executable).with_name("meltano")
TARGETS = ("target-duckdb", "target-postgres")
pytestmark = pytest.mark.e2e


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


def _load(target: str, config: dict, tmp_path: Path, lines: list[str]) -> None:
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


@pytest.fixture
def records() -> dict[str, list[dict]]:
    return data.streams(("111", "222", "333"))


def test_target_duckdb_round_trip(records, tmp_path, targets):
    target = targets["target-duckdb"]
    lines = singer_lines(records)
    config = {
        "path": str(tmp_path / "warehouse.duckdb"),
        "default_target_schema": "ads",
        "add_metadata_columns": True,
    }
    _load(target, config, tmp_path, lines)
    expected = [r.document for r in build_reports(SingerSource(lines))]
    assert [r.document for r in build_reports(DuckDBSource(tmp_path / "warehouse.duckdb"))] == expected


def test_target_postgres_round_trip(records, tmp_path, postgres_schema, targets):
    target = targets["target-postgres"]
    _, schema = postgres_schema
    lines = singer_lines(records)
    config = {
        "sqlalchemy_url": POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
        "default_target_schema": schema,
        "add_record_metadata": True,
    }
    _load(target, config, tmp_path, lines)
    expected = [r.document for r in build_reports(SingerSource(lines))]
    assert [r.document for r in build_reports(PostgresSource(POSTGRES_URL, schema=schema))] == expected
