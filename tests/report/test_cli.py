"""`ads-report` as a user runs it: outputs, exit codes and one-line errors for bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import report_dataset as data
from report_loaders import POSTGRES_URL, load_duckdb, singer_lines

from ads_kit.report.cli import main


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    load_duckdb(path, "ads", data.streams())
    return path


def _run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(list(argv))
    except SystemExit as exit_info:  # argparse rejects an option before main's own handling
        code = exit_info.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_console_script_writes_exact_json_to_stdout(warehouse):
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("ads-report")),
            "--duckdb",
            str(warehouse),
            "--platform",
            "google_ads",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout, parse_float=Decimal)
    expected = data.expected_campaigns(data.streams(("222",)), data.DAYS[0], data.DAYS[-1])["g1"]
    [g1] = document["campaigns"]
    assert g1["spend"] == expected["spend"]
    assert str(g1["spend"]) == str(expected["spend"])  # written as the exact decimal, two places


def test_output_file_matches_stdout(warehouse, tmp_path, capsys):
    code, out, _ = _run(capsys, "--duckdb", str(warehouse), "--schema", "ads", "--bundle")
    assert code == 0
    target = tmp_path / "report.json"
    code, file_out, _ = _run(capsys, "--duckdb", str(warehouse), "--output", str(target), "--bundle")
    assert (code, file_out) == (0, "")
    bundle = json.loads(target.read_text())
    assert bundle == json.loads(out)
    assert [(d["metadata"]["platform"], d["metadata"]["account_id"]) for d in bundle] == [
        ("google_ads", "222"),
        ("meta", "111"),
    ]


def test_per_platform_documents_and_the_choice_they_need(warehouse, capsys):
    code, out, err = _run(capsys, "--duckdb", str(warehouse), "--per", "platform", "--platform", "meta")
    assert code == 0, err
    assert json.loads(out)["metadata"]["account_id"] == "111"
    code, out, err = _run(capsys, "--duckdb", str(warehouse))
    assert (code, out) == (2, "")
    assert _one_line_error(err) == (
        "ads-report: the rows make 2 documents (google_ads 222, meta 111); choose one with "
        "--platform/--account or write them all with --bundle"
    )


def test_singer_input_from_stdin(capsys, monkeypatch):
    code, out, err = _run(
        capsys,
        "--singer",
        "-",
        "--account",
        "111",
        stdin="".join(singer_lines(data.streams())),
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    document = json.loads(out, parse_float=Decimal)
    assert document["metadata"]["account_id"] == "111"
    assert {c["campaign_id"] for c in document["campaigns"]} == {"m1", "m2"}


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (
            ["--platform", "facebook"],
            "--platform facebook: unknown platform; use one of meta, google_ads, tiktok",
        ),
        (["--per", "campaign"], "--per"),
        (["--start", "2026-13-01"], "--start"),
        (["--end", "yesterday"], "--end"),
        (["--start", "2026-11-05", "--end", "2026-11-01"], "--start 2026-11-05 is after --end 2026-11-01"),
        (["--account", "999"], "unified_campaign_performance has no rows matching --account 999"),
        (["--start", "2027-01-01"], "unified_campaign_performance has no rows matching --start 2027-01-01"),
        (["--schema", "analytics"], "table analytics.unified_campaign_performance not found"),
    ],
)
def test_bad_options_exit_2_with_one_line(warehouse, capsys, argv, named):
    code, out, err = _run(capsys, "--duckdb", str(warehouse), *argv)
    assert (code, out) == (2, "")
    assert named in _one_line_error(err)


def test_missing_source_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "--duckdb" in _one_line_error(capsys.readouterr().err)


def test_missing_duckdb_file(tmp_path, capsys):
    code, _, err = _run(capsys, "--duckdb", str(tmp_path / "absent.duckdb"))
    assert code == 2
    assert _one_line_error(err) == f"ads-report: --duckdb {tmp_path / 'absent.duckdb'}: file not found"
    assert not (tmp_path / "absent.duckdb").exists()  # read-only: a typo never creates a database


def test_duckdb_without_the_performance_table(tmp_path, capsys):
    path = tmp_path / "empty.duckdb"
    load_duckdb(path, "ads", {"unified_campaigns": data.streams()["unified_campaigns"]})
    code, _, err = _run(capsys, "--duckdb", str(path))
    assert code == 2
    assert "table unified_campaign_performance not found" in _one_line_error(err)


def test_table_in_two_schemas_asks_for_schema(tmp_path, capsys):
    path = tmp_path / "two.duckdb"
    load_duckdb(path, "ads", data.streams())
    load_duckdb(path, "ads_old", data.streams())
    code, _, err = _run(capsys, "--duckdb", str(path))
    assert code == 2
    assert "--schema: table unified_campaign_performance exists in schemas ads, ads_old" in _one_line_error(
        err
    )


def test_not_a_duckdb_file(tmp_path, capsys):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    code, _, err = _run(capsys, "--duckdb", str(path))
    assert code == 2
    assert _one_line_error(err).startswith(f"ads-report: --duckdb {path}:")


def test_unusable_value_names_table_and_column(tmp_path, capsys):
    path = tmp_path / "warehouse.duckdb"
    load_duckdb(path, "ads", data.streams())
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "UPDATE ads.unified_campaign_performance SET date_day = 'soon' WHERE campaign_id = 'm1'"
        )
    code, _, err = _run(capsys, "--duckdb", str(path))
    assert code == 2
    assert "ads.unified_campaign_performance" in _one_line_error(err)


def test_postgres_error_never_shows_the_password(capsys):
    code, _, err = _run(capsys, "--postgres", "postgresql://postgres:s3cr3t-pw@127.0.0.1:1/test")
    assert code == 2
    line = _one_line_error(err)
    assert line.startswith("ads-report: --postgres:")
    assert "s3cr3t-pw" not in err


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        (['{"type": "SCHEMA", "stream": "unified_campaign_performance"', ""], "--singer line 1: not a JSON"),
        (['["RECORD"]'], "--singer line 1: not a Singer message"),
        (
            ['{"type": "RECORD", "stream": "unified_campaign_performance", "record": {}}'],
            "--singer line 1: RECORD of stream unified_campaign_performance before its SCHEMA",
        ),
        (
            ['{"type": "STATE", "value": {}}'],
            "--singer: no SCHEMA message for stream unified_campaign_performance",
        ),
    ],
)
def test_bad_singer_input(capsys, monkeypatch, lines, named):
    code, _, err = _run(capsys, "--singer", "-", stdin="\n".join(lines), monkeypatch=monkeypatch)
    assert code == 2
    assert named in _one_line_error(err)


def test_unusable_singer_value_names_line_stream_and_field(capsys, monkeypatch):
    lines = singer_lines(data.streams(("111",)))
    at = next(i for i, line in enumerate(lines) if '"RECORD","stream":"unified_campaign_performance"' in line)
    record = json.loads(lines[at])
    record["record"]["spend"] = "twelve"
    lines[at] = json.dumps(record) + "\n"
    code, _, err = _run(capsys, "--singer", "-", stdin="".join(lines), monkeypatch=monkeypatch)
    assert code == 2
    assert f"--singer line {at + 1}: unified_campaign_performance.spend has unusable value 'twelve'" in err


def test_singer_reads_only_stdin(capsys):
    code, _, err = _run(capsys, "--singer", "out.jsonl")
    assert code == 2
    assert "--singer out.jsonl: only '-'" in _one_line_error(err)


def test_document_breaking_the_schema_is_a_defect_exit_1(tmp_path, capsys):
    path = tmp_path / "warehouse.duckdb"
    load_duckdb(path, "ads", data.streams(("222",)))
    with duckdb.connect(str(path)) as connection:
        connection.execute("UPDATE ads.unified_campaign_performance SET impressions = -100000")
    code, out, err = _run(capsys, "--duckdb", str(path))
    assert (code, out) == (1, "")
    assert "breaks report.schema.json at campaigns/0/impressions" in _one_line_error(err)


def test_unwritable_output_is_one_line(warehouse, tmp_path, capsys):
    code, _, err = _run(
        capsys, "--duckdb", str(warehouse), "--bundle", "--output", str(tmp_path / "no" / "such" / "dir.json")
    )
    assert code == 2
    assert "--output" in _one_line_error(err)


def test_postgres_schema_without_the_table(postgres_schema, capsys):
    connection, schema = postgres_schema
    connection.execute(f'CREATE SCHEMA "{schema}"')
    code, _, err = _run(capsys, "--postgres", POSTGRES_URL, "--schema", schema)
    assert code == 2
    assert f"--schema {schema}: table {schema}.unified_campaign_performance not found" in _one_line_error(err)
