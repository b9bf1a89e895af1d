"""Each platform's quota answer, met by a real tap process whose limiter is in Redis, pauses every
other worker of the same app: Meta's regain time (its usage header), Google's retry delay (its
GoogleAdsFailure), TikTok's QPM lockout (40100 "temporarily restricted"). The other worker is a
limiter built here on the same Redis and app, which has asked the platform nothing.

The tap's wait budget (`max_wait_seconds`) is shorter than the platform's delay, so the tap gives up
at once; the pause it leaves behind is what the other workers see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from quota_keys import forget_app

from ads_kit import clock
from ads_kit.resilience import RateLimiter
from ads_kit.resilience.ratelimit import ThrottleSignal
from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox

DELAY_S = 600  # longer than the whole test: a pause seen later must still be this one
BUDGET = {"max_retries": 3, "max_wait_seconds": 5}


@pytest.fixture(scope="module")
def sandbox(redis_url: str) -> Iterator[SandboxClient]:
    with running_sandbox(
        seed=5, now="2026-11-25T12:00:00+00:00", accounts_per_platform=1, ads_per_account=2
    ) as sb:
        sb.settings(meta_quota_regain_minutes=DELAY_S // 60)
        # The sandbox's apps are the same on every run: no pause of an earlier run may linger.
        _forget_the_apps(sb, redis_url)
        yield sb
        _forget_the_apps(sb, redis_url)


def _forget_the_apps(sandbox: SandboxClient, redis_url: str) -> None:
    for platform in ("meta", "google_ads", "tiktok"):
        owners = sandbox.platform(platform)
        for setting in ("client_id", "developer_token"):  # what each tap's quota is keyed by
            if owners.get(setting):
                forget_app(redis_url, platform, owners[setting])


@pytest.fixture(scope="module")
def redis_url() -> str:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        pytest.fail(f"these tests need Redis at {url}: {exc}")
    return url


Configured = tuple[dict[str, Any], str]  # the tap's config, the account its first request is for


def _meta(sandbox: SandboxClient, tmp_path: Path, limits: dict[str, Any]) -> Configured:
    from tests.meta_tap.conftest import tap_config

    account = sandbox.platform("meta")["accounts"][0]
    sandbox.add_fault(platform="meta", kind="error", name="rate_limit_account", account=account)
    return tap_config(sandbox, tmp_path, ad_accounts=[account], rate_limiting=limits), account


def _google(sandbox: SandboxClient, tmp_path: Path, limits: dict[str, Any]) -> Configured:
    from tests.google_tap.conftest import tap_config

    route = "GoogleAdsService/SearchStream"
    sandbox.add_fault(platform="google_ads", route=route, kind="error", name="rate_limit", seconds=DELAY_S)
    config = tap_config(sandbox, tmp_path, rate_limiting=limits)
    return config, config["login_customer_id"]  # the first query lists the manager's clients


def _tiktok(sandbox: SandboxClient, tmp_path: Path, limits: dict[str, Any]) -> Configured:
    from tests.tiktok_tap.conftest import tap_config

    sandbox.add_fault(platform="tiktok", kind="error", name="qpm_limit")
    config = tap_config(sandbox, tmp_path, qpm_lockout_seconds=DELAY_S, rate_limiting=limits)
    return config, sandbox.platform("tiktok")["accounts"][0]


CASES = {
    # platform: (tap module, limiter platform, config key naming the app, config with the fault set)
    "meta": ("tap_meta_ads", "meta_ads", "app_id", _meta),
    "google_ads": ("tap_google_ads_unified", "google_ads", "developer_token", _google),
    "tiktok": ("tap_tiktok_ads", "tiktok_ads", "app_id", _tiktok),
}


@pytest.mark.parametrize("platform", sorted(CASES))
def test_a_quota_answer_to_one_worker_pauses_the_others(sandbox, redis_url, tmp_path, platform):
    module, limiter_platform, app_key, configure = CASES[platform]
    sandbox.reset()
    sandbox.settings(meta_quota_regain_minutes=DELAY_S // 60)
    config, account = configure(sandbox, tmp_path, {**BUDGET, "redis_url": redis_url})
    other = RateLimiter.from_config(limiter_platform, config[app_key], {"redis_url": redis_url})
    assert other.paused_for(account) == 0

    (tmp_path / "config.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        clock.ENV_VAR: sandbox.now().isoformat(),
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": sandbox.connection["tls_cert"],
        "GRPC_VERBOSITY": "ERROR",
    }
    tap = subprocess.run(
        [sys.executable, "-m", module, "--config", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert sum(sandbox.stats()["faults_applied"].get(platform, {}).values()) >= 1, tap.stderr[-2000:]
    # The pause is on Redis's clock and this worker's account (or the whole app): the other worker
    # waits out what is left of the platform's delay before it sends anything.
    assert DELAY_S - 120 < other.paused_for(account) <= DELAY_S, tap.stderr[-2000:]


def test_google_workers_share_their_developer_tokens_quota_and_no_key_names_the_token(redis_url):
    """Google's quota belongs to the developer token: two OAuth clients on one token share it."""
    from tap_google_ads_unified.tap import TapGoogleAdsUnified

    token = f"dev-token-{uuid.uuid4().hex}"

    def limiter(client_id: str, developer_token: str) -> RateLimiter:
        config = {
            "client_id": client_id,
            # Secrets join the process's redaction: values no log line could otherwise contain.
            "client_secret": f"client-secret-{uuid.uuid4().hex}",
            "refresh_token": f"1//refresh-{uuid.uuid4().hex}",
            "developer_token": developer_token,
            "customer_ids": ["1234567890"],
            "rate_limiting": {"redis_url": redis_url},
        }
        return TapGoogleAdsUnified(config=config, validate_config=True).limiter

    first, second = (
        limiter("one.apps.googleusercontent.com", token),
        limiter("two.apps.googleusercontent.com", token),
    )
    other_token = limiter("one.apps.googleusercontent.com", f"other-{token}")
    first.observe("1234567890", "search_stream", ThrottleSignal(retry_after_s=30))
    assert 20 < second.paused_for("1234567890") <= 30
    assert other_token.paused_for("1234567890") == 0
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("ADSKIT:*google_ads*")]
    assert keys and not any(token in key for key in keys)
