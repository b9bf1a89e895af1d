"""API versions: calendar, sunset warnings, served-version detection, field renames, dropping
rejected fields and falling back to the previous version."""

from __future__ import annotations

from datetime import UTC, date, datetime

import jsonschema
import pytest

from ads_kit.resilience import ConfigError, FieldDropper, VersionPolicy, map_fields, resolve, versions
from ads_kit.resilience.versions import ApiVersion
from ads_kit.unified.schemas import UNIFIED_DATA_QUALITY

TODAY = date(2026, 11, 26)


def test_default_is_the_pinned_version():
    assert resolve("meta_ads", None, TODAY) == ("v26.0", [])
    assert resolve("google_ads", None, TODAY) == ("v26", [])
    assert resolve("tiktok_ads", None, TODAY) == ("v1.3", [])


def test_expired_version_is_replaced_by_the_nearest_live_one(monkeypatch):
    # The calendar this test states, not the shipped one: it holds whatever later releases add.
    calendar = (
        ApiVersion("v24.0", date(2025, 10, 8), date(2026, 11, 10)),
        ApiVersion("v25.0", date(2026, 2, 18), date(2027, 2, 23)),
        ApiVersion("v26.0", date(2026, 7, 29), None),
        ApiVersion("v27.0", date(2026, 11, 4), None),
        ApiVersion("v28.0", date(2027, 1, 20), None),  # in the calendar, not released on TODAY
    )
    monkeypatch.setitem(versions.CALENDARS, "meta_ads", calendar)
    version, warnings = resolve("meta_ads", "v24.0", TODAY)
    assert version == "v25.0"
    assert warnings == ["api_version v24.0 of meta_ads expired on 2026-11-10; using v25.0 instead"]
    assert resolve("meta_ads", "v24.0", date(2027, 2, 23))[0] == "v26.0"  # once v25.0 has gone too


def test_sunset_is_announced_ahead():
    version, warnings = resolve("meta_ads", "v25.0", TODAY, warn_days=90)  # sunsets 2027-02-23
    assert version == "v25.0"
    assert warnings == ["api_version v25.0 of meta_ads sunsets on 2027-02-23 (in 89 days); move to v27.0"]
    assert resolve("meta_ads", "v25.0", TODAY, warn_days=30) == ("v25.0", [])


def test_a_version_newer_than_the_calendar_is_used_with_a_warning():
    version, warnings = resolve("meta_ads", "v28.0", TODAY)
    assert version == "v28.0" and "newer than the version calendar" in warnings[0]


@pytest.mark.parametrize(
    ("platform", "requested", "oldest", "nearest"),
    [("meta_ads", "v19.0", "v22.0", "v25.0"), ("google_ads", "v14", "v22", "v23")],
)
def test_a_major_version_older_than_the_calendar_is_expired(platform, requested, oldest, nearest):
    assert resolve(platform, requested, TODAY) == (
        nearest,
        [f"api_version {requested} of {platform} expired (older than {oldest}); using {nearest} instead"],
    )


@pytest.mark.parametrize("requested", ["26", "v26.x", "v19.5"])
def test_unknown_versions_are_config_errors(requested):
    with pytest.raises(ConfigError) as caught:
        resolve("meta_ads", requested, TODAY)
    assert str(caught.value).startswith("api_version: ")


def test_served_version_differing_from_the_requested_one_is_warned_once(caplog):
    policy = VersionPolicy("meta_ads", "v25.0", TODAY)
    assert policy.check_served({"Facebook-API-Version": "v25.0"}) is None
    warning = policy.check_served({"facebook-api-version": "v26.0"})
    assert warning == "meta_ads served API v26.0 for calls to v25.0 (auto-upgrade)"
    assert policy.check_served({"facebook-api-version": "v26.0"}) is None
    assert VersionPolicy("tiktok_ads", None, TODAY).check_served({"x": "y"}) is None


def test_google_v23_renames_campaign_dates_and_older_versions_undo_it():
    fields = ["campaign.id", "campaign.start_date", "campaign.end_date", "metrics.video_views"]
    assert map_fields("google_ads", "v23", fields) == [
        "campaign.id",
        "campaign.start_date_time",
        "campaign.end_date_time",
        "metrics.video_trueview_views",
    ]
    assert map_fields("google_ads", "v22", ["campaign.start_date_time"]) == ["campaign.start_date"]
    assert map_fields("meta_ads", "v26.0", ["spend"]) == ["spend"]


def test_a_rejected_field_is_dropped_with_a_schema_drift_finding(caplog):
    dropper = FieldDropper("meta_ads", "unified_ad_performance", "v26.0", account="1")
    remaining, finding = dropper.drop(
        ["spend", "impressions", "video_p25_watched_actions"],
        "video_p25_watched_actions",
        "(#100) video_p25_watched_actions is not valid for fields param",
    )
    assert remaining == ["spend", "impressions"] and dropper.dropped == ["video_p25_watched_actions"]
    record = finding.to_record(detected_at=datetime(2026, 11, 26, tzinfo=UTC))
    jsonschema.validate(record, UNIFIED_DATA_QUALITY.to_dict())
    assert record["check"] == "schema_drift" and record["platform"] == "meta_ads"
    assert any("schema drift" in r.getMessage() for r in caplog.records)


def test_a_field_that_was_not_requested_cannot_be_dropped():
    dropper = FieldDropper("google_ads", "unified_campaigns", "v26")
    with pytest.raises(ConfigError, match=r"^unified_campaigns\.fields: "):
        dropper.drop(["campaign.id"], "campaign.start_date", "UNRECOGNIZED_FIELD")
    with pytest.raises(ConfigError, match="the only field requested"):
        dropper.drop(["campaign.id"], "campaign.id", "UNRECOGNIZED_FIELD")


class VersionError(Exception):
    pass


def test_failing_new_version_falls_back_to_the_previous_live_one(caplog):
    policy = VersionPolicy("meta_ads", "v27.0", TODAY)
    called = []

    def request(version: str) -> str:
        called.append(version)
        if version == "v27.0":
            raise VersionError("(#2635) You are calling a deprecated version of the Ads API.")
        return f"data from {version}"

    assert policy.call(request, lambda exc: isinstance(exc, VersionError)) == "data from v26.0"
    assert called == ["v27.0", "v26.0"] and policy.version == "v26.0"
    assert any("falling back to v26.0" in r.getMessage() for r in caplog.records)


def test_other_errors_do_not_trigger_a_fallback():
    policy = VersionPolicy("meta_ads", "v27.0", TODAY)
    with pytest.raises(KeyError):
        policy.call(lambda version: {}["missing"], lambda exc: isinstance(exc, VersionError))
    assert policy.version == "v27.0"


def test_no_older_live_version_is_a_config_error():
    policy = VersionPolicy("tiktok_ads", None, TODAY)
    with pytest.raises(
        ConfigError, match=r"^api_version: tiktok_ads v1\.3 failed and no older version is live"
    ):
        policy.fall_back("40051 Invalid API version")
