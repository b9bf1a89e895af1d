"""Meta's account source: the configured ad accounts (``act_`` or not) or those ``/me/adaccounts``
lists, and each ``act_<id>`` node (currency, zone, name, status), read once per run."""

from __future__ import annotations

from typing import Any

from ads_kit.tap.sources import AccountDirectory
from ads_kit.unified.adapter import AccountInfo
from tap_meta_ads.client import MetaClient
from tap_meta_ads.formats import to_utc

ACCOUNT_FIELDS = (
    "id", "account_id", "name", "currency", "timezone_name", "timezone_offset_hours_utc", "account_status",
    "disable_reason", "amount_spent", "balance", "spend_cap", "created_time", "business",
)  # fmt: skip


class MetaAccounts(AccountDirectory):
    setting = "ad_accounts"

    def __init__(self, client: MetaClient, configured: list[str] | None) -> None:
        self._client = client
        super().__init__(configured)

    def bare_id(self, value: str) -> str:
        """``act_123`` and ``123`` both name account ``123``."""
        return str(value).strip().removeprefix("act_")

    def discover(self) -> list[str]:
        """Every account the token reaches, through ``/me/adaccounts``."""
        pages = self._client.pages("me/adaccounts", {"fields": "account_id"})
        return [row["account_id"] for page in pages for row in page]

    def read(self, account_id: str) -> dict[str, Any]:
        node = self._client.get(f"act_{account_id}", {"fields": ",".join(ACCOUNT_FIELDS)}, account=account_id)
        missing = [f for f in ("currency", "timezone_name") if not node.get(f)]
        if missing:
            raise ValueError(f"account {account_id}: Meta returned no {', '.join(missing)}")
        return node

    def to_info(self, account_id: str, node: dict[str, Any]) -> AccountInfo:
        status = node.get("account_status")
        return AccountInfo(
            account_id=account_id,
            account_name=node.get("name"),
            currency=node["currency"],
            timezone=node["timezone_name"],
            # Meta's numeric account_status (1 active, 2 disabled, 101 closed ...) as the unified raw value.
            status_raw=str(status) if status is not None else None,
            created_at=to_utc(node.get("created_time"), f"account {account_id} created_time"),
        )
