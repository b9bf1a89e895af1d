"""The ad accounts a run reads, and the per-account facts every stream needs (currency, zone, name).

Each account node is read once per run and shared, so budgets, dates and unified rows of every
stream agree on the account's currency and time zone without extra calls.
"""

from __future__ import annotations

import threading
from typing import Any

from ads_kit.unified.adapter import AccountInfo
from tap_meta_ads.client import MetaClient
from tap_meta_ads.timeutil import to_utc

ACCOUNT_FIELDS = (
    "id",
    "account_id",
    "name",
    "currency",
    "timezone_name",
    "timezone_offset_hours_utc",
    "account_status",
    "disable_reason",
    "amount_spent",
    "balance",
    "spend_cap",
    "created_time",
    "business",
)


def bare_account_id(value: str) -> str:
    """``act_123`` and ``123`` both name account ``123``."""
    return str(value).strip().removeprefix("act_")


class AccountDirectory:
    def __init__(self, client: MetaClient, configured: list[str] | None) -> None:
        self._client = client
        self._configured = [bare_account_id(a) for a in configured or []]
        self._ids: list[str] | None = None
        self._raw: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        """Configured accounts, or every account the token reaches through ``/me/adaccounts``."""
        if self._ids is None:
            if self._configured:
                self._ids = list(dict.fromkeys(self._configured))
            else:
                pages = self._client.pages("me/adaccounts", {"fields": "account_id"})
                self._ids = sorted({bare_account_id(row["account_id"]) for page in pages for row in page})
        return self._ids

    def raw(self, account_id: str) -> dict[str, Any]:
        """The account node as Meta returned it (read once per run)."""
        with self._lock:
            if account_id not in self._raw:
                node = self._client.get(
                    f"act_{account_id}", {"fields": ",".join(ACCOUNT_FIELDS)}, account=account_id
                )
                missing = [f for f in ("currency", "timezone_name") if not node.get(f)]
                if missing:
                    raise ValueError(f"account {account_id}: Meta returned no {', '.join(missing)}")
                self._raw[account_id] = node
            return self._raw[account_id]

    def info(self, account_id: str) -> AccountInfo:
        node = self.raw(account_id)
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
