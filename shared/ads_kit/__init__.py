"""ads_kit."""
