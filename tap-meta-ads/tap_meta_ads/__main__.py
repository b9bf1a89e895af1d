"""``python -m tap_meta_ads``: the same entry point as the ``tap-meta-ads`` command."""

from tap_meta_ads.tap import TapMetaAds

TapMetaAds.cli()
