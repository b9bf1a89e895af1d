"""What every Meta stream shares: one partition per ad account and per-account isolation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from singer_sdk import Stream
from singer_sdk.helpers.types import Context

from ads_kit.auth.errors import ReauthenticationRequired
from ads_kit.resilience.errors import AccountSkipped, ErrorClass, RequestFailed
from tap_meta_ads.client import MetaClient

if TYPE_CHECKING:
    from tap_meta_ads.tap import TapMetaAds


def account_failure(exc: Exception) -> str | None:
    """Why ``exc`` blocks one account only (no permission, or a token still rejected after a
    refresh), or None when it is not about the account."""
    if isinstance(exc, AccountSkipped):
        return exc.reason
    if isinstance(exc, ReauthenticationRequired):
        return str(exc)
    if isinstance(exc, RequestFailed) and exc.classified.error_class is ErrorClass.REAUTH:
        return f"{exc.classified.code}: {exc.classified.message}"
    return None


class MetaStream(Stream):
    """Partitioned by ``{"account_id": ...}`` (never anything secret: contexts reach state and targets)."""

    _tap: TapMetaAds

    @property
    def client(self) -> MetaClient:
        return self._tap.client

    @property
    def partitions(self) -> list[dict[str, Any]]:
        return [{"account_id": account_id} for account_id in self._tap.accounts.ids()]

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        account_id = str((context or {})["account_id"])
        if self._tap.is_skipped(account_id):
            return
        try:
            yield from self.account_records(account_id, context)
        except (AccountSkipped, RequestFailed, ReauthenticationRequired) as exc:
            reason = account_failure(exc)
            if reason is None:
                raise
            self._tap.skip_account(account_id, self.name, reason)

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def checkpoint(self) -> None:
        """Write STATE now: job ids and failed windows changed, which the SDK does not track."""
        self.state_manager.is_flushed = False
        self._write_state_message()

    def bookmark(self, context: Context | None) -> datetime | None:
        """This account's saved ``updated_time``-style bookmark. Unlike the SDK's starting timestamp
        it ignores ``start_date``, which bounds report days, not which objects exist."""
        state = self.get_context_state(context)
        value = (
            state.get("replication_key_value")
            if state.get("replication_key") == self.replication_key
            else None
        )
        return datetime.fromisoformat(str(value)) if value else None
