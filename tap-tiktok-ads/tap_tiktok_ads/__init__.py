"""tap_tiktok_ads."""
