"""``python -m tap_google_ads_unified``: the same entry point as the ``tap-google-ads-unified`` command."""

from tap_google_ads_unified.tap import TapGoogleAdsUnified

TapGoogleAdsUnified.cli()
