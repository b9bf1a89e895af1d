"""Bad configurations every tap refuses before its first message, and the in-process runner that
checks them.

``SHARED_CASES`` covers the settings of ``ads_kit.settings.shared_settings``; a tap's test module
parametrises them together with its own cases over its own valid config:

    @pytest.mark.parametrize("case", [*SHARED_CASES, *MY_CASES], ids=case_id)
    def test_bad_setting_is_refused(case, tmp_path):
        assert_refused(run_cli(MyTap, case.config(valid_config(tmp_path), tmp_path)), case.setting)

Each case runs the tap's own command line (``Tap.cli``: ``--config`` read from a file, the SDK's
validation, discovery, sync) in this process, so a case costs milliseconds; nothing can reach a
platform (the valid configs point at a port nothing listens on).
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from ads_kit import clock
from ads_kit.auth.store import KEY_ENV, TokenEntry, TokenStore

DROP = object()
"""An override value that removes the key from the valid config."""

Overrides = Mapping[str, Any] | Callable[[Path], Mapping[str, Any]]


@dataclass(frozen=True)
class BadConfig:
    id: str
    overrides: Overrides
    setting: str
    """What the one error line starts with: the setting's path (``date_range.days``, ``fx_rates[0]``)."""

    def config(self, valid: Mapping[str, Any], tmp_path: Path) -> dict[str, Any]:
        changes = self.overrides(tmp_path) if callable(self.overrides) else self.overrides
        config = {**valid, **changes}
        return {key: value for key, value in config.items() if value is not DROP}


def case_id(case: BadConfig) -> str:
    return case.id


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The Singer messages written (``--discover`` writes one catalog document instead)."""
        found = []
        for line in self.stdout.splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue  # a line of the indented catalog
            if isinstance(message, dict) and "type" in message:
                found.append(message)
        return found

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "| ERROR" in line]

    def count(self, kind: str) -> int:
        return sum(1 for message in self.messages if message["type"] == kind)


def run_cli(tap_class: Any, config: Mapping[str, Any] | None, tmp_path: Path, *args: str) -> CliRun:
    """The tap's command line in this process, as ``tap-x --config FILE [args]`` runs it: exit code,
    what it logged and the Singer messages it wrote. ``config=None`` passes only ``args``."""
    if config is not None:
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        args = ("--config", str(path), *args)
    root = logging.getLogger()
    handlers, level, excepthook = list(root.handlers), root.level, sys.excepthook
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            command = tap_class.cli  # singer-sdk adds its log handler on the stderr of this moment
            try:
                command.main(list(args), prog_name=tap_class.name, standalone_mode=True)
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            out.flush()
    finally:
        root.handlers, sys.excepthook = handlers, excepthook
        root.setLevel(level)
    return CliRun(code, out.buffer.getvalue().decode(), err.getvalue())  # type: ignore[attr-defined]


def assert_refused(run: CliRun, setting: str) -> None:
    """Exit code 1, one ERROR line and it starts with the setting, no traceback, no RECORD or STATE."""
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert len(run.error_lines) == 1, run.error_lines
    message = run.error_lines[0].split(" | ")[-1].strip()
    assert message.startswith(setting), (setting, message)
    assert message[len(setting) : len(setting) + 1] in (":", " "), (setting, message)
    assert run.count("RECORD") == 0 and run.count("STATE") == 0


def _rates_file(content: str | bytes, name: str = "rates.csv") -> Callable[[Path], dict[str, Any]]:
    def overrides(tmp_path: Path) -> dict[str, Any]:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return {"reporting_currency": "EUR", "fx_rates_file": str(path)}

    return overrides


def _under_a_file(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "plain-file").write_text("x")
    return {"dead_letter_path": str(tmp_path / "plain-file" / "dead.jsonl")}


def _a_directory(key: str) -> Callable[[Path], dict[str, Any]]:
    def overrides(tmp_path: Path) -> dict[str, Any]:
        (tmp_path / "a-directory").mkdir(exist_ok=True)
        extra = {"reporting_currency": "EUR"} if key == "fx_rates_file" else {}
        return {key: str(tmp_path / "a-directory"), **extra}

    return overrides


def _store_without(login: str) -> Callable[[Path], dict[str, Any]]:
    def overrides(tmp_path: Path) -> dict[str, Any]:
        store = TokenStore(tmp_path / "tokens.enc")
        store.put(TokenEntry("meta_ads", "someone", "EAAstoredtoken0123456789", "https://t.test/token", "1"))
        return {"token_store": str(store.path), "token_store_login": login}

    return overrides


def _not_a_store(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "tokens.enc").write_bytes(b"not a token store")
    return {"token_store": str(tmp_path / "tokens.enc")}


def pin_environment(monkeypatch: Any, now: str) -> None:
    """What every case runs under: the clock at ``now`` and a token-store key of its own."""
    monkeypatch.setenv(clock.ENV_VAR, now)
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())


def _missing(key: str, **extra: Any) -> Callable[[Path], dict[str, Any]]:
    return lambda tmp_path: {key: str(tmp_path / "nowhere" / "file"), **extra}


RATES = {"fx_rates": {"USD": "1.08", "JPY": "160"}}

SHARED_CASES = [
    # date_range
    BadConfig("date_range type unknown", {"date_range": {"type": "weekly"}}, "date_range.type"),
    BadConfig("date_range key typo", {"date_range": {"dayz": 3}}, "date_range.dayz"),
    BadConfig("date_range days 0", {"date_range": {"type": "last_n_days", "days": 0}}, "date_range.days"),
    BadConfig("date_range days text", {"date_range": {"days": "30"}}, "date_range.days"),
    BadConfig("date_range days fraction", {"date_range": {"days": 1.5}}, "date_range.days"),
    BadConfig("date_range days boolean", {"date_range": {"days": True}}, "date_range.days"),
    BadConfig("date_range custom without start", {"date_range": {"type": "custom"}}, "date_range.start_date"),
    BadConfig(
        "date_range start not a date",
        {"date_range": {"type": "custom", "start_date": "2026-13-01"}},
        "date_range.start_date",
    ),
    BadConfig(
        "date_range end before start",
        {"date_range": {"type": "custom", "start_date": "2026-02-01", "end_date": "2026-01-01"}},
        "date_range.end_date",
    ),
    BadConfig(
        "date_range end not a date",
        {"date_range": {"type": "custom", "start_date": "2026-01-01", "end_date": "yesterday"}},
        "date_range.end_date",
    ),
    BadConfig(
        "date_range start in the future",
        {"date_range": {"type": "custom", "start_date": "2027-01-01"}},
        "date_range.start_date",
    ),
    BadConfig("date_range not an object", {"date_range": "last_30_days"}, "date_range"),
    # lookback_days, booleans, api_version
    BadConfig("lookback past restatement", {"lookback_days": 400}, "lookback_days"),
    BadConfig("lookback negative", {"lookback_days": -1}, "lookback_days"),
    BadConfig("lookback text", {"lookback_days": "7"}, "lookback_days"),
    BadConfig("include_deleted text", {"include_deleted": "yes"}, "include_deleted"),
    BadConfig("log_requests number", {"log_requests": 1}, "log_requests"),
    BadConfig("api_version unknown", {"api_version": "banana"}, "api_version"),
    BadConfig("api_version number", {"api_version": 26}, "api_version"),
    # rate_limiting
    BadConfig("rate_limiting key typo", {"rate_limiting": {"burts": 3}}, "rate_limiting.burts"),
    BadConfig(
        "rate_limiting retries negative", {"rate_limiting": {"max_retries": -1}}, "rate_limiting.max_retries"
    ),
    BadConfig("rate_limiting burst 0", {"rate_limiting": {"burst": 0}}, "rate_limiting.burst"),
    BadConfig(
        "rate_limiting per minute text",
        {"rate_limiting": {"requests_per_minute": "60"}},
        "rate_limiting.requests_per_minute",
    ),
    BadConfig(
        "rate_limiting backoff negative",
        {"rate_limiting": {"backoff_multiplier": -0.5}},
        "rate_limiting.backoff_multiplier",
    ),
    BadConfig(
        "rate_limiting concurrency fraction",
        {"rate_limiting": {"concurrent_requests": 1.5}},
        "rate_limiting.concurrent_requests",
    ),
    BadConfig(
        "rate_limiting wait negative",
        {"rate_limiting": {"max_wait_seconds": -1}},
        "rate_limiting.max_wait_seconds",
    ),
    BadConfig(
        "rate_limiting redis scheme", {"rate_limiting": {"redis_url": "http://x"}}, "rate_limiting.redis_url"
    ),
    BadConfig("rate_limiting not an object", {"rate_limiting": 5}, "rate_limiting"),
    # account_shard
    BadConfig("shard not K/N", {"account_shard": "2"}, "account_shard"),
    BadConfig("shard K past N", {"account_shard": "5/4"}, "account_shard"),
    BadConfig("shard K zero", {"account_shard": "0/4"}, "account_shard"),
    BadConfig("shard N zero", {"account_shard": "1/0"}, "account_shard"),
    BadConfig("shard negative", {"account_shard": "-1/4"}, "account_shard"),
    BadConfig("shard a number", {"account_shard": 2}, "account_shard"),
    # reporting currency and rates
    BadConfig("currency without rates", {"reporting_currency": "EUR"}, "reporting_currency"),
    BadConfig("currency lower case", {"reporting_currency": "eur", **RATES}, "reporting_currency"),
    BadConfig("currency unknown", {"reporting_currency": "XYZ", **RATES}, "reporting_currency"),
    BadConfig("currency four letters", {"reporting_currency": "EURO", **RATES}, "reporting_currency"),
    BadConfig("currency number", {"reporting_currency": 978, **RATES}, "reporting_currency"),
    BadConfig("rates code lower case", {"reporting_currency": "EUR", "fx_rates": {"usd": 1.1}}, "fx_rates"),
    BadConfig("rates text", {"reporting_currency": "EUR", "fx_rates": {"USD": "abc"}}, "fx_rates.USD"),
    BadConfig("rates negative", {"reporting_currency": "EUR", "fx_rates": {"USD": -1}}, "fx_rates.USD"),
    BadConfig("rates zero", {"reporting_currency": "EUR", "fx_rates": {"USD": 0}}, "fx_rates.USD"),
    BadConfig(
        "rates entry without rate",
        {"reporting_currency": "EUR", "fx_rates": [{"currency": "USD"}]},
        "fx_rates[0]",
    ),
    BadConfig(
        "rates entry key typo",
        {"reporting_currency": "EUR", "fx_rates": [{"currency": "USD", "rate": 1.1, "day": "2026-01-01"}]},
        "fx_rates[0].day",
    ),
    BadConfig(
        "rates entry date",
        {"reporting_currency": "EUR", "fx_rates": [{"date": "01/02/2026", "currency": "USD", "rate": 1}]},
        "fx_rates[0].date",
    ),
    BadConfig("rates not a list or mapping", {"reporting_currency": "EUR", "fx_rates": "1.1"}, "fx_rates"),
    BadConfig("rates file missing", _missing("fx_rates_file", reporting_currency="EUR"), "fx_rates_file"),
    BadConfig("rates file binary", _rates_file(b"\x89PNG\r\n\x1a\n\x00\xff\xfe"), "fx_rates_file"),
    BadConfig("rates file header", _rates_file("day,USD\n2026-01-01,1.1\n"), "fx_rates_file"),
    BadConfig(
        "rates file bad rate", _rates_file("Date,USD\n2026-01-01,1.1\n2026-01-02,abc\n"), "fx_rates_file"
    ),
    BadConfig("rates file bad date", _rates_file("Date,USD\n01/02/2026,1.1\n"), "fx_rates_file"),
    BadConfig("rates file a directory", _a_directory("fx_rates_file"), "fx_rates_file"),
    BadConfig(
        "base currency unknown",
        {"reporting_currency": "EUR", **RATES, "fx_base_currency": "ZZZ"},
        "fx_base_currency",
    ),
    BadConfig(
        "staleness negative",
        {"reporting_currency": "EUR", **RATES, "fx_max_staleness_days": -1},
        "fx_max_staleness_days",
    ),
    # reporting zone
    BadConfig("zone unknown", {"reporting_timezone": "Mars/Olympus"}, "reporting_timezone"),
    BadConfig("zone an offset", {"reporting_timezone": "+02:00"}, "reporting_timezone"),
    BadConfig("zone empty", {"reporting_timezone": ""}, "reporting_timezone"),
    # files the run writes or reads
    BadConfig("dead letters under a file", _under_a_file, "dead_letter_path"),
    BadConfig("dead letters a directory", _a_directory("dead_letter_path"), "dead_letter_path"),
    BadConfig("dead letters number", {"dead_letter_path": 5}, "dead_letter_path"),
    BadConfig("token store missing", _missing("token_store"), "token_store"),
    BadConfig("token store login alone", {"token_store_login": "me"}, "token_store_login"),
    BadConfig("token store not a store", _not_a_store, "token_store"),
    BadConfig("token store without the login", _store_without("nobody"), "token_store_login"),
]


def assert_no_account_read(run: Any, setting: str, skipped: Mapping[str, str]) -> None:
    """A run whose every account was skipped (``skipped``: account -> what its reason says): each
    account's ERROR line, then one line naming the account setting and each account with its reason;
    exit code 1, no traceback, no record but the dead letters, and its STATE still written."""
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    *skips, last = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert sorted(line.split("account ")[1].split()[0] for line in skips) == sorted(skipped), skips
    message = last.split(" | ")[-1]
    assert message.startswith(f"{setting}: no account could be read"), message
    for account, reason in skipped.items():
        assert f" {account} (" in message and reason in message.split(f" {account} (")[1], message
    assert sorted(r["account_id"] for r in run.records.pop("unified_dead_letters")) == sorted(skipped)
    assert run.records == {}
    assert run.states, "no STATE written"
