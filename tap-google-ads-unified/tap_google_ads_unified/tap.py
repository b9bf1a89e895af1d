"""TapGoogleAdsUnified: Google Ads API streams (raw, in Google's vocabulary) plus the unified streams."""

from __future__ import annotations

from functools import cached_property

from singer_sdk import Stream

from ads_kit.resilience.errors import ConfigError
from ads_kit.tap.base import AdsTap
from ads_kit.tap.reports.reader import ReportPlatform
from tap_google_ads_unified import settings
from tap_google_ads_unified.accounts import GoogleCustomers
from tap_google_ads_unified.adapter import GoogleUnifiedAdapter
from tap_google_ads_unified.client import DEFAULT_TIMEOUT_S, GoogleAdsTransport
from tap_google_ads_unified.custom import check_against_metadata, custom_query
from tap_google_ads_unified.queries import ENTITIES, PROFILE, REPORT_TYPES, REPORTS, Query
from tap_google_ads_unified.sources import GoogleSource
from tap_google_ads_unified.streams import CustomerClientsStream, CustomersStream, EntityStream, ReportStream


class TapGoogleAdsUnified(AdsTap):
    """Google Ads: customers (with the manager hierarchy), campaigns, budgets, ad groups, ads, user
    lists, conversion actions, GAQL reports by day, breakdown and hour, custom GAQL reports and
    unified_* streams."""

    name = "tap-google-ads-unified"
    package_name = "tap-google-ads-unified"
    config_jsonschema = settings.CONFIG_SCHEMA
    profile = PROFILE
    secret_settings = settings.SECRET_SETTINGS
    credential_setting = "refresh_token"
    app_setting = "developer_token"  # Google's quota belongs to the developer token, not the OAuth client

    def check_platform_settings(self) -> None:
        settings.check(self.config)

    def check_credentials(self) -> None:
        """The developer token and the OAuth credentials; then, since they can call Google, custom
        reports against Google's field metadata: a bad query stops the run before any stream syncs
        (discovery needs no credentials and checks the queries only locally)."""
        if not self.config.get("developer_token"):
            raise ConfigError("developer_token", "required: the Google Ads API developer token")
        super().check_credentials()
        for index, query in enumerate(self.custom_queries()):
            check_against_metadata(query, index, self.client.field_metadata, self.spelled)

    @cached_property
    def accounts(self) -> GoogleCustomers:  # the base's, typed with the Google source (its nodes, logins)
        return self.build_accounts()

    def build_accounts(self) -> GoogleCustomers:
        return GoogleCustomers(
            self.client, settings.configured_customers(self.config), self.config.get("login_customer_id")
        )

    @cached_property
    def client(self) -> GoogleAdsTransport:
        token_url = self.config.get("token_url") or None
        return GoogleAdsTransport(
            **self.transport_wiring(**({"token_url": token_url} if token_url else {})),
            developer_token=self.config["developer_token"],
            endpoint=self.config.get("api_endpoint"),
            client_id=self.config.get("client_id"),
            client_secret=self.config.get("client_secret"),
            refresh_token=self.config.get("refresh_token"),
            **({"token_url": token_url} if token_url else {}),
            timeout=float(self.config.get("request_timeout", DEFAULT_TIMEOUT_S)),
        )

    @cached_property
    def source(self) -> GoogleSource:
        return GoogleSource(
            self.client,
            self.accounts,
            self.run.slice_cache,
            include_deleted=bool(self.config.get("include_deleted")),
        )

    def build_adapter(self) -> GoogleUnifiedAdapter:
        return GoogleUnifiedAdapter(self.source, self.reports, self.config.get("conversion_actions") or ())

    def build_report_platform(self) -> ReportPlatform:
        return self.source

    def spelled(self, names: list[str]) -> list[str]:
        """Field names as the API version in use spells them (the shared field map)."""
        return list(self.versions.fields(names))

    # -- streams ----------------------------------------------------------------------------------

    def custom_queries(self) -> list[Query]:
        return [custom_query(entry, i) for i, entry in enumerate(self.config.get("custom_reports") or [])]

    def platform_streams(self) -> list[Stream]:
        streams: list[Stream] = [CustomersStream(tap=self), CustomerClientsStream(tap=self)]
        streams += [EntityStream(self, query) for query in ENTITIES.values()]
        reports = [REPORTS[name] for name in REPORT_TYPES[self.config.get("report_type", "all")]]
        for query in [*reports, *self.custom_queries()]:
            streams.append(ReportStream(self, query) if query.daily else EntityStream(self, query))
        return streams
