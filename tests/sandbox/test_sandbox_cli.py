from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509

from ads_kit.sandbox.world import World

CLI = [sys.executable, "-m", "ads_kit.sandbox.cli"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--now", "2026-13-01T00:00:00Z"], "--now"),
        (["--now", "2026-11-25T10:00:00"], "--now"),
        (["--scale", "-1"], "--scale"),
        (["--history-days", "0"], "--history-days"),
        (["--settings", '{"colour": 1}'], "'colour'"),
        (["--settings", '{"limits": {"meta": {"app": ["lots"]}}}'], "limits.meta.app"),
        (["--settings", '{"token_lifetime_s": -5}'], "'token_lifetime_s'"),
        (["--settings", "{oops"], "--settings is not valid JSON"),
        (["--settings", "[1]"], "settings must be a JSON object"),
        (["--settings", "@/nonexistent/settings.json"], "/nonexistent/settings.json"),
    ],
)
def test_bad_input_is_refused_with_one_line_naming_it(tmp_path, args, named):
    result = _run("serve", "--seed", "1", "--connection-file", str(tmp_path / "c.json"), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and lines[0].startswith("ads-sandbox"), result.stderr
    assert not (tmp_path / "c.json").exists()


def test_settings_file_is_read(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text('{"job_seconds": "slow"}')
    result = _run(
        "serve", "--seed", "1", "--connection-file", str(tmp_path / "c.json"), "--settings", f"@{settings}"
    )
    assert result.returncode == 2 and "'job_seconds'" in result.stderr


def test_world_command_summarises_accounts():
    result = _run("world", "--seed", "5", "--ads-per-account", "12", "--now", "2026-11-25T23:30:00Z")
    assert result.returncode == 0
    world = World(5, now=datetime(2026, 11, 25, 23, 30, tzinfo=UTC), ads_per_account=12)
    for account in world.accounts():
        line = next(line for line in result.stdout.splitlines() if account.id in line)
        assert account.currency in line and account.timezone in line and "12 ads" in line
        # 23:30 UTC: Tokyo and Berlin are already on the 26th, the Americas still on the 25th.
        local = "2026-11-26" if account.timezone in ("Asia/Tokyo", "Europe/Berlin") else "2026-11-25"
        assert f"today {local}" in line, line


def test_help_documents_the_options():
    result = _run("serve", "--help")
    for option in ("--seed", "--connection-file", "--scale", "--now", "--history-days", "--settings"):
        assert option in result.stdout


def test_serve_writes_the_connection_file_then_removes_it_on_sigterm(tmp_path):
    path = tmp_path / "nested" / "connection.json"
    process = subprocess.Popen(
        [*CLI, "serve", "--seed", "9", "--connection-file", str(path), "--now", "2026-11-25T08:30:00Z"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        connection = json.loads(path.read_text())
        assert (
            connection["seed"] == 9
            and connection["pid"] == process.pid
            and connection["now"] == "2026-11-25T08:30:00+00:00"
            and connection["pinned"] is True
        )
        assert set(connection["platforms"]) == {"meta", "google_ads", "tiktok"}
        for platform, entry in connection["platforms"].items():
            for key in (
                "base_url",
                "api_version",
                "client_id",
                "client_secret",
                "access_token",
                "refresh_token",
                "authorize_url",
                "token_url",
                "revoke_url",
                "scopes",
                "accounts",
            ):
                assert entry[key], (platform, key)
        assert connection["platforms"]["google_ads"]["developer_token"]
        cert = x509.load_pem_x509_certificate(Path(connection["tls_cert"]).read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert "localhost" in names.get_values_for_type(x509.DNSName)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert not path.exists()
    assert not Path(connection["tls_cert"]).exists()


def test_env_waits_for_a_sandbox_started_just_before_it(tmp_path):
    """The README's order: `serve ... &`, then at once `eval "$(ads-sandbox env ...)"`."""
    path = tmp_path / "connection.json"
    env = subprocess.Popen(
        [*CLI, "env", "--connection-file", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    serve = subprocess.Popen(  # started after env: the file cannot exist when env first looks
        [*CLI, "serve", "--seed", "9", "--connection-file", str(path), "--now", "2026-11-25T08:30:00Z"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        out, err = env.communicate(timeout=60)
        connection = json.loads(path.read_text())
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=15)
    assert env.returncode == 0, err
    assert (
        f"export ADS_SANDBOX_META_BASE_URL={connection['platforms']['meta']['base_url']}" in out.splitlines()
    )


def test_env_without_a_sandbox_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "none.json"
    result = _run("env", "--connection-file", str(path), "--wait", "0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr
