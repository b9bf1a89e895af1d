"""TikTok's advertiser source: the configured advertisers, or every advertiser the token reaches
(``oauth2/advertiser/get/``, which needs the app's ``app_id`` and ``secret``), and each advertiser's
``advertiser/info/`` record (currency, zone, name, status), read once per run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ads_kit.resilience.errors import ConfigError
from ads_kit.tap.sources import AccountDirectory
from ads_kit.unified.adapter import AccountInfo
from tap_tiktok_ads.client import TikTokClient

ADVERTISER_FIELDS = (
    "advertiser_id", "name", "company", "currency", "country", "timezone", "display_timezone", "status",
    "role",    "advertiser_account_type", "balance", "create_time", "industry", "language",
)  # fmt: skip


class TikTokAdvertisers(AccountDirectory):
    setting = "advertiser_ids"

    def __init__(
        self, client: TikTokClient, configured: list[str] | None, app_id: str | None, secret: str | None
    ) -> None:
        super().__init__(configured)
        if not (self._configured or (app_id and secret)):
            raise ConfigError(
                self.setting,
                "list the advertisers, or set app_id and secret to read every one the token reaches",
            )
        self._client = client
        self._app = {"app_id": app_id, "secret": secret}

    def discover(self) -> list[str]:
        data = self._client.data("GET", "oauth2/advertiser/get", dict(self._app))
        return [str(row["advertiser_id"]) for row in data.get("list") or []]

    def read(self, account_id: str) -> dict[str, Any]:
        params = {"advertiser_ids": [account_id], "fields": list(ADVERTISER_FIELDS)}
        rows = self._client.data("GET", "advertiser/info", params, account=account_id).get("list") or []
        node = next((row for row in rows if str(row.get("advertiser_id")) == account_id), None)
        if (
            node is None
            or not node.get("currency")
            or not (node.get("display_timezone") or node.get("timezone"))
        ):
            raise ValueError(f"advertiser {account_id}: TikTok returned no currency or time zone")
        return dict(node)

    def to_info(self, account_id: str, node: dict[str, Any]) -> AccountInfo:
        created = node.get("create_time")
        return AccountInfo(
            account_id=account_id,
            account_name=node.get("name"),
            currency=str(node["currency"]),
            # §2.2: display_timezone is the IANA region name; timezone may be an inverted Etc/GMT±N.
            timezone=str(node.get("display_timezone") or node["timezone"]),
            status_raw=node.get("status"),
            created_at=datetime.fromtimestamp(int(created), UTC) if created else None,
        )
