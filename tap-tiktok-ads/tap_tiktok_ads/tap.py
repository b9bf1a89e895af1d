"""TapTikTokAds: TikTok Marketing API v1.3 streams (raw, in TikTok's vocabulary) plus the unified streams."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from singer_sdk import Stream

from ads_kit.resilience.jobs import JobSettings
from ads_kit.tap.base import AdsTap
from ads_kit.tap.reports.reader import SYNC_MAX_DAYS, ReportReader
from tap_tiktok_ads import settings
from tap_tiktok_ads.accounts import TikTokAdvertisers
from tap_tiktok_ads.adapter import TikTokUnifiedAdapter
from tap_tiktok_ads.client import DEFAULT_TIMEOUT_S, TikTokClient
from tap_tiktok_ads.entities import EntityReader
from tap_tiktok_ads.errors import QPM_LOCKOUT_S
from tap_tiktok_ads.report_tasks import TikTokReports
from tap_tiktok_ads.reports import PROFILE, ReportSpec, builtin_reports, custom_report
from tap_tiktok_ads.streams.audiences import CustomAudiencesStream, PixelEventsStream, PixelsStream
from tap_tiktok_ads.streams.objects import AdGroupsStream, AdsStream, AdvertisersStream, CampaignsStream
from tap_tiktok_ads.streams.reports import ReportStream

ENTITY_STREAMS = (
    CampaignsStream,
    AdGroupsStream,
    AdsStream,
    CustomAudiencesStream,
    PixelsStream,
    PixelEventsStream,
)
SECRET_SETTINGS = ("access_token", "secret")
# Tasks of a small range finish in seconds; TikTok keeps them 30 days, so a restart polls them again.
JOB_SETTINGS = JobSettings(poll_initial_s=0.25, poll_max_s=30.0, max_split_depth=5)


class TapTikTokAds(AdsTap):
    """TikTok Ads: advertisers, campaigns, ad groups, ads, audiences, pixels, BASIC and AUDIENCE
    reports and unified_* streams."""

    name = "tap-tiktok-ads"
    package_name = "tap-tiktok-ads"
    config_jsonschema = settings.CONFIG_SCHEMA
    profile = PROFILE
    secret_settings = SECRET_SETTINGS
    app_setting = "app_id"
    credential_setting = "access_token"

    def check_platform_settings(self) -> None:
        settings.check(self.config)

    def check_credentials(self) -> None:
        super().check_credentials()
        self.accounts  # noqa: B018 - no advertiser listed and no app to list them is refused here

    def build_accounts(self) -> TikTokAdvertisers:
        return TikTokAdvertisers(
            self.client,
            self.config.get("advertiser_ids"),
            self.config.get("app_id"),
            self.config.get("secret"),
        )

    @cached_property
    def accounts(self) -> TikTokAdvertisers:  # the base's, typed with the TikTok source (its raw nodes)
        return self.build_accounts()

    def build_adapter(self) -> TikTokUnifiedAdapter:
        return TikTokUnifiedAdapter(self.entities, self.reports)

    @cached_property
    def entities(self) -> EntityReader:
        return EntityReader(
            self.client, self.run.slice_cache, ENTITY_STREAMS, include_deleted=self.include_deleted
        )

    @property
    def include_deleted(self) -> bool:
        return bool(self.config.get("include_deleted", False))

    @cached_property
    def client(self) -> TikTokClient:
        return TikTokClient(
            **self.transport_wiring(
                client_id=self.config.get("app_id"), client_secret=self.config.get("secret")
            ),
            base_url=self.config["api_base_url"],
            timeout=float(self.config.get("request_timeout", DEFAULT_TIMEOUT_S)),
            qpm_lockout_s=float(self.config.get("qpm_lockout_seconds") or QPM_LOCKOUT_S),
        )

    def build_report_platform(self) -> TikTokReports:
        mode = self.config.get("report_mode", "auto")
        return TikTokReports(self.client, include_deleted=self.include_deleted, use_tasks=mode != "sync")

    @cached_property
    def reports(self) -> ReportReader:
        """The base's reader; ``report_mode: async`` sends even a lone short window as a task."""
        sync_max_days = 0 if self.config.get("report_mode") == "async" else SYNC_MAX_DAYS
        return ReportReader(
            self.run,
            self.build_report_platform(),
            jobs=self.job_settings(),
            sync_max_days=sync_max_days,
            sleep=lambda s: self.sleep(s),
        )

    def job_settings(self) -> JobSettings:
        return replace(JOB_SETTINGS, max_in_flight=self.rate_settings.concurrent_requests)

    # -- streams ----------------------------------------------------------------------------------

    def report_specs(self) -> list[ReportSpec]:
        report_type = self.config.get("report_type", "all")
        specs = [] if report_type == "custom" else builtin_reports()
        if report_type in ("basic", "audience"):
            specs = [spec for spec in specs if spec.report_type == report_type.upper()]
        return specs + [custom_report(e, i) for i, e in enumerate(self.config.get("custom_reports") or [])]

    def platform_streams(self) -> list[Stream]:
        streams: list[Stream] = [
            stream_class(tap=self) for stream_class in (AdvertisersStream, *ENTITY_STREAMS)
        ]
        return streams + [ReportStream(self, spec) for spec in self.report_specs()]
