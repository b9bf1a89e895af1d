"""TapMetaAds: Meta Marketing API streams (raw, in Meta's vocabulary) plus the unified streams."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from singer_sdk import Stream

from ads_kit.resilience.errors import ConfigError
from ads_kit.resilience.jobs import JobSettings
from ads_kit.tap.base import AdsTap
from tap_meta_ads import settings
from tap_meta_ads.accounts import MetaAccounts
from tap_meta_ads.adapter import MetaUnifiedAdapter
from tap_meta_ads.client import DEFAULT_TIMEOUT_S, MetaClient
from tap_meta_ads.entities import EdgeReader
from tap_meta_ads.errors import rejected_field
from tap_meta_ads.report_jobs import MetaReports
from tap_meta_ads.reports import (
    DEFAULT_METRICS,
    INSIGHTS_STREAM,
    PROFILE,
    ReportSpec,
    builtin_reports,
    custom_report,
)
from tap_meta_ads.streams.audiences import CustomAudiencesStream, CustomConversionsStream
from tap_meta_ads.streams.insights import InsightsStream
from tap_meta_ads.streams.objects import (
    AdAccountsStream,
    AdCreativesStream,
    AdSetsStream,
    AdsStream,
    CampaignsStream,
)

EDGE_STREAMS = (
    CampaignsStream, AdSetsStream, AdsStream, AdCreativesStream, CustomAudiencesStream,
    CustomConversionsStream,
)  # fmt: skip
# A 14-day window reaches single days in 4 levels; a 5th splits by campaigns (or metrics).
JOB_SETTINGS = JobSettings(poll_initial_s=0.25, poll_max_s=30.0, max_split_depth=5)


class TapMetaAds(AdsTap):
    """Meta Ads: accounts, campaigns, ad sets, ads, audiences, Insights and unified_* streams."""

    name = "tap-meta-ads"
    package_name = "tap-meta-ads"
    config_jsonschema = settings.CONFIG_SCHEMA
    profile = PROFILE
    secret_settings = ("access_token", "app_secret")
    app_setting = "app_id"
    credential_setting = "access_token"
    token_url_setting = "api_base_url"  # the token URL is on the API host

    def check_platform_settings(self) -> None:
        settings.check(self.config)

    def rejected_field(self, error: ConfigError) -> str | None:
        return rejected_field(str(error))

    def build_accounts(self) -> MetaAccounts:
        return MetaAccounts(self.client, self.config.get("ad_accounts"))

    def build_adapter(self) -> MetaUnifiedAdapter:
        return MetaUnifiedAdapter(
            self.edges,
            self.reports,
            metrics=self.insights_metrics,
            conversion_events=frozenset(
                self.config.get("conversion_events") or settings.DEFAULT_CONVERSION_EVENTS
            ),
            attribution_windows=self.attribution_windows,
        )

    @cached_property
    def edges(self) -> EdgeReader:
        return EdgeReader(
            self.client,
            self.accounts,
            self.run.slice_cache,
            self.schema_drift,
            EDGE_STREAMS,
            include_deleted=bool(self.config.get("include_deleted", False)),
        )

    @cached_property
    def client(self) -> MetaClient:
        base_url = self.config["api_base_url"].rstrip("/")
        return MetaClient(
            **self.transport_wiring(
                client_id=self.config.get("app_id"),
                client_secret=self.config.get("app_secret"),
                token_url=f"{base_url}/{self.versions.version}/oauth/access_token",
            ),
            base_url=base_url,
            app_secret=self.config.get("app_secret"),
            timeout=float(self.config.get("request_timeout") or DEFAULT_TIMEOUT_S),
        )

    def build_report_platform(self) -> MetaReports:
        return MetaReports(self.client, self.attribution_windows, self.schema_drift)

    def job_settings(self) -> JobSettings:
        return replace(JOB_SETTINGS, max_in_flight=self.rate_settings.concurrent_requests)

    @property
    def attribution_windows(self) -> list[str]:
        return list(self.config.get("action_attribution_windows") or settings.DEFAULT_ATTRIBUTION_WINDOWS)

    @property
    def insights_metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*DEFAULT_METRICS, *(self.config.get("metrics") or ()))))

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
        return specs + [custom_report(entry) for entry in self.config.get("custom_reports") or []]

    def platform_streams(self) -> list[Stream]:
        streams: list[Stream] = [stream_class(tap=self) for stream_class in (AdAccountsStream, *EDGE_STREAMS)]
        return streams + [InsightsStream(self, spec) for spec in self.report_specs()]
