"""`ads-config check`: the users' YAML file, and bad ones refused in one line naming the file's key.

In process (``cli.main``), no request made: a case costs milliseconds. The good file is the README's
example (tests/fixtures/config_file/platforms.yml); each bad case changes one key of it.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from ads_kit import clock
from ads_kit.config_file.cli import load, main

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "config_file" / "platforms.yml"
SECRETS = {
    "META_APP_ID": "5397152978204025",
    "META_APP_SECRET": "meta-app-secret-value",
    "META_ACCESS_TOKEN": "meta-access-token-value",
    "GOOGLE_ADS_CLIENT_ID": "google-client.apps.googleusercontent.com",
    "GOOGLE_ADS_CLIENT_SECRET": "google-client-secret-value",
    "GOOGLE_ADS_REFRESH_TOKEN": "google-refresh-token-value",
    "GOOGLE_ADS_DEVELOPER_TOKEN": "google-developer-token-value",
    "TIKTOK_APP_ID": "8766825478100774619",
    "TIKTOK_SECRET": "tiktok-secret-value",
    "TIKTOK_ACCESS_TOKEN": "tiktok-access-token-value",
}
DROP = object()


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(clock.ENV_VAR, "2026-11-25T20:30:00Z")
    monkeypatch.chdir(tmp_path)  # dead-letter files are checked for writability under the working dir


def document() -> dict[str, Any]:
    return yaml.safe_load(FILE.read_text())


def changed(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    """The file with ``key`` (dotted, ``[i]`` for list items) set to ``value``, or removed (DROP)."""

    def change(doc: dict[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(doc)
        parts: list[Any] = [
            int(p) if p.isdigit() else p for p in key.replace("[", ".").replace("]", "").split(".")
        ]
        parent = doc
        for part in parts[:-1]:
            parent = parent[part]
        if value is DROP:
            del parent[parts[-1]]
        else:
            parent[parts[-1]] = value
        return doc

    return change


@dataclass(frozen=True)
class Bad:
    id: str
    change: Callable[[dict[str, Any]], Any] | str | None
    """A change to the users' file, a whole text, or None: the file as written."""
    line: str
    """The start of the one line, after ``ads-config: ``."""
    unset: str | None = None
    """An environment variable to unset."""


CASES = [
    Bad("not YAML", "platforms: [meta\n", "platforms.yml: is not valid YAML"),
    Bad("a list", "- meta\n", "platforms.yml: holds list, not a mapping of sections"),
    Bad("unknown section", changed("platfroms", {}), "platfroms: unknown section; known: platforms"),
    Bad("no platform", changed("platforms", {}), "platforms: names no platform"),
    Bad("unknown platform", changed("platforms.facebook", {}), "platforms.facebook: unknown platform"),
    Bad("platform not a mapping", changed("platforms.meta", ["act_1"]), "platforms.meta: must be a mapping"),
    Bad(
        "unset variable",
        None,
        "platforms.meta.app_secret: ${META_APP_SECRET} is not set",
        unset="META_APP_SECRET",
    ),
    Bad(
        "account id",
        changed("platforms.meta.ad_accounts[1]", "act_78x012"),
        "platforms.meta.ad_accounts[1]: ",
    ),
    Bad(
        "accounts not a list", changed("platforms.meta.ad_accounts", "act_1"), "platforms.meta.ad_accounts: "
    ),
    Bad(
        "unknown meta key",
        changed("platforms.meta.app_secrett", "x"),
        "platforms.meta.app_secrett: is not a setting",
    ),
    Bad("meta app id", changed("platforms.meta.app_id", "my-app"), "platforms.meta.app_id: must match"),
    Bad("api_version", changed("platforms.meta.api_version", "19"), "platforms.meta.api_version: "),
    Bad(
        "customer id",
        changed("platforms.google_ads.customer_id", "123-456-789"),
        "platforms.google_ads.customer_id: ",
    ),
    Bad(
        "developer token",
        None,
        "platforms.google_ads: developer_token is read from GOOGLE_ADS_DEVELOPER_TOKEN",
        unset="GOOGLE_ADS_DEVELOPER_TOKEN",
    ),
    Bad(
        "advertiser id",
        changed("platforms.tiktok.advertiser_ids[0]", "tt-1"),
        "platforms.tiktok.advertiser_ids[0]: ",
    ),
    Bad("tiktok app id", changed("platforms.tiktok.app_id", 77), "platforms.tiktok.app_id: must be a string"),
    Bad("days zero", changed("extraction.date_range.days", 0), "extraction.date_range.days: "),
    Bad("range type", changed("extraction.date_range.type", "yesterday"), "extraction.date_range.type: "),
    Bad(
        "custom range without start",
        changed("extraction.date_range", {"type": "custom"}),
        "extraction.date_range",
    ),
    Bad(
        "range key", changed("extraction.date_range.weeks", 2), "extraction.date_range.weeks: unknown setting"
    ),
    Bad("extraction key", changed("extraction.segments", []), "extraction.segments: unknown setting"),
    Bad(
        "metric",
        changed("extraction.metrics[1]", "likes"),
        "extraction.metrics[1]: 'likes' is not a unified name",
    ),
    Bad("metrics not a list", changed("extraction.metrics", "spend"), "extraction.metrics: must be a list"),
    Bad(
        "breakdown",
        changed("extraction.breakdowns[2]", "os"),
        "extraction.breakdowns[2]: 'os' is not a unified",
    ),
    Bad(
        "report type",
        changed("extraction.report_type", "everything"),
        "extraction.report_type: must be one of",
    ),
    Bad("custom without reports", changed("extraction.report_type", "custom"), "extraction.report_type: "),
    Bad("retries", changed("rate_limiting.meta.max_retries", "five"), "rate_limiting.meta.max_retries: "),
    Bad(
        "rate key",
        changed("rate_limiting.meta.per_second", 2),
        "rate_limiting.meta.per_second: unknown setting",
    ),
    Bad("rate platform", changed("rate_limiting.snapchat", {}), "rate_limiting.snapchat: unknown platform"),
    Bad("rate not a mapping", changed("rate_limiting.google_ads", 15), "rate_limiting.google_ads: must be"),
    Bad(
        "secret of the wrong type", changed("platforms.meta.app_secret", 12345), "platforms.meta.app_secret: "
    ),
]


def write(tmp_path: Path, change: Callable[[dict[str, Any]], Any] | str | None) -> Path:
    path = tmp_path / "platforms.yml"
    if change is None:
        path.write_text(FILE.read_text())
    else:
        path.write_text(change if isinstance(change, str) else yaml.safe_dump(change(document())))
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_bad_file_is_one_line_naming_the_key(case, tmp_path, monkeypatch, capsys):
    if case.unset:
        monkeypatch.delenv(case.unset)
    path = write(tmp_path, case.change)
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    expected = case.line.replace("platforms.yml:", f"{path}:")
    assert line.startswith(f"ads-config: {expected}"), line
    assert not any(value in err for value in SECRETS.values() if len(value) > 5)
    assert "12345" not in err


def test_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere.yml")]) == 1
    assert capsys.readouterr().err == f"ads-config: {tmp_path / 'nowhere.yml'}: does not exist\n"


def test_the_users_file_passes_with_the_expired_versions_warned(capsys, caplog):
    caplog.set_level(logging.WARNING)
    assert main(["check", str(FILE)]) == 0
    assert capsys.readouterr().out == (
        f"{FILE}: meta (tap-meta-ads), google_ads (tap-google-ads-unified), tiktok (tap-tiktok-ads): "
        "every setting checked\n"
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "api_version v19.0 of meta_ads expired (older than v22.0); using v25.0 instead" in warnings
    assert "api_version v14 of google_ads expired (older than v22); using v23 instead" in warnings


def test_each_platform_gets_its_own_names_and_settings_variables():
    meta, google, tiktok = (tap.environment() for tap in load(FILE))
    assert meta["TAP_META_ADS_METRICS"] == '["impressions", "clicks", "spend", "actions", "ctr", "cpc"]'
    assert meta["TAP_META_ADS_BREAKDOWNS"] == '["age", "gender", "platform_device"]'
    assert meta["TAP_META_ADS_AD_ACCOUNTS"] == '["act_123456", "act_789012"]'
    assert meta["TAP_META_ADS_APP_SECRET"] == SECRETS["META_APP_SECRET"]
    assert meta["TAP_META_ADS_RATE_LIMITING"] == (
        '{"requests_per_hour": 200, "requests_per_minute": 4, "backoff_multiplier": 2, "max_retries": 5}'
    )
    assert google["TAP_GOOGLE_ADS_UNIFIED_REPORT_TYPE"] == "performance"
    assert google["TAP_GOOGLE_ADS_UNIFIED_DEVELOPER_TOKEN"] == SECRETS["GOOGLE_ADS_DEVELOPER_TOKEN"]
    assert (
        google["TAP_GOOGLE_ADS_UNIFIED_RATE_LIMITING"]
        == '{"requests_per_minute": 15, "concurrent_requests": 10}'
    )
    assert tiktok["TAP_TIKTOK_ADS_REPORT_TYPE"] == "basic"
    assert tiktok["TAP_TIKTOK_ADS_DATE_RANGE"] == '{"type": "last_n_days", "days": 7}'
    # Only what the file says: the taps' defaults stay meltano.yml's (an environment's API host).
    assert not any(name.endswith("_API_BASE_URL") for name in {**meta, **tiktok})


def test_the_readme_shows_the_file_these_tests_check():
    readme = (FILE.parents[3] / "README.md").read_text()
    section = readme[readme.index("### One configuration file") :]
    block = section[
        section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", section.index("```yaml"))
    ]
    assert yaml.safe_load(block) == document()
    assert block in FILE.read_text()


def test_a_platforms_own_setting_wins_over_the_file_wide_one(tmp_path):
    change = changed("platforms.tiktok.date_range", {"type": "last_n_days", "days": 3})
    meta, _, tiktok = (tap.config for tap in load(write(tmp_path, change)))
    assert tiktok["date_range"] == {"type": "last_n_days", "days": 3}
    assert meta["date_range"] == {"type": "last_n_days", "days": 7}


def test_run_checks_the_file_before_meltano(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("ads_kit.config_file.cli.subprocess.run", lambda *a, **k: pytest.fail("meltano ran"))
    path = write(tmp_path, changed("extraction.metrics[0]", "views"))
    assert main(["run", str(path), "--target", "target-duckdb"]) == 1
    assert capsys.readouterr().err.startswith(
        "ads-config: extraction.metrics[0]: 'views' is not a unified name"
    )


def test_a_platform_whose_tap_is_not_installed_is_one_line(tmp_path, capsys, monkeypatch):
    from ads_kit.config_file import platforms

    monkeypatch.setitem(
        platforms.PLATFORMS,
        "tiktok",
        replace(platforms.PLATFORMS["tiktok"], tap_class="tap_not_there.tap:Tap"),
    )
    assert main(["check", str(FILE)]) == 1
    assert (
        capsys.readouterr().err
        == "ads-config: tap-tiktok-ads is not installed (pip install ./tap-tiktok-ads)\n"
    )


def test_run_without_a_target_is_one_line(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", str(FILE)])
    assert exited.value.code == 1
    assert (
        capsys.readouterr().err == "ads-config run: error: the following arguments are required: --target\n"
    )
