"""The same document whether the rows went through the real targets or came straight from the tap.

Runs target-duckdb (jwills 0.8.0) and target-postgres (meltanolabs 0.8.1) as Meltano installs them
(.meltano/loaders/<name>/venv) or as found on PATH; skipped when a target is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import report_dataset as data
from report_loaders import POSTGRES_URL, singer_lines

from ads_kit.report import DuckDBSource, PostgresSource, SingerSource, build_document

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _target(name: str) -> str | None:
    installed = ROOT / ".meltano" / "loaders" / name / "venv" / "bin" / name
    return str(installed) if installed.is_file() else shutil.which(name)


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


def test_target_duckdb_round_trip(records, tmp_path):
    target = _target("target-duckdb")
    if target is None:
        pytest.skip("target-duckdb is not installed (meltano install --plugin-type loader)")
    lines = singer_lines(records)
    config = {
        "path": str(tmp_path / "warehouse.duckdb"),
        "default_target_schema": "ads",
        "add_metadata_columns": True,
    }
    _load(target, config, tmp_path, lines)
    expected = build_document(SingerSource(lines))
    assert build_document(DuckDBSource(tmp_path / "warehouse.duckdb")) == expected


def test_target_postgres_round_trip(records, tmp_path, postgres_schema):
    target = _target("target-postgres")
    if target is None:
        pytest.skip("target-postgres is not installed (meltano install --plugin-type loader)")
    _, schema = postgres_schema
    lines = singer_lines(records)
    config = {
        "sqlalchemy_url": POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
        "default_target_schema": schema,
        "add_record_metadata": True,
    }
    _load(target, config, tmp_path, lines)
    expected = build_document(SingerSource(lines))
    assert build_document(PostgresSource(POSTGRES_URL, schema=schema)) == expected
