"""``python -m tap_tiktok_ads``: the same entry point as the ``tap-tiktok-ads`` command."""

from tap_tiktok_ads.tap import TapTikTokAds

TapTikTokAds.cli()
