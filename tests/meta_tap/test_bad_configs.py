"""Every bad setting, shared or Meta's own, is refused before the first message: exit code 1, one error
line starting with the setting, no traceback, no RECORD and no STATE. The tap runs its own command
line in this process (``bad_configs.run_cli``); no sandbox is needed, since nothing may be requested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bad_configs import DROP, SHARED_CASES, BadConfig, assert_refused, case_id, pin_environment, run_cli

from ads_kit.auth.store import TokenEntry, TokenStore
from tap_meta_ads.tap import TapMetaAds

from .conftest import NOW

# Port 9 (discard): nothing listens, so a setting that slipped through would end in a failed request
# naming api_base_url instead of the setting under test.
UNREACHABLE = "http://127.0.0.1:9"


def valid_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "access_token": "EAAvalidconfigtoken0123456789",
        "app_id": "1234567890",
        "app_secret": "valid-config-app-secret",
        "api_base_url": UNREACHABLE,
        "ad_accounts": ["act_1234567890123456"],
        "date_range": {"type": "last_n_days", "days": 7},
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
        "rate_limiting": {"max_retries": 1, "backoff_multiplier": 0.01},
    }


def _report(**entry: Any) -> dict[str, Any]:
    return {"custom_reports": [{"name": "r", **entry}]}


META_CASES = [
    BadConfig("no access_token", {"access_token": DROP}, "access_token"),
    BadConfig("access_token number", {"access_token": 123}, "access_token"),
    BadConfig("app_secret number", {"app_secret": 5}, "app_secret"),
    BadConfig("app_id not digits", {"app_id": "my-app"}, "app_id"),
    BadConfig("account id letters", {"ad_accounts": ["abc"]}, "ad_accounts[0]"),
    BadConfig("account id mixed", {"ad_accounts": ["act_12x"]}, "ad_accounts[0]"),
    BadConfig("account id dash", {"ad_accounts": ["123", "act-456"]}, "ad_accounts[1]"),
    BadConfig("account id number", {"ad_accounts": [123]}, "ad_accounts[0]"),
    BadConfig("ad_accounts a string", {"ad_accounts": "act_123"}, "ad_accounts"),
    BadConfig("api_base_url without scheme", {"api_base_url": "graph.facebook.com"}, "api_base_url"),
    BadConfig("api_base_url ftp", {"api_base_url": "ftp://graph.facebook.com"}, "api_base_url"),
    BadConfig("api_base_url without host", {"api_base_url": "https://"}, "api_base_url"),
    BadConfig("request_timeout 0", {"request_timeout": 0}, "request_timeout"),
    BadConfig("request_timeout negative", {"request_timeout": -5}, "request_timeout"),
    BadConfig("request_timeout text", {"request_timeout": "60"}, "request_timeout"),
    BadConfig("metric capitalised", {"metrics": ["Spend"]}, "metrics[0]"),
    BadConfig("metric empty", {"metrics": ["spend", ""]}, "metrics[1]"),
    BadConfig("metrics a string", {"metrics": "spend"}, "metrics"),
    BadConfig("breakdown unknown", {"breakdowns": ["zodiac"]}, "breakdowns[0]"),
    BadConfig("breakdowns a string", {"breakdowns": "age"}, "breakdowns"),
    BadConfig("report_type unknown", {"report_type": "weekly"}, "report_type"),
    BadConfig(
        "attribution window retired",
        {"action_attribution_windows": ["7d_view"]},
        "action_attribution_windows[0]",
    ),
    BadConfig(
        "attribution window typo",
        {"action_attribution_windows": ["28d_click", "1d_vew"]},
        "action_attribution_windows[1]",
    ),
    BadConfig("conversion event empty", {"conversion_events": [""]}, "conversion_events[0]"),
    BadConfig("conversion event spaces", {"conversion_events": [" omni_purchase"]}, "conversion_events[0]"),
    BadConfig("custom report name spaces", _report(name="by region"), "custom_reports[0].name"),
    BadConfig("custom report without name", {"custom_reports": [{"level": "ad"}]}, "custom_reports[0].name"),
    BadConfig("custom report level", _report(level="region"), "custom_reports[0].level"),
    BadConfig("custom report field", _report(fields=["Spend"]), "custom_reports[0].fields[0]"),
    BadConfig("custom report breakdown", _report(breakdowns=["Age"]), "custom_reports[0].breakdowns[0]"),
    BadConfig(
        "custom report action breakdown",
        _report(action_breakdowns=["action_colour"]),
        "custom_reports[0].action_breakdowns[0]",
    ),
    BadConfig(
        "custom report increment word", _report(time_increment="weekly"), "custom_reports[0].time_increment"
    ),
    BadConfig("custom report increment 91", _report(time_increment="91"), "custom_reports[0].time_increment"),
    BadConfig("custom report key typo", _report(levle="ad"), "custom_reports[0].levle"),
    BadConfig(
        "custom report names twice",
        {"custom_reports": [{"name": "r"}, {"name": "r"}]},
        "custom_reports[1].name",
    ),
    BadConfig("custom_reports an object", {"custom_reports": {"name": "r"}}, "custom_reports"),
]
CASES = [*SHARED_CASES, *META_CASES]


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_environment(monkeypatch, NOW.isoformat())


def test_the_table_is_large_and_names_each_case_once() -> None:
    assert len(CASES) >= 80
    assert len({case.id for case in CASES}) == len(CASES)


def test_the_valid_config_passes_every_check(tmp_path: Path) -> None:
    """The control: each case differs from a config that is only refused for what a case changes."""
    run = run_cli(TapMetaAds, valid_config(tmp_path), tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    assert "meta_insights" in {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_bad_setting_is_refused_before_the_first_message(case: BadConfig, tmp_path: Path) -> None:
    run = run_cli(TapMetaAds, case.config(valid_config(tmp_path), tmp_path), tmp_path)
    assert_refused(run, case.setting)
    assert run.messages == []  # not even a SCHEMA: the settings are checked at discovery


def test_discover_lists_the_streams_without_credentials(tmp_path: Path) -> None:
    # `meltano select --list` runs --discover with whatever config there is; nothing is requested.
    config = {key: value for key, value in valid_config(tmp_path).items() if key != "access_token"}
    run = run_cli(TapMetaAds, config, tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    assert "unified_ad_performance" in {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]}


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"access_token": ["EAAsecretinalist0123456789"]}, "access_token"),
        ({"app_secret": {"value": "secret-in-an-object-42"}}, "app_secret"),
        ({"rate_limiting": {"redis_url": ["redis://:pw-in-a-list-77@host/0"]}}, "rate_limiting.redis_url"),
    ],
)
def test_a_secret_of_the_wrong_type_is_refused_without_its_value(
    tmp_path: Path, overrides: dict[str, Any], setting: str
) -> None:
    run = run_cli(TapMetaAds, {**valid_config(tmp_path), **overrides}, tmp_path)
    assert_refused(run, setting)
    for secret in ("EAAsecretinalist0123456789", "secret-in-an-object-42", "pw-in-a-list-77"):
        assert secret not in run.stderr


def test_an_unknown_top_level_setting_is_warned_about(tmp_path: Path) -> None:
    # Other tools may share a config file, so it is not refused; a typo is pointed out.
    config = {**valid_config(tmp_path), "ad_acounts": ["act_1"], "fx_rates": {"USD": 1.1}}
    run = run_cli(TapMetaAds, config, tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    warnings = [line.split(" | ")[-1] for line in run.stderr.splitlines() if "| WARNING" in line]
    assert "ad_acounts: unknown setting, ignored" in warnings
    assert any(w.startswith("fx_rates/fx_rates_file: ignored without reporting_currency") for w in warnings)


def test_a_token_store_with_the_login_passes_the_checks(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.enc")
    store.put(TokenEntry("meta_ads", "default", "EAAstoredtoken0123456789", f"{UNREACHABLE}/token", "1"))
    config = {**valid_config(tmp_path), "access_token": DROP, "token_store": str(store.path)}
    run = run_cli(TapMetaAds, {k: v for k, v in config.items() if v is not DROP}, tmp_path)
    assert_refused(run, "api_base_url")  # the settings passed: the run got as far as the host


def test_an_unreachable_host_fails_at_once_naming_api_base_url(tmp_path: Path) -> None:
    # The valid config itself: its host refuses connections. One attempt, no retries for minutes.
    run = run_cli(TapMetaAds, valid_config(tmp_path), tmp_path)
    assert_refused(run, "api_base_url")
    assert UNREACHABLE in run.error_lines[0] and "retry" not in run.stderr


@pytest.mark.parametrize(
    ("args", "option", "problem"),
    [
        (["--config", "{tmp}/missing.json"], "--config", "missing.json does not exist"),
        (["--config", "{tmp}/garbage.json"], "--config", "garbage.json is not JSON"),
        (["--config", "{tmp}/list.json"], "--config", "list.json holds list, not a JSON object"),
        (["--config", "{tmp}/garbage.json", "--discover"], "--config", "garbage.json is not JSON"),
    ],
)
def test_a_file_option_that_cannot_be_read_is_one_line(
    tmp_path: Path, args: list[str], option: str, problem: str
) -> None:
    (tmp_path / "garbage.json").write_text('{"access_token": ')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "config.json").write_text(json.dumps(valid_config(tmp_path)))
    run = run_cli(TapMetaAds, None, tmp_path, *(arg.format(tmp=tmp_path) for arg in args))
    assert_refused(run, option)
    assert problem in run.error_lines[0]
    assert run.messages == []


def test_discovery_refuses_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    """``--discover`` (what ``meltano select --list`` runs) is a click callback of its own, outside the
    tap's run: a bad setting there ends in the same one line, not a traceback."""
    config = {**valid_config(tmp_path), "metrics": ["Spend"]}
    assert_refused(run_cli(TapMetaAds, config, tmp_path, "--discover"), "metrics[0]")
