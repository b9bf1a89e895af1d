"""Forget what the shared limiter keeps in Redis for an app: sandbox apps are the same on every run,
so a test that shares them deletes their windows, queue, slots and pauses before and after."""

from __future__ import annotations

import redis

from ads_kit.resilience import RateLimiter


def forget_app(redis_url: str, platform: str, app: str) -> None:
    store = redis.Redis.from_url(redis_url)
    digest = RateLimiter.from_config(platform, app, {}).app_key
    keys = list(store.scan_iter(match=f"*{digest}*", count=1000))
    if keys:
        store.delete(*keys)
