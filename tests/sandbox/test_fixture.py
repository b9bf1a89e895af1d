from __future__ import annotations

from datetime import date

import pytest
import requests

from ads_kit.sandbox.client import SandboxError
from ads_kit.sandbox.pytest_plugin import SandboxStartError, running_sandbox


def test_session_sandbox_serves_every_platform(sandbox):
    assert sandbox.connection["seed"] == 7
    assert set(sandbox.connection["platforms"]) == {"meta", "google_ads", "tiktok"}
    world = sandbox.world()
    assert sandbox.platform("tiktok")["accounts"] == [a.id for a in world.accounts("tiktok")]
    assert world.now.isoformat() == sandbox.stats()["now"]


def test_sandbox_clean_starts_from_zero(sandbox_clean):
    requests.get(sandbox_clean.platform("meta")["base_url"] + "/nowhere", timeout=5)
    assert sandbox_clean.calls("meta") == 1
    sandbox_clean.add_fault(platform="meta", kind="drop", calls=[1])
    assert len(sandbox_clean.faults()) == 1


def test_sandbox_clean_resets_what_was_left_before_it(sandbox, request):
    # Dirt of our own, whatever earlier tests left: a logged and counted request, a waiting fault.
    calls, faults = sandbox.calls("meta"), len(sandbox.faults())
    requests.get(sandbox.platform("meta")["base_url"] + "/nowhere", timeout=5)
    sandbox.add_fault(platform="meta", kind="drop", calls=[1])
    assert (sandbox.calls("meta"), len(sandbox.faults())) == (calls + 1, faults + 1)
    assert sandbox.log(platform="meta")[-1]["path"] == "/nowhere"
    clean = request.getfixturevalue("sandbox_clean")  # set up now, after the dirt
    assert clean.calls("meta") == 0 and clean.faults() == []
    assert clean.log() == [] and clean.stats()["totals"] == {}


def test_client_errors_are_one_line(sandbox_clean):
    with pytest.raises(SandboxError, match="'kind'") as error:
        sandbox_clean.add_fault(platform="meta", kind="explode")
    assert "\n" not in str(error.value)


def test_running_sandbox_with_its_own_world_and_advance():
    start = "2026-06-01T23:30:00+00:00"
    with running_sandbox(seed=21, now=start, ads_per_account=5, accounts_per_platform=2) as client:
        world = client.world()
        assert [len(world.ads(a.id)) for a in world.accounts()] == [5] * 6
        tokyo = next(a for a in world.accounts() if a.timezone == "Asia/Tokyo")
        angeles = next(a for a in world.accounts() if a.timezone == "America/Los_Angeles")
        # 23:30 UTC is 08:30 the next morning in Tokyo and 16:30 the same day in Los Angeles.
        assert (world.account_today(tokyo), world.account_today(angeles)) == (
            date(2026, 6, 2),
            date(2026, 6, 1),
        )
        assert client.advance(2).isoformat() == "2026-06-03T23:30:00+00:00"
        assert client.tap_environment()["ADS_NOW"] == "2026-06-03T23:30:00+00:00"
        advanced = client.world()
        assert advanced.account_today(tokyo) == date(2026, 6, 4)
        assert advanced.origin.isoformat() == "2026-06-01"
        client.reset()
        assert client.now().isoformat() == start
        assert client.settings(job_seconds=0.1)["job_seconds"] == 0.1


def test_running_sandbox_reports_why_it_did_not_start():
    with (
        pytest.raises(SandboxStartError, match="unknown setting 'bogus'"),
        running_sandbox(settings={"bogus": 1}),
    ):
        pass
