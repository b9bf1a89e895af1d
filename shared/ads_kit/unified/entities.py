"""Unified entity streams (full table): the adapter's rows plus platform, account, normalized
vocabularies, budgets rounded once and UTC timestamps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, ClassVar

from ads_kit import clock
from ads_kit.money import quantize_output, to_decimal
from ads_kit.unified.adapter import AccountInfo
from ads_kit.unified.output import UnifiedAccountStream, utc_iso

_TIMESTAMPS = ("created_at", "updated_at")
_DATES = ("start_date", "end_date")


class EntityStream(UnifiedAccountStream):
    normalized_fields: ClassVar[tuple[str, ...]] = ("status",)

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        raise NotImplementedError

    def records_of(self, account: AccountInfo, context: Mapping[str, Any]) -> Iterator[dict]:
        for source in self.entities(account):
            yield self.finish(dict(source), account)

    def finish(self, row: dict, account: AccountInfo) -> dict:
        row["platform"] = self.platform
        row["account_id"] = account.account_id
        row["currency"] = row.get("currency") or account.currency
        for field in self.normalized_fields:
            row[field], row[f"{field}_raw"] = self.mapped(field, row.get(f"{field}_raw"), account)
        if "budget" in row:
            row["budget"] = quantize_output(to_decimal(row["budget"], field="budget"), row["currency"])
        for name in _TIMESTAMPS:
            row[name] = utc_iso(row.get(name), f"{self.name}.{name}")
        for name in _DATES:
            if isinstance(row.get(name), date):
                row[name] = row[name].isoformat()
        row["extracted_at"] = clock.now().isoformat()
        return self.output(row, account.account_id)


class UnifiedAccountsStream(EntityStream):
    name = "unified_accounts"

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return [
            {
                "account_name": account.account_name,
                "currency": account.currency,
                "timezone": account.timezone,
                "status_raw": account.status_raw,
                "created_at": account.created_at,
            }
        ]


class UnifiedCampaignsStream(EntityStream):
    name = "unified_campaigns"
    normalized_fields = ("status", "objective")

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        """The listed campaigns, and by id those that delivered in this run but are not listed
        (deleted or archived ones when ``include_deleted`` is false): every campaign with performance
        has its status, objective, budget and schedule. unified_campaign_performance syncs first
        (the SDK syncs streams in name order) and notes its campaigns in ``run.campaign_totals``."""
        listed = list(self.adapter.campaigns(account))
        known = {str(row.get("campaign_id")) for row in listed}
        delivered = {key[1] for key in self.run.campaign_totals if key[0] == account.account_id}
        unlisted = sorted(delivered - known)
        return listed + list(self.adapter.campaigns_by_id(account, unlisted)) if unlisted else listed


class UnifiedAdGroupsStream(EntityStream):
    name = "unified_ad_groups"

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.adapter.ad_groups(account)


class UnifiedAdsStream(EntityStream):
    name = "unified_ads"

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.adapter.ads(account)


class UnifiedAudiencesStream(EntityStream):
    name = "unified_audiences"
    normalized_fields = ("status", "audience_type")

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.adapter.audiences(account)
