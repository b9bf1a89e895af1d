"""One unreadable account never stops the others; bad settings end the run with one line naming them;
API versions are chosen, switched and reported as the calendar and Meta say."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from bad_configs import assert_no_account_read

from ads_kit import clock
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.meta.versions import CALENDAR as META_CALENDAR
from tap_meta_ads.tap import TapMetaAds

from .conftest import NOW, RUN_SPECIFIC, VOLATILE_FIELDS, run_tap, tap_config

OBJECTS_ONLY = {"report_type": "custom"}  # no insights streams: these tests are about accounts


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "| ERROR" in line]


def test_denied_account_is_skipped_and_the_others_complete(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    accounts = sandbox_meta.platform("meta")["accounts"]
    denied = accounts[1]
    sandbox_meta.settings(meta_denied_accounts=[denied])
    # Named in config: /me/adaccounts would not even list an account the token cannot read.
    run = run_tap(tap_config(sandbox_meta, tmp_path, ad_accounts=accounts, **OBJECTS_ONLY), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    skipped = [line for line in _error_lines(run.stderr) if f"account {denied} skipped" in line]
    assert len(skipped) == 1 and "Missing permissions" in skipped[0]
    for stream in ("meta_ad_accounts", "meta_ads", "unified_ads"):
        seen = {record["account_id"] for record in run.records[stream]}
        assert seen == set(accounts) - {denied}, stream
    letters = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert {(r["account_id"], r["error_class"]) for r in letters} == {(denied, "skip_account")}
    assert [r["account_id"] for r in run.records["unified_dead_letters"]] == [denied]


def test_token_rejected_on_one_account_skips_it_after_one_refresh(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    accounts = sandbox_meta.platform("meta")["accounts"]
    sandbox_meta.add_fault(
        {"platform": "meta", "route": "*", "account": accounts[0], "kind": "error", "name": "token_invalid"}
    )
    run = run_tap(tap_config(sandbox_meta, tmp_path, **OBJECTS_ONLY), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    skipped = [line for line in _error_lines(run.stderr) if f"account {accounts[0]} skipped" in line]
    assert len(skipped) == 1 and "190/460" in skipped[0]
    for stream in ("meta_ad_accounts", "unified_accounts"):
        assert {r["account_id"] for r in run.records[stream]} == set(accounts[1:])
    assert "retry 1/4" in run.stderr  # one retry with a renewed token before giving the account up


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"date_range": {"type": "weekly"}}, "date_range"),
        ({"date_range": {"type": "custom"}}, "date_range.start_date"),
        ({"lookback_days": 40}, "lookback_days"),
        ({"action_attribution_windows": ["7d_view"]}, "action_attribution_windows"),
        ({"breakdowns": ["zodiac"]}, "breakdowns"),
        ({"custom_reports": [{"name": "by region", "level": "ad"}]}, "custom_reports[0].name"),
        ({"custom_reports": [{"name": "r", "level": "region"}]}, "custom_reports[0].level"),
        ({"api_version": "banana"}, "api_version"),
        ({"rate_limiting": {"max_retries": -1}}, "rate_limiting.max_retries"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    sandbox_meta: SandboxClient, tmp_path: Path, overrides: dict, setting: str
) -> None:
    run = run_tap(tap_config(sandbox_meta, tmp_path, **overrides), tmp_path, timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = _error_lines(run.stderr)
    assert any(setting in line for line in errors), errors
    # Refused before any stream syncs: nothing of any stream is written, and no bookmark.
    assert run.records == {} and run.states == []


def test_missing_credentials_name_the_setting(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_meta, tmp_path)
    del config["access_token"]
    run = run_tap(config, tmp_path, timeout=60)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert any("access_token" in line for line in _error_lines(run.stderr))


def test_expired_version_is_replaced_by_the_nearest_live_one(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    # The day is the pinned instant both the sandbox and the tap (ADS_NOW) run on; what is live
    # on it comes from the Marketing API calendar the sandbox serves, not from the tap.
    day = sandbox_meta.now().date()
    assert day == NOW.date() and os.environ[clock.ENV_VAR] == sandbox_meta.now().isoformat()
    expired_on = META_CALENDAR["v24.0"][1]
    assert expired_on is not None and expired_on <= day
    live = [v for v, (start, end) in META_CALENDAR.items() if start <= day and (end is None or day < end)]
    number = lambda version: float(version.removeprefix("v"))  # noqa: E731
    nearest = min((v for v in live if number(v) > number("v24.0")), key=number)

    run = run_tap(tap_config(sandbox_meta, tmp_path, api_version="v24.0", **OBJECTS_ONLY), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"api_version v24.0 of meta_ads expired on {expired_on}; using {nearest} instead" in run.stderr
    paths = {entry["path"].split("/")[1] for entry in sandbox_meta.log("meta")}
    assert paths == {nearest}


def test_deprecated_version_answer_switches_to_the_version_meta_names(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    run = run_tap(tap_config(sandbox_meta, tmp_path, api_version="v28.0", **OBJECTS_ONLY), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "switching to v" in run.stderr
    assert run.records["meta_campaigns"]


def test_rejected_insights_field_is_dropped_with_a_schema_drift_finding(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_meta, tmp_path, metrics=["age_targeting"], breakdowns=[])
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records["meta_insights"] and all(
        "age_targeting" not in r for r in run.records["meta_insights"]
    )
    drift = [r for r in run.records["unified_data_quality"] if r["check"] == "schema_drift"]
    assert any("meta_insights.age_targeting" in r["message"] for r in drift)


def test_every_configured_account_unreadable_ends_in_one_line_naming_ad_accounts(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    accounts = sandbox_meta.platform("meta")["accounts"]
    denied = accounts[:2]
    sandbox_meta.settings(meta_denied_accounts=denied)
    state = {"bookmarks": {"meta_campaigns": {"replication_key_value": "2026-01-01T00:00:00+00:00"}}}
    config = tap_config(sandbox_meta, tmp_path, ad_accounts=[f"act_{a}" for a in denied], **OBJECTS_ONLY)
    run = run_tap(config, tmp_path, state=state)
    # Each account is skipped with its line and dead letter; the run then says it read nothing.
    assert_no_account_read(run, "ad_accounts", dict.fromkeys(denied, "(#100) Missing permissions"))
    # What it has is still written: the state it was given, no bookmark of anything new.
    bookmarks = run.states[-1]["bookmarks"]
    assert bookmarks["meta_campaigns"]["replication_key_value"] == "2026-01-01T00:00:00+00:00"
    assert not [p for b in bookmarks.values() for p in b.get("partitions", []) if len(p) > 1], bookmarks


def test_no_account_within_reach_is_one_line_naming_ad_accounts(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    # /me/adaccounts lists only what the token may read: here nothing.
    sandbox_meta.settings(meta_denied_accounts=sandbox_meta.platform("meta")["accounts"])
    run = run_tap(tap_config(sandbox_meta, tmp_path), tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    errors = _error_lines(run.stderr)
    assert len(errors) == 1 and errors[0].split(" | ")[-1].startswith("ad_accounts: "), errors
    assert run.records == {} and run.states == []


def test_a_wrong_app_secret_is_noticed_by_its_appsecret_proof(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    run = run_tap(tap_config(sandbox_meta, tmp_path, app_secret="not-the-app-secret"), tmp_path, timeout=60)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    errors = _error_lines(run.stderr)
    assert len(errors) == 1 and errors[0].split(" | ")[-1].startswith("app_secret: "), errors
    assert "Invalid appsecret_proof" in errors[0] and "not-the-app-secret" not in run.stderr
    assert run.records == {} and run.states == []
    assert len(sandbox_meta.log("meta")) == 1  # refused at once, not retried


def test_a_host_that_is_not_graph_is_one_line_naming_api_base_url(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    # The control port answers every Graph path with a plain-text 404, as a wrong host would.
    config = tap_config(sandbox_meta, tmp_path, api_base_url=sandbox_meta.connection["control_url"])
    run = run_tap(config, tmp_path, timeout=60)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    errors = _error_lines(run.stderr)
    assert len(errors) == 1 and errors[0].split(" | ")[-1].startswith("api_base_url: HTTP 404"), errors
    assert "retry" not in run.stderr
    assert run.records == {} and run.states == []


def test_dead_letter_file_unwritable_mid_run_loses_no_row_of_the_healthy_account(
    sandbox_meta: SandboxClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    accounts = sandbox_meta.platform("meta")["accounts"]
    first, healthy, last = accounts
    sandbox_meta.settings(meta_denied_accounts=[first, last])
    clean = _sync_in_process(tap_config(sandbox_meta, tmp_path / "clean", ad_accounts=accounts))

    folder = tmp_path / "letters"
    folder.mkdir()
    tap = TapMetaAds(
        config=tap_config(
            sandbox_meta, tmp_path, ad_accounts=accounts, dead_letter_path=str(folder / "dead.jsonl")
        ),
        parse_env_config=False,
    )
    box = tap.run.dead_letters
    record = box.record

    def record_then_lose_the_folder(*args: Any, **kwargs: Any) -> dict[str, Any]:
        written = record(*args, **kwargs)
        if folder.is_dir():  # after the first dead letter: the folder becomes a plain file
            shutil.rmtree(folder)
            folder.write_text("not a folder any more")
        return written

    box.record = record_then_lose_the_folder  # type: ignore[method-assign]
    broken = _sync_in_process(tap)

    assert [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and "dead_letter_path" in r.getMessage()
    ]
    for stream, records in clean.items():
        if stream in RUN_SPECIFIC:
            continue
        want = [_stable(r) for r in records if r.get("account_id") == healthy]
        got = [_stable(r) for r in broken.get(stream, []) if r.get("account_id") == healthy]
        assert got == want, stream
    assert sum(len(v) for k, v in clean.items() if k not in RUN_SPECIFIC) > 100
    letters = {r["account_id"] for r in broken["unified_dead_letters"] if r["status"] == "open"}
    assert letters == {first, last}  # the one the file could not take is still emitted


def _sync_in_process(tap_or_config: TapMetaAds | dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tap = tap_or_config if isinstance(tap_or_config, TapMetaAds) else TapMetaAds(config=tap_or_config)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(out):
        tap.sync_all()
        out.flush()
    records: dict[str, list[dict[str, Any]]] = {}
    for line in out.buffer.getvalue().decode().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
    return records


def _stable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}
