"""TapMetaAds: Meta Marketing API streams (raw, in Meta's vocabulary) plus the unified streams."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError

from ads_kit import clock
from ads_kit.auth.errors import AuthError
from ads_kit.auth.provider import TokenProvider
from ads_kit.redaction import install_redaction
from ads_kit.resilience.deadletters import DeadLetterBox
from ads_kit.resilience.errors import ConfigError, ResilienceError, one_line
from ads_kit.resilience.ratelimit import RateLimiter, RateLimitSettings
from ads_kit.resilience.retry import RetryPolicy
from ads_kit.resilience.versions import FieldDropper, VersionPolicy
from ads_kit.unified.ranges import check_date_settings
from ads_kit.unified.run import unified_run
from ads_kit.unified.slices import SliceCache
from ads_kit.unified.streams import UnifiedDeadLettersStream, unified_streams
from tap_meta_ads import settings
from tap_meta_ads.accounts import AccountDirectory
from tap_meta_ads.adapter import MetaUnifiedAdapter
from tap_meta_ads.client import DEFAULT_TIMEOUT_S, MetaClient
from tap_meta_ads.errors import rejected_field
from tap_meta_ads.fetch import ReportFetcher
from tap_meta_ads.reports import DEFAULT_METRICS, INSIGHTS_STREAM, ReportSpec, builtin_reports, custom_report
from tap_meta_ads.streams.audiences import CustomAudiencesStream
from tap_meta_ads.streams.conversions import CustomConversionsStream
from tap_meta_ads.streams.edges import AccountEdgeStream
from tap_meta_ads.streams.insights import InsightsStream
from tap_meta_ads.streams.objects import (
    AdAccountsStream,
    AdCreativesStream,
    AdSetsStream,
    AdsStream,
    CampaignsStream,
)

OBJECT_STREAMS = (
    AdAccountsStream,
    CampaignsStream,
    AdSetsStream,
    AdsStream,
    AdCreativesStream,
    CustomAudiencesStream,
    CustomConversionsStream,
)
SECRET_SETTINGS = ("access_token", "app_secret")


class TapMetaAds(Tap):
    name = "tap-meta-ads"
    package_name = "tap-meta-ads"
    config_jsonschema = settings.CONFIG_SCHEMA
    message_writer_class = MsgSpecWriter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sleep = time.sleep
        super().__init__(*args, **kwargs)

    def _prepare_settings(self) -> None:
        """Register secrets for redaction and check what JSON Schema cannot, before any stream syncs."""
        redis_url = (self.config.get("rate_limiting") or {}).get("redis_url")
        install_redaction([*(self.config.get(key) for key in SECRET_SETTINGS), redis_url])
        try:
            settings.check(self.config)
            check_date_settings(self.config, MetaUnifiedAdapter.restatement_days)
        except (ValueError, ConfigError) as exc:
            raise ConfigValidationError(str(exc), errors=[str(exc)]) from None

    # -- run-wide collaborators -----------------------------------------------------------------

    @cached_property
    def rate_settings(self) -> RateLimitSettings:
        return RateLimitSettings.from_config("meta", self.config.get("rate_limiting"))

    @cached_property
    def client(self) -> MetaClient:
        base_url = self.config["api_base_url"].rstrip("/")
        credentials = {
            **self.config,
            "client_id": self.config.get("app_id"),
            "client_secret": self.config.get("app_secret"),
            "token_url": f"{base_url}/{self.versions.version}/oauth/access_token",
        }
        return MetaClient(
            tokens=TokenProvider.from_config("meta", credentials),
            versions=self.versions,
            base_url=self.config["api_base_url"],
            app_secret=self.config.get("app_secret"),
            timeout=float(self.config.get("request_timeout", DEFAULT_TIMEOUT_S)),
            policy=RetryPolicy.from_settings(self.rate_settings),
            limiter=RateLimiter("meta", self.config.get("app_id") or "default", self.rate_settings),
            sleep=lambda seconds: self.sleep(seconds),
        )

    @cached_property
    def versions(self) -> VersionPolicy:
        return VersionPolicy("meta_ads", self.config.get("api_version"), clock.now().date())

    @cached_property
    def accounts(self) -> AccountDirectory:
        return AccountDirectory(self.client, self.config.get("ad_accounts"))

    @property
    def slice_cache(self) -> SliceCache:
        return unified_run(self).slice_cache

    @cached_property
    def fetcher(self) -> ReportFetcher:
        return ReportFetcher(
            self.client,
            self.slice_cache,
            self.attribution_windows,
            max_in_flight=self.rate_settings.concurrent_requests,
            sleep=lambda seconds: self.sleep(seconds),
            drop_field=self.drop_field,
        )

    @cached_property
    def unified_adapter(self) -> MetaUnifiedAdapter:
        return MetaUnifiedAdapter(self)

    @property
    def dead_letters(self) -> DeadLetterBox:
        return unified_run(self).dead_letters

    @property
    def attribution_windows(self) -> list[str]:
        return list(self.config.get("action_attribution_windows") or settings.DEFAULT_ATTRIBUTION_WINDOWS)

    @property
    def conversion_events(self) -> frozenset[str]:
        return frozenset(self.config.get("conversion_events") or settings.DEFAULT_CONVERSION_EVENTS)

    @property
    def insights_metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*DEFAULT_METRICS, *(self.config.get("metrics") or ()))))

    @property
    def slice_days(self) -> int:
        return MetaUnifiedAdapter.slice_days

    def entity_rows(self, stream: str, account_id: str) -> Iterator[dict[str, Any]]:
        """Every object of an edge stream (a full read, shared with that raw stream)."""
        edge = self.streams[stream]
        assert isinstance(edge, AccountEdgeStream)
        return edge.rows(account_id, None)

    # -- schema drift -----------------------------------------------------------------------------

    def drop_field(self, stream: str, account_id: str, fields: list[str], error: ConfigError) -> None:
        """Drop the field Meta rejected (in place, for the rest of the run) and report the drift;
        any other config error stops the run."""
        field = rejected_field(str(error))
        if field is None:
            raise error
        dropper = FieldDropper("meta_ads", stream, self.versions.version, account_id)
        fields[:], finding = dropper.drop(fields, field, str(error))
        unified_run(self).collector.add(finding)

    # -- streams ----------------------------------------------------------------------------------

    def report_specs(self) -> list[ReportSpec]:
        report_type = self.config.get("report_type", "campaign_performance")
        wanted = {
            f"{INSIGHTS_STREAM}_{name}"
            for name in self.config.get("breakdowns") or settings.BREAKDOWN_REPORTS
        }
        if report_type == "campaign_performance":
            wanted.add(INSIGHTS_STREAM)
        specs = [] if report_type == "custom" else builtin_reports(self.insights_metrics)
        specs = [spec for spec in specs if spec.name in wanted]
        return specs + [custom_report(e, i) for i, e in enumerate(self.config.get("custom_reports") or [])]

    def discover_streams(self) -> list[Stream]:
        self._prepare_settings()
        streams: list[Stream] = [stream_class(tap=self) for stream_class in OBJECT_STREAMS]
        streams += [InsightsStream(self, spec) for spec in self.report_specs()]
        streams += unified_streams(self)
        streams.append(UnifiedDeadLettersStream(self))
        return streams

    def sync_all(self) -> None:
        """A known failure ends the run with one line naming the setting, account or stream."""
        try:
            super().sync_all()
        except (ResilienceError, AuthError, ValueError) as exc:
            self.logger.error("%s", one_line(exc))
            sys.exit(1)
        finally:
            unified_run(self).slice_cache.close()
