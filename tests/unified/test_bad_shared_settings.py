"""The shared table of bad settings against the smallest tap on the shared base: every platform
inherits the refusals from ``AdsTap``, whatever its own settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_configs import SHARED_CASES, BadConfig, assert_refused, case_id, pin_environment, run_cli
from unified_contract_tap import ContractTap


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_environment(monkeypatch, "2026-11-25T20:30:00+00:00")


def valid_config(tmp_path: Path) -> dict:
    return {"dead_letter_path": str(tmp_path / "dead-letters.jsonl"), "date_range": {"days": 2}}


def test_the_valid_config_syncs(tmp_path: Path) -> None:
    run = run_cli(ContractTap, valid_config(tmp_path), tmp_path)
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    assert run.count("RECORD") > 0


@pytest.mark.parametrize("case", SHARED_CASES, ids=case_id)
def test_a_shared_setting_is_refused_by_any_tap(case: BadConfig, tmp_path: Path) -> None:
    assert_refused(
        run_cli(ContractTap, case.config(valid_config(tmp_path), tmp_path), tmp_path), case.setting
    )
