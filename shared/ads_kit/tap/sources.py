"""The data sources raw streams and the unified adapter both read, so data flows one way:
config -> transport -> source -> stream or adapter -> Singer output; nothing looks the tap up.

A platform supplies an ``AccountSource`` (which accounts a run reads, and the facts every stream
needs about each) and reads its entities and reports through its own sources built on the run's
slice cache (``ads_kit.tap.reports`` for reports), so a raw stream and a unified stream that need the
same rows cost one request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ads_kit.unified.adapter import AccountInfo


class AccountSource(Protocol):
    def ids(self) -> list[str]:
        """The accounts this run reads, in config order (no request needed when configured)."""
        ...

    def info(self, account_id: str) -> AccountInfo:
        """Currency, zone, name and status of one account (read once per run and shared)."""
        ...


class StaticAccounts:
    """An ``AccountSource`` over accounts known up front."""

    def __init__(self, accounts: Iterable[AccountInfo]) -> None:
        self._accounts = {account.account_id: account for account in accounts}

    def ids(self) -> list[str]:
        return list(self._accounts)

    def info(self, account_id: str) -> AccountInfo:
        return self._accounts[account_id]
