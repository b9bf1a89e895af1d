"""tap_google_ads_unified."""
