"""The same document whether the rows went through the real targets or came straight from the tap.

Runs target-duckdb (jwills 0.8.0) and target-postgres (meltanolabs 0.8.1) as Meltano installs them
(.meltano/loaders/<name>/venv), at the versions meltano.yml pins; a fresh checkout gets them from
`meltano install` here, the first time.
"""

from __future__ import annotations

import pytest
import report_dataset as data
from report_loaders import POSTGRES_URL, load_with_target, singer_lines

from ads_kit.report import DuckDBSource, PostgresSource, SingerSource, build_reports

pytestmark = pytest.mark.e2e


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
    load_with_target(target, config, tmp_path, lines)
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
    load_with_target(target, config, tmp_path, lines)
    expected = [r.document for r in build_reports(SingerSource(lines))]
    assert [r.document for r in build_reports(PostgresSource(POSTGRES_URL, schema=schema))] == expected
