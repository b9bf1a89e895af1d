"""The singer-sdk standard tap tests against the sandbox, in a pytest process of their own
(``standard_suite.py`` says why)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ads_kit.sandbox.client import SandboxClient

from .conftest import tap_config

CONFIG_ENV = "GOOGLE_TAP_STANDARD_CONFIG"  # read by standard_suite.py


def test_singer_sdk_standard_tap_tests_pass(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_google, tmp_path, date_range={"type": "last_n_days", "days": 7})
    config_file = tmp_path / "standard-config.json"
    config_file.write_text(json.dumps(config))
    suite = Path(__file__).with_name("standard_suite.py")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider", "-o", "addopts="],
        env={**os.environ, CONFIG_ENV: str(config_file)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary
