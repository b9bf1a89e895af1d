"""Platform names at the boundaries. Inside the taps and the shared core (`ads_kit.auth` and its token
store included) a platform has one key, `meta_ads`, `google_ads` or `tiktok_ads`, as every record says;
only the sandbox (its connection file, `ADS_SANDBOX_META_*`) and the report document use the short
names (the user's: `meta`, `google_ads`, `tiktok`). `ads-auth` accepts
the short names as aliases (`ads-auth login meta`) and reads token stores written with them. These two
functions translate at those boundaries, nowhere else."""

from __future__ import annotations

_SHORT_NAMES = {"meta": "meta_ads", "tiktok": "tiktok_ads"}


def canonical_platform(name: str) -> str:
    """The unified name for `name`; unknown names come back unchanged for the caller to reject."""
    return _SHORT_NAMES.get(name, name)


def short_platform(name: str) -> str:
    """The name the sandbox (and `ADS_META_CLIENT_ID` & co.) uses for `name` (`meta_ads` -> `meta`)."""
    canonical = canonical_platform(name)
    return next((short for short, full in _SHORT_NAMES.items() if full == canonical), canonical)
