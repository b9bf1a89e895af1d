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
FILES = {"garbage.json": '{"access_token": ', "list.json": "[1]", "config.json": "{}"}
# (option, the file it names, what the line says after "--option: <tmp>/")
CASES = [
    ("config", "missing.json", "missing.json does not exist"),
    ("state", "missing.json", "missing.json does not exist"),
    ("state", "folder", "folder is a directory, not a JSON file"),
    ("state", "garbage.json", "garbage.json is not JSON"),
    ("state", "list.json", "list.json holds list, not a JSON object"),
    ("catalog", "missing.json", "missing.json does not exist"),
    ("catalog", "list.json", "list.json holds list, not a JSON object"),
]


@pytest.mark.parametrize("tap_class", TAPS, ids=lambda tap: tap.name)
@pytest.mark.parametrize(("option", "name", "problem"), CASES, ids=[f"{o} {p}" for o, _, p in CASES])
def test_a_file_option_that_cannot_be_read_is_one_line_naming_it(
    tap_class: Any, tmp_path: Path, option: str, name: str, problem: str
) -> None:
    for file, text in FILES.items():
        (tmp_path / file).write_text(text)
    (tmp_path / "folder").mkdir()
    config = [] if option == "config" else ["--config", str(tmp_path / "config.json")]
    run = run_cli(tap_class, None, tmp_path, *config, f"--{option}", str(tmp_path / name))
    assert_refused(run, f"--{option}")
    assert "Usage:" not in run.stderr and run.messages == []
    assert f"| --{option}: {tmp_path}/{problem}" in run.error_lines[0]
