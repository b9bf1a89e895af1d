"""Google Ads API emulator for the sandbox (loaded as `ads_kit.sandbox.google_ads:GoogleAdsEmulator`)."""

from ads_kit.sandbox.google_ads.emulator import GoogleAdsEmulator

__all__ = ["GoogleAdsEmulator"]
