"""MetaClient's transport and error table on the wire, with `responses` standing in for the Graph API.

facebook-business sends through `requests`, so `responses` answers the SDK's own calls: each class of
Meta's error table (shared/reference/meta-marketing-api.md §5, `tap_meta_ads/errors.py`) is checked
end to end (SDK call, classification, retry, pause, re-auth, skip or failure) without a sandbox. The
waits go through an injected `sleep`, so every test runs well under a second; the sandbox tests stay
the integration layer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from ads_kit.auth.provider import TokenProvider
from ads_kit.resilience.errors import AccountSkipped, ConfigError, RequestFailed, Scope
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import VersionPolicy
from tap_meta_ads.client import MetaClient

from .conftest import payload
from .test_quota import RecordingLimiter

pytestmark = pytest.mark.timeout(5)

GRAPH = "https://graph.unit.test"
VERSION = "v26.0"
ACCOUNT = "1234567890123456"
NODE_URL = f"{GRAPH}/{VERSION}/act_{ACCOUNT}"
TOKEN_URL = f"{GRAPH}/{VERSION}/oauth/access_token"
TOKEN = "EAAunittesttoken0123456789abcdef"
RENEWED = "EAAunitrenewedtoken9876543210fedcba"
APP_SECRET = "unit-app-secret-0123456789"
SUCCESS = {"id": f"act_{ACCOUNT}", "currency": "EUR"}


class Limiter(RecordingLimiter):
    """test_quota's limiter (lets every request through, keeps the signals), with the pauses it heard."""

    def pauses(self) -> list[tuple[float | None, Scope]]:
        return [(s.regain_after_s or s.retry_after_s, s.scope) for _, s in self.signals if s.retry_after_s]


@pytest.fixture
def graph() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def limiter() -> Limiter:
    return Limiter()


def meta_client(waits: list[float], limiter: Limiter, *, renewable: bool = False) -> MetaClient:
    config: dict[str, Any] = {"access_token": TOKEN}
    if renewable:
        # Meta renews by exchanging the token with the app secret (`fb_exchange_token`).
        config |= {"client_id": "4242", "client_secret": APP_SECRET, "token_url": TOKEN_URL}
    return MetaClient(
        tokens=TokenProvider.from_config("meta_ads", config),
        versions=VersionPolicy("meta_ads", VERSION, date(2026, 11, 25)),
        base_url=GRAPH,
        app_secret=APP_SECRET if renewable else None,
        policy=RetryPolicy(max_retries=3),
        limiter=limiter,  # type: ignore[arg-type]
        sleep=waits.append,
    )


def error_body(code: int, message: str, subcode: int | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def answer(graph: responses.RequestsMock, status: int, body: Any, **headers: str) -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    content_type = "application/json" if not isinstance(body, str) else "text/plain"
    graph.get(NODE_URL, body=text, status=status, headers=headers, content_type=content_type)


def read_node(client: MetaClient) -> dict[str, Any]:
    return client.get(f"act_{ACCOUNT}", {"fields": "id,currency"}, account=ACCOUNT)


def buc_usage(minutes: int) -> str:
    """x-business-use-case-usage of a throttled ad account (§6.1 shape): the wait is in minutes."""
    entry = {"type": "ads_management", "call_count": 100, "total_cputime": 20, "total_time": 20}
    return json.dumps({ACCOUNT: [{**entry, "estimated_time_to_regain_access": minutes}]})


# (code, subcode, body, scope): the bodies are the fixture corpus's real ones where it has them,
# else the §5.2 messages.
RATE_LIMITS = [
    (4, payload("error_4_application_request_limit_real.json"), Scope.APP),
    (17, error_body(17, "(#17) User request limit reached", 2446079), Scope.ACCOUNT),
    (32, error_body(32, "(#32) Page request limit reached"), Scope.ACCOUNT),
    (613, error_body(613, "(#613) Calls to this api have exceeded the rate limit.", 1487742), Scope.ACCOUNT),
    (80004, payload("error_80004_2446079_too_many_calls_ad_account_real.json"), Scope.ACCOUNT),
]


@pytest.mark.parametrize(("code", "body", "scope"), RATE_LIMITS, ids=[str(r[0]) for r in RATE_LIMITS])
def test_rate_limits_wait_the_regain_time_and_pause_the_scope(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter, code: int, body: Any, scope: Scope
) -> None:
    usage = {"x-business-use-case-usage": buc_usage(2), "x-app-usage": '{"call_count": 100}'}
    answer(graph, 400, body, **usage)  # Meta's rate limits are HTTP 400, not 429
    answer(graph, 200, SUCCESS)
    assert read_node(meta_client(waits, limiter)) == SUCCESS
    assert waits == [120.0]  # the announced 2 minutes, not a backoff guess
    assert len(graph.calls) == 2
    # Every worker of the scope waits too: app quota (4) for the whole app, the others per account.
    assert (120.0, scope) in limiter.pauses()


def test_a_rate_limit_without_a_regain_time_backs_off(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    answer(graph, 400, error_body(17, "(#17) User request limit reached", 2446079))
    answer(graph, 200, SUCCESS)
    assert read_node(meta_client(waits, limiter)) == SUCCESS
    assert len(waits) == 1 and 0 <= waits[0] <= 1.0  # full jitter of the first step


@pytest.mark.parametrize(
    "body",
    [payload("error_190_463_session_expired_real.json"), error_body(190, "Invalid OAuth access token")],
    ids=["190/463", "190"],
)
def test_a_rejected_token_is_renewed_once_and_the_call_repeated(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter, body: Any
) -> None:
    answer(graph, 400, body)
    answer(graph, 200, SUCCESS)
    graph.get(TOKEN_URL, json={"access_token": RENEWED, "token_type": "bearer", "expires_in": 5183944})
    assert read_node(meta_client(waits, limiter, renewable=True)) == SUCCESS
    node_calls = [c for c in graph.calls if c.request.url.startswith(NODE_URL)]
    exchange = [c for c in graph.calls if c.request.url.startswith(TOKEN_URL)]
    assert len(node_calls) == 2 and len(exchange) == 1
    assert "grant_type=fb_exchange_token" in exchange[0].request.url
    # The token travels in the header, never in the URL; the repeat carries the renewed one.
    assert [c.request.headers["Authorization"] for c in node_calls] == [
        f"Bearer {TOKEN}",
        f"Bearer {RENEWED}",
    ]
    assert all(TOKEN not in c.request.url and RENEWED not in c.request.url for c in node_calls)
    assert waits == [0.0]


def test_a_token_rejected_again_after_renewal_skips_the_account(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    answer(graph, 400, payload("error_190_463_session_expired_real.json"))
    graph.get(TOKEN_URL, json={"access_token": RENEWED, "token_type": "bearer", "expires_in": 5183944})
    with pytest.raises(RequestFailed, match="credentials rejected again after re-authentication") as caught:
        read_node(meta_client(waits, limiter, renewable=True))
    assert len([c for c in graph.calls if c.request.url.startswith(NODE_URL)]) == 2
    assert "\n" not in str(caught.value) and TOKEN not in str(caught.value)


def test_a_token_that_cannot_be_renewed_skips_the_account(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    answer(graph, 400, payload("error_190_463_session_expired_real.json"))
    with pytest.raises(AccountSkipped) as caught:
        read_node(meta_client(waits, limiter))
    assert caught.value.account == ACCOUNT and "ads-auth login meta" in str(caught.value)
    assert len(graph.calls) == 1


SKIPPED = [
    ("10", 403, error_body(10, "(#10) Application does not have permission for this action")),
    ("200", 403, payload("error_200_requires_business_management_403.json")),
    ("100/33", 400, payload("error_100_33_unsupported_get_request.json")),
]


@pytest.mark.parametrize(("code", "status", "body"), SKIPPED, ids=[s[0] for s in SKIPPED])
def test_permission_and_unknown_object_errors_skip_the_account_at_once(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter, code: str, status: int, body: Any
) -> None:
    answer(graph, status, body)
    with pytest.raises(AccountSkipped) as caught:
        read_node(meta_client(waits, limiter))
    assert caught.value.account == ACCOUNT and code in str(caught.value)
    assert len(graph.calls) == 1 and waits == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, payload("error_1_99_unknown_500.json")),
        (503, payload("error_2_service_temporarily_unavailable.json")),
        (502, "<html><body>Bad Gateway</body></html>"),
    ],
    ids=["500 1/99", "503 #2", "502 proxy page"],
)
def test_server_errors_are_retried_with_backoff(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter, status: int, body: Any
) -> None:
    answer(graph, status, body)
    answer(graph, status, body)
    answer(graph, 200, SUCCESS)
    assert read_node(meta_client(waits, limiter)) == SUCCESS
    assert len(graph.calls) == 3
    assert len(waits) == 2 and 0 <= waits[0] <= 1.0 and 0 <= waits[1] <= 2.0


def test_server_errors_stop_after_max_retries(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    answer(graph, 500, payload("error_1_99_unknown_500.json"))
    with pytest.raises(RequestFailed) as caught:
        read_node(meta_client(waits, limiter))
    assert len(graph.calls) == 4 and caught.value.attempts == 4
    assert "rate_limiting.max_retries=3" in str(caught.value)


def test_a_truncated_body_is_retried(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    answer(graph, 200, json.dumps(SUCCESS)[:-7])  # the connection closed mid-body
    answer(graph, 200, SUCCESS)
    assert read_node(meta_client(waits, limiter)) == SUCCESS
    assert len(graph.calls) == 2 and len(waits) == 1


def test_a_plain_text_404_fails_at_once(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    # The SDK takes a non-JSON body as a success whatever the status; the client must not.
    answer(graph, 404, "Not Found")
    with pytest.raises(ConfigError) as caught:
        read_node(meta_client(waits, limiter))
    assert "HTTP 404" in str(caught.value) and caught.value.setting == "api_base_url"
    assert len(graph.calls) == 1 and waits == []


def test_a_host_never_reached_fails_at_once_naming_api_base_url(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    graph.get(
        NODE_URL,
        body=requests.ConnectionError(MaxRetryError(None, NODE_URL, NewConnectionError(None, "refused"))),
    )
    with pytest.raises(ConfigError) as caught:
        read_node(meta_client(waits, limiter))
    assert caught.value.setting == "api_base_url" and f"cannot reach {GRAPH}" in str(caught.value)
    assert len(graph.calls) == 1 and waits == []


def test_once_the_host_answered_a_refused_connection_is_retried(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    refused = requests.ConnectionError(MaxRetryError(None, NODE_URL, NewConnectionError(None, "refused")))
    answer(graph, 200, SUCCESS)
    graph.get(NODE_URL, body=refused)
    answer(graph, 200, SUCCESS)
    client = meta_client(waits, limiter)
    assert read_node(client) == SUCCESS
    assert read_node(client) == SUCCESS
    assert len(graph.calls) == 3 and len(waits) == 1


def test_a_wrong_app_secret_names_the_setting(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    body = error_body(
        100, "Invalid appsecret_proof provided in the API argument", type="GraphMethodException"
    )
    answer(graph, 400, body)
    with pytest.raises(ConfigError) as caught:
        read_node(meta_client(waits, limiter))
    assert caught.value.setting == "app_secret" and "Invalid appsecret_proof" in str(caught.value)
    assert len(graph.calls) == 1 and waits == []


def test_usage_headers_of_a_success_reach_the_limiter(
    graph: responses.RequestsMock, waits: list[float], limiter: Limiter
) -> None:
    answer(
        graph, 200, SUCCESS, **{"x-ad-account-usage": '{"acc_id_util_pct": 80, "reset_time_duration": 30}'}
    )
    read_node(meta_client(waits, limiter))
    assert [(a, s.usage_pct, s.scope) for a, s in limiter.signals] == [(ACCOUNT, 80.0, Scope.ACCOUNT)]
