"""tap_meta_ads."""
