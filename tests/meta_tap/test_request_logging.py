"""Request logging: every attempt of the shared transport on the ``ads_kit.http`` logger at DEBUG.

Off by default; on with the ``log_requests`` setting (which lowers only that logger) or when the log
level is DEBUG. Each line carries method, redacted URL, status, duration, attempt, bytes and a
truncated redacted body; no secret ever reaches it (checked on the real tap against the sandbox).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from ads_kit.auth.provider import TokenProvider
from ads_kit.redaction import MASK, install_redaction
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import VersionPolicy
from ads_kit.sandbox.client import SandboxClient
from ads_kit.tap.transport import LOGGED_BODY_CHARS, http_log
from tap_meta_ads.client import MetaClient

from .conftest import run_tap, tap_config

LINE = re.compile(
    r"meta_ads (?P<method>GET|POST) (?P<url>\S+) status=(?P<status>\S+) duration_ms=(?P<ms>[\d.]+) "
    r"attempt=(?P<attempt>\d+) bytes=(?P<bytes>\d+) body=(?P<body>.*)$"
)
GRAPH = "https://graph.unit.test"
ACCOUNT = "1234567890123456"
TOKEN = "EAAloggingtesttoken0123456789abcdef"


def request_lines(text: str) -> list[re.Match[str]]:
    return [m for m in map(LINE.search, text.splitlines()) if m]


@pytest.fixture
def http_level() -> Iterator[None]:
    """Puts the ``ads_kit.http`` level back: ``log_requests`` lowers it for the whole process."""
    level = http_log.level
    yield
    http_log.setLevel(level)


def unit_client(**shared: Any) -> MetaClient:
    return MetaClient(
        tokens=TokenProvider.from_config("meta_ads", {"access_token": TOKEN}),
        versions=VersionPolicy("meta_ads", "v26.0", date(2026, 11, 25)),
        base_url=GRAPH,
        policy=RetryPolicy(max_retries=2),
        sleep=lambda seconds: None,
        **shared,
    )


@pytest.mark.timeout(5)
def test_off_by_default(http_level: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with responses.RequestsMock() as graph:
        graph.get(f"{GRAPH}/v26.0/act_{ACCOUNT}", json={"id": f"act_{ACCOUNT}"})
        unit_client().get(f"act_{ACCOUNT}", {"fields": "id"}, account=ACCOUNT)
    assert not [r for r in caplog.records if r.name == "ads_kit.http"]


@pytest.mark.timeout(5)
def test_the_setting_logs_every_attempt_and_only_that_logger_is_lowered(
    http_level: None, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN])
    caplog.set_level(logging.INFO)  # the tap's level stays INFO
    caplog.handler.setLevel(logging.NOTSET)  # as singer-sdk's stderr handler: no level of its own
    http_log.setLevel(logging.NOTSET)
    long_name = "x" * (3 * LOGGED_BODY_CHARS)
    with responses.RequestsMock() as graph:
        url = f"{GRAPH}/v26.0/act_{ACCOUNT}"
        graph.get(
            url, json={"error": {"message": "(#2) Service temporarily unavailable", "code": 2}}, status=503
        )
        graph.get(url, json={"id": f"act_{ACCOUNT}", "name": long_name, "echo": TOKEN})
        client = unit_client(log_requests=True)
        client.get(f"act_{ACCOUNT}", {"fields": "id,name", "access_token": TOKEN}, account=ACCOUNT)
    assert logging.getLogger().level == logging.INFO and http_log.level == logging.DEBUG
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "ads_kit.http")
    failed, answered = request_lines(text)
    assert (failed["status"], failed["attempt"]) == ("503", "1")
    assert (answered["status"], answered["attempt"]) == ("200", "2")
    assert answered["url"].startswith(f"{GRAPH}/v26.0/act_{ACCOUNT}?fields=id%2Cname")
    assert f"access_token={MASK}" in answered["url"]
    assert int(answered["bytes"]) > 3 * LOGGED_BODY_CHARS
    assert answered["body"].startswith('{"id": "act_') and "more chars)" in answered["body"]
    assert len(answered["body"]) < LOGGED_BODY_CHARS + 40
    assert float(failed["ms"]) >= 0
    assert TOKEN not in text


@pytest.mark.timeout(5)
def test_a_network_failure_is_logged_with_its_class_and_the_repeat_numbered(
    http_level: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ads_kit.http")
    with responses.RequestsMock() as graph:
        url = f"{GRAPH}/v26.0/act_{ACCOUNT}"
        graph.get(url, body=requests.ConnectionError("connection reset by peer"))
        graph.get(url, json={"id": f"act_{ACCOUNT}"})
        unit_client().get(f"act_{ACCOUNT}", {"fields": "id"}, account=ACCOUNT)
    lines = request_lines("\n".join(r.getMessage() for r in caplog.records if r.name == "ads_kit.http"))
    assert [(m["status"], m["attempt"], m["bytes"]) for m in lines] == [
        ("ConnectionError", "1", "0"),
        ("200", "2", str(len(f'{{"id": "act_{ACCOUNT}"}}'))),
    ]


def test_a_tap_run_logs_its_requests_without_a_secret(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_meta, tmp_path, log_requests=True)
    sandbox_meta.add_fault(
        [
            {
                "platform": "meta",
                "route": "campaigns",
                "kind": "error",
                "name": "token_expired",
                "calls": [1],
            },
            {"platform": "meta", "route": "ads", "kind": "error", "name": "server_error", "calls": [1]},
        ]
    )
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = request_lines(run.stderr)
    assert len(lines) > 10
    base = sandbox_meta.platform("meta")["base_url"]
    assert all(m["url"].startswith(f"{base}/v26.0/") for m in lines)
    assert {"GET"} <= {m["method"] for m in lines}
    assert any(m["status"] == "200" for m in lines)
    assert any(m["status"] == "500" and m["attempt"] == "1" for m in lines)
    assert any(m["attempt"] == "2" and m["status"] == "200" for m in lines)
    assert any("more chars)" in m["body"] for m in lines)  # insights pages are cut
    assert all(int(m["bytes"]) >= 0 and float(m["ms"]) >= 0 for m in lines)
    meta = sandbox_meta.platform("meta")
    written = run.stderr.encode() + run.stdout
    for secret in (config["access_token"], config["app_secret"], meta["refresh_token"]):
        assert secret.encode() not in written
    proof = hmac.new(config["app_secret"].encode(), config["access_token"].encode(), hashlib.sha256)
    assert proof.hexdigest().encode() not in written
    assert not re.search(rb"Bearer (?!\[REDACTED\])[A-Za-z0-9]", written)
    assert run.final_state  # the run completed


def test_log_level_debug_logs_requests_without_the_setting(
    sandbox_meta: SandboxClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tap_config(sandbox_meta, tmp_path)
    monkeypatch.setenv("LOGLEVEL", "DEBUG")  # singer-sdk's own switch: every logger at DEBUG
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert request_lines(run.stderr)
    for secret in (config["access_token"], config["app_secret"]):
        assert secret.encode() not in run.stderr.encode()
    proof = hmac.new(config["app_secret"].encode(), config["access_token"].encode(), hashlib.sha256)
    assert proof.hexdigest() not in run.stderr
