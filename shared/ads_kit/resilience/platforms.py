"""Platform names: the unified ones (`meta_ads`, `google_ads`, `tiktok_ads`, as in every record) and
the short ones the sandbox and connection files use (`meta`, `tiktok`)."""

from __future__ import annotations

_SHORT_NAMES = {"meta": "meta_ads", "tiktok": "tiktok_ads"}


def canonical_platform(name: str) -> str:
    """The unified name for `name`; unknown names come back unchanged for the caller to reject."""
    return _SHORT_NAMES.get(name, name)


def short_platform(name: str) -> str:
    """The name `ads-auth` and the sandbox use for `name` (`meta_ads` -> `meta`)."""
    canonical = canonical_platform(name)
    return next((short for short, full in _SHORT_NAMES.items() if full == canonical), canonical)
