"""The files a run is pointed at (``--config``, ``--state``, ``--catalog``): one that is missing, a
directory or not a JSON object ends every tap's run with one line naming the option and the path,
exit code 1, before any message (click would print a usage message on three lines, exit code 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bad_configs import assert_refused, run_cli
from unified_contract_tap import ContractTap

from tap_google_ads_unified.tap import TapGoogleAdsUnified
from tap_meta_ads.tap import TapMetaAds
from tap_tiktok_ads.tap import TapTikTokAds

TAPS = [ContractTap, TapMetaAds, TapGoogleAdsUnified, TapTikTokAds]


@pytest.mark.parametrize("tap_class", TAPS, ids=lambda tap: tap.name)
@pytest.mark.parametrize(
    ("args", "option", "problem"),
    [
        (["--config", "{tmp}/missing.json"], "--config", "{tmp}/missing.json does not exist"),
        (
            ["--config", "{tmp}/c.json", "--state", "{tmp}/missing.json"],
            "--state",
            "{tmp}/missing.json does not exist",
        ),
        (
            ["--config", "{tmp}/c.json", "--catalog", "{tmp}/gone.json"],
            "--catalog",
            "{tmp}/gone.json does not exist",
        ),
        (["--config", "{tmp}/c.json", "--state", "{tmp}"], "--state", "{tmp} is a directory"),
        (["--config", "{tmp}/c.json", "--state", "{tmp}/list.json"], "--state", "{tmp}/list.json holds list"),
    ],
    ids=["config missing", "state missing", "catalog missing", "state a directory", "state a list"],
)
def test_a_file_option_that_cannot_be_read_is_one_line_naming_it(
    tap_class: Any, tmp_path: Path, args: list[str], option: str, problem: str
) -> None:
    (tmp_path / "c.json").write_text("{}")
    (tmp_path / "list.json").write_text("[1]")
    run = run_cli(tap_class, None, tmp_path, *(arg.format(tmp=tmp_path) for arg in args))
    assert_refused(run, option)
    assert "Usage:" not in run.stderr and run.messages == []
    assert run.error_lines[0].endswith(f"| {option}: {problem.format(tmp=tmp_path)}") or (
        f"| {option}: {problem.format(tmp=tmp_path)} " in run.error_lines[0]
    )
