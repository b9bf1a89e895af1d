"""The data sources raw streams and the unified adapter both read, so data flows one way:
config -> transport -> source -> stream or adapter -> Singer output; nothing looks the tap up.

A platform supplies an ``AccountSource`` (which accounts a run reads, and the facts every stream
needs about each) and reads its entities and reports through its own sources built on the run's
slice cache (``ads_kit.tap.reports`` for reports), so a raw stream and a unified stream that need the
same rows cost one request.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from typing import Any, ClassVar, Protocol

from ads_kit.resilience.errors import AccountSkipped, ConfigError
from ads_kit.unified.adapter import AccountInfo


class AccountSource(Protocol):
    @property
    def setting(self) -> str:
        """The setting that names the accounts (Meta: ``ad_accounts``), for lines about them."""
        ...

    def ids(self) -> list[str]:
        """The accounts this run reads, in config order (no request needed when configured)."""
        ...

    def info(self, account_id: str) -> AccountInfo:
        """Currency, zone, name and status of one account (read once per run and shared)."""
        ...

    def raw(self, account_id: str) -> dict[str, Any]:
        """The account as the platform describes it (the raw account stream's row)."""
        ...


class StaticAccounts:
    """An ``AccountSource`` over accounts known up front."""

    setting = "accounts"

    def __init__(self, accounts: Iterable[AccountInfo]) -> None:
        self._accounts = {account.account_id: account for account in accounts}

    def ids(self) -> list[str]:
        return list(self._accounts)

    def info(self, account_id: str) -> AccountInfo:
        return self._accounts[account_id]

    def raw(self, account_id: str) -> dict[str, Any]:
        return dataclasses.asdict(self._accounts[account_id])


class AccountDirectory:
    """Configured accounts, or every account the credentials reach; each account's node (the
    platform's own answer about it) is read once per run and shared, so every stream agrees on its
    currency and zone without extra calls. A platform supplies ``discover``, ``read`` and ``to_info``
    (and ``bare_id`` when ids come in several spellings)."""

    setting: ClassVar[str] = "accounts"

    def __init__(self, configured: Iterable[str] | None) -> None:
        self._configured = list(dict.fromkeys(self.bare_id(a) for a in configured or []))
        self._ids: list[str] | None = None
        self._raw: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def bare_id(self, value: str) -> str:
        return str(value).strip()

    def discover(self) -> Iterable[str]:
        """Every account the credentials reach (when none is configured)."""
        raise NotImplementedError

    def read(self, account_id: str) -> dict[str, Any]:
        """The account's node, as the platform returns it."""
        raise NotImplementedError

    def to_info(self, account_id: str, node: dict[str, Any]) -> AccountInfo:
        raise NotImplementedError

    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self._configured or sorted({self.bare_id(a) for a in self.discover()})
            if not self._ids:
                raise ConfigError(self.setting, "not set, and the credentials reach no account to read")
        return self._ids

    def raw(self, account_id: str) -> dict[str, Any]:
        with self._lock:
            if account_id not in self._raw:
                try:
                    self._raw[account_id] = self.read(account_id)
                except AccountSkipped as exc:  # without its node no stream of the account can be read
                    raise AccountSkipped(account_id, exc.reason) from None
            return self._raw[account_id]

    def info(self, account_id: str) -> AccountInfo:
        return self.to_info(account_id, self.raw(account_id))
