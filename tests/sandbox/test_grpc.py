"""gRPC plug-ins over TLS share the HTTP routes' fault engine, request log, token check and quotas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from sandbox_grpc_plugin import FAILURE_KEY, RETRY_DELAY_S, SERVICE

from ads_kit.sandbox.faults import FaultEngine

PLATFORM = "google_ads"
SEARCH, STREAM = "ReportService/Search", "ReportService/SearchStream"
GOOGLE_SHAPED = "sandbox_grpc_plugin:GoogleAdsShapedPlugin"
REGISTRY = {PLATFORM: ["sandbox_grpc_plugin:ReportPlugin"], "meta": ["sandbox_echo_plugin:EchoEmulator"]}


CONNECTION_TOKEN = "the connection file's access token"


class Reports:
    """A client of the test plug-in, over TLS with the connection file's endpoint and certificate."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.entry = server.connection["platforms"][PLATFORM]
        self.accounts = self.entry["accounts"]
        credentials = grpc.ssl_channel_credentials(Path(server.connection["tls_cert"]).read_bytes())
        self.channel = grpc.secure_channel(self.entry["grpc_endpoint"], credentials)
        self._search = self.channel.unary_unary(
            f"/{SERVICE}/Search", request_serializer=_encode, response_deserializer=json.loads
        )
        self._stream = self.channel.unary_stream(
            f"/{SERVICE}/SearchStream", request_serializer=_encode, response_deserializer=json.loads
        )

    def search(
        self, account: str | None = None, *, token: str | None = CONNECTION_TOKEN, timeout: float = 5
    ) -> Any:
        request = {"customer_id": account or self.accounts[0]}
        return self._search(request, timeout=timeout, metadata=self.auth(token))

    def open_stream(self, rows: int, account: str | None = None, rows_per_message: int = 1) -> Any:
        request = {
            "customer_id": account or self.accounts[0],
            "rows": rows,
            "rows_per_message": rows_per_message,
        }
        return self._stream(request, timeout=5, metadata=self.auth(CONNECTION_TOKEN))

    def stream(self, rows: int, account: str | None = None) -> list[Any]:
        """The messages received; a call that fails raises with them in `received`."""
        received: list[Any] = []
        try:
            for message in self.open_stream(rows, account):
                received.append(message)
        except grpc.RpcError as error:
            error.received = received  # type: ignore[attr-defined]
            raise
        return received

    def outcome(self, **kwargs: Any) -> str:
        try:
            self.search(**kwargs)
        except grpc.RpcError as error:
            return error.code().name
        return "OK"

    def log(self, route: str) -> list[dict]:
        """The log as it is now: the host logs a call before its status leaves."""
        return self.server.control("GET", "/log", params={"route": route}).json()

    def log_once(self, route: str, count: int) -> list[dict]:
        """The log once `count` calls on `route` are in it: a call the client ended (its deadline,
        a cancel) is logged when the server learns of it, which need not precede the client's next call."""
        deadline = time.monotonic() + 10
        while len(entries := self.log(route)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return entries

    def stats(self) -> dict[str, Any]:
        return self.server.control("GET", "/stats").json()

    def auth(self, token: str | None) -> tuple[tuple[str, str], ...]:
        token = self.entry["access_token"] if token == CONNECTION_TOKEN else token
        return (("authorization", f"Bearer {token}"),) if token else ()


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


def _failure(error: grpc.RpcError) -> dict[str, Any]:
    trailers = dict(error.trailing_metadata() or ())
    return json.loads(trailers[FAILURE_KEY])


@pytest.fixture
def reports(make_echo_sandbox, tmp_path) -> Iterator[Reports]:
    client = Reports(make_echo_sandbox(registry=REGISTRY, workdir=tmp_path))
    yield client
    client.channel.close()


def test_connection_file_names_the_grpc_endpoint_beside_base_url(reports):
    assert reports.entry["grpc_endpoint"].startswith("127.0.0.1:")
    assert reports.entry["base_url"].startswith("http://127.0.0.1:")
    assert "grpc_endpoint" not in reports.server.connection["platforms"]["meta"]  # HTTP only


def test_scripted_faults_happen_exactly_as_scripted_and_every_call_is_logged(reports):
    reports.server.control(
        "POST",
        "/faults",
        json=[
            {"platform": PLATFORM, "route": SEARCH, "kind": "error", "name": "rate_limit", "calls": [1, 3]},
            {"platform": PLATFORM, "route": SEARCH, "kind": "timeout", "seconds": 30, "calls": [4]},
            {"platform": PLATFORM, "route": SEARCH, "kind": "latency", "seconds": 0.2, "calls": [2]},
        ],
    )
    outcomes: list[Any] = []
    for _ in range(5):
        try:
            outcomes.append(reports.search(timeout=2)["rows"])
        except grpc.RpcError as error:
            outcomes.append((error.code(), _failure(error) if error.trailing_metadata() else None))

    exhausted = (grpc.StatusCode.RESOURCE_EXHAUSTED, {"name": "rate_limit"})
    rows = [{"n": 0}, {"n": 1}, {"n": 2}]
    assert outcomes == [exhausted, rows, exhausted, (grpc.StatusCode.DEADLINE_EXCEEDED, None), rows]
    log = reports.log_once(SEARCH, 5)
    assert [(e["status"], e["fault"]) for e in log] == [
        ("RESOURCE_EXHAUSTED", "error:rate_limit"),
        ("OK", None),
        ("RESOURCE_EXHAUSTED", "error:rate_limit"),
        ("DEADLINE_EXCEEDED", "timeout"),
        ("OK", None),
    ]
    assert {(e["method"], e["path"], e["account"]) for e in log} == {
        ("gRPC", f"/{SERVICE}/Search", reports.accounts[0])
    }
    assert log[1]["duration_ms"] >= 200  # the latency rule held call 2, which then succeeded
    stats = reports.stats()
    assert stats["calls"][PLATFORM][SEARCH] == {
        "total": 5,
        "accounts": {reports.accounts[0]: 5},
        "statuses": {"RESOURCE_EXHAUSTED": 2, "OK": 2, "DEADLINE_EXCEEDED": 1},
    }
    assert stats["faults_applied"] == {PLATFORM: {"error:rate_limit": 2, "timeout": 1, "latency": 1}}


def test_probabilistic_faults_follow_the_engines_one_selection(reports):
    rule = {"platform": PLATFORM, "route": "*", "kind": "error", "name": "server_error", "probability": 0.5}
    reports.server.control("POST", "/faults", json=rule)
    observed = [reports.outcome() for _ in range(16)]

    engine = FaultEngine(7)  # the in-process sandbox's seed
    engine.add(rule)
    expected = [
        "INTERNAL" if engine.decide(PLATFORM, SEARCH, reports.accounts[0]).fault else "OK" for _ in range(16)
    ]
    assert observed == expected and set(observed) == {"OK", "INTERNAL"}


def test_unknown_missing_and_expired_tokens_are_unauthenticated(reports):
    assert reports.outcome(token="ya29.not-a-token") == "UNAUTHENTICATED"
    assert reports.outcome(token=None) == "UNAUTHENTICATED"
    assert reports.outcome() == "OK"
    reports.server.control(
        "POST", "/tokens/expire", json={"platform": PLATFORM, "token": reports.entry["access_token"]}
    )
    with pytest.raises(grpc.RpcError) as expired:
        reports.search()
    assert expired.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _failure(expired.value) == {"name": "token_expired"}
    statuses = [e["status"] for e in reports.log(SEARCH)]
    assert statuses == ["UNAUTHENTICATED", "UNAUTHENTICATED", "OK", "UNAUTHENTICATED"]


def test_denied_accounts_and_accounts_outside_the_grant_get_permission_denied(reports):
    allowed, denied, ungranted = reports.accounts
    reports.server.control("POST", "/settings", json={f"{PLATFORM}_denied_accounts": [denied]})
    with pytest.raises(grpc.RpcError) as refused:
        reports.search(denied)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert _failure(refused.value) == {"name": "account_denied"}
    assert reports.search(allowed)["customer_id"] == allowed

    # A token granted one account only reads that one (the core's check, not the plug-in's).
    ctx = reports.server.sandbox.ctx
    narrow = ctx.tokens.issue(PLATFORM, reports.entry["client_id"], [], [allowed]).access_token
    assert reports.outcome(account=allowed, token=narrow) == "OK"
    assert reports.outcome(account=ungranted, token=narrow) == "PERMISSION_DENIED"
    meta_account = reports.server.world.accounts("meta")[0].id
    for unknown in ("1234567890", meta_account):  # no such customer; another platform's account
        with pytest.raises(grpc.RpcError) as refused:
            reports.search(unknown)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert _failure(refused.value) == {"name": "account_unknown"}
    log = reports.log(SEARCH)
    assert [(e["account"], e["status"]) for e in log] == [
        (denied, "PERMISSION_DENIED"),
        (allowed, "OK"),
        (allowed, "OK"),
        (ungranted, "PERMISSION_DENIED"),
        ("1234567890", "PERMISSION_DENIED"),
        (meta_account, "PERMISSION_DENIED"),
    ]


def test_quota_rules_charge_grpc_calls(reports):
    first, second = reports.accounts[:2]
    limits = {PLATFORM: {"app": ["5/minute"], "account": ["2/minute"]}}
    reports.server.control("POST", "/settings", json={"limits": limits})
    outcomes = [reports.outcome(account=first) for _ in range(3)]
    assert outcomes == ["OK", "OK", "RESOURCE_EXHAUSTED"]
    assert reports.stream(2, account=second)  # another account's window is its own
    with pytest.raises(grpc.RpcError) as app_full:
        for _ in range(3):
            reports.search(second)
    assert _failure(app_full.value) == {"name": "quota_app"}
    stats = reports.stats()
    assert stats["limit_rejections"] == {PLATFORM: {"account": 1, "app": 1}}
    assert stats["rate_limited"] == {PLATFORM: 2}
    assert [e["rate_limited"] for e in reports.log(SEARCH)] == [False, False, True, False, True]


def test_truncate_cuts_a_stream_mid_way_with_internal(reports):
    reports.server.control(
        "POST", "/faults", json={"platform": PLATFORM, "route": STREAM, "kind": "truncate", "calls": [1]}
    )
    with pytest.raises(grpc.RpcError) as cut:
        reports.stream(10)
    assert cut.value.code() == grpc.StatusCode.INTERNAL
    assert [m["rows"][0]["n"] for m in cut.value.received] == [0, 1, 2, 3, 4]  # half the messages' bytes
    assert len(reports.stream(10)) == 10
    entries = reports.log(STREAM)
    assert [(e["status"], e["fault"]) for e in entries] == [(None, "truncate"), ("OK", None)]
    assert reports.stats()["calls"][PLATFORM][STREAM]["statuses"] == {"dropped": 1, "OK": 1}


def test_drop_aborts_the_call_as_unavailable(reports):
    reports.server.control(
        "POST", "/faults", json={"platform": PLATFORM, "route": STREAM, "kind": "drop", "calls": [1]}
    )
    with pytest.raises(grpc.RpcError) as dropped:
        reports.stream(3)
    assert dropped.value.code() == grpc.StatusCode.UNAVAILABLE and dropped.value.received == []
    assert [(e["status"], e["fault"]) for e in reports.log(STREAM)] == [(None, "drop")]


def test_a_handler_that_aborts_the_context_itself_is_logged_with_its_code(reports):
    missing = reports.channel.unary_unary(f"/{SERVICE}/Missing", request_serializer=_encode)
    with pytest.raises(grpc.RpcError) as aborted:
        missing({"customer_id": reports.accounts[0]}, timeout=5, metadata=reports.auth(CONNECTION_TOKEN))
    assert aborted.value.code() == grpc.StatusCode.NOT_FOUND
    assert [e["status"] for e in reports.log("ReportService/Missing")] == ["NOT_FOUND"]


def test_a_call_is_logged_before_its_status_leaves(reports, monkeypatch):
    answers: list[threading.Event] = []  # one per call (in call order), set once the client has its answer
    answered_before_logged: list[bool] = []
    log = reports.server.sandbox.ctx.log
    record = log.record

    def record_unless_answered(entry: Any) -> None:
        # Holds the server's loop: a client that still gets its answer meanwhile got it before the log.
        answered_before_logged.append(answers[len(answered_before_logged)].wait(0.5))
        record(entry)

    monkeypatch.setattr(log, "record", record_unless_answered)
    for expected, token in (("UNAUTHENTICATED", None), ("OK", CONNECTION_TOKEN)):
        answers.append(threading.Event())
        assert reports.outcome(token=token) == expected
        answers[-1].set()
    assert answered_before_logged == [False, False]


def test_a_stream_the_client_abandons_is_logged_as_cancelled(reports):
    call = reports.open_stream(50_000)
    assert next(call)["rows"] == [{"n": 0}]
    call.cancel()
    assert [e["status"] for e in reports.log_once(STREAM, 1)] == ["CANCELLED"]


def test_the_unmodified_google_ads_client_reads_through_the_host(make_echo_sandbox, tmp_path):
    server = make_echo_sandbox(registry={PLATFORM: [GOOGLE_SHAPED]}, workdir=tmp_path)
    entry = server.connection["platforms"][PLATFORM]
    allowed, denied = entry["accounts"][:2]
    route = "GoogleAdsService/SearchStream"
    server.control(
        "POST",
        "/faults",
        json={"platform": PLATFORM, "route": route, "kind": "error", "name": "rate_limit", "calls": [1]},
    )
    server.control("POST", "/settings", json={f"{PLATFORM}_denied_accounts": [denied]})
    environment = {
        **os.environ,
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": server.connection["tls_cert"],
        "GRPC_VERBOSITY": "ERROR",
    }
    probe = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("google_ads_probe.py")),
            entry["grpc_endpoint"],
            entry["access_token"],
            entry["developer_token"],
            allowed,
            allowed,
            denied,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == [
        {"error": "ResourceExhausted", "retry_delay_s": RETRY_DELAY_S},
        {"rows": [int(allowed)]},
        {"error": "PERMISSION_DENIED", "request_id": "sandbox-request"},
    ]
    statuses = [
        (e["account"], e["status"]) for e in server.control("GET", "/log", params={"route": route}).json()
    ]
    assert statuses == [(allowed, "RESOURCE_EXHAUSTED"), (allowed, "OK"), (denied, "PERMISSION_DENIED")]
