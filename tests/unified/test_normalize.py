"""Normalized vocabularies: per-platform tables, raw kept, unknown values reported not dropped."""

import pytest

from ads_kit.unified.normalize import (
    _TABLES,
    AGES,
    AUDIENCE_TYPES,
    DEVICES,
    GENDERS,
    OBJECTIVES,
    PLACEMENTS,
    STATUSES,
    normalize,
)

VOCABULARY = {
    "status": STATUSES,
    "objective": OBJECTIVES,
    "age": AGES,
    "gender": GENDERS,
    "device": DEVICES,
    "placement": PLACEMENTS,
    "audience_type": AUDIENCE_TYPES,
}


@pytest.mark.parametrize(
    ("platform", "field", "raw", "expected"),
    [
        ("meta_ads", "status", "ACTIVE", "active"),
        ("meta_ads", "status", "CAMPAIGN_PAUSED", "paused"),
        ("meta_ads", "status", "DELETED", "removed"),
        ("meta_ads", "status", "ARCHIVED", "archived"),
        ("meta_ads", "status", 1, "active"),  # account_status arrives as a number
        ("google_ads", "status", "ENABLED", "active"),
        ("google_ads", "status", "REMOVED", "removed"),
        ("google_ads", "status", "UNKNOWN", "unknown"),
        ("tiktok_ads", "status", "ENABLE", "active"),
        ("tiktok_ads", "status", "DISABLE", "paused"),
        ("tiktok_ads", "status", "AD_STATUS_CAMPAIGN_DISABLE", "paused"),
        ("tiktok_ads", "status", "ADGROUP_STATUS_CAMPAIGN_DELETE", "removed"),
        ("tiktok_ads", "status", "CAMPAIGN_STATUS_ENABLE", "active"),
        ("tiktok_ads", "status", "AD_STATUS_AUDIT", "draft"),
        ("tiktok_ads", "status", "VALID", "active"),
        ("tiktok_ads", "status", "INVALID", "paused"),
        ("meta_ads", "objective", "OUTCOME_SALES", "sales"),
        ("meta_ads", "objective", "LINK_CLICKS", "traffic"),
        ("google_ads", "objective", "PERFORMANCE_MAX", "sales"),
        ("tiktok_ads", "objective", "VIDEO_VIEWS", "video_views"),
        ("meta_ads", "age", "65+", "65+"),
        ("meta_ads", "age", "Unknown", "unknown"),
        ("google_ads", "age", "AGE_RANGE_18_24", "18-24"),
        ("google_ads", "age", "AGE_RANGE_65_UP", "65+"),
        ("tiktok_ads", "age", "AGE_18_24", "18-24"),
        ("tiktok_ads", "age", "AGE_55_100", "55+"),
        ("meta_ads", "gender", "female", "female"),
        ("google_ads", "gender", "UNDETERMINED", "unknown"),
        ("tiktok_ads", "gender", "MALE", "male"),
        ("tiktok_ads", "gender", "NONE", "unknown"),
        ("meta_ads", "device", "mobile_app", "mobile"),
        ("meta_ads", "device", "android_tablet", "tablet"),
        ("google_ads", "device", "CONNECTED_TV", "connected_tv"),
        ("google_ads", "device", "UNSPECIFIED", "other"),
        ("tiktok_ads", "device", "IOS", "mobile"),
        ("meta_ads", "placement", "instagram_reels", "video"),
        ("meta_ads", "placement", "story", "stories"),
        ("google_ads", "placement", "SEARCH_PARTNERS", "search"),
        ("tiktok_ads", "placement", "PLACEMENT_PANGLE", "audience_network"),
        ("meta_ads", "country", "US", "US"),
        ("google_ads", "country", "DEU", "DE"),
        ("tiktok_ads", "country", "France", "FR"),
        ("meta_ads", "hour", "13:00:00 - 13:59:59", "13"),
        ("tiktok_ads", "hour", "2024-03-12 07:00:00", "7"),
        ("google_ads", "hour", 0, "0"),
        ("meta_ads", "audience_type", "LOOKALIKE", "lookalike"),
        ("tiktok_ads", "audience_type", "Customer File Audience", "customer_list"),
    ],
)
def test_known_values(platform, field, raw, expected):
    result = normalize(platform, field, raw)
    assert (result.value, result.raw, result.known) == (expected, str(raw), True)


@pytest.mark.parametrize(
    ("platform", "field", "raw", "fallback"),
    [
        ("tiktok_ads", "status", "ADVERTISER_ACCOUNT_PUNISH", "unknown"),  # seen live, not documented
        ("meta_ads", "objective", "OUTCOME_SOMETHING_NEW", "other"),
        ("google_ads", "device", "HOLOGRAM", "other"),
        ("meta_ads", "country", "Atlantis", "unknown"),
        ("meta_ads", "hour", "25:00:00 - 25:59:59", "unknown"),
        ("tiktok_ads", "age", "AGE_100_200", "unknown"),
    ],
)
def test_unknown_values_fall_back_and_keep_the_raw_value(platform, field, raw, fallback):
    result = normalize(platform, field, raw)
    assert (result.value, result.raw, result.known) == (fallback, raw, False)


def test_missing_value_is_the_fallback_and_not_a_finding():
    assert normalize("meta_ads", "gender", None) == normalize("meta_ads", "gender", "")
    assert normalize("meta_ads", "gender", None).known is True


def test_every_table_maps_into_its_vocabulary_for_every_platform():
    for field, tables in _TABLES.items():
        assert set(tables) == {"meta_ads", "google_ads", "tiktok_ads"}, field
        for table in tables.values():
            assert set(table.values()) <= set(VOCABULARY[field]), field


def test_unknown_field_or_platform_is_refused():
    with pytest.raises(ValueError, match="'colour'"):
        normalize("meta_ads", "colour", "red")
    with pytest.raises(ValueError, match="'myspace'"):
        normalize("myspace", "status", "ACTIVE")
